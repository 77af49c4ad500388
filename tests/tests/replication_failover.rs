//! FAILOVER on real processes over loopback: a master M with replicas R1
//! and R2 hands over to a caught-up replica (any, or the one named with
//! TO), which continues M partially; ABORT and TIMEOUT lift the write
//! pause, TIMEOUT with FORCE hands over anyway; error replies are compared byte for byte with redis-server in
//! the same topology; and an rkv master fails over to a redis-server
//! replica.
//!
//! `RKV_REPL_KIND=redis` runs the rkv-only scenarios on Debian's
//! redis-server, to check the tests themselves.

use std::time::{Duration, Instant};

use rkv_tests::node::{Node, NodeDir};
use rkv_tests::wait::wait_until;
use rkv_tests::{redis_server_available, ServerKind};

/// The implementation under test.
fn kind() -> ServerKind {
    match std::env::var("RKV_REPL_KIND").as_deref() {
        Ok("redis") => ServerKind::Redis,
        _ => ServerKind::Rkv,
    }
}

fn skip(kind: ServerKind) -> bool {
    if kind == ServerKind::Redis && !redis_server_available() {
        eprintln!("redis-server not installed: skipped");
        return true;
    }
    false
}

/// A master, a replica of it and a second replica, links up.
struct Topology {
    m: Node,
    r1: Node,
    r2: Node,
    _dirs: [NodeDir; 3],
}

fn topology(kind: ServerKind, name: &str) -> Topology {
    let dirs = [
        NodeDir::new(&format!("{name}-m")),
        NodeDir::new(&format!("{name}-r1")),
        NodeDir::new(&format!("{name}-r2")),
    ];
    let m = Node::start(kind, dirs[0].path(), &["--repl-diskless-sync-delay", "0"]);
    let port = m.port().to_string();
    let of = ["--replicaof", "127.0.0.1", port.as_str()];
    let r1 = Node::start(kind, dirs[1].path(), &of);
    let r2 = Node::start(kind, dirs[2].path(), &of);
    wait_link_up(&r1);
    wait_link_up(&r2);
    Topology {
        m,
        r1,
        r2,
        _dirs: dirs,
    }
}

#[track_caller]
fn wait_link_up(node: &Node) {
    wait_until("master_link_status:up", || {
        node.info_field("master_link_status") == "up"
    });
}

/// Waits until `replica` applied all `master` produced and compares data.
#[track_caller]
fn assert_same_data(master: &Node, replica: &Node) {
    wait_until("the replica to reach the master's offset", || {
        let m = master.info_int("master_repl_offset");
        m > 0 && replica.info_int("master_repl_offset") == m
    });
    assert_eq!(master.command(&["DBSIZE"]), replica.command(&["DBSIZE"]));
    assert_eq!(
        master.command(&["DEBUG", "DIGEST"]),
        replica.command(&["DEBUG", "DIGEST"]),
        "dataset digests differ"
    );
}

fn write_keys(node: &Node, prefix: &str, n: usize) {
    let mut c = node.raw();
    for i in 0..n {
        let key = format!("{prefix}:{i}");
        assert_eq!(c.command(&["SET", &key, &i.to_string()]), b"+OK\r\n");
    }
    c.command(&["RPUSH", &format!("{prefix}:list"), "a", "b", "c"]);
    c.command(&["HSET", &format!("{prefix}:hash"), "f", "v"]);
}

/// Waits until every replica acknowledged the master's whole stream.
fn wait_synced(t: &Topology) {
    for r in [&t.r1, &t.r2] {
        wait_until("the replicas to catch up", || {
            r.info_int("master_repl_offset") == t.m.info_int("master_repl_offset")
        });
    }
}

/// Waits until the handover is done: `old` is a replica of `new`, its link
/// up, and no failover is in progress.
#[track_caller]
fn wait_handed_over(old: &Node, new: &Node) {
    wait_until("the old master to follow the new one", || {
        old.info_field("role") == "slave"
            && old.info_field("master_port") == new.port().to_string()
            && old.info_field("master_link_status") == "up"
    });
    assert_eq!(new.info_field("role"), "master");
    assert_eq!(old.info_field("master_failover_state"), "no-failover");
}

#[test]
fn failover_hands_over_to_a_caught_up_replica_which_continues_the_old_master() {
    let kind = kind();
    if skip(kind) {
        return;
    }
    let t = topology(kind, "fo-any");
    write_keys(&t.m, "a", 200);
    wait_synced(&t);
    let partial_before = [&t.r1, &t.r2].map(|r| r.info_int("sync_partial_ok"));
    assert_eq!(t.m.command(&["FAILOVER"]), b"+OK\r\n");
    wait_until("a replica to be promoted", || {
        t.r1.info_field("role") == "master" || t.r2.info_field("role") == "master"
    });
    let (new, other, before) = if t.r1.info_field("role") == "master" {
        (&t.r1, &t.r2, partial_before[0])
    } else {
        (&t.r2, &t.r1, partial_before[1])
    };
    wait_handed_over(&t.m, new);
    assert!(new
        .command(&["ROLE"])
        .starts_with(b"*3\r\n$6\r\nmaster\r\n"));
    assert!(t.m.command(&["ROLE"]).starts_with(b"*5\r\n$5\r\nslave\r\n"));
    assert!(
        new.info_int("sync_partial_ok") > before,
        "the old master continued partially"
    );
    assert_eq!(
        new.info_int("sync_full"),
        0,
        "no full sync of the old master"
    );
    assert!(t.m.log().contains("FAILOVER requested to any replica."));
    assert!(t.m.log().contains("is synced, failing over."));
    write_keys(new, "b", 50);
    assert_same_data(new, &t.m);
    // The other replica stays with the old master, now chained.
    wait_link_up(other);
    assert_same_data(new, other);
}

