//! BCAST mode: clients subscribe to key prefixes; keys changed under a
//! prefix are collected and sent to its subscribers in one message per
//! prefix once the current batch of commands is done (Redis sends them from
//! `beforeSleep`).

use std::collections::{BTreeMap, BTreeSet};

use super::send::{send, Outbox, Payload};
use crate::client::Client;
use crate::server::Server;

/// One prefix of the prefix table (Redis's `bcastState`).
#[derive(Debug, Default)]
pub struct Broadcast {
    /// Keys changed since the last broadcast, each with the id of the client
    /// that changed it last (None: expiry), for NOLOOP.
    keys: BTreeMap<Vec<u8>, Option<u64>>,
    /// Subscribed client ids.
    clients: BTreeSet<u64>,
}

/// Subscribes `client` to `prefix`.
pub(super) fn subscribe(srv: &mut Server, client: &mut Client, prefix: &[u8]) {
    let entry = srv.tracking.prefixes.entry(prefix.to_vec()).or_default();
    if entry.clients.insert(client.id) {
        client.tracking.prefixes.insert(prefix.to_vec());
    }
}

/// Removes `client` from all its prefixes, dropping prefixes left without
/// subscribers.
pub(super) fn unsubscribe_all(srv: &mut Server, client: &mut Client) {
    for prefix in std::mem::take(&mut client.tracking.prefixes) {
        let table = &mut srv.tracking.prefixes;
        if let Some(entry) = table.get_mut(&prefix) {
            entry.clients.remove(&client.id);
            if entry.clients.is_empty() {
                table.remove(&prefix);
            }
        }
    }
}

/// Redis's `checkPrefixCollisionsOrReply`: the error for the first prefix
/// that overlaps (one is a prefix of the other) with one the client has, or
/// with a later one of `new`, or None. The bool says whether Redis stops
/// there: it goes on and enables tracking after reporting an overlap among
/// the given prefixes unless the first one overlapped (a quirk clients see
/// as an error followed by OK).
pub fn prefix_overlap_error(existing: &BTreeSet<Vec<u8>>, new: &[&[u8]]) -> Option<(String, bool)> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    for (i, p) in new.iter().enumerate() {
        if let Some(old) = existing.iter().find(|old| overlap(old, p)) {
            let msg = format!(
                "ERR Prefix '{}' overlaps with an existing prefix '{}'. \
                 Prefixes for a single client must not overlap.",
                text(p),
                text(old)
            );
            return Some((msg, true));
        }
        if let Some(other) = new[i + 1..].iter().find(|q| overlap(p, q)) {
            let msg = format!(
                "ERR Prefix '{}' overlaps with another provided prefix '{}'. \
                 Prefixes for a single client must not overlap.",
                text(p),
                text(other)
            );
            return Some((msg, i == 0));
        }
    }
    None
}

/// Whether one of `a` and `b` starts with the other.
fn overlap(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// Queues changed `key` for every prefix it starts with.
pub(super) fn remember_change(srv: &mut Server, key: &[u8], modifier: Option<u64>) {
    let t = &mut srv.tracking;
    for (prefix, entry) in t.prefixes.iter_mut() {
        if key.starts_with(prefix) {
            entry.keys.insert(key.to_vec(), modifier);
            t.broadcast_due = true;
        }
    }
}

/// Redis's `trackingBroadcastInvalidationMessages`: sends each prefix's
/// changed keys to its subscribers (NOLOOP subscribers without the keys they
/// changed themselves) and starts collecting afresh. Run when no client is
/// borrowed: after a connection's batch of commands, and from cron.
pub fn broadcast_pending(srv: &mut Server) {
    if !srv.tracking.broadcast_due {
        return;
    }
    srv.tracking.broadcast_due = false;
    let prefixes = std::mem::take(&mut srv.tracking.prefixes);
    for entry in prefixes.values() {
        if entry.keys.is_empty() {
            continue;
        }
        let all = Payload::Array(key_array(&entry.keys, None));
        for &id in &entry.clients {
            let noloop = srv
                .clients
                .get(&id)
                .and_then(|c| c.try_borrow().ok().map(|c| c.tracking.noloop));
            if noloop == Some(true) {
                let own = key_array(&entry.keys, Some(id));
                if !own.starts_with(b"*0\r\n") {
                    send(&Outbox::of(srv), &mut None, id, &Payload::Array(own));
                }
            } else {
                send(&Outbox::of(srv), &mut None, id, &all);
            }
        }
    }
    srv.tracking.prefixes = prefixes;
    for entry in srv.tracking.prefixes.values_mut() {
        entry.keys.clear();
    }
}

/// The RESP array of `keys`, without those last changed by `skip`.
fn key_array(keys: &BTreeMap<Vec<u8>, Option<u64>>, skip: Option<u64>) -> Vec<u8> {
    let kept: Vec<&Vec<u8>> = keys
        .iter()
        .filter(|(_, by)| skip.is_none() || **by != skip)
        .map(|(k, _)| k)
        .collect();
    let mut v = format!("*{}\r\n", kept.len()).into_bytes();
    for k in kept {
        v.extend_from_slice(format!("${}\r\n", k.len()).as_bytes());
        v.extend_from_slice(k);
        v.extend_from_slice(b"\r\n");
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<Vec<u8>> {
        items.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn overlap_errors_as_redis_words_them() {
        // Texts checked against redis-server 7.0.15.
        let (msg, stop) = prefix_overlap_error(&set(&["ab"]), &[b"a"]).unwrap();
        assert_eq!(
            msg,
            "ERR Prefix 'a' overlaps with an existing prefix 'ab'. Prefixes for a single client must not overlap."
        );
        assert!(stop);
        let (msg, stop) = prefix_overlap_error(&set(&[]), &[b"ab", b"a"]).unwrap();
        assert_eq!(
            msg,
            "ERR Prefix 'ab' overlaps with another provided prefix 'a'. Prefixes for a single client must not overlap."
        );
        assert!(stop);
        let (_, stop) = prefix_overlap_error(&set(&[]), &[b"x", b"ab", b"a"]).unwrap();
        assert!(!stop, "Redis enables tracking anyway");
        assert_eq!(prefix_overlap_error(&set(&["b"]), &[b"a", b"c"]), None);
        assert!(prefix_overlap_error(&set(&["a"]), &[b""]).is_some());
    }

    #[test]
    fn noloop_arrays_leave_out_own_changes() {
        let mut keys = BTreeMap::new();
        keys.insert(b"a2".to_vec(), Some(7));
        keys.insert(b"a1".to_vec(), None);
        assert_eq!(key_array(&keys, None), b"*2\r\n$2\r\na1\r\n$2\r\na2\r\n");
        assert_eq!(key_array(&keys, Some(7)), b"*1\r\n$2\r\na1\r\n");
        assert_eq!(
            key_array(&keys, Some(8)).len(),
            key_array(&keys, None).len()
        );
    }
}
