//! [`Db`]: one logical database (SELECT n): its keys and its expiry index.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use super::dict::Dict;
use super::small_bytes::SmallBytes;
use super::value::Value;

/// Redis's LRU clock has 24 bits of seconds.
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

/// The LRU clock value (seconds, 24 bits) for a wall-clock time in ms.
pub fn lru_clock(now_ms: i64) -> u32 {
    ((now_ms / 1000) as u32) & LRU_CLOCK_MAX
}

/// Seconds since `lru` given the current clock, allowing for wrap-around.
pub fn idle_seconds(clock: u32, lru: u32) -> u64 {
    if clock >= lru {
        (clock - lru) as u64
    } else {
        (clock as u64 + LRU_CLOCK_MAX as u64 + 1) - lru as u64
    }
}

/// A stored value with its access metadata.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The value.
    pub value: Value,
    /// LRU clock at last access (OBJECT IDLETIME).
    pub lru: u32,
}

/// One database: keys and the absolute expiry times (ms) of volatile keys.
#[derive(Debug, Default)]
pub struct Db {
    keys: Dict<SmallBytes, Entry>,
    /// Volatile keys and their absolute expiry time in ms (like Redis's
    /// `db->expires`), sampled by the active expiry cycle.
    expires: Dict<SmallBytes, i64>,
    /// Keys removed because they expired (lazily or actively).
    pub expired_count: u64,
    /// Running average of TTLs seen by the active cycle (INFO keyspace avg_ttl).
    pub avg_ttl: i64,
    /// Keys deleted because they expired whose `expired` event and
    /// modification signal the server has not sent yet (see
    /// `keyspace_events::drain_pending`).
    pub expired_pending: Vec<SmallBytes>,
    /// Keys deleted because they expired whose DEL the propagation path
    /// (AOF, replicas) has not queued yet (see `propagate::collect_expired`).
    pub expired_unpropagated: Vec<SmallBytes>,
    /// Keys created while `new` keyspace events are enabled, awaiting
    /// their event (see `keyspace_events::drain_pending`).
    pub new_pending: Vec<SmallBytes>,
}

/// Whether `new` keyspace events are enabled. Kept beside the keyspace
/// because a database cannot see the configuration; one relaxed load per
/// key creation.
pub static NOTIFY_NEW_KEYS: AtomicBool = AtomicBool::new(false);

/// `lazyfree-lazy-expire`, published here by the configuration for the
/// same reason as [`NOTIFY_NEW_KEYS`].
pub static LAZYFREE_LAZY_EXPIRE: AtomicBool = AtomicBool::new(false);

/// Set while the AOF is replayed: as in Redis, nothing expires while
/// loading (a key whose TTL passed since it was written must still be there
/// for the commands that follow, which may extend it).
pub static EXPIRY_SUSPENDED: AtomicBool = AtomicBool::new(false);

/// Whether keys are never considered expired now (see [`EXPIRY_SUSPENDED`]).
pub fn expiry_suspended() -> bool {
    EXPIRY_SUSPENDED.load(std::sync::atomic::Ordering::Relaxed)
}

/// The outcome of one round of the active expiry cycle on a database.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExpireRound {
    /// Keys with TTL examined.
    pub sampled: usize,
    /// Keys among them that had expired and were deleted.
    pub expired: usize,
}

thread_local! {
    /// Bumped each time a database on this thread queues an expired key
    /// for propagation, so the check after every command
    /// (`propagate::collect_expired`) need not visit every database.
    static EXPIRED_QUEUED: Cell<u64> = const { Cell::new(0) };
}

/// How many expired keys databases on this thread have queued for
/// propagation so far (only changes matter).
pub fn expired_queued_generation() -> u64 {
    EXPIRED_QUEUED.with(Cell::get)
}

impl Db {
    /// Queues an expired key's DEL for the propagation path.
    fn queue_unpropagated(&mut self, key: SmallBytes) {
        self.expired_unpropagated.push(key);
        EXPIRED_QUEUED.with(|g| g.set(g.get().wrapping_add(1)));
    }

    /// An empty database.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of keys (including logically expired ones not yet removed).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the database has no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Buckets of the key table (its size, for tests and diagnostics).
    pub fn bucket_count(&self) -> usize {
        self.keys.bucket_count()
    }

    /// Number of keys with an expiry.
    pub fn expires_len(&self) -> usize {
        self.expires.len()
    }

