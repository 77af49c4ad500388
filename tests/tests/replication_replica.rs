//! rkv-server as a replica of Debian's redis-server: the link comes up,
//! the data written before and after the sync ends up identical (DEBUG
//! DIGEST and per-database sizes) through both snapshot transfers and all
//! three `repl-diskless-load` modes, `masterauth`, `-READONLY`,
//! `-MASTERDOWN`, a killed master link resyncing partially, REPLICAOF NO
//! ONE, and the INFO/ROLE shapes next to a redis-server replica.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use redis::{Connection, Value};
use rkv_tests::wait::wait_until;
use rkv_tests::{skip_without_redis_server, ServerKind, ServerProcess};

fn run(con: &mut Connection, args: &[&str]) -> Value {
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(con)
        .unwrap_or_else(|e| panic!("{}: {e}", args.join(" ")))
}

fn text(con: &mut Connection, args: &[&str]) -> String {
    match run(con, args) {
        Value::BulkString(d) => String::from_utf8(d).unwrap(),
        Value::SimpleString(s) => s,
        other => panic!("{}: unexpected {other:?}", args.join(" ")),
    }
}

fn info(con: &mut Connection, section: &str) -> HashMap<String, String> {
    text(con, &["INFO", section])
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn info_keys(con: &mut Connection, section: &str) -> Vec<String> {
    text(con, &["INFO", section])
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.to_string()))
        .collect()
}

/// A redis-server master that serves replicas at once.
fn master(extra: &[&str]) -> ServerProcess {
    let mut args = vec![
        "--repl-diskless-sync-delay",
        "0",
        "--enable-debug-command",
        "yes",
    ];
    args.extend_from_slice(extra);
    ServerProcess::start_with_args(ServerKind::Redis, &args)
}

/// A replica of `master` (rkv or redis-server), not waited for.
fn replica(kind: ServerKind, master: &ServerProcess, extra: &[&str]) -> ServerProcess {
    let port = master.port().to_string();
    let mut args = vec![
        "--replicaof",
        "127.0.0.1",
        port.as_str(),
        "--enable-debug-command",
        "yes",
    ];
    args.extend_from_slice(extra);
    ServerProcess::start_with_args(kind, &args)
}

#[track_caller]
fn wait_link_up(replica: &ServerProcess) {
    let mut con = replica.client();
    wait_until("master_link_status:up", || {
        info(&mut con, "replication").get("master_link_status") == Some(&"up".to_string())
    });
}

/// Waits until the replica applied everything the master produced.
#[track_caller]
fn wait_caught_up(master: &ServerProcess, replica: &ServerProcess) {
    let mut m = master.client();
    let mut r = replica.client();
    wait_until("the replica's offset to reach the master's", || {
        let want = info(&mut m, "replication")["master_repl_offset"].clone();
        info(&mut r, "replication").get("slave_repl_offset") == Some(&want)
    });
}

/// Every database's size and the dataset's digest.
fn fingerprint(con: &mut Connection) -> (String, Vec<i64>) {
    let digest = text(con, &["DEBUG", "DIGEST"]);
    let sizes = (0..4)
        .map(|db| {
            run(con, &["SELECT", &db.to_string()]);
            match run(con, &["DBSIZE"]) {
                Value::Int(n) => n,
                other => panic!("DBSIZE: {other:?}"),
            }
        })
        .collect();
    run(con, &["SELECT", "0"]);
    (digest, sizes)
}

#[track_caller]
fn assert_same_data(master: &ServerProcess, replica: &ServerProcess) {
    wait_caught_up(master, replica);
    let want = fingerprint(&mut master.client());
    assert_ne!(want.1, vec![0, 0, 0, 0], "the master holds data");
    assert_eq!(fingerprint(&mut replica.client()), want);
}

