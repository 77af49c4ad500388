//! Who listens to what: the server's channel/pattern/shard-channel tables
//! ([`Registry`]) and each client's own subscription sets
//! ([`ClientSubscriptions`]), kept in step by the subscribe commands.

use std::collections::{HashMap, HashSet};

use crate::glob::glob_match;

/// The three kinds of subscription Redis 7.0 has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// SUBSCRIBE / PUBLISH.
    Channel,
    /// PSUBSCRIBE: glob patterns matched against PUBLISH channels.
    Pattern,
    /// SSUBSCRIBE / SPUBLISH.
    Shard,
}

impl Class {
    /// The first element of a subscribe confirmation.
    pub fn subscribe_word(self) -> &'static [u8] {
        match self {
            Class::Channel => b"subscribe",
            Class::Pattern => b"psubscribe",
            Class::Shard => b"ssubscribe",
        }
    }

    /// The first element of an unsubscribe confirmation.
    pub fn unsubscribe_word(self) -> &'static [u8] {
        match self {
            Class::Channel => b"unsubscribe",
            Class::Pattern => b"punsubscribe",
            Class::Shard => b"sunsubscribe",
        }
    }
}

/// One client's subscriptions. Channels are unordered (a hash set, as
/// Redis's per-client dict); patterns keep subscription order (Redis's list).
#[derive(Debug, Clone, Default)]
pub struct ClientSubscriptions {
    /// SUBSCRIBE channels.
    pub channels: HashSet<Vec<u8>>,
    /// PSUBSCRIBE patterns, oldest first.
    pub patterns: Vec<Vec<u8>>,
    /// SSUBSCRIBE shard channels.
    pub shard: HashSet<Vec<u8>>,
}

impl ClientSubscriptions {
    /// The count a confirmation of `class` reports: Redis counts channels
    /// and patterns together, shard channels apart.
    pub fn count_for(&self, class: Class) -> usize {
        match class {
            Class::Channel | Class::Pattern => self.channels.len() + self.patterns.len(),
            Class::Shard => self.shard.len(),
        }
    }

    /// Every subscription of any class (zero: the client leaves pub/sub mode).
    pub fn total(&self) -> usize {
        self.channels.len() + self.patterns.len() + self.shard.len()
    }

    /// Adds a subscription; false when it was already there.
    pub fn add(&mut self, class: Class, name: &[u8]) -> bool {
        match class {
            Class::Channel => self.channels.insert(name.to_vec()),
            Class::Shard => self.shard.insert(name.to_vec()),
            Class::Pattern => {
                if self.patterns.iter().any(|p| p == name) {
                    return false;
                }
                self.patterns.push(name.to_vec());
                true
            }
        }
    }

    /// Removes a subscription; false when there was none.
    pub fn remove(&mut self, class: Class, name: &[u8]) -> bool {
        match class {
            Class::Channel => self.channels.remove(name),
            Class::Shard => self.shard.remove(name),
            Class::Pattern => match self.patterns.iter().position(|p| p == name) {
                Some(i) => {
                    self.patterns.remove(i);
                    true
                }
                None => false,
            },
        }
    }

    /// The names of `class`, in the order an unsubscribe-all reports them.
    pub fn names(&self, class: Class) -> Vec<Vec<u8>> {
        match class {
            Class::Channel => self.channels.iter().cloned().collect(),
            Class::Shard => self.shard.iter().cloned().collect(),
            Class::Pattern => self.patterns.clone(),
        }
    }
}

/// The server side: each channel, pattern and shard channel with its
/// subscribers' client ids in subscription order (the delivery order).
#[derive(Debug, Default)]
pub struct Registry {
    channels: HashMap<Vec<u8>, Vec<u64>>,
    patterns: HashMap<Vec<u8>, Vec<u64>>,
    shard: HashMap<Vec<u8>, Vec<u64>>,
}

impl Registry {
    fn table(&self, class: Class) -> &HashMap<Vec<u8>, Vec<u64>> {
        match class {
            Class::Channel => &self.channels,
            Class::Pattern => &self.patterns,
            Class::Shard => &self.shard,
        }
    }

    fn table_mut(&mut self, class: Class) -> &mut HashMap<Vec<u8>, Vec<u64>> {
        match class {
            Class::Channel => &mut self.channels,
            Class::Pattern => &mut self.patterns,
            Class::Shard => &mut self.shard,
        }
    }

    /// Appends `client` to the subscribers of `name`.
    pub fn add(&mut self, class: Class, name: &[u8], client: u64) {
        self.table_mut(class)
            .entry(name.to_vec())
            .or_default()
            .push(client);
    }

    /// Removes `client` from the subscribers of `name`, dropping the name
    /// when nobody is left.
    pub fn remove(&mut self, class: Class, name: &[u8], client: u64) {
        let table = self.table_mut(class);
        if let Some(ids) = table.get_mut(name) {
            ids.retain(|id| *id != client);
            if ids.is_empty() {
                table.remove(name);
            }
        }
    }

    /// Subscribers of exactly `name`.
    pub fn subscribers(&self, class: Class, name: &[u8]) -> &[u64] {
        self.table(class).get(name).map_or(&[], Vec::as_slice)
    }

