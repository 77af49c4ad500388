//! WATCH: optimistic locking for MULTI/EXEC (the second half of Redis's
//! `multi.c`). Per database, a map from each watched key to the clients
//! watching it; per client, the keys it watches. A change to a watched key
//! marks its watchers dirty (`CLIENT_DIRTY_CAS`) so their EXEC fails.
//!
//! The dirty flag is a cell shared with the [`Client`], so a key can be
//! touched while the client that watches it is busy running a command.
//! Redis 7.0's rules for keys already expired when watched are kept: such a
//! key going away for good (expiry, flush) is no change; it coming back is.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::client::Client;
use crate::db::Db;
use crate::server::Server;

/// One client watching one key.
#[derive(Debug)]
struct Watcher {
    client: u64,
    /// The key was logically expired when WATCHed (Redis's `wk->expired`).
    expired: bool,
    /// The client's dirty flag.
    dirty: Rc<Cell<bool>>,
}

/// Every watch of the server.
#[derive(Debug, Default)]
pub struct Watches {
    /// Per database, each watched key and its watchers, first come first.
    by_key: Vec<HashMap<Vec<u8>, Vec<Watcher>>>,
    /// Per client, its watched `(db, key)` pairs in WATCH order.
    by_client: HashMap<u64, Vec<(usize, Vec<u8>)>>,
}

impl Watches {
    /// Number of keys client `id` watches.
    pub fn watched_by(&self, id: u64) -> usize {
        self.by_client.get(&id).map_or(0, Vec::len)
    }

    /// Number of distinct watched keys in database `db`.
    pub fn watched_keys(&self, db: usize) -> usize {
        self.by_key.get(db).map_or(0, HashMap::len)
    }
}

/// Whether `key` is stored in `db` at all, logically expired or not
/// (Redis's `dictFind(db->dict, key)`).
fn stored(db: &Db, key: &[u8]) -> bool {
    // Only stored keys have an expiry; without one, a peek cannot miss.
    db.expire_at(key).is_some() || db.peek(key, i64::MIN).is_some()
}

/// Watches `key` of the client's selected database (Redis's `watchForKey`).
pub fn watch(srv: &mut Server, client: &Client, key: &[u8]) {
    let db = client.db;
    let mine = srv.watches.by_client.entry(client.id).or_default();
    if mine.iter().any(|(d, k)| *d == db && k == key) {
        return;
    }
    mine.push((db, key.to_vec()));
    let expired = srv.dbs[db].is_expired(key, srv.now_ms);
    if srv.watches.by_key.len() <= db {
        srv.watches.by_key.resize_with(db + 1, HashMap::new);
    }
    srv.watches.by_key[db]
        .entry(key.to_vec())
        .or_default()
        .push(Watcher {
            client: client.id,
            expired,
            dirty: client.dirty_cas.clone(),
        });
}

/// Forgets every watch of client `id` (UNWATCH, EXEC, DISCARD, RESET,
/// disconnection). Clearing the dirty flag is up to the caller.
pub fn unwatch_all(srv: &mut Server, id: u64) {
    let Some(keys) = srv.watches.by_client.remove(&id) else {
        return;
    };
    for (db, key) in keys {
        let map = &mut srv.watches.by_key[db];
        if let Some(watchers) = map.get_mut(&key) {
            watchers.retain(|w| w.client != id);
            if watchers.is_empty() {
                map.remove(&key);
            }
        }
    }
}

/// Whether a key client `id` watches has logically expired since it was
/// watched (Redis's `isWatchedKeyExpired`, checked by EXEC).
pub fn watched_key_expired(srv: &Server, id: u64) -> bool {
    let Some(keys) = srv.watches.by_client.get(&id) else {
        return false;
    };
    keys.iter().any(|(db, key)| {
        let expired_when_watched = srv.watches.by_key[*db]
            .get(key)
            .and_then(|ws| ws.iter().find(|w| w.client == id))
            .is_some_and(|w| w.expired);
        !expired_when_watched && srv.dbs[*db].is_expired(key, srv.now_ms)
    })
}

/// `key` of database `db` was modified: its watchers' EXEC must fail
/// (Redis's `touchWatchedKey`). Dirty clients stop watching at once.
pub fn touch_key(srv: &mut Server, db: usize, key: &[u8]) {
    let Some(watchers) = srv.watches.by_key.get_mut(db).and_then(|m| m.get_mut(key)) else {
        return;
    };
    let gone = !stored(&srv.dbs[db], key);
    let mut dirtied = Vec::new();
    for w in watchers.iter_mut() {
        if w.expired {
            if gone {
                // An already expired key is now deleted: no logical change.
                w.expired = false;
                continue;
            }
            // Redis 7.0 stops at such a watcher (a `break` in its loop):
            // the clients after it are left untouched.
            break;
        }
        w.dirty.set(true);
        dirtied.push(w.client);
    }
    for id in dirtied {
        unwatch_all(srv, id);
    }
}

/// FLUSHDB/FLUSHALL is about to empty database `db` (every database when
/// `None`): watchers of keys that exist must fail.
pub fn touch_flushed(srv: &mut Server, db: Option<usize>) {
    let dbs = match db {
        Some(d) => d..d + 1,
        None => 0..srv.dbs.len(),
    };
    for d in dbs {
        touch_all_in_db(srv, d, d, None);
    }
}

/// SWAPDB exchanged databases `a` and `b` (called after the swap): watchers
/// of a key that exists on either side must fail.
pub fn touch_swapped(srv: &mut Server, a: usize, b: usize) {
    // Watches stay with their database number: the old contents of `a`
    // are now in `b` and its new ones came from `b`.
    touch_all_in_db(srv, a, b, Some(a));
    touch_all_in_db(srv, b, a, Some(b));
}

