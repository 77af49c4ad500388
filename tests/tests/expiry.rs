//! Keyspace behaviour over time, on a real server: the active expiry cycle
//! removes keys nobody touches again, and SCAN returns every key that exists
//! for the whole iteration even while another client grows the keyspace.
//!
//! Each check runs against rkv-server, and against redis-server too (when
//! installed) so the expectations themselves are known to hold for Redis.

use std::collections::HashSet;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use rkv_tests::{skip_without_redis_server, ServerKind, ServerProcess};

/// How long the active expiry cycle gets to empty the database.
const EXPIRY_DEADLINE: Duration = Duration::from_secs(3);
/// Keys present before the SCAN starts.
const ORIGINAL_KEYS: usize = 100_000;
/// Keys another client inserts while the SCAN runs.
const CONCURRENT_KEYS: usize = 100_000;
/// Commands per pipeline when loading keys.
const BATCH: usize = 1_000;

/// Sets `count` keys named `{prefix}{i}` with pipelined SETs.
fn load_keys(con: &mut redis::Connection, prefix: &str, count: usize) {
    for start in (0..count).step_by(BATCH) {
        let mut pipe = redis::pipe();
        for i in start..(start + BATCH).min(count) {
            pipe.cmd("SET").arg(format!("{prefix}{i}")).arg(i).ignore();
        }
        let _: () = pipe.query(con).expect("pipelined SET");
    }
}

fn dbsize(con: &mut redis::Connection) -> usize {
    redis::cmd("DBSIZE").query(con).expect("DBSIZE")
}

fn untouched_keys_expire_actively(kind: ServerKind) {
    let server = ServerProcess::start(kind);
    let mut con = server.client();
    let mut pipe = redis::pipe();
    for i in 0..500 {
        let key = format!("volatile:{i}");
        pipe.cmd("SET").arg(&key).arg("v").ignore();
        pipe.cmd("PEXPIRE").arg(&key).arg(100).ignore();
    }
    let _: () = pipe.query(&mut con).expect("SET + PEXPIRE");
    let _: () = redis::cmd("SET")
        .arg("persistent")
        .arg("v")
        .query(&mut con)
        .expect("SET");
    assert_eq!(dbsize(&mut con), 501);

    // DBSIZE counts stored keys without expiring any, so only the server's
    // own cycle can bring it down.
    let started = Instant::now();
    loop {
        let n = dbsize(&mut con);
        if n == 1 {
            break;
        }
        assert!(
            started.elapsed() < EXPIRY_DEADLINE,
            "{}: {n} keys left after {EXPIRY_DEADLINE:?}",
            kind.name()
        );
        thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut con).expect("KEYS");
    assert_eq!(left, vec!["persistent".to_string()]);
}

fn scan_sees_every_original_key_during_inserts(kind: ServerKind) {
    let server = ServerProcess::start(kind);
    let mut con = server.client();
    load_keys(&mut con, "orig:", ORIGINAL_KEYS);

    let mut writer = server.client();
    let (started_tx, started_rx) = mpsc::channel();
    let inserter = thread::spawn(move || {
        load_keys(&mut writer, "new:", BATCH);
        started_tx.send(()).expect("main thread waits");
        load_keys(&mut writer, "more:", CONCURRENT_KEYS - BATCH);
    });
    started_rx.recv().expect("inserter started");

    let mut seen: HashSet<String> = HashSet::new();
    let mut cursor: u64 = 0;
    let mut calls = 0usize;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("COUNT")
            .arg(100)
            .query(&mut con)
            .expect("SCAN");
        seen.extend(keys);
        calls += 1;
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    inserter.join().expect("inserter thread");

    let missing: Vec<usize> = (0..ORIGINAL_KEYS)
        .filter(|i| !seen.contains(&format!("orig:{i}")))
        .collect();
    assert!(
        missing.is_empty(),
        "{}: SCAN ({calls} calls) missed {} original keys, e.g. orig:{}",
        kind.name(),
        missing.len(),
        missing[0]
    );
    assert_eq!(dbsize(&mut con), ORIGINAL_KEYS + CONCURRENT_KEYS);
}

#[test]
fn rkv_untouched_keys_expire_actively() {
    untouched_keys_expire_actively(ServerKind::Rkv);
}

#[test]
fn redis_untouched_keys_expire_actively() {
    if skip_without_redis_server() {
        return;
    }
    untouched_keys_expire_actively(ServerKind::Redis);
}

#[test]
fn rkv_scan_sees_every_original_key_during_inserts() {
    scan_sees_every_original_key_during_inserts(ServerKind::Rkv);
}

#[test]
fn redis_scan_sees_every_original_key_during_inserts() {
    if skip_without_redis_server() {
        return;
    }
    scan_sees_every_original_key_during_inserts(ServerKind::Redis);
}
