//! `rkv-top --once` against live servers: a master with a live replica
//! (Debian's redis-server, and rkv-server), checked through the JSON
//! figures and the text screen.

mod common;

use assert_cmd::cargo::cargo_bin_cmd;
use common::{client, master_and_replica_of};
use rkv_proto::Frame;
use rkv_tests::server::{redis_server_available, ServerKind, ServerProcess};
use serde_json::Value;

fn json_of(args: &[&str]) -> Value {
    let output = cargo_bin_cmd!("rkv-top").args(args).assert().success();
    serde_json::from_slice(&output.get_output().stdout).expect("--once --json prints JSON")
}

#[test]
fn once_json_reports_every_figure_of_a_live_redis_master_and_replica() {
    if !redis_server_available() {
        eprintln!("skipped: redis-server is not installed");
        return;
    }
    live_master_and_replica(ServerKind::Redis);
}

#[test]
fn once_json_reports_every_figure_of_a_live_rkv_master_and_replica() {
    live_master_and_replica(ServerKind::Rkv);
}

fn live_master_and_replica(kind: ServerKind) {
    let (master, replica) = master_and_replica_of(kind);
    let mut c = client(&master);
    for key in ["{t}a", "{t}b", "{t}c"] {
        assert_eq!(
            c.cmd(&["SET", key, "v"]).unwrap(),
            Frame::Simple("OK".into())
        );
    }
    // Three hits and one miss: a 75% hit ratio since start.
    for key in ["{t}a", "{t}b", "{t}c", "{t}missing"] {
        c.cmd(&["GET", key]).unwrap();
    }
    let uri = |s: &ServerProcess| format!("redis://127.0.0.1:{}", s.port());
    let doc = json_of(&[
        "--once",
        "--json",
        "--interval",
        "300ms",
        "-u",
        &uri(&master),
        "-u",
        &uri(&replica),
    ]);
    let m = &doc["instances"][0];
    assert_eq!(m["status"], "up", "{m:#}");
    let f = &m["figures"];
    assert_eq!(f["role"], "master");
    assert_eq!(f["version"], "7.0.15");
    assert!(f["memory"]["fragmentation_ratio"].is_f64(), "{f:#}");
    assert!(f["memory"]["used_bytes"].as_u64().unwrap() > 0);
    assert_eq!(f["memory"]["maxmemory_bytes"], 0);
    // The second sample sees at least the first sample's own commands.
    assert!(
        f["throughput"]["ops_per_sec"].as_f64().unwrap() > 0.0,
        "{f:#}"
    );
    assert!(!f["throughput"]["busiest_commands"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(f["keyspace"]["hit_ratio_total"], 0.75);
    assert_eq!(f["keyspace"]["dbs"][0]["keys"], 3);
    let replicas = f["replication"]["replicas"].as_array().unwrap();
    assert_eq!(replicas.len(), 1, "{f:#}");
    assert_eq!(
        replicas[0]["address"],
        format!("127.0.0.1:{}", replica.port())
    );
    assert!(replicas[0]["lag_bytes"].is_u64());
    assert_eq!(
        m["latency"]["samples"], 6,
        "three PINGs per sample, two samples"
    );

    let r = &doc["instances"][1]["figures"];
    assert_eq!(r["role"], "slave");
    assert_eq!(r["replication"]["master_link_status"], "up");
    assert_eq!(
        r["replication"]["master"],
        format!("127.0.0.1:{}", master.port())
    );
}

#[test]
fn once_prints_the_screen_as_text() {
    if !redis_server_available() {
        eprintln!("skipped: redis-server is not installed");
        return;
    }
    let server = ServerProcess::redis();
    let port = server.port().to_string();
    let output = cargo_bin_cmd!("rkv-top")
        .args(["--once", "-p", &port, "--interval", "100ms"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    for expected in [
        format!("● 127.0.0.1:{port}"),
        "master redis 7.0.15".to_owned(),
        "┌ Memory".to_owned(),
        "frag ".to_owned(),
        "┌ Replication".to_owned(),
        "PING latency".to_owned(),
        "q quit".to_owned(),
    ] {
        assert!(text.contains(&expected), "{expected:?} missing:\n{text}");
    }
    assert_eq!(text.lines().count(), 42);
}

#[test]
fn json_without_once_streams_one_line_per_sample() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    if !redis_server_available() {
        eprintln!("skipped: redis-server is not installed");
        return;
    }
    let server = ServerProcess::redis();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rkv-top"))
        .args(["--json", "--interval", "100ms", "-p"])
        .arg(server.port().to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start rkv-top");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let second: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    child.kill().ok();
    child.wait().ok();
    assert_eq!(first["status"], "up");
    assert!(
        first["figures"]["throughput"]["ops_per_sec"].is_null(),
        "one sample: no rate yet"
    );
    assert!(
        second["figures"]["throughput"]["ops_per_sec"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}