#[test]
fn failover_to_names_the_replica_that_takes_over() {
    let kind = kind();
    if skip(kind) {
        return;
    }
    let t = topology(kind, "fo-to");
    write_keys(&t.m, "a", 100);
    wait_synced(&t);
    let port = t.r2.port().to_string();
    assert_eq!(
        t.m.command(&["FAILOVER", "TO", "127.0.0.1", &port, "TIMEOUT", "10000"]),
        b"+OK\r\n"
    );
    wait_handed_over(&t.m, &t.r2);
    assert_eq!(t.r1.info_field("role"), "slave");
    assert!(t
        .m
        .log()
        .contains(&format!("FAILOVER requested to 127.0.0.1:{port}.")));
    write_keys(&t.r2, "b", 20);
    assert_same_data(&t.r2, &t.m);
}

/// M with its target replica stopped, writes after it: the failover waits.
fn stalled_failover(t: &Topology, extra: &[&str]) {
    t.r1.signal("STOP");
    write_keys(&t.m, "late", 3);
    let port = t.r1.port().to_string();
    let mut argv = vec!["FAILOVER", "TO", "127.0.0.1", port.as_str()];
    argv.extend_from_slice(extra);
    assert_eq!(t.m.command(&argv), b"+OK\r\n");
    assert_eq!(t.m.info_field("master_failover_state"), "waiting-for-sync");
}

