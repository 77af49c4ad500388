//! HSCAN on a real server: iterating a 50k-field hash returns every field
//! present for the whole iteration, with its value, while another client
//! keeps adding fields (which grows and rehashes the hash table under the
//! cursor).
//!
//! Runs against rkv-server, and against redis-server too (when installed)
//! so the expectation is known to hold for Redis.

use std::collections::HashMap;
use std::sync::mpsc;
use std::thread;

use rkv_tests::{skip_without_redis_server, ServerKind, ServerProcess};

/// The hash being scanned.
const KEY: &str = "big";
/// Fields present before the HSCAN starts.
const ORIGINAL_FIELDS: usize = 50_000;
/// Fields another client adds while the HSCAN runs.
const CONCURRENT_FIELDS: usize = 50_000;
/// Fields per pipelined HSET.
const BATCH: usize = 1_000;

/// Adds `count` fields named `{prefix}{i}` (value `i`) with pipelined HSETs
/// of `BATCH` pairs each.
fn add_fields(con: &mut redis::Connection, prefix: &str, count: usize) {
    for start in (0..count).step_by(BATCH) {
        let mut cmd = redis::cmd("HSET");
        cmd.arg(KEY);
        for i in start..(start + BATCH).min(count) {
            cmd.arg(format!("{prefix}{i}")).arg(i);
        }
        let _: usize = cmd.query(con).expect("HSET");
    }
}

fn hscan_sees_every_original_field_during_inserts(kind: ServerKind) {
    let server = ServerProcess::start(kind);
    let mut con = server.client();
    add_fields(&mut con, "orig:", ORIGINAL_FIELDS);
    let encoding: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg(KEY)
        .query(&mut con)
        .expect("OBJECT ENCODING");
    assert_eq!(encoding, "hashtable");

    let mut writer = server.client();
    let (started_tx, started_rx) = mpsc::channel();
    let inserter = thread::spawn(move || {
        add_fields(&mut writer, "new:", BATCH);
        started_tx.send(()).expect("main thread waits");
        add_fields(&mut writer, "more:", CONCURRENT_FIELDS - BATCH);
    });
    started_rx.recv().expect("inserter started");

    let mut seen: HashMap<String, String> = HashMap::new();
    let mut cursor: u64 = 0;
    let mut calls = 0usize;
    loop {
        let (next, flat): (u64, Vec<String>) = redis::cmd("HSCAN")
            .arg(KEY)
            .arg(cursor)
            .arg("COUNT")
            .arg(100)
            .query(&mut con)
            .expect("HSCAN");
        assert_eq!(flat.len() % 2, 0, "HSCAN returns field/value pairs");
        for pair in flat.chunks_exact(2) {
            seen.insert(pair[0].clone(), pair[1].clone());
        }
        calls += 1;
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    inserter.join().expect("inserter thread");

    let missing: Vec<usize> = (0..ORIGINAL_FIELDS)
        .filter(|i| !seen.contains_key(&format!("orig:{i}")))
        .collect();
    assert!(
        missing.is_empty(),
        "{}: HSCAN ({calls} calls) missed {} original fields, e.g. orig:{}",
        kind.name(),
        missing.len(),
        missing[0]
    );
    assert!(calls > 1, "{}: a table is scanned in pages", kind.name());
    for (field, value) in &seen {
        let index = field.rsplit(':').next().expect("prefix:index");
        assert_eq!(value, index, "{}: value of {field}", kind.name());
    }
    let len: usize = redis::cmd("HLEN").arg(KEY).query(&mut con).expect("HLEN");
    assert_eq!(len, ORIGINAL_FIELDS + CONCURRENT_FIELDS);
}

#[test]
fn hscan_sees_every_field_during_inserts_rkv() {
    hscan_sees_every_original_field_during_inserts(ServerKind::Rkv);
}

#[test]
fn hscan_sees_every_field_during_inserts_redis() {
    if skip_without_redis_server() {
        return;
    }
    hscan_sees_every_original_field_during_inserts(ServerKind::Redis);
}
