//! Replication fault tests, all on real processes over loopback: chained
//! replicas, a link cut for less than and for more than the backlog, a
//! replica killed during its full sync, a master restarted with its data,
//! and a promotion that keeps siblings on a partial resync through the
//! previous replication id. After each, every key is compared (DEBUG
//! DIGEST of the whole dataset, and DBSIZE).
//!
//! Every server is rkv-server; `RKV_REPL_KIND=redis` runs the same
//! scenarios on Debian's redis-server, to check the tests themselves.

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

fn skip() -> bool {
    if kind() == ServerKind::Redis && !redis_server_available() {
        eprintln!("redis-server not installed: skipped");
        return true;
    }
    false
}

/// A master that starts full syncs at once.
fn master(dir: &NodeDir, extra: &[&str]) -> Node {
    let mut args = vec!["--repl-diskless-sync-delay", "0"];
    args.extend_from_slice(extra);
    Node::start(kind(), dir.path(), &args)
}

/// A replica of `of`, its link up.
fn replica(dir: &NodeDir, of: &Node, extra: &[&str]) -> Node {
    let port = of.port().to_string();
    let mut args = vec!["--replicaof", "127.0.0.1", port.as_str()];
    args.extend_from_slice(extra);
    let node = Node::start(kind(), dir.path(), &args);
    wait_link_up(&node);
    node
}

#[track_caller]
fn wait_link_up(node: &Node) {
    wait_until("master_link_status:up", || {
        node.info_field("master_link_status") == "up"
    });
}

/// Waits until `replica` has applied everything `master` produced, then
/// compares their datasets.
#[track_caller]
fn assert_same_data(master: &Node, replica: &Node) {
    wait_until("the replica to reach the master's offset", || {
        let m = master.info_int("master_repl_offset");
        m > 0 && replica.info_int("master_repl_offset") == m
    });
    for db in 0..4 {
        let db = db.to_string();
        let size = |n: &Node| {
            let mut c = n.raw();
            c.command(&["SELECT", &db]);
            c.command(&["DBSIZE"])
        };
        assert_eq!(size(master), size(replica), "DBSIZE of db {db}");
    }
    assert_eq!(
        master.command(&["DEBUG", "DIGEST"]),
        replica.command(&["DEBUG", "DIGEST"]),
        "dataset digests differ"
    );
}

/// Writes of every type, with TTLs, in several databases; `round` makes
/// each call's keys and values distinct.
fn write_mixed(node: &Node, round: usize) {
    let mut c = node.raw();
    let r = round.to_string();
    let cmds: Vec<Vec<String>> = vec![
        vec!["SET".into(), format!("s:{r}"), format!("value-{r}")],
        vec![
            "SET".into(),
            format!("ttl:{r}"),
            "x".into(),
            "EX".into(),
            "1000".into(),
        ],
        vec!["INCRBY".into(), "counter".into(), r.clone()],
        vec![
            "RPUSH".into(),
            format!("l:{r}"),
            "a".into(),
            "b".into(),
            r.clone(),
        ],
        vec![
            "HSET".into(),
            format!("h:{r}"),
            "f".into(),
            r.clone(),
            "g".into(),
            "2".into(),
        ],
        vec![
            "SADD".into(),
            format!("set:{r}"),
            "1".into(),
            "2".into(),
            r.clone(),
        ],
        vec![
            "ZADD".into(),
            format!("z:{r}"),
            "1.5".into(),
            "m".into(),
            r.clone(),
            "n".into(),
        ],
        vec![
            "XADD".into(),
            format!("x:{r}"),
            "*".into(),
            "f".into(),
            r.clone(),
        ],
        vec!["SPOP".into(), format!("set:{r}")],
        vec![
            "EVAL".into(),
            "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('INCR', KEYS[2])".into(),
            "2".into(),
            format!("e:{r}"),
            "evalcount".into(),
            r.clone(),
        ],
        vec!["SELECT".into(), "2".into()],
        vec!["SET".into(), format!("db2:{r}"), r.clone()],
        vec!["SELECT".into(), "0".into()],
    ];
    c.command(&["MULTI"]);
    c.command(&["SET", &format!("m1:{r}"), "1"]);
    c.command(&["LPUSH", &format!("m2:{r}"), "1"]);
    c.command(&["EXEC"]);
    for cmd in cmds {
        let reply = c.command(&cmd);
        assert!(
            !reply.starts_with(b"-"),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&reply)
        );
    }
}

/// Writes `n` string keys of `size` bytes through one pipelined batch.
fn write_bulk(node: &Node, prefix: &str, n: usize, size: usize) {
    let mut c = node.raw();
    let value = "v".repeat(size);
    let mut batch = Vec::new();
    for i in 0..n {
        let key = format!("{prefix}:{i}");
        batch.extend_from_slice(
            format!(
                "*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n${}\r\n{value}\r\n",
                key.len(),
                value.len()
            )
            .as_bytes(),
        );
    }
    c.send(&batch);
    for _ in 0..n {
        c.read_reply();
    }
}

