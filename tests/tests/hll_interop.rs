//! HyperLogLog strings move between rkv and Redis 7.0 with GET/SET and keep
//! working: both servers build byte-identical strings from the same input,
//! count each other's strings to the same number, and merge them alike.

use redis::Connection;
use rkv_tests::{skip_without_redis_server, ServerProcess};

/// Elements per PFADD call.
const BATCH: usize = 1000;

/// PFADDs `prefix0..prefix{n-1}` to `key`.
fn pfadd_range(con: &mut Connection, key: &str, prefix: &str, n: usize) {
    for start in (0..n).step_by(BATCH) {
        let mut cmd = redis::cmd("PFADD");
        cmd.arg(key);
        for i in start..(start + BATCH).min(n) {
            cmd.arg(format!("{prefix}{i}"));
        }
        let _: i64 = cmd.query(con).unwrap();
    }
}

fn get(con: &mut Connection, key: &str) -> Vec<u8> {
    redis::cmd("GET").arg(key).query(con).unwrap()
}

fn set(con: &mut Connection, key: &str, value: &[u8]) {
    let _: () = redis::cmd("SET").arg(key).arg(value).query(con).unwrap();
}

fn pfcount(con: &mut Connection, keys: &[&str]) -> i64 {
    redis::cmd("PFCOUNT").arg(keys).query(con).unwrap()
}

fn pfmerge(con: &mut Connection, dest: &str, sources: &[&str]) {
    let _: () = redis::cmd("PFMERGE")
        .arg(dest)
        .arg(sources)
        .query(con)
        .unwrap();
}

/// Both servers, one connection each.
fn servers() -> (ServerProcess, Connection, ServerProcess, Connection) {
    let redis_server = ServerProcess::redis();
    let rkv_server = ServerProcess::rkv();
    let redis_con = redis_server.client();
    let rkv_con = rkv_server.client();
    (redis_server, redis_con, rkv_server, rkv_con)
}

#[test]
fn dense_hll_from_redis_counts_the_same_in_rkv() {
    if skip_without_redis_server() {
        return;
    }
    let (_r, mut redis, _k, mut rkv) = servers();
    pfadd_range(&mut redis, "h", "elem:", 100_000);
    let from_redis = get(&mut redis, "h");
    assert_eq!(from_redis.len(), 12304, "dense");
    set(&mut rkv, "h", &from_redis);
    let expected = pfcount(&mut redis, &["h"]);
    assert_eq!(pfcount(&mut rkv, &["h"]), expected);
    // Both update the copy identically, cache included.
    pfadd_range(&mut redis, "h", "more:", 5_000);
    pfadd_range(&mut rkv, "h", "more:", 5_000);
    assert_eq!(pfcount(&mut rkv, &["h"]), pfcount(&mut redis, &["h"]));
    assert_eq!(get(&mut rkv, "h"), get(&mut redis, "h"));
}

#[test]
fn dense_hll_from_rkv_counts_the_same_in_redis() {
    if skip_without_redis_server() {
        return;
    }
    let (_r, mut redis, _k, mut rkv) = servers();
    pfadd_range(&mut rkv, "h", "item-", 100_000);
    let from_rkv = get(&mut rkv, "h");
    pfadd_range(&mut redis, "native", "item-", 100_000);
    assert_eq!(from_rkv, get(&mut redis, "native"));
    set(&mut redis, "h", &from_rkv);
    assert_eq!(pfcount(&mut redis, &["h"]), pfcount(&mut rkv, &["h"]));
    assert_eq!(get(&mut redis, "h"), get(&mut rkv, "h"));
}

#[test]
fn sparse_hll_moves_both_ways() {
    if skip_without_redis_server() {
        return;
    }
    let (_r, mut redis, _k, mut rkv) = servers();
    pfadd_range(&mut redis, "r", "r", 700);
    pfadd_range(&mut rkv, "k", "k", 700);
    let (from_redis, from_rkv) = (get(&mut redis, "r"), get(&mut rkv, "k"));
    assert!(from_redis.len() < 3000 && from_rkv.len() < 3000, "sparse");
    set(&mut rkv, "r", &from_redis);
    set(&mut redis, "k", &from_rkv);
    for key in ["r", "k"] {
        assert_eq!(pfcount(&mut rkv, &[key]), pfcount(&mut redis, &[key]));
        assert_eq!(get(&mut rkv, key), get(&mut redis, key));
    }
    assert_eq!(
        pfcount(&mut rkv, &["r", "k"]),
        pfcount(&mut redis, &["r", "k"])
    );
}

#[test]
fn pfmerge_across_origins() {
    if skip_without_redis_server() {
        return;
    }
    let (_r, mut redis, _k, mut rkv) = servers();
    pfadd_range(&mut redis, "a", "a", 100_000);
    pfadd_range(&mut rkv, "b", "b", 50_000);
    pfadd_range(&mut rkv, "c", "c", 300);
    let a = get(&mut redis, "a");
    let (b, c) = (get(&mut rkv, "b"), get(&mut rkv, "c"));
    set(&mut rkv, "a", &a);
    set(&mut redis, "b", &b);
    set(&mut redis, "c", &c);
    for con in [&mut redis, &mut rkv] {
        pfmerge(con, "all", &["a", "b", "c"]);
        pfmerge(con, "small", &["c", "missing"]);
    }
    for key in ["all", "small"] {
        assert_eq!(get(&mut rkv, key), get(&mut redis, key), "{key}");
        assert_eq!(pfcount(&mut rkv, &[key]), pfcount(&mut redis, &[key]));
        assert_eq!(get(&mut rkv, key), get(&mut redis, key), "{key} cached");
    }
    let union = pfcount(&mut redis, &["a", "b", "c"]);
    assert_eq!(pfcount(&mut rkv, &["a", "b", "c"]), union);
    assert!((148_000..=152_300).contains(&union), "{union}");
}