    /// The absolute expiry (ms) of `key`, if it has one.
    pub fn expire_at(&self, key: &[u8]) -> Option<i64> {
        if self.expires.is_empty() {
            return None;
        }
        self.expires.get(key).copied()
    }

    /// Whether `key` exists with an expiry in the past.
    pub fn is_expired(&self, key: &[u8], now_ms: i64) -> bool {
        !expiry_suspended() && matches!(self.expire_at(key), Some(at) if at <= now_ms)
    }

    /// Deletes `key` if it is logically expired; returns whether it did.
    pub fn expire_if_needed(&mut self, key: &[u8], now_ms: i64) -> bool {
        if self.is_expired(key, now_ms) {
            // A replica reports the key expired but keeps it: its master
            // sends the DEL (Redis 7.0's `expireIfNeeded`).
            if crate::replication::replica::keeps_expired_keys() {
                return true;
            }
            self.remove_expired(key);
            self.expired_count += 1;
            self.expired_pending.push(SmallBytes::new(key));
            self.queue_unpropagated(SmallBytes::new(key));
            true
        } else {
            false
        }
    }

    /// Looks a key up for reading or writing: an expired key is deleted and
    /// reported missing; the access time is updated.
    pub fn lookup(&mut self, key: &[u8], now_ms: i64) -> Option<&mut Entry> {
        if self.expire_if_needed(key, now_ms) {
            return None;
        }
        let e = self.keys.get_mut(key)?;
        crate::evict::lfu::touch(&mut e.lru, now_ms);
        Some(e)
    }

    /// Looks a key up without side effects (no deletion, no access time);
    /// an expired key is reported missing.
    pub fn peek(&self, key: &[u8], now_ms: i64) -> Option<&Entry> {
        if self.is_expired(key, now_ms) {
            return None;
        }
        self.keys.get(key)
    }

    /// Whether `key` is stored, expired or not (no side effects).
    pub fn has_key(&self, key: &[u8]) -> bool {
        self.keys.contains_key(key)
    }

    /// Sizes an empty database's tables for `keys` keys, `expires` of them
    /// with an expiry (a dump's RESIZEDB hint).
    pub fn reserve(&mut self, keys: usize, expires: usize) {
        self.keys.reserve(keys);
        self.expires.reserve(expires);
    }

    /// Mutable access without expiry or LRU side effects (after a lookup).
    pub fn get_mut_raw(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.keys.get_mut(key)
    }

    /// Stores `value` under `key`, replacing any old value. The expiry is
    /// cleared unless `keep_ttl`.
    pub fn set(&mut self, key: &[u8], value: Value, keep_ttl: bool, now_ms: i64) {
        let mut entry = Entry {
            value,
            lru: crate::evict::lfu::fresh_stamp(now_ms),
        };
        if let Some(old) = self.keys.get_mut(key) {
            // An overwritten value keeps its access frequency, as in Redis.
            if crate::evict::policy::lfu_enabled() {
                entry.lru = old.lru;
            }
            *old = entry;
            if !keep_ttl && !self.expires.is_empty() {
                self.expires.remove(key);
            }
        } else {
            self.keys.insert(SmallBytes::new(key), entry);
            self.note_new_key(key);
        }
    }

    /// Adds a key read from a dump with one table lookup: a dump holds
    /// each key once (a repeated one replaces the first, as [`Self::set`]).
    pub fn add_loaded(&mut self, key: &[u8], value: Value, now_ms: i64) {
        let entry = Entry {
            value,
            lru: crate::evict::lfu::fresh_stamp(now_ms),
        };
        if self.keys.insert(SmallBytes::new(key), entry).is_some() {
            self.expires.remove(key);
        } else {
            self.note_new_key(key);
        }
    }

    /// Stores a whole entry (RENAME, MOVE, COPY keep the access time).
    pub fn set_entry(&mut self, key: &[u8], entry: Entry) {
        if let Some(old) = self.keys.get_mut(key) {
            *old = entry;
            self.expires.remove(key);
        } else {
            self.keys.insert(SmallBytes::new(key), entry);
            self.note_new_key(key);
        }
    }

    /// Queues `key` for its `new` event when those are enabled.
    fn note_new_key(&mut self, key: &[u8]) {
        if NOTIFY_NEW_KEYS.load(Ordering::Relaxed) {
            self.new_pending.push(SmallBytes::new(key));
        }
    }

