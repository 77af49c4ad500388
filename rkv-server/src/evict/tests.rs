//! Eviction passes on a server whose memory gauge is "100 bytes per key",
//! so each policy's choices can be checked key by key.

use super::*;
use crate::config::Config;
use crate::db::keyspace::lru_clock;
use crate::db::Value;

const PER_KEY: usize = 100;

fn gauge(srv: &Server) -> usize {
    srv.dbs.iter().map(|db| db.len() * PER_KEY).sum()
}

/// A server with `plain` keys without TTL (`p0`...) and `volatile` keys
/// with one (`v0`..., expiring later for higher numbers), whose access
/// stamps make higher numbers more recently / more often used.
fn server(policy: MaxmemoryPolicy, plain: usize, volatile: usize) -> Server {
    let mut srv = Server::new(Config::from_args(&[]).unwrap());
    srv.config.maxmemory_policy = policy;
    srv.config.maxmemory_samples = 10;
    let now = srv.now_ms;
    let db = &mut srv.dbs[0];
    for (prefix, n) in [("p", plain), ("v", volatile)] {
        for i in 0..n {
            let key = format!("{prefix}{i}");
            db.set(key.as_bytes(), Value::string(b"x"), false, now);
            let stamp = if policy.is_lfu() {
                lfu::pack(lfu::lfu_minutes(now), (i % 250) as u8)
            } else {
                lru_clock(now - 1000 * (n - i) as i64 * 10)
            };
            db.get_mut_raw(key.as_bytes()).unwrap().lru = stamp;
            if prefix == "v" {
                db.set_expire(key.as_bytes(), now + 1_000_000 + i as i64 * 1000);
            }
        }
    }
    srv
}

fn keys(srv: &Server, prefix: &str) -> Vec<usize> {
    let mut v: Vec<usize> = srv.dbs[0]
        .iter()
        .filter_map(|(k, _)| {
            std::str::from_utf8(k)
                .ok()?
                .strip_prefix(prefix)?
                .parse()
                .ok()
        })
        .collect();
    v.sort_unstable();
    v
}

fn evict_to(srv: &mut Server, keys_left: usize) -> EvictResult {
    srv.config.maxmemory = (keys_left * PER_KEY).max(1) as u64;
    srv.config.maxmemory_eviction_tenacity = 100;
    perform_evictions_with(srv, None, &mut gauge)
}

#[test]
fn within_the_limit_nothing_happens() {
    let mut srv = server(MaxmemoryPolicy::AllkeysLru, 10, 0);
    assert_eq!(evict_to(&mut srv, 10), EvictResult::Ok);
    assert_eq!(srv.dbs[0].len(), 10);
    assert_eq!(srv.stats.evicted_keys, 0);
}

#[test]
fn noeviction_never_evicts() {
    let mut srv = server(MaxmemoryPolicy::NoEviction, 10, 10);
    assert_eq!(evict_to(&mut srv, 5), EvictResult::Fail);
    assert_eq!(srv.dbs[0].len(), 20);
}

#[test]
fn volatile_policies_never_touch_keys_without_ttl() {
    for policy in [
        MaxmemoryPolicy::VolatileLru,
        MaxmemoryPolicy::VolatileLfu,
        MaxmemoryPolicy::VolatileRandom,
        MaxmemoryPolicy::VolatileTtl,
    ] {
        let mut srv = server(policy, 50, 50);
        assert_eq!(evict_to(&mut srv, 70), EvictResult::Ok, "{policy:?}");
        assert_eq!(keys(&srv, "p").len(), 50, "{policy:?}");
        assert_eq!(keys(&srv, "v").len(), 20, "{policy:?}");
        assert_eq!(srv.stats.evicted_keys, 30);
        // With every volatile key gone there is nothing left to evict.
        assert_eq!(evict_to(&mut srv, 10), EvictResult::Fail, "{policy:?}");
        assert_eq!(keys(&srv, "p").len(), 50, "{policy:?}");
        assert!(keys(&srv, "v").is_empty(), "{policy:?}");
    }
}

#[test]
fn allkeys_policies_evict_any_key() {
    for policy in [
        MaxmemoryPolicy::AllkeysLru,
        MaxmemoryPolicy::AllkeysLfu,
        MaxmemoryPolicy::AllkeysRandom,
    ] {
        let mut srv = server(policy, 50, 50);
        assert_eq!(evict_to(&mut srv, 0), EvictResult::Ok, "{policy:?}");
        assert_eq!(srv.dbs[0].len(), 0, "{policy:?}");
        assert_eq!(srv.stats.evicted_keys, 100);
    }
}