#[test]
fn chained_replicas_get_the_masters_stream() {
    if skip() {
        return;
    }
    let (d0, d1, d2) = (
        NodeDir::new("chain-m"),
        NodeDir::new("chain-r1"),
        NodeDir::new("chain-r2"),
    );
    let m = master(&d0, &[]);
    write_mixed(&m, 0);
    let r1 = replica(&d1, &m, &["--repl-diskless-sync-delay", "0"]);
    let r2 = replica(&d2, &r1, &[]);
    write_mixed(&m, 1);
    assert_same_data(&m, &r1);
    assert_same_data(&m, &r2);
    assert_eq!(
        r2.info_field("master_replid"),
        m.info_field("master_replid")
    );
}

#[test]
fn a_short_cut_resyncs_partially_and_a_long_one_fully() {
    if skip() {
        return;
    }
    let (d0, d1) = (NodeDir::new("cut-m"), NodeDir::new("cut-r"));
    let m = master(&d0, &["--repl-backlog-size", "1mb"]);
    let r = replica(&d1, &m, &[]);
    write_mixed(&m, 0);
    assert_same_data(&m, &r);
    let full = m.info_int("sync_full");
    let partial = m.info_int("sync_partial_ok");

    // Short: the replica is stopped, its link cut, and fewer bytes than
    // the backlog holds are written before it comes back.
    r.signal("STOP");
    m.command(&["CLIENT", "KILL", "TYPE", "replica"]);
    write_mixed(&m, 1);
    r.signal("CONT");
    wait_until("a partial resync", || {
        m.info_int("sync_partial_ok") == partial + 1
    });
    wait_link_up(&r);
    assert_same_data(&m, &r);
    assert_eq!(
        m.info_int("sync_full"),
        full,
        "no full sync for a short cut"
    );

    // Long: more than the backlog (1 MB) is written while it is away.
    r.signal("STOP");
    m.command(&["CLIENT", "KILL", "TYPE", "replica"]);
    write_bulk(&m, "bulk", 3000, 1000);
    r.signal("CONT");
    wait_until("a full resync", || m.info_int("sync_full") == full + 1);
    wait_link_up(&r);
    assert_same_data(&m, &r);
    assert_eq!(m.info_int("sync_partial_ok"), partial + 1);
}

#[test]
fn a_replica_killed_during_its_full_sync_syncs_after_restart() {
    if skip() {
        return;
    }
    let (d0, d1) = (NodeDir::new("kill-m"), NodeDir::new("kill-r"));
    // A disk-based sync of a few MB, slowed by rdb-key-save-delay, so the
    // replica can be killed in the middle.
    let m = master(&d0, &["--repl-diskless-sync", "no"]);
    write_bulk(&m, "k", 20_000, 100);
    m.command(&["CONFIG", "SET", "rdb-key-save-delay", "50"]);
    let port = m.port().to_string();
    let mut r = Node::start(kind(), d1.path(), &["--replicaof", "127.0.0.1", &port]);
    wait_until("the full sync to start", || {
        m.info_int("rdb_bgsave_in_progress") == 1
    });
    r.kill9();
    m.command(&["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    write_mixed(&m, 1);
    r.restart();
    wait_link_up(&r);
    assert_same_data(&m, &r);
}

#[test]
fn replicas_resync_with_a_master_restarted_with_its_data() {
    if skip() {
        return;
    }
    let (d0, d1) = (NodeDir::new("restart-m"), NodeDir::new("restart-r"));
    let mut m = master(&d0, &["--appendonly", "yes", "--appendfsync", "always"]);
    let r = replica(&d1, &m, &[]);
    write_mixed(&m, 0);
    assert_same_data(&m, &r);
    m.kill9();
    wait_until("the replica to see its link down", || {
        r.info_field("master_link_status") == "down"
    });
    m.restart();
    wait_link_up(&r);
    write_mixed(&m, 1);
    assert_same_data(&m, &r);
}

#[test]
fn a_promoted_replica_keeps_its_sibling_on_a_partial_resync() {
    if skip() {
        return;
    }
    let (d0, d1, d2) = (
        NodeDir::new("promo-m"),
        NodeDir::new("promo-r1"),
        NodeDir::new("promo-r2"),
    );
    let mut m = master(&d0, &[]);
    let r1 = replica(&d1, &m, &["--repl-diskless-sync-delay", "0"]);
    let r2 = replica(&d2, &m, &[]);
    write_mixed(&m, 0);
    assert_same_data(&m, &r1);
    assert_same_data(&m, &r2);
    let old_replid = m.info_field("master_replid");
    m.kill9();

    assert_eq!(r1.command(&["REPLICAOF", "NO", "ONE"]), b"+OK\r\n");
    assert_eq!(r1.info_field("master_replid2"), old_replid);
    let port = r1.port().to_string();
    r2.command(&["REPLICAOF", "127.0.0.1", &port]);
    wait_link_up(&r2);
    assert_eq!(
        r1.info_int("sync_partial_ok"),
        1,
        "the sibling continued partially"
    );
    assert_eq!(r1.info_int("sync_full"), 0);
    write_mixed(&r1, 1);
    assert_same_data(&r1, &r2);
}
