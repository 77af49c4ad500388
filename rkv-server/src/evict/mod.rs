//! maxmemory and key eviction, approximated as Redis 7.0 does it.
//!
//! - [`policy`]: the eight `maxmemory-policy` values and the process-wide
//!   copy of the access-tracking settings the keyspace reads.
//! - [`lfu`]: the 24-bit access stamp of each entry (LRU clock or LFU
//!   minutes + logarithmic counter).
//! - [`pool`]: the 16-entry eviction pool filled by sampling.
//! - [`clients`]: client eviction for `maxmemory-clients`.
//! - this file: [`perform_evictions`] (Redis's `performEvictions`) and
//!   [`rejects_for_oom`], the one OOM check dispatch runs before a command.
//!
//! Memory is measured with [`crate::memory::used_memory`], an atomic
//! running total kept by the counting global allocator, so the check
//! before each command is one load and a compare; the bytes an eviction
//! frees are measured as the drop in that total.
//!
//! Active defragmentation is not implemented: jemalloc's public `mallctl`
//! interface (what tikv-jemalloc-ctl wraps) reports fragmentation per
//! arena and size class, but Redis's defragger also needs to ask, for one
//! pointer, whether its slab is under-used (`je_get_defrag_hint`, a function
//! of Redis's patched jemalloc) and to allocate bypassing the thread cache;
//! neither is reachable through the stock crate.

pub mod clients;
pub mod lfu;
pub mod policy;
pub mod pool;

use std::time::Instant;

use rkv_proto::ReplyWriter;

use crate::client::Client;
use crate::command::spec::CommandSpec;
use crate::keyspace_events::{self, class};
use crate::server::Server;

pub use policy::MaxmemoryPolicy;
pub use pool::EvictionPool;

/// What a pass of [`perform_evictions`] achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvictResult {
    /// Memory is within the limit (or there is no limit).
    Ok,
    /// The pass ran out of time with memory still over the limit; the next
    /// command or cron tick goes on evicting. Not an OOM condition.
    Running,
    /// Over the limit and nothing (more) can be evicted.
    Fail,
}

/// Eviction state that lives as long as the server.
#[derive(Debug, Default)]
pub struct EvictionState {
    /// The candidate pool, kept across passes as in Redis.
    pub pool: EvictionPool,
    /// Database the random policies look at next.
    pub next_db: usize,
    /// Whether the last pass stopped on its time limit.
    pub running: bool,
    /// Whether memory was over the limit with nothing to evict when the
    /// current command started (Redis's `pre_command_oom_state`).
    pub pre_command_oom: bool,
}

/// Bytes to free to get `used` under `maxmemory`, or `None` when within
/// it (Redis's `getMaxmemoryState`; rkv has no replication or AOF buffers
/// to leave out of the count).
pub fn bytes_over_limit(maxmemory: u64, used: usize) -> Option<u64> {
    let used = used as u64;
    (maxmemory != 0 && used > maxmemory).then(|| used - maxmemory)
}

/// Redis's `scriptVerifyOOM`, for a command a script calls: refused with
/// [`crate::errors::OOM`] when it may grow memory (`cmd_flags` has
/// DENYOOM), the server was out of memory when the script's command
/// started, and the script has not written anything yet (a script that
/// already wrote must be allowed to finish).
pub fn script_call_oom(srv: &Server, cmd_flags: u32, script_wrote: bool) -> bool {
    srv.config.maxmemory != 0
        && srv.eviction.pre_command_oom
        && !script_wrote
        && cmd_flags & crate::command::flags::DENYOOM != 0
}

/// Redis's `evictionTimeLimitUs`: how long one pass may run.
pub fn time_limit_us(tenacity: u32) -> u64 {
    match tenacity {
        0..=10 => 50 * u64::from(tenacity),
        11..=99 => (500.0 * 1.15f64.powi(tenacity as i32 - 10)) as u64,
        _ => u64::MAX,
    }
}

/// The maxmemory step of Redis's `processCommand`, run by dispatch before
/// each command when `maxmemory` is set: evicts as the policy allows and
/// says whether the command must be refused with [`crate::errors::OOM`].
/// `denyoom`: the command (or the transaction EXEC runs) may grow memory.
pub fn rejects_for_oom(
    srv: &mut Server,
    client: &mut Client,
    reply: &mut ReplyWriter<'_>,
    spec: &CommandSpec,
    denyoom: bool,
) -> bool {
    let out_of_memory = perform_evictions_with(srv, Some((client, reply)), &mut |_| {
        crate::memory::used_memory()
    }) == EvictResult::Fail;
    // Scripts check this per command (`script_call_oom`), as Redis's
    // pre_command_oom_state.
    srv.eviction.pre_command_oom = out_of_memory;
    // Queuing inside MULTI can grow memory without bound, so only the
    // commands that end a transaction or connection get through.
    let queuing = client.multi.active
        && !crate::families::transactions::is_exec(spec)
        && !matches!(spec.name, "discard" | "quit" | "reset");
    out_of_memory && (denyoom || queuing)
}