/// Writes of every type, TTLs, a script, a transaction, several dbs.
fn write_batch(con: &mut Connection, tag: &str) {
    let k = |name: &str| format!("{name}:{tag}");
    run(con, &["SET", &k("str"), "hello"]);
    run(con, &["SET", &k("int"), "12345"]);
    run(con, &["SET", &k("ttl"), "v", "EX", "1000"]);
    run(con, &["RPUSH", &k("list"), "a", "b", "c", "1"]);
    run(con, &["SADD", &k("set"), "1", "2", "x"]);
    run(con, &["SADD", &k("intset"), "1", "2", "3"]);
    run(con, &["ZADD", &k("zset"), "1", "a", "2.5", "b"]);
    run(con, &["HSET", &k("hash"), "f", "v", "g", "2"]);
    run(con, &["XADD", &k("stream"), "1-1", "f", "v"]);
    run(con, &["PFADD", &k("hll"), "a", "b", "c"]);
    run(con, &["INCR", &k("int")]);
    run(con, &["LPOP", &k("list")]);
    run(con, &["EXPIRE", &k("hash"), "5000"]);
    run(
        con,
        &[
            "EVAL",
            "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])",
            "2",
            &k("script"),
            &k("counter"),
            "from-lua",
        ],
    );
    let mut pipe = redis::pipe();
    pipe.atomic()
        .cmd("SET")
        .arg(k("multi"))
        .arg("1")
        .cmd("INCRBY")
        .arg(k("multi"))
        .arg(41)
        .cmd("SADD")
        .arg(k("set"))
        .arg("in-multi");
    let _: Value = pipe.query(con).unwrap();
    run(con, &["SELECT", "2"]);
    run(con, &["SET", &k("db2"), "two"]);
    run(con, &["ZADD", &k("db2z"), "1", "one"]);
    run(con, &["SELECT", "3"]);
    run(con, &["SET", &k("db3"), "three"]);
    run(con, &["SELECT", "0"]);
}

/// The whole sync, for one master transfer mode and one load mode.
fn full_sync_case(master_diskless: &str, load: &str) {
    let m = master(&["--repl-diskless-sync", master_diskless]);
    let mut mc = m.client();
    write_batch(&mut mc, "before");
    // A key that expires on the master after the sync: its DEL must come.
    run(&mut mc, &["SET", "short", "v", "PX", "300"]);
    let r = replica(ServerKind::Rkv, &m, &["--repl-diskless-load", load]);
    wait_link_up(&r);
    write_batch(&mut mc, "after");
    assert_same_data(&m, &r);
    std::thread::sleep(Duration::from_millis(400));
    run(&mut mc, &["GET", "short"]);
    run(&mut mc, &["FLUSHDB"]);
    write_batch(&mut mc, "flushed");
    assert_same_data(&m, &r);
    let mut rc = r.client();
    assert_eq!(run(&mut rc, &["EXISTS", "short"]), Value::Int(0));
}

#[test]
fn full_sync_from_disk_into_a_temp_file() {
    if skip_without_redis_server() {
        return;
    }
    full_sync_case("no", "disabled");
}

#[test]
fn full_sync_diskless_master_into_a_temp_file() {
    if skip_without_redis_server() {
        return;
    }
    full_sync_case("yes", "disabled");
}

#[test]
fn full_sync_diskless_load_swapdb() {
    if skip_without_redis_server() {
        return;
    }
    full_sync_case("yes", "swapdb");
    full_sync_case("no", "swapdb");
}

#[test]
fn full_sync_diskless_load_on_empty_db() {
    if skip_without_redis_server() {
        return;
    }
    full_sync_case("yes", "on-empty-db");
}

#[test]
fn replicaof_command_replaces_old_data_and_promotes_keeping_it() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(&[]);
    let mut mc = m.client();
    write_batch(&mut mc, "m");
    let r = ServerProcess::start_with_args(ServerKind::Rkv, &["--enable-debug-command", "yes"]);
    let mut rc = r.client();
    run(&mut rc, &["SET", "stale", "old"]);
    let port = m.port().to_string();
    assert_eq!(
        run(&mut rc, &["REPLICAOF", "127.0.0.1", &port]),
        Value::Okay
    );
    assert_eq!(
        run(&mut rc, &["REPLICAOF", "127.0.0.1", &port]),
        Value::SimpleString("OK Already connected to specified master".into())
    );
    wait_link_up(&r);
    assert_same_data(&m, &r);
    assert_eq!(run(&mut rc, &["EXISTS", "stale"]), Value::Int(0));
    let replid = info(&mut rc, "replication")["master_replid"].clone();
    let offset: i64 = info(&mut rc, "replication")["master_repl_offset"]
        .parse()
        .unwrap();
    assert_eq!(run(&mut rc, &["REPLICAOF", "NO", "ONE"]), Value::Okay);
    let after = info(&mut rc, "replication");
    assert_eq!(after["role"], "master");
    assert_eq!(after["master_replid2"], replid);
    assert_eq!(after["second_repl_offset"], (offset + 1).to_string());
    assert_ne!(after["master_replid"], replid);
    assert_eq!(run(&mut rc, &["SET", "mine", "1"]), Value::Okay);
    assert_eq!(text(&mut rc, &["GET", "str:m"]), "hello");
    // The master keeps writing: the promoted server no longer follows.
    run(&mut mc, &["SET", "str:m", "changed"]);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(text(&mut rc, &["GET", "str:m"]), "hello");
}