    /// Number of distinct names of `class` (PUBSUB NUMPAT for patterns).
    pub fn len(&self, class: Class) -> usize {
        self.table(class).len()
    }

    /// Whether nothing at all is subscribed.
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.patterns.is_empty() && self.shard.is_empty()
    }

    /// Names of `class` matching `pattern` (every name when `None`), as
    /// PUBSUB CHANNELS / SHARDCHANNELS list them.
    pub fn names_matching(&self, class: Class, pattern: Option<&[u8]>) -> Vec<&[u8]> {
        self.table(class)
            .keys()
            .filter(|name| pattern.is_none_or(|p| glob_match(p, name, false)))
            .map(Vec::as_slice)
            .collect()
    }

    /// `(pattern, subscriber)` pairs whose pattern matches `channel`, in
    /// the order PUBLISH delivers `pmessage`s.
    pub fn pattern_matches(&self, channel: &[u8]) -> Vec<(Vec<u8>, u64)> {
        let mut hits = Vec::new();
        for (pattern, ids) in &self.patterns {
            if glob_match(pattern, channel, false) {
                hits.extend(ids.iter().map(|id| (pattern.clone(), *id)));
            }
        }
        hits
    }

    /// Forgets every subscription of a client that is going away.
    pub fn drop_client(&mut self, client: u64, subs: &ClientSubscriptions) {
        for c in &subs.channels {
            self.remove(Class::Channel, c, client);
        }
        for p in &subs.patterns {
            self.remove(Class::Pattern, p, client);
        }
        for s in &subs.shard {
            self.remove(Class::Shard, s, client);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribers_keep_subscription_order_and_names_vanish_when_empty() {
        let mut r = Registry::default();
        r.add(Class::Channel, b"news", 3);
        r.add(Class::Channel, b"news", 1);
        r.add(Class::Channel, b"news", 2);
        assert_eq!(r.subscribers(Class::Channel, b"news"), &[3, 1, 2]);
        r.remove(Class::Channel, b"news", 1);
        assert_eq!(r.subscribers(Class::Channel, b"news"), &[3, 2]);
        r.remove(Class::Channel, b"news", 3);
        r.remove(Class::Channel, b"news", 2);
        assert_eq!(r.len(Class::Channel), 0);
        assert!(r.is_empty());
    }

    #[test]
    fn patterns_match_with_redis_globs() {
        let mut r = Registry::default();
        r.add(Class::Pattern, b"news.*", 1);
        r.add(Class::Pattern, b"h?llo", 2);
        r.add(Class::Pattern, b"news.[ab]", 3);
        let mut hits = r.pattern_matches(b"news.a");
        hits.sort();
        assert_eq!(
            hits,
            vec![(b"news.*".to_vec(), 1), (b"news.[ab]".to_vec(), 3)]
        );
        assert_eq!(r.pattern_matches(b"hallo"), vec![(b"h?llo".to_vec(), 2)]);
        assert!(r.pattern_matches(b"other").is_empty());
    }

    #[test]
    fn names_matching_filters_channels() {
        let mut r = Registry::default();
        r.add(Class::Channel, b"a1", 1);
        r.add(Class::Channel, b"b1", 1);
        r.add(Class::Shard, b"a2", 1);
        let mut all = r.names_matching(Class::Channel, None);
        all.sort();
        assert_eq!(all, vec![b"a1".as_slice(), b"b1"]);
        assert_eq!(r.names_matching(Class::Channel, Some(b"a*")), vec![b"a1"]);
        assert_eq!(r.names_matching(Class::Shard, Some(b"*")), vec![b"a2"]);
    }

    #[test]
    fn client_counts_join_channels_and_patterns_but_not_shards() {
        let mut s = ClientSubscriptions::default();
        assert!(s.add(Class::Channel, b"a"));
        assert!(!s.add(Class::Channel, b"a"));
        assert!(s.add(Class::Pattern, b"p*"));
        assert!(s.add(Class::Shard, b"s"));
        assert_eq!(s.count_for(Class::Channel), 2);
        assert_eq!(s.count_for(Class::Pattern), 2);
        assert_eq!(s.count_for(Class::Shard), 1);
        assert_eq!(s.total(), 3);
        assert!(s.remove(Class::Pattern, b"p*"));
        assert!(!s.remove(Class::Pattern, b"p*"));
        assert_eq!(s.count_for(Class::Channel), 1);
    }

    #[test]
    fn drop_client_removes_everything_it_held() {
        let mut r = Registry::default();
        let mut s = ClientSubscriptions::default();
        for (class, name) in [
            (Class::Channel, b"a".as_slice()),
            (Class::Pattern, b"p*"),
            (Class::Shard, b"s"),
        ] {
            s.add(class, name);
            r.add(class, name, 7);
        }
        r.add(Class::Channel, b"a", 8);
        r.drop_client(7, &s);
        assert_eq!(r.subscribers(Class::Channel, b"a"), &[8]);
        assert_eq!(r.len(Class::Pattern), 0);
        assert_eq!(r.len(Class::Shard), 0);
    }
}