/// CONFIG SET maxmemory: like Redis, warns when the new limit is below the
/// memory in use, and starts evicting at once rather than at the next
/// command.
pub fn maxmemory_changed(srv: &mut Server) {
    let used = crate::memory::used_memory();
    let limit = srv.config.maxmemory;
    if limit != 0 && limit < used as u64 {
        crate::warning!(
            "maxmemory set by CONFIG SET ({limit}) is below the memory in use ({used}): \
             keys will be evicted, or writes refused, as maxmemory-policy says."
        );
        perform_evictions(srv);
    }
}

/// Evicts keys until memory is within `maxmemory` (Redis's
/// `performEvictions`), measuring memory with the allocator's counter.
pub fn perform_evictions(srv: &mut Server) -> EvictResult {
    perform_evictions_with(srv, None, &mut |_| crate::memory::used_memory())
}

/// [`perform_evictions`] with the memory gauge supplied (tests) and the
/// client whose command triggered it (its own keyspace-event
/// subscription gets `evicted` messages in its reply).
pub fn perform_evictions_with(
    srv: &mut Server,
    mut caller: Option<(&mut Client, &mut ReplyWriter<'_>)>,
    used: &mut dyn FnMut(&Server) -> usize,
) -> EvictResult {
    // A replica is an exact copy of its master, which evicts for it
    // (`replica-ignore-maxmemory`).
    if srv.replication.is_replica() && srv.config.replica_ignore_maxmemory {
        return EvictResult::Ok;
    }
    let result = evict_pass(srv, &mut caller, used);
    track_exceeded_time(srv, result);
    result
}

/// Redis's eviction-exceeded timer: an episode starts when a pass cannot
/// get under the limit and ends with the first pass that is within it.
fn track_exceeded_time(srv: &mut Server, result: EvictResult) {
    let stats = &mut srv.stats;
    match (result, stats.eviction_exceeded_since) {
        (EvictResult::Ok, Some(since)) => {
            stats.eviction_exceeded_us += since.elapsed().as_micros() as u64;
            stats.eviction_exceeded_since = None;
        }
        (EvictResult::Running | EvictResult::Fail, None) => {
            stats.eviction_exceeded_since = Some(Instant::now());
        }
        _ => {}
    }
}

/// INFO's `total_eviction_exceeded_time` and `current_eviction_exceeded_time`,
/// in milliseconds.
pub fn exceeded_times_ms(srv: &Server) -> (u64, u64) {
    let current = srv
        .stats
        .eviction_exceeded_since
        .map_or(0, |since| since.elapsed().as_micros() as u64);
    (
        (srv.stats.eviction_exceeded_us + current) / 1000,
        current / 1000,
    )
}

/// One pass of [`perform_evictions_with`].
fn evict_pass(
    srv: &mut Server,
    caller: &mut Option<(&mut Client, &mut ReplyWriter<'_>)>,
    used: &mut dyn FnMut(&Server) -> usize,
) -> EvictResult {
    let Some(to_free) = bytes_over_limit(srv.config.maxmemory, used(srv)) else {
        srv.eviction.running = false;
        return EvictResult::Ok;
    };
    let policy = srv.config.maxmemory_policy;
    if policy == MaxmemoryPolicy::NoEviction {
        return EvictResult::Fail;
    }
    let started = Instant::now();
    let limit_us = time_limit_us(srv.config.maxmemory_eviction_tenacity);
    let mut freed: i64 = 0;
    let mut evicted = 0u64;
    let mut result = EvictResult::Ok;
    srv.eviction.running = false;
    while freed < to_free as i64 {
        let Some((db, key)) = pick_victim(srv, policy) else {
            result = EvictResult::Fail;
            break;
        };
        let before = used(srv) as i64;
        let del_started = Instant::now();
        delete_evicted(srv, db, &key);
        record_latency(srv, "eviction-del", del_started);
        freed += before - used(srv) as i64;
        srv.stats.evicted_keys += 1;
        keyspace_events::signal_modified_key(srv, None, db, &key);
        let again = caller.as_mut().map(|(c, o)| (&mut **c, &mut **o));
        keyspace_events::notify(srv, again, class::EVICTED, "evicted", &key, db);
        evicted += 1;
        if evicted.is_multiple_of(16) {
            // Background frees land later: stop as soon as they suffice.
            if srv.config.lazyfree_lazy_eviction
                && bytes_over_limit(srv.config.maxmemory, used(srv)).is_none()
            {
                break;
            }
            if started.elapsed().as_micros() as u64 > limit_us {
                srv.eviction.running = true;
                result = EvictResult::Running;
                break;
            }
        }
    }
    if result == EvictResult::Fail && srv.config.lazyfree_lazy_eviction {
        result = wait_for_lazy_frees(srv, started, limit_us, used);
    }
    record_latency(srv, "eviction-cycle", started);
    result
}

/// Like Redis when nothing is left to evict under lazy eviction: memory
/// still held by the background thread may come back within the time limit.
fn wait_for_lazy_frees(
    srv: &mut Server,
    started: Instant,
    limit_us: u64,
    used: &mut dyn FnMut(&Server) -> usize,
) -> EvictResult {
    while (started.elapsed().as_micros() as u64) < limit_us {
        if bytes_over_limit(srv.config.maxmemory, used(srv)).is_none() {
            return EvictResult::Ok;
        }
        std::thread::sleep(std::time::Duration::from_micros(limit_us.min(1000)));
    }
    EvictResult::Fail
}

fn record_latency(srv: &mut Server, event: &str, since: Instant) {
    let ms = since.elapsed().as_millis() as u64;
    let now_s = srv.now_ms / 1000;
    srv.latency
        .record(srv.config.latency_monitor_threshold, event, ms, now_s);
}

/// Removes an evicted key, freeing its value in the background under
/// `lazyfree-lazy-eviction`, and propagates its deletion (DEL or UNLINK)
/// at once, unwrapped, as Redis does per evicted key.
fn delete_evicted(srv: &mut Server, db: usize, key: &[u8]) {
    if let Some(entry) = srv.dbs[db].remove(key) {
        let lazy = srv.config.lazyfree_lazy_eviction;
        crate::families::generic::lazyfree::free_value(entry.value, lazy);
        if crate::propagate::active(srv) {
            let verb = crate::propagate::deletion_verb(lazy);
            srv.propagation.also(db, &[verb, key]);
            crate::propagate::flush(srv, false);
        }
    }
}

/// The next key to evict under `policy`: the pool's best for the
/// LRU/LFU/TTL policies, a random key for the random ones.
fn pick_victim(srv: &mut Server, policy: MaxmemoryPolicy) -> Option<(usize, Vec<u8>)> {
    let volatile = !policy.is_allkeys();
    if policy.is_random() {
        let n = srv.dbs.len();
        for _ in 0..n {
            srv.eviction.next_db = (srv.eviction.next_db + 1) % n;
            let db = srv.eviction.next_db;
            if let Some(key) = srv.dbs[db].random_candidate(volatile) {
                return Some((db, key.to_vec()));
            }
        }
        return None;
    }
    let samples = srv.config.maxmemory_samples as usize;
    let now_ms = srv.now_ms;
    let decay = srv.config.lfu_decay_time;
    loop {
        let mut total = 0;
        for (i, db) in srv.dbs.iter().enumerate() {
            let size = if volatile { db.expires_len() } else { db.len() };
            if size == 0 {
                continue;
            }
            total += size;
            let pool = &mut srv.eviction.pool;
            db.sample_for_eviction(volatile, samples, |key, entry, expire_at| {
                let score = score(policy, entry.lru, expire_at, now_ms, decay);
                pool.offer(score, i, key);
            });
        }
        if total == 0 {
            return None;
        }
        while let Some(best) = srv.eviction.pool.pop_best() {
            let db = &srv.dbs[best.db];
            let present = if volatile {
                db.expire_at(&best.key).is_some()
            } else {
                db.has_key(&best.key)
            };
            if present {
                return Some((best.db, best.key.to_vec()));
            }
        }
    }
}

/// A candidate's rank (higher evicts first): idle seconds under LRU, the
/// inverted decayed counter under LFU, the inverted expiry under TTL.
fn score(
    policy: MaxmemoryPolicy,
    stamp: u32,
    expire_at: Option<i64>,
    now_ms: i64,
    decay: u32,
) -> u64 {
    if policy.is_lru() {
        crate::db::keyspace::idle_seconds(crate::db::keyspace::lru_clock(now_ms), stamp) * 1000
    } else if policy.is_lfu() {
        255 - u64::from(lfu::decayed_counter(stamp, now_ms, decay))
    } else {
        u64::MAX - expire_at.unwrap_or(0).max(0) as u64
    }
}

#[cfg(test)]
mod tests;