#[test]
fn masterauth_reaches_a_password_protected_master() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(&["--requirepass", "s3cret"]);
    let mut mc = m.client();
    run(&mut mc, &["AUTH", "s3cret"]);
    write_batch(&mut mc, "auth");
    let r = replica(ServerKind::Rkv, &m, &["--masterauth", "s3cret"]);
    wait_link_up(&r);
    let mut rc = r.client();
    let want = fingerprint(&mut mc);
    wait_until("the data to arrive", || fingerprint(&mut rc) == want);
}

#[test]
fn killed_master_link_resyncs_partially() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(&[]);
    let mut mc = m.client();
    write_batch(&mut mc, "one");
    let r = replica(ServerKind::Rkv, &m, &[]);
    wait_link_up(&r);
    assert_same_data(&m, &r);
    let stats = info(&mut mc, "stats");
    let (full, partial) = (
        stats["sync_full"].clone(),
        stats["sync_partial_ok"].parse::<u64>().unwrap(),
    );
    let mut rc = r.client();
    let list = text(&mut rc, &["CLIENT", "LIST"]);
    assert!(list.contains("flags=M"), "{list}");
    // The master's stream last selected db 3: it continues there without
    // a new SELECT after the partial resync.
    let mut db3 = m.client();
    run(&mut db3, &["SELECT", "3"]);
    run(&mut db3, &["SET", "db3:before-kill", "1"]);
    wait_caught_up(&m, &r);
    assert_eq!(
        run(&mut rc, &["CLIENT", "KILL", "TYPE", "master"]),
        Value::Int(1)
    );
    run(&mut db3, &["SET", "db3:after-kill", "2"]);
    write_batch(&mut mc, "two");
    wait_until("a partial resync", || {
        info(&mut mc, "stats")["sync_partial_ok"]
            .parse::<u64>()
            .unwrap()
            > partial
    });
    wait_link_up(&r);
    assert_same_data(&m, &r);
    assert_eq!(info(&mut mc, "stats")["sync_full"], full);
}

/// The same command on an rkv replica and a redis-server replica of the
/// same master gets the same bytes.
#[test]
fn replica_refusals_match_redis() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(&[]);
    let ours = replica(ServerKind::Rkv, &m, &[]);
    let theirs = replica(ServerKind::Redis, &m, &[]);
    wait_link_up(&ours);
    wait_link_up(&theirs);
    let port = m.port().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["SET", "k", "v"],
        vec!["EVAL", "return redis.call('SET','k','v')", "0"],
        vec!["GET", "k"],
        vec!["REPLICAOF", "127.0.0.1", "notaport"],
        vec!["REPLICAOF", "127.0.0.1", "70000"],
        vec!["REPLICAOF", "127.0.0.1", &port],
        vec!["SLAVEOF", "127.0.0.1", &port],
        vec!["MULTI"],
        vec!["SET", "k", "v"],
        vec!["EXEC"],
    ];
    let (mut a, mut b) = (ours.raw(), theirs.raw());
    for case in cases {
        assert_eq!(
            String::from_utf8_lossy(&a.command(&case)),
            String::from_utf8_lossy(&b.command(&case)),
            "{case:?}"
        );
    }
}

#[test]
fn masterdown_when_stale_data_is_not_served() {
    if skip_without_redis_server() {
        return;
    }
    // Nothing listens on the master's port: the link stays down.
    let closed = rkv_tests::free_port::free_port().to_string();
    let args = ["--replicaof", "127.0.0.1", closed.as_str()];
    let ours = ServerProcess::start_with_args(ServerKind::Rkv, &args);
    let theirs = ServerProcess::start_with_args(ServerKind::Redis, &args);
    let (mut a, mut b) = (ours.raw(), theirs.raw());
    for case in [
        vec!["CONFIG", "SET", "replica-serve-stale-data", "no"],
        vec!["GET", "k"],
        vec!["SET", "k", "v"],
        vec!["PING"],
        vec!["CONFIG", "GET", "replicaof"],
        vec!["REPLICAOF", "NO", "ONE"],
        vec!["GET", "k"],
        vec!["REPLICAOF", "NO", "ONE"],
    ] {
        assert_eq!(
            String::from_utf8_lossy(&a.command(&case)),
            String::from_utf8_lossy(&b.command(&case)),
            "{case:?}"
        );
    }
}