/// Redis's `touchAllWatchedKeysInDb` for the watchers of database
/// `watched`, whose old contents are `srv.dbs[old]` and new contents
/// `srv.dbs[new]` (none after a flush).
fn touch_all_in_db(srv: &mut Server, watched: usize, old: usize, new: Option<usize>) {
    let now = srv.now_ms;
    let Some(map) = srv.watches.by_key.get_mut(watched) else {
        return;
    };
    let old_db = &srv.dbs[old];
    let new_db = new.map(|n| &srv.dbs[n]);
    for (key, watchers) in map.iter_mut() {
        let in_old = stored(old_db, key);
        let in_new = new_db.is_some_and(|d| stored(d, key));
        if !in_old && !in_new {
            continue;
        }
        let expired_in_new = new_db.is_some_and(|d| d.is_expired(key, now));
        for w in watchers.iter_mut() {
            if w.expired {
                if !in_new {
                    // Expired key now deleted: no logical change.
                    w.expired = false;
                    continue;
                }
                if expired_in_new {
                    continue;
                }
            } else if !in_old && expired_in_new {
                // A missing key replaced with an expired one.
                w.expired = true;
                continue;
            }
            w.dirty.set(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::db::Value;
    use crate::keyspace_events::signal_modified_key;

    fn server() -> Server {
        let mut srv = Server::new(Config::from_args(&[]).unwrap());
        srv.now_ms = 1_000_000;
        srv
    }

    fn client(id: u64) -> Client {
        Client::new(id, "127.0.0.1:1".into(), "127.0.0.1:2".into(), 0, 0, true)
    }

    fn set(srv: &mut Server, db: usize, key: &[u8]) {
        let now = srv.now_ms;
        srv.dbs[db].set(
            key,
            Value::Str(crate::db::StrValue::from_bytes(b"v")),
            false,
            now,
        );
    }

    #[test]
    fn modification_dirties_watchers_and_unwatches_them() {
        let mut srv = server();
        let (a, b) = (client(1), client(2));
        watch(&mut srv, &a, b"k");
        watch(&mut srv, &a, b"k");
        watch(&mut srv, &a, b"other");
        watch(&mut srv, &b, b"k");
        assert_eq!(srv.watches.watched_by(1), 2);
        assert_eq!(srv.watches.watched_keys(0), 2);
        signal_modified_key(&mut srv, None, 0, b"other");
        assert!(a.dirty_cas.get());
        assert!(!b.dirty_cas.get());
        assert_eq!(srv.watches.watched_by(1), 0);
        assert_eq!(srv.watches.watched_keys(0), 1);
        signal_modified_key(&mut srv, None, 1, b"k");
        assert!(!b.dirty_cas.get());
        signal_modified_key(&mut srv, None, 0, b"k");
        assert!(b.dirty_cas.get());
        assert_eq!(srv.watches.watched_keys(0), 0);
    }

    #[test]
    fn unwatch_all_forgets_everything() {
        let mut srv = server();
        let a = client(1);
        watch(&mut srv, &a, b"k");
        unwatch_all(&mut srv, 1);
        touch_key(&mut srv, 0, b"k");
        assert!(!a.dirty_cas.get());
        assert_eq!(srv.watches.watched_keys(0), 0);
    }

    #[test]
    fn key_expired_when_watched_only_counts_if_it_comes_back() {
        let mut srv = server();
        let a = client(1);
        set(&mut srv, 0, b"k");
        srv.dbs[0].set_expire(b"k", 10);
        watch(&mut srv, &a, b"k");
        // Deleting the stale key is no change, and EXEC ignores it.
        assert!(!watched_key_expired(&srv, 1));
        srv.dbs[0].remove(b"k");
        touch_key(&mut srv, 0, b"k");
        assert!(!a.dirty_cas.get());
        // Once deleted it is an ordinary watch: a new value breaks it.
        set(&mut srv, 0, b"k");
        touch_key(&mut srv, 0, b"k");
        assert!(a.dirty_cas.get());
    }

    #[test]
    fn key_expiring_after_watch_fails_exec() {
        let mut srv = server();
        let a = client(1);
        set(&mut srv, 0, b"k");
        srv.dbs[0].set_expire(b"k", srv.now_ms + 100);
        watch(&mut srv, &a, b"k");
        assert!(!watched_key_expired(&srv, 1));
        srv.now_ms += 200;
        assert!(watched_key_expired(&srv, 1));
    }

    #[test]
    fn flush_touches_only_existing_keys() {
        let mut srv = server();
        let (a, b) = (client(1), client(2));
        set(&mut srv, 0, b"here");
        watch(&mut srv, &a, b"here");
        watch(&mut srv, &b, b"absent");
        touch_flushed(&mut srv, None);
        assert!(a.dirty_cas.get());
        assert!(!b.dirty_cas.get());
    }

    #[test]
    fn swap_touches_keys_existing_on_either_side() {
        let mut srv = server();
        let (a, mut b, c) = (client(1), client(2), client(3));
        b.db = 1;
        set(&mut srv, 1, b"k");
        watch(&mut srv, &a, b"k");
        watch(&mut srv, &b, b"k");
        watch(&mut srv, &c, b"nowhere");
        let (x, y) = srv.dbs.split_at_mut(1);
        x[0].swap_contents(&mut y[0]);
        touch_swapped(&mut srv, 0, 1);
        assert!(a.dirty_cas.get());
        assert!(b.dirty_cas.get());
        assert!(!c.dirty_cas.get());
    }
}
