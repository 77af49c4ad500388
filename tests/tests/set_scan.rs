//! SSCAN on a real server: iterating a large (hashtable-encoded) set returns
//! every member present for the whole iteration, even while another client
//! keeps adding members and the set's table grows under the cursor.
//!
//! Runs against rkv-server, and against redis-server too (when installed)
//! so the expectation itself is known to hold for Redis.

use std::collections::HashSet;
use std::sync::mpsc;
use std::thread;

use rkv_tests::{skip_without_redis_server, ServerKind, ServerProcess};

/// The set's key.
const KEY: &str = "big-set";
/// Members present before the SSCAN starts.
const ORIGINAL_MEMBERS: usize = 50_000;
/// Members another client adds while the SSCAN runs.
const CONCURRENT_MEMBERS: usize = 50_000;
/// Members per SADD when loading.
const BATCH: usize = 1_000;

/// Adds `count` members named `{prefix}{i}` with pipelined SADDs.
fn add_members(con: &mut redis::Connection, prefix: &str, count: usize) {
    for start in (0..count).step_by(BATCH) {
        let mut pipe = redis::pipe();
        for i in start..(start + BATCH).min(count) {
            pipe.cmd("SADD")
                .arg(KEY)
                .arg(format!("{prefix}{i}"))
                .ignore();
        }
        let _: () = pipe.query(con).expect("pipelined SADD");
    }
}

fn sscan_sees_every_original_member_during_adds(kind: ServerKind) {
    let server = ServerProcess::start(kind);
    let mut con = server.client();
    add_members(&mut con, "orig:", ORIGINAL_MEMBERS);
    let encoding: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg(KEY)
        .query(&mut con)
        .expect("OBJECT ENCODING");
    assert_eq!(encoding, "hashtable");
    let mut writer = server.client();
    let (started_tx, started_rx) = mpsc::channel();
    let adder = thread::spawn(move || {
        add_members(&mut writer, "new:", BATCH);
        started_tx.send(()).expect("main thread waits");
        add_members(&mut writer, "more:", CONCURRENT_MEMBERS - BATCH);
    });
    started_rx.recv().expect("adder started");
    let mut seen: HashSet<String> = HashSet::new();
    let mut cursor: u64 = 0;
    let mut calls = 0usize;
    loop {
        let (next, members): (u64, Vec<String>) = redis::cmd("SSCAN")
            .arg(KEY)
            .arg(cursor)
            .arg("COUNT")
            .arg(50)
            .query(&mut con)
            .expect("SSCAN");
        seen.extend(members);
        calls += 1;
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    adder.join().expect("adder thread");
    let missing: Vec<usize> = (0..ORIGINAL_MEMBERS)
        .filter(|i| !seen.contains(&format!("orig:{i}")))
        .collect();
    assert!(
        missing.is_empty(),
        "{}: SSCAN ({calls} calls) missed {} original members, e.g. orig:{}",
        kind.name(),
        missing.len(),
        missing[0]
    );
    assert!(
        calls > 1,
        "{}: a hashtable set is scanned in steps",
        kind.name()
    );
    let card: usize = redis::cmd("SCARD").arg(KEY).query(&mut con).expect("SCARD");
    assert_eq!(card, ORIGINAL_MEMBERS + CONCURRENT_MEMBERS);
}

fn sscan_of_an_intset_is_one_call(kind: ServerKind) {
    let server = ServerProcess::start(kind);
    let mut con = server.client();
    let members: Vec<i64> = (0..300).map(|i| i * 7 - 1000).collect();
    let _: usize = redis::cmd("SADD")
        .arg("ints")
        .arg(&members)
        .query(&mut con)
        .expect("SADD");
    let (next, got): (u64, Vec<i64>) = redis::cmd("SSCAN")
        .arg("ints")
        .arg(0)
        .arg("COUNT")
        .arg(5)
        .query(&mut con)
        .expect("SSCAN");
    assert_eq!(next, 0, "{}", kind.name());
    // An intset is sorted, and SSCAN hands it back in that order.
    assert_eq!(got, members, "{}", kind.name());
}

#[test]
fn rkv_sscan_sees_every_original_member_during_adds() {
    sscan_sees_every_original_member_during_adds(ServerKind::Rkv);
}

#[test]
fn redis_sscan_sees_every_original_member_during_adds() {
    if skip_without_redis_server() {
        return;
    }
    sscan_sees_every_original_member_during_adds(ServerKind::Redis);
}

#[test]
fn rkv_sscan_of_an_intset_is_one_call() {
    sscan_of_an_intset_is_one_call(ServerKind::Rkv);
}

#[test]
fn redis_sscan_of_an_intset_is_one_call() {
    if skip_without_redis_server() {
        return;
    }
    sscan_of_an_intset_is_one_call(ServerKind::Redis);
}