/// INFO replication has the same fields, in the same order, on an rkv
/// replica and a redis-server replica; ROLE the same shape.
#[test]
fn info_and_role_shapes_match_a_redis_replica() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(&[]);
    let ours = replica(ServerKind::Rkv, &m, &[]);
    let theirs = replica(ServerKind::Redis, &m, &[]);
    wait_link_up(&ours);
    wait_link_up(&theirs);
    let mut mc = m.client();
    write_batch(&mut mc, "shape");
    wait_caught_up(&m, &ours);
    wait_caught_up(&m, &theirs);
    let (mut a, mut b) = (ours.client(), theirs.client());
    let replica_side = |keys: Vec<String>| -> Vec<String> {
        keys.into_iter()
            .take_while(|k| k != "connected_slaves")
            .collect()
    };
    assert_eq!(
        replica_side(info_keys(&mut a, "replication")),
        replica_side(info_keys(&mut b, "replication"))
    );
    let (ia, ib) = (info(&mut a, "replication"), info(&mut b, "replication"));
    for field in [
        "role",
        "master_host",
        "master_port",
        "master_link_status",
        "master_sync_in_progress",
        "slave_repl_offset",
        "slave_read_repl_offset",
        "slave_priority",
        "slave_read_only",
        "replica_announced",
        "master_replid",
        "master_repl_offset",
    ] {
        assert_eq!(ia[field], ib[field], "{field}");
    }
    // ROLE is declared by the master side (which calls our replica form);
    // on a tree without it there is nothing to compare yet.
    let (mut ra, mut rb) = (ours.raw(), theirs.raw());
    let ours_role = ra.command(&["ROLE"]);
    if ours_role.starts_with(b"-ERR unknown command") {
        eprintln!("ROLE not declared in this tree: shape not compared");
        return;
    }
    assert_eq!(
        String::from_utf8_lossy(&ours_role),
        String::from_utf8_lossy(&rb.command(&["ROLE"]))
    );
}

/// Clients blocked on a master's keys are released with an error when
/// it becomes a replica, and disconnected, as by redis-server.
#[test]
fn blocked_clients_are_released_by_replicaof() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(&[]);
    let port = m.port().to_string();
    let mut replies = Vec::new();
    for kind in [ServerKind::Rkv, ServerKind::Redis] {
        let s = ServerProcess::start(kind);
        let mut blocked = s.raw();
        blocked.send_command(&["BLPOP", "list", "0"]);
        let mut admin = s.client();
        wait_until("the client to block", || {
            info(&mut admin, "clients")["blocked_clients"] == "1"
        });
        run(&mut admin, &["REPLICAOF", "127.0.0.1", &port]);
        let reply = String::from_utf8_lossy(&blocked.read_reply()).into_owned();
        replies.push((reply, blocked.wait_closed()));
    }
    assert_eq!(replies[0], replies[1]);
    assert!(replies[0].0.starts_with("-UNBLOCKED"), "{:?}", replies[0]);
}

/// A key past its TTL that the master has not deleted yet is hidden from
/// reads on the replica but kept (the master's DEL removes it), as on a
/// redis-server replica.
#[test]
fn replicas_hide_expired_keys_without_deleting_them() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(&[]);
    let mut mc = m.client();
    // The master neither expires actively nor gets read: no DEL is sent.
    run(&mut mc, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    // Expired before the sync: the snapshot carries it, replicas keep it.
    run(&mut mc, &["SET", "old", "v", "PX", "50"]);
    std::thread::sleep(Duration::from_millis(100));
    let ours = replica(ServerKind::Rkv, &m, &[]);
    let theirs = replica(ServerKind::Redis, &m, &[]);
    wait_link_up(&ours);
    wait_link_up(&theirs);
    run(&mut mc, &["SET", "gone", "v", "PX", "100"]);
    run(&mut mc, &["SET", "kept", "v"]);
    wait_caught_up(&m, &ours);
    wait_caught_up(&m, &theirs);
    std::thread::sleep(Duration::from_millis(300));
    let (mut a, mut b) = (ours.raw(), theirs.raw());
    for case in [
        vec!["GET", "gone"],
        vec!["GET", "old"],
        vec!["EXISTS", "gone", "kept", "old"],
        vec!["TTL", "gone"],
        vec!["TYPE", "gone"],
        vec!["DBSIZE"],
        vec!["KEYS", "*"],
        vec!["GET", "gone"],
        vec!["DBSIZE"],
    ] {
        assert_eq!(
            String::from_utf8_lossy(&a.command(&case)),
            String::from_utf8_lossy(&b.command(&case)),
            "{case:?}"
        );
    }
    // Reading them on the master deletes them there and on both replicas.
    run(&mut mc, &["GET", "gone"]);
    run(&mut mc, &["GET", "old"]);
    wait_caught_up(&m, &ours);
    wait_caught_up(&m, &theirs);
    assert_eq!(a.command(&["DBSIZE"]), b.command(&["DBSIZE"]));
    assert_eq!(a.command(&["DBSIZE"]), b":1\r\n".to_vec());
}