    /// Removes `key` and its expiry; returns the entry if it existed.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let (_, entry) = self.keys.remove(key)?;
        if !self.expires.is_empty() {
            self.expires.remove(key);
        }
        Some(entry)
    }

    /// Removes a key that expired, freeing its value in the background
    /// under `lazyfree-lazy-expire`.
    fn remove_expired(&mut self, key: &[u8]) {
        if let Some(entry) = self.remove(key) {
            let lazy = LAZYFREE_LAZY_EXPIRE.load(Ordering::Relaxed);
            crate::families::generic::lazyfree::free_value(entry.value, lazy);
        }
    }

    /// Removes `key` and returns its entry with its expiry (RENAME and MOVE
    /// carry both over to the new name or database).
    pub fn take(&mut self, key: &[u8]) -> Option<(Entry, Option<i64>)> {
        let at = self.expire_at(key);
        self.remove(key).map(|entry| (entry, at))
    }

    /// Stores `entry` under `key` with the given expiry, replacing any
    /// existing key and its expiry.
    pub fn put(&mut self, key: &[u8], entry: Entry, expire_at: Option<i64>) {
        self.set_entry(key, entry);
        if let Some(at) = expire_at {
            self.set_expire(key, at);
        }
    }

    /// Sets the absolute expiry (ms) of an existing key.
    pub fn set_expire(&mut self, key: &[u8], at_ms: i64) {
        debug_assert!(self.keys.contains_key(key));
        match self.expires.get_mut(key) {
            Some(t) => *t = at_ms,
            None => {
                self.expires.insert(SmallBytes::new(key), at_ms);
            }
        }
    }

    /// Removes the expiry of `key`; returns whether it had one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        self.expires.remove(key).is_some()
    }

    /// Whether the key is present (expired keys count as absent; nothing is deleted).
    pub fn contains(&self, key: &[u8], now_ms: i64) -> bool {
        self.peek(key, now_ms).is_some()
    }

    /// Empties the database, returning the old contents so a caller can free
    /// them elsewhere.
    pub fn take_all(&mut self) -> (Dict<SmallBytes, Entry>, Dict<SmallBytes, i64>) {
        (self.keys.take_all(), self.expires.take_all())
    }

    /// Exchanges the contents of two databases (SWAPDB).
    pub fn swap_contents(&mut self, other: &mut Db) {
        std::mem::swap(&mut self.keys, &mut other.keys);
        std::mem::swap(&mut self.expires, &mut other.expires);
        std::mem::swap(&mut self.avg_ttl, &mut other.avg_ttl);
    }

    /// All keys and entries (including logically expired ones).
    pub fn iter(&self) -> impl Iterator<Item = (&SmallBytes, &Entry)> {
        self.keys.iter()
    }

    /// One step of a SCAN over the keys; returns the next cursor.
    pub fn scan(&self, cursor: u64, f: impl FnMut(&SmallBytes, &Entry)) -> u64 {
        self.keys.scan(cursor, f)
    }

    /// A random key, or `None` when empty. Expired keys may be returned; the
    /// caller checks.
    pub fn random_key(&self) -> Option<&SmallBytes> {
        self.keys.random_entry().map(|(k, _)| k)
    }

    /// Samples up to `count` eviction candidates, a few neighbouring keys
    /// at a random spot (Redis's `dictGetSomeKeys`): among all keys, or
    /// only those with a TTL when `volatile`. `f` sees each key, its entry
    /// and its expiry.
    pub fn sample_for_eviction(
        &self,
        volatile: bool,
        count: usize,
        mut f: impl FnMut(&SmallBytes, &Entry, Option<i64>),
    ) {
        if volatile {
            let mut picked = Vec::with_capacity(count);
            self.expires.sample(count, &mut picked);
            for (key, at) in picked {
                if let Some(entry) = self.keys.get(key.as_slice()) {
                    f(key, entry, Some(*at));
                }
            }
        } else {
            let mut picked = Vec::with_capacity(count);
            self.keys.sample(count, &mut picked);
            for (key, entry) in picked {
                f(key, entry, self.expire_at(key));
            }
        }
    }

    /// A random key among all keys, or among those with a TTL when
    /// `volatile` (the random eviction policies).
    pub fn random_candidate(&self, volatile: bool) -> Option<&SmallBytes> {
        if volatile {
            self.expires.random_entry().map(|(k, _)| k)
        } else {
            self.random_key()
        }
    }

    /// One round of active expiry: samples up to `samples` volatile keys and
    /// deletes the expired ones.
    pub fn active_expire_round(&mut self, samples: usize, now_ms: i64) -> ExpireRound {
        let mut picked = Vec::with_capacity(samples);
        self.expires.sample(samples, &mut picked);
        let mut round = ExpireRound {
            sampled: picked.len(),
            expired: 0,
        };
        let mut ttl_sum = 0i64;
        let mut ttl_n = 0i64;
        let mut dead: Vec<SmallBytes> = Vec::new();
        for (k, &at) in picked {
            if at <= now_ms {
                dead.push(k.clone());
            } else {
                ttl_sum += at - now_ms;
                ttl_n += 1;
            }
        }
        for k in dead {
            self.remove_expired(&k);
            self.expired_count += 1;
            self.queue_unpropagated(k.clone());
            self.expired_pending.push(k);
            round.expired += 1;
        }
        if ttl_n > 0 {
            // Redis's running estimate: each round weighs 2% against history.
            let avg = ttl_sum / ttl_n;
            self.avg_ttl = if self.avg_ttl == 0 {
                avg
            } else {
                (self.avg_ttl / 50) * 49 + avg / 50
            };
        }
        round
    }

    /// Incremental rehashing work for the cron; returns whether more remains.
    pub fn rehash_for(&mut self, budget: std::time::Duration) -> bool {
        let more_keys = self.keys.rehash_for(budget / 2);
        let more_expires = self.expires.rehash_for(budget / 2);
        more_keys || more_expires
    }

    /// Lets the tables shrink after mass deletions.
    pub fn shrink_if_needed(&mut self) {
        self.keys.shrink_if_needed();
        self.expires.shrink_if_needed();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_expiry_on_lookup() {
        let mut db = Db::new();
        db.set(b"k", Value::string(b"v"), false, 1000);
        db.set_expire(b"k", 2000);
        assert!(db.lookup(b"k", 1999).is_some());
        assert!(db.peek(b"k", 2000).is_none());
        assert_eq!(db.len(), 1, "peek does not delete");
        assert!(db.lookup(b"k", 2000).is_none());
        assert_eq!(db.len(), 0);
        assert_eq!(db.expires_len(), 0);
        assert_eq!(db.expired_count, 1);
        assert_eq!(db.expired_pending.len(), 1, "the expiry awaits its event");
    }

    #[test]
    fn set_clears_ttl_unless_kept() {
        let mut db = Db::new();
        db.set(b"k", Value::string(b"v"), false, 0);
        db.set_expire(b"k", 5000);
        db.set(b"k", Value::string(b"w"), true, 0);
        assert_eq!(db.expire_at(b"k"), Some(5000));
        db.set(b"k", Value::string(b"x"), false, 0);
        assert_eq!(db.expire_at(b"k"), None);
    }

    #[test]
    fn active_round_removes_expired_samples() {
        let mut db = Db::new();
        for i in 0..10 {
            let k = format!("k{i}");
            db.set(k.as_bytes(), Value::string(b"v"), false, 0);
            db.set_expire(k.as_bytes(), 100);
        }
        let round = db.active_expire_round(20, 200);
        assert_eq!(round.expired, 10);
        assert!(db.is_empty());
    }

    #[test]
    fn take_and_put_carry_the_expiry() {
        let mut db = Db::new();
        db.set(b"a", Value::string(b"v"), false, 0);
        db.set_expire(b"a", 9000);
        db.set(b"b", Value::string(b"old"), false, 0);
        db.set_expire(b"b", 100);
        let (entry, at) = db.take(b"a").expect("a exists");
        assert_eq!(at, Some(9000));
        db.put(b"b", entry, at);
        assert_eq!(db.expire_at(b"b"), Some(9000));
        assert_eq!(db.len(), 1);
        assert_eq!(db.expires_len(), 1);
        let (entry, _) = db.take(b"b").expect("b exists");
        db.put(b"c", entry, None);
        assert_eq!(db.expire_at(b"c"), None);
        assert!(db.take(b"zz").is_none());
    }

    #[test]
    fn idle_time_wraps() {
        assert_eq!(idle_seconds(5, LRU_CLOCK_MAX - 4), 10);
        assert_eq!(idle_seconds(10, 4), 6);
    }
}