/// How many of the `kept` surviving keys are among the `kept` best ones
/// (highest numbers): sampling approximates, so most, not all.
fn best_kept(survivors: &[usize], total: usize) -> usize {
    let kept = survivors.len();
    survivors.iter().filter(|&&i| i >= total - kept).count()
}

#[test]
fn lru_evicts_mostly_the_least_recently_used() {
    let mut srv = server(MaxmemoryPolicy::AllkeysLru, 1000, 0);
    evict_to(&mut srv, 500);
    let left = keys(&srv, "p");
    assert_eq!(left.len(), 500);
    assert!(best_kept(&left, 1000) > 400, "{}", best_kept(&left, 1000));
}

#[test]
fn lfu_evicts_mostly_the_least_frequently_used() {
    let mut srv = server(MaxmemoryPolicy::AllkeysLfu, 250, 0);
    evict_to(&mut srv, 125);
    let left = keys(&srv, "p");
    assert_eq!(left.len(), 125);
    assert!(best_kept(&left, 250) > 100, "{}", best_kept(&left, 250));
}

#[test]
fn volatile_ttl_evicts_the_nearest_expiry_first() {
    let mut srv = server(MaxmemoryPolicy::VolatileTtl, 0, 1000);
    evict_to(&mut srv, 500);
    let left = keys(&srv, "v");
    assert!(best_kept(&left, 1000) > 400, "{}", best_kept(&left, 1000));
}

#[test]
fn eviction_spans_databases() {
    let mut srv = server(MaxmemoryPolicy::AllkeysRandom, 0, 0);
    let now = srv.now_ms;
    for db in 0..3 {
        for i in 0..10 {
            srv.dbs[db].set(format!("k{i}").as_bytes(), Value::string(b"x"), false, now);
        }
    }
    evict_to(&mut srv, 15);
    assert_eq!(gauge(&srv), 15 * PER_KEY);
    assert!(srv.dbs.iter().filter(|d| d.len() < 10).count() >= 2);
}

#[test]
fn limits_and_time_budget() {
    assert_eq!(bytes_over_limit(0, 1 << 40), None);
    assert_eq!(bytes_over_limit(100, 100), None);
    assert_eq!(bytes_over_limit(100, 150), Some(50));
    assert_eq!(time_limit_us(0), 0);
    assert_eq!(time_limit_us(10), 500);
    assert_eq!(time_limit_us(11), 575);
    assert_eq!(time_limit_us(100), u64::MAX);
}

#[test]
fn a_tight_time_budget_leaves_eviction_running() {
    let mut srv = server(MaxmemoryPolicy::AllkeysLru, 5000, 0);
    srv.config.maxmemory = PER_KEY as u64;
    srv.config.maxmemory_eviction_tenacity = 0;
    let r = perform_evictions_with(&mut srv, None, &mut gauge);
    assert_eq!(r, EvictResult::Running);
    assert!(srv.eviction.running);
    assert_eq!(srv.stats.evicted_keys, 16);
}

#[test]
fn time_over_the_limit_is_tracked() {
    let mut srv = server(MaxmemoryPolicy::NoEviction, 10, 0);
    srv.config.maxmemory = PER_KEY as u64;
    assert_eq!(
        perform_evictions_with(&mut srv, None, &mut gauge),
        EvictResult::Fail
    );
    assert!(srv.stats.eviction_exceeded_since.is_some());
    std::thread::sleep(std::time::Duration::from_millis(3));
    let (total, current) = exceeded_times_ms(&srv);
    assert!(current >= 2 && total == current, "{total} {current}");
    srv.config.maxmemory = 0;
    assert_eq!(
        perform_evictions_with(&mut srv, None, &mut gauge),
        EvictResult::Ok
    );
    let (total, current) = exceeded_times_ms(&srv);
    assert_eq!(current, 0);
    assert!(total >= 2);
}

#[test]
fn scripts_are_refused_only_before_writing_when_out_of_memory() {
    use crate::command::flags::DENYOOM;
    let mut srv = server(MaxmemoryPolicy::NoEviction, 0, 0);
    srv.config.maxmemory = 1;
    srv.eviction.pre_command_oom = true;
    assert!(script_call_oom(&srv, DENYOOM, false));
    assert!(!script_call_oom(&srv, DENYOOM, true));
    assert!(!script_call_oom(&srv, 0, false));
    srv.eviction.pre_command_oom = false;
    assert!(!script_call_oom(&srv, DENYOOM, false));
}