/// WAIT on the master makes it send REPLCONF GETACK: the rkv replica's
/// ACK carries the offset it applied, so the write counts as replicated.
#[test]
fn wait_on_the_master_is_answered_by_getack() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(&[]);
    let r = replica(ServerKind::Rkv, &m, &[]);
    wait_link_up(&r);
    let mut mc = m.client();
    for i in 0..3 {
        run(&mut mc, &["SET", "k", &i.to_string()]);
        assert_eq!(run(&mut mc, &["WAIT", "1", "5000"]), Value::Int(1));
    }
    let want = info(&mut mc, "replication")["master_repl_offset"].clone();
    wait_until("the master to see the replica's ACKed offset", || {
        info(&mut mc, "replication")["slave0"].contains(&format!("offset={want},"))
    });
}

/// `masteruser` + `masterauth` authenticate as an ACL user of the master.
#[test]
fn masteruser_authenticates_as_an_acl_user() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(&[]);
    let mut mc = m.client();
    run(
        &mut mc,
        &["ACL", "SETUSER", "repl", "on", ">pw", "+@all", "~*", "&*"],
    );
    run(&mut mc, &["ACL", "SETUSER", "default", "off"]);
    let r = replica(
        ServerKind::Rkv,
        &m,
        &["--masteruser", "repl", "--masterauth", "pw"],
    );
    wait_link_up(&r);
}

/// A master silent for longer than `repl-timeout` is dropped; the link
/// comes back with a partial resync.
#[test]
fn a_silent_master_times_out_and_the_link_resyncs_partially() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(&[]);
    let r = replica(ServerKind::Rkv, &m, &["--repl-timeout", "1"]);
    wait_link_up(&r);
    let mut mc = m.client();
    run(&mut mc, &["SET", "k", "1"]);
    wait_caught_up(&m, &r);
    let partial = info(&mut mc, "stats")["sync_partial_ok"].clone();
    run(&mut mc, &["DEBUG", "SLEEP", "3"]);
    wait_until("a partial resync after the timeout", || {
        info(&mut mc, "stats")["sync_partial_ok"] != partial
    });
    assert!(r.output().contains("MASTER timeout"), "{}", r.output());
    wait_link_up(&r);
    run(&mut mc, &["SET", "k", "2"]);
    wait_caught_up(&m, &r);
    assert_eq!(text(&mut r.client(), &["GET", "k"]), "2");
}

/// A replica with `appendonly yes` logs the synced data, not the data it
/// had: restarted on its own from its AOF it holds the master's dataset.
#[test]
fn a_replica_aof_holds_the_synced_data() {
    if skip_without_redis_server() {
        return;
    }
    let dir = std::env::temp_dir().join(format!(
        "rkv-replica-aof-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dir_arg = dir.to_str().unwrap();
    let m = master(&[]);
    let mut mc = m.client();
    write_batch(&mut mc, "before");
    let own = [
        "--dir",
        dir_arg,
        "--appendonly",
        "yes",
        "--enable-debug-command",
        "yes",
    ];
    let r = ServerProcess::start_with_args(ServerKind::Rkv, &own);
    let mut rc = r.client();
    run(&mut rc, &["SET", "replaced", "by-the-sync"]);
    let port = m.port().to_string();
    run(&mut rc, &["REPLICAOF", "127.0.0.1", &port]);
    wait_link_up(&r);
    write_batch(&mut mc, "after");
    assert_same_data(&m, &r);
    let want = fingerprint(&mut mc);
    let mut raw = r.raw();
    raw.send_command(&["SHUTDOWN", "NOSAVE"]);
    raw.wait_closed();
    drop(r);
    let again = ServerProcess::start_with_args(ServerKind::Rkv, &own);
    assert_eq!(fingerprint(&mut again.client()), want);
    let _ = std::fs::remove_dir_all(&dir);
}
