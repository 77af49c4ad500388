//! What the server tells the world when a key changes: keyspace
//! notifications (`notify-keyspace-events`, published on
//! `__keyspace@<db>__:<key>` and `__keyevent@<db>__:<event>`) and the
//! "key modified" signal that WATCH and client tracking listen to (Redis's
//! `notifyKeyspaceEvent` and `signalModifiedKey`).
//!
//! Commands call these through [`Ctx::notify`] and [`Ctx::signal_modified`]
//! in the order Redis does, beside the change they report. Keys that expire
//! inside the keyspace are queued by [`Db`](crate::db::Db) and reported by
//! [`drain_pending`].

use rkv_proto::ReplyWriter;

use crate::client::Client;
use crate::command::Ctx;
use crate::families::pubsub::delivery::deliver;
use crate::families::pubsub::Class;
use crate::server::Server;

/// Event classes, with Redis's bit values (`NOTIFY_*` in server.h).
pub mod class {
    /// `K`: publish on `__keyspace@<db>__:<key>`.
    pub const KEYSPACE: u32 = 1 << 0;
    /// `E`: publish on `__keyevent@<db>__:<event>`.
    pub const KEYEVENT: u32 = 1 << 1;
    /// `g`: generic commands (DEL, EXPIRE, RENAME...).
    pub const GENERIC: u32 = 1 << 2;
    /// `$`: string commands.
    pub const STRING: u32 = 1 << 3;
    /// `l`: list commands.
    pub const LIST: u32 = 1 << 4;
    /// `s`: set commands.
    pub const SET: u32 = 1 << 5;
    /// `h`: hash commands.
    pub const HASH: u32 = 1 << 6;
    /// `z`: sorted set commands.
    pub const ZSET: u32 = 1 << 7;
    /// `x`: a key expired.
    pub const EXPIRED: u32 = 1 << 8;
    /// `e`: a key was evicted for maxmemory.
    pub const EVICTED: u32 = 1 << 9;
    /// `t`: stream commands.
    pub const STREAM: u32 = 1 << 10;
    /// `m`: a key was looked up and missed.
    pub const KEY_MISS: u32 = 1 << 11;
    /// `d`: module key types (none in rkv; kept so the flag round-trips).
    pub const MODULE: u32 = 1 << 13;
    /// `n`: a new key was created.
    pub const NEW: u32 = 1 << 14;
    /// `A`: alias for `g$lshzxetd`.
    pub const ALL: u32 =
        GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;
}

/// The letters `notify-keyspace-events` accepts, in the order Redis prints
/// them (after `A` when every class of `A` is set).
const CLASS_LETTERS: &[(u8, u32)] = &[
    (b'g', class::GENERIC),
    (b'$', class::STRING),
    (b'l', class::LIST),
    (b's', class::SET),
    (b'h', class::HASH),
    (b'z', class::ZSET),
    (b'x', class::EXPIRED),
    (b'e', class::EVICTED),
    (b't', class::STREAM),
    (b'd', class::MODULE),
    (b'n', class::NEW),
];

/// The error CONFIG SET gives for an unknown letter.
pub const INVALID_CLASS: &str = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/// Parses a `notify-keyspace-events` value; `None` on an unknown letter.
pub fn parse_classes(text: &str) -> Option<u32> {
    let mut flags = 0;
    for c in text.bytes() {
        flags |= match c {
            b'A' => class::ALL,
            b'K' => class::KEYSPACE,
            b'E' => class::KEYEVENT,
            b'm' => class::KEY_MISS,
            _ => CLASS_LETTERS.iter().find(|(l, _)| *l == c)?.1,
        };
    }
    Some(flags)
}

/// Formats flags as CONFIG GET shows them (`AKE`, `gK`, `nKE`...).
pub fn format_classes(flags: u32) -> String {
    let mut s = String::new();
    if flags & class::ALL == class::ALL {
        s.push('A');
    } else {
        for (letter, bit) in CLASS_LETTERS {
            if flags & bit != 0 {
                s.push(*letter as char);
            }
        }
    }
    for (letter, bit) in [
        ('K', class::KEYSPACE),
        ('E', class::KEYEVENT),
        ('m', class::KEY_MISS),
    ] {
        if flags & bit != 0 {
            s.push(letter);
        }
    }
    s
}