#[test]
fn failover_abort_resumes_writes() {
    let kind = kind();
    if skip(kind) {
        return;
    }
    let t = topology(kind, "fo-abort");
    stalled_failover(&t, &[]);
    let mut writer = t.m.raw();
    writer.send_command(&["SET", "held", "1"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        t.m.command(&["GET", "held"]),
        b"$-1\r\n",
        "writes are paused"
    );
    // CLIENT UNPAUSE lifts only a CLIENT PAUSE.
    assert_eq!(t.m.command(&["CLIENT", "UNPAUSE"]), b"+OK\r\n");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(t.m.command(&["GET", "held"]), b"$-1\r\n", "still paused");
    assert_eq!(t.m.command(&["FAILOVER", "ABORT"]), b"+OK\r\n");
    assert_eq!(writer.read_reply(), b"+OK\r\n");
    assert_eq!(t.m.info_field("master_failover_state"), "no-failover");
    assert_eq!(t.m.info_field("role"), "master");
    assert!(t.m.log().contains("aborted: Failover manually aborted"));
    t.r1.signal("CONT");
    assert_same_data(&t.m, &t.r1);
}

#[test]
fn failover_timeout_with_a_stopped_target_aborts() {
    let kind = kind();
    if skip(kind) {
        return;
    }
    let t = topology(kind, "fo-timeout");
    stalled_failover(&t, &["TIMEOUT", "500"]);
    let mut writer = t.m.raw();
    let started = Instant::now();
    assert_eq!(writer.command(&["SET", "held", "1"]), b"+OK\r\n");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(t.m.info_field("master_failover_state"), "no-failover");
    assert_eq!(t.m.info_field("role"), "master");
    assert!(t
        .m
        .log()
        .contains("aborted: Replica never caught up before timeout"));
    t.r1.signal("CONT");
    assert_same_data(&t.m, &t.r1);
}

#[test]
fn failover_force_hands_over_to_a_target_that_never_caught_up() {
    let kind = kind();
    if skip(kind) {
        return;
    }
    let t = topology(kind, "fo-force");
    stalled_failover(&t, &["FORCE", "TIMEOUT", "300"]);
    wait_until("the master to follow the stopped target", || {
        t.m.info_field("role") == "slave"
    });
    assert_eq!(
        t.m.info_field("master_failover_state"),
        "failover-in-progress"
    );
    assert!(t.m.log().contains("time out exceeded, failing over."));
    t.r1.signal("CONT");
    wait_handed_over(&t.m, &t.r1);
    write_keys(&t.r1, "b", 10);
    assert_same_data(&t.r1, &t.m);
}

/// Runs the error cases of FAILOVER (and of PSYNC FAILOVER, REPLICAOF and
/// SYNC during a failover) on a topology of `kind`; the replies in order.
fn error_transcript(kind: ServerKind) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let dir = NodeDir::new("fo-errors-alone");
    let alone = Node::start(kind, dir.path(), &[]);
    let mut run = |node: &Node, argv: &[&str]| {
        let reply = node.command(argv);
        out.push((argv.join(" "), String::from_utf8_lossy(&reply).into_owned()));
    };
    for argv in [
        &["FAILOVER"][..],
        &["FAILOVER", "ABORT"],
        &["FAILOVER", "TIMEOUT", "0"],
        &["FAILOVER", "TIMEOUT", "-5"],
        &["FAILOVER", "TIMEOUT", "x"],
        &["FAILOVER", "TIMEOUT", "5", "TIMEOUT", "6"],
        &["FAILOVER", "TO", "h"],
        &["FAILOVER", "TO", "h", "port"],
        &["FAILOVER", "FORCE", "FORCE"],
        &["FAILOVER", "ABORT", "TIMEOUT", "5"],
        &["FAILOVER", "bogus"],
        &["FAILOVER", "FORCE"],
        &["PSYNC", "abc", "1", "FAILOVER"],
    ] {
        run(&alone, argv);
    }
    let t = topology(kind, "fo-errors");
    let r1_port = t.r1.port().to_string();
    for argv in [
        &["FAILOVER", "FORCE"][..],
        &["FAILOVER", "FORCE", "TIMEOUT", "10"],
        &["FAILOVER", "FORCE", "TO", "127.0.0.1", &r1_port],
        &["FAILOVER", "TO", "127.0.0.1", "1"],
        &["FAILOVER", "TO", "127.0.0.1", "70000"],
        &["FAILOVER", "TO", "10.1.1.1", &r1_port],
    ] {
        run(&t.m, argv);
    }
    // A replica waiting for its snapshot (held back by the sync delay) is
    // attached, not online.
    t.m.command(&["CONFIG", "SET", "repl-diskless-sync-delay", "30"]);
    let mut fake = t.m.raw();
    fake.command(&["REPLCONF", "listening-port", "4444"]);
    fake.command(&["REPLCONF", "capa", "eof"]);
    fake.send_command(&["PSYNC", "?", "-1"]);
    wait_until("the fake replica to be listed", || {
        t.m.info_int("connected_slaves") == 3
    });
    run(&t.m, &["FAILOVER", "TO", "127.0.0.1", "4444"]);
    fake.abort();
    wait_until("the fake replica to be gone", || {
        t.m.info_int("connected_slaves") == 2
    });
    t.m.command(&["CONFIG", "SET", "repl-diskless-sync-delay", "0"]);
    run(&t.r1, &["FAILOVER"]);
    run(&t.r1, &["FAILOVER", "ABORT"]);
    run(
        &t.r1,
        &[
            "PSYNC",
            "0123456789012345678901234567890123456789",
            "1",
            "FAILOVER",
        ],
    );
    t.r1.signal("STOP");
    write_keys(&t.m, "late", 1);
    run(&t.m, &["FAILOVER", "TO", "127.0.0.1", &r1_port]);
    for argv in [
        &["FAILOVER"][..],
        &["FAILOVER", "TO", "127.0.0.1", "1"],
        &["FAILOVER", "TIMEOUT", "0"],
        &["REPLICAOF", "NO", "ONE"],
        &["REPLICAOF", "127.0.0.1", "1"],
        &["PSYNC", "?", "-1"],
        &["FAILOVER", "ABORT"],
        &["FAILOVER", "ABORT"],
    ] {
        run(&t.m, argv);
    }
    t.r1.signal("CONT");
    out
}

#[test]
fn failover_errors_match_redis_server_byte_for_byte() {
    if !redis_server_available() {
        eprintln!("redis-server not installed: skipped");
        return;
    }
    let redis = error_transcript(ServerKind::Redis);
    let rkv = error_transcript(ServerKind::Rkv);
    for ((cmd, r), (_, k)) in redis.iter().zip(&rkv) {
        eprintln!("{cmd} -> {}", k.trim_end());
        assert_eq!(r, k, "{cmd}");
    }
    assert_eq!(redis.len(), rkv.len());
}

#[test]
fn an_rkv_master_fails_over_to_a_redis_server_replica() {
    if !redis_server_available() {
        eprintln!("redis-server not installed: skipped");
        return;
    }
    let dirs = [NodeDir::new("fo-mixed-m"), NodeDir::new("fo-mixed-r")];
    let m = Node::start(
        ServerKind::Rkv,
        dirs[0].path(),
        &["--repl-diskless-sync-delay", "0"],
    );
    let port = m.port().to_string();
    let r = Node::start(
        ServerKind::Redis,
        dirs[1].path(),
        &["--replicaof", "127.0.0.1", port.as_str()],
    );
    wait_link_up(&r);
    write_keys(&m, "a", 100);
    wait_until("the redis-server replica to catch up", || {
        r.info_int("master_repl_offset") == m.info_int("master_repl_offset")
    });
    let rport = r.port().to_string();
    assert_eq!(
        m.command(&["FAILOVER", "TO", "127.0.0.1", &rport]),
        b"+OK\r\n"
    );
    wait_handed_over(&m, &r);
    assert!(r.info_int("sync_partial_ok") >= 1);
    assert_eq!(r.info_int("sync_full"), 0);
    write_keys(&r, "b", 20);
    assert_same_data(&r, &m);
}
