//! The state client-side caching keeps: the server's table of tracked keys
//! and prefixes ([`Tracking`]) and each client's settings
//! ([`ClientTracking`]).

use std::collections::{BTreeMap, BTreeSet};

use super::broadcast::Broadcast;
use super::send::Pending;
use crate::db::dict::Dict;

/// Server-wide tracking state (Redis's `TrackingTable`, `PrefixTable` and
/// `tracking_pending_keys`).
#[derive(Debug, Default)]
pub struct Tracking {
    /// Tracked key -> ids of the clients that may cache it (sorted).
    keys: Dict<Vec<u8>, Vec<u64>>,
    /// Sum of the id lists' lengths (INFO `tracking_total_items`).
    items: u64,
    /// BCAST prefix -> its subscribers and the keys changed since the last
    /// broadcast.
    pub(super) prefixes: BTreeMap<Vec<u8>, Broadcast>,
    /// Whether some prefix has changed keys waiting to be broadcast.
    pub(super) broadcast_due: bool,
    /// Clients with tracking on (INFO `tracking_clients`).
    pub(super) clients: usize,
    /// The client whose command is running (Redis's `current_client`).
    pub(super) running: Option<u64>,
    /// Messages for the running client, sent once its reply is written.
    pub(super) pending: Vec<Pending>,
    /// Where the running client's reply starts in its output buffer.
    pub(super) reply_start: usize,
    /// Calls of the table limiter that ended still over the limit in a row.
    pub(super) eviction_rounds: u32,
}

impl Tracking {
    /// Clients with tracking on (INFO `tracking_clients`).
    pub fn client_count(&self) -> usize {
        self.clients
    }

    /// Keys in the tracking table (INFO `tracking_total_keys`).
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Client ids stored across the table (INFO `tracking_total_items`).
    pub fn item_count(&self) -> u64 {
        self.items
    }

    /// BCAST prefixes with subscribers (INFO `tracking_total_prefixes`).
    pub fn prefix_count(&self) -> usize {
        self.prefixes.len()
    }

    /// Notes that client `id` may cache `key`.
    pub(super) fn remember(&mut self, key: &[u8], id: u64) {
        let (ids, _) = self.keys.get_or_insert_with(key.to_vec(), Vec::new);
        if let Err(at) = ids.binary_search(&id) {
            ids.insert(at, id);
            self.items += 1;
        }
    }

    /// Removes `key` from the table, returning who may cache it.
    pub(super) fn take_key(&mut self, key: &[u8]) -> Option<Vec<u64>> {
        let (_, ids) = self.keys.remove(key)?;
        self.items -= ids.len() as u64;
        Some(ids)
    }

    /// A random tracked key (for the table limit).
    pub(super) fn random_key(&self) -> Option<Vec<u8>> {
        self.keys.random_entry().map(|(k, _)| k.clone())
    }

    /// Empties the table (after a flush every client was told already).
    pub(super) fn forget_all_keys(&mut self) {
        self.keys = Dict::new();
        self.items = 0;
    }

    /// Gives memory back after many keys were invalidated.
    pub(super) fn shrink_if_needed(&mut self) {
        self.keys.shrink_if_needed();
    }
}

/// What `CLIENT TRACKING ON` asked for, besides the redirection and prefixes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `BCAST`.
    pub bcast: bool,
    /// `OPTIN`.
    pub optin: bool,
    /// `OPTOUT`.
    pub optout: bool,
    /// `NOLOOP`.
    pub noloop: bool,
}

/// One client's tracking settings (Redis's `CLIENT_TRACKING*` flags,
/// `client_tracking_redirection` and `client_tracking_prefixes`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientTracking {
    /// Tracking is on (CLIENT LIST flag `t`).
    pub on: bool,
    /// Broadcasting mode (flag `B`).
    pub bcast: bool,
    /// Only keys read right after `CLIENT CACHING YES` are tracked.
    pub optin: bool,
    /// Keys read right after `CLIENT CACHING NO` are not tracked.
    pub optout: bool,
    /// `CLIENT CACHING` was given for the next command.
    pub caching: bool,
    /// Changes made by this client are not reported to it.
    pub noloop: bool,
    /// The redirection client went away (flag `R`).
    pub broken_redirect: bool,
    /// Client id the messages go to; 0 for the client itself.
    pub redirect: u64,
    /// BCAST prefixes, sorted as Redis lists them.
    pub prefixes: BTreeSet<Vec<u8>>,
}

impl ClientTracking {
    /// The `flags=` letters CLIENT LIST shows for tracking (`t`, `R`, `B`).
    pub fn flag_letters(&self) -> &'static str {
        match (self.on, self.broken_redirect, self.bcast) {
            (false, _, _) => "",
            (true, false, false) => "t",
            (true, true, false) => "tR",
            (true, false, true) => "tB",
            (true, true, true) => "tRB",
        }
    }

    /// The `redir=` field of CLIENT LIST: the redirection, -1 when off.
    pub fn redir_field(&self) -> i64 {
        if self.on {
            self.redirect as i64
        } else {
            -1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_counts_keys_and_items() {
        let mut t = Tracking::default();
        t.remember(b"a", 5);
        t.remember(b"a", 3);
        t.remember(b"a", 5);
        t.remember(b"b", 5);
        assert_eq!((t.key_count(), t.item_count()), (2, 3));
        assert_eq!(t.take_key(b"a"), Some(vec![3, 5]));
        assert_eq!(t.take_key(b"a"), None);
        assert_eq!((t.key_count(), t.item_count()), (1, 1));
        assert_eq!(t.random_key(), Some(b"b".to_vec()));
        t.forget_all_keys();
        assert_eq!((t.key_count(), t.item_count()), (0, 0));
    }

    #[test]
    fn client_list_fields() {
        let mut c = ClientTracking::default();
        assert_eq!((c.flag_letters(), c.redir_field()), ("", -1));
        c.redirect = 9;
        assert_eq!(c.redir_field(), -1);
        c.on = true;
        assert_eq!((c.flag_letters(), c.redir_field()), ("t", 9));
        c.bcast = true;
        c.broken_redirect = true;
        assert_eq!(c.flag_letters(), "tRB");
    }
}