/// Publishes `event` about `key` of database `db` if its class is enabled.
/// `caller` is the client whose command caused it, if any: its own
/// subscription gets the message inside the current reply, as in Redis.
pub fn notify(
    srv: &mut Server,
    mut caller: Option<(&mut Client, &mut ReplyWriter<'_>)>,
    event_class: u32,
    event: &str,
    key: &[u8],
    db: usize,
) {
    let enabled = srv.config.notify_keyspace_events;
    if enabled & event_class == 0 || srv.pubsub.is_empty() {
        return;
    }
    if enabled & class::KEYSPACE != 0 {
        let mut channel = format!("__keyspace@{db}__:").into_bytes();
        channel.extend_from_slice(key);
        let again = caller.as_mut().map(|(c, o)| (&mut **c, &mut **o));
        deliver(srv, again, Class::Channel, &channel, event.as_bytes());
    }
    if enabled & class::KEYEVENT != 0 {
        let channel = format!("__keyevent@{db}__:{event}");
        deliver(srv, caller, Class::Channel, channel.as_bytes(), key);
    }
}

/// Redis's `signalModifiedKey`: `key` of database `db` changed, so
/// transactions watching it must fail and clients caching it must be told.
/// `caller` is the client that changed it (None for expiry and eviction).
pub fn signal_modified_key(srv: &mut Server, caller: Option<&mut Client>, db: usize, key: &[u8]) {
    crate::watch::touch_key(srv, db, key);
    crate::tracking::invalidate_key(srv, caller, db, key);
}

/// Redis's `signalFlushedDb`: database `db` (every database when `None`)
/// was emptied by FLUSHDB/FLUSHALL.
pub fn signal_flushed_db(srv: &mut Server, db: Option<usize>) {
    crate::watch::touch_flushed(srv, db);
    crate::tracking::invalidate_all(srv);
}

/// SWAPDB exchanged the contents of databases `a` and `b`: watchers of keys
/// that exist on either side before or after must be told.
pub fn signal_swapped_dbs(srv: &mut Server, a: usize, b: usize) {
    crate::watch::touch_swapped(srv, a, b);
}

/// Reports what the keyspace did by itself: keys deleted because they
/// expired (an `expired` event and a modification signal each), then keys
/// created (a `new` event each), in the order they happened.
pub fn drain_pending(srv: &mut Server, mut caller: Option<(&mut Client, &mut ReplyWriter<'_>)>) {
    for db in 0..srv.dbs.len() {
        let again = caller.as_mut().map(|(c, o)| (&mut **c, &mut **o));
        drain_pending_db(srv, again, db);
    }
}

/// [`drain_pending`] for database `db` alone: what a command run in that
/// database left (checked after every command, so it costs two length
/// tests when nothing is pending).
pub fn drain_pending_db(
    srv: &mut Server,
    mut caller: Option<(&mut Client, &mut ReplyWriter<'_>)>,
    db: usize,
) {
    let d = &mut srv.dbs[db];
    if d.expired_pending.is_empty() && d.new_pending.is_empty() {
        return;
    }
    let expired = std::mem::take(&mut d.expired_pending);
    let created = std::mem::take(&mut d.new_pending);
    for key in &expired {
        let again = caller.as_mut().map(|(c, o)| (&mut **c, &mut **o));
        notify(srv, again, class::EXPIRED, "expired", key, db);
        signal_modified_key(srv, None, db, key);
    }
    for key in &created {
        let again = caller.as_mut().map(|(c, o)| (&mut **c, &mut **o));
        notify(srv, again, class::NEW, "new", key, db);
    }
}

impl Ctx<'_> {
    /// Publishes `event` about `key` in the client's database (after any
    /// pending `expired` events, so they keep Redis's order).
    pub fn notify(&mut self, event_class: u32, event: &str, key: &[u8]) {
        let db = self.client.db;
        self.notify_in(db, event_class, event, key);
    }

    /// [`Ctx::notify`] for a key of database `db` (MOVE, COPY ... DB).
    pub fn notify_in(&mut self, db: usize, event_class: u32, event: &str, key: &[u8]) {
        self.drain_pending();
        if db != self.client.db {
            drain_pending_db(self.srv, Some((&mut *self.client, &mut self.out)), db);
        }
        notify(
            self.srv,
            Some((&mut *self.client, &mut self.out)),
            event_class,
            event,
            key,
            db,
        );
    }

    /// Signals that `key` in the client's database was modified.
    pub fn signal_modified(&mut self, key: &[u8]) {
        let db = self.client.db;
        self.signal_modified_in(db, key);
    }

    /// [`Ctx::signal_modified`] for a key of database `db`.
    pub fn signal_modified_in(&mut self, db: usize, key: &[u8]) {
        self.drain_pending();
        if db != self.client.db {
            drain_pending_db(self.srv, Some((&mut *self.client, &mut self.out)), db);
        }
        signal_modified_key(self.srv, Some(&mut *self.client), db, key);
    }

    /// Sends the events of keys that expired or were created during this
    /// command so far, in the client's database (a command working on
    /// another database drains it through [`Ctx::notify_in`]).
    pub fn drain_pending(&mut self) {
        let db = self.client.db;
        drain_pending_db(self.srv, Some((&mut *self.client, &mut self.out)), db);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_round_trip_as_redis_prints_them() {
        // Each pair was checked with CONFIG SET/GET on redis-server 7.0.15.
        for (set, shown) in [
            ("", ""),
            ("g", "g"),
            ("KEA", "AKE"),
            ("Kg", "gK"),
            ("$lshzxetd", "$lshzxetd"),
            ("KEn", "nKE"),
            ("AKEmn", "AKEm"),
            ("Km", "Km"),
            ("xE", "xE"),
            ("KA", "AK"),
        ] {
            let flags = parse_classes(set).expect(set);
            assert_eq!(format_classes(flags), shown, "{set}");
        }
        assert_eq!(parse_classes("q"), None);
        assert_eq!(parse_classes("Kq"), None);
    }
}
