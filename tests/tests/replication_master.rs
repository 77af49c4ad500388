//! rkv as a replication master of Debian's redis-server: full syncs (disk
//! and diskless, the replica loading from disk or memory), the stream for
//! every type of write, partial resync after a dropped link, full resync
//! when the backlog no longer covers the gap, WAIT, min-replicas-to-write,
//! and INFO/ROLE shapes next to a redis-server master in the same topology.

use std::process::Command;
use std::time::{Duration, Instant};

use redis::{Connection, Value};
use rkv_tests::wait::wait_until;
use rkv_tests::{skip_without_redis_server, ServerKind, ServerProcess};

/// A master of `kind` with DEBUG enabled and no diskless delay.
fn master(kind: ServerKind, extra: &[&str]) -> ServerProcess {
    let mut args = vec![
        "--enable-debug-command",
        "yes",
        "--repl-diskless-sync-delay",
        "0",
    ];
    args.extend_from_slice(extra);
    ServerProcess::start_with_args(kind, &args)
}

/// A redis-server replica of `master`.
fn replica_of(master: &ServerProcess, extra: &[&str]) -> ServerProcess {
    let port = master.port().to_string();
    let mut args = vec![
        "--replicaof",
        "127.0.0.1",
        port.as_str(),
        "--enable-debug-command",
        "yes",
    ];
    args.extend_from_slice(extra);
    ServerProcess::start_with_args(ServerKind::Redis, &args)
}

fn cmd(con: &mut Connection, line: &str) -> Value {
    let words: Vec<&str> = line.split(' ').collect();
    let mut c = redis::cmd(words[0]);
    for w in &words[1..] {
        c.arg(*w);
    }
    c.query(con).unwrap_or_else(|e| panic!("{line}: {e}"))
}

fn text(con: &mut Connection, line: &str) -> String {
    match cmd(con, line) {
        Value::BulkString(d) => String::from_utf8(d).unwrap(),
        Value::SimpleString(s) => s,
        Value::Okay => "OK".into(),
        other => panic!("{line}: {other:?}"),
    }
}

/// One field of an INFO section.
fn info_field(con: &mut Connection, section: &str, field: &str) -> Option<String> {
    let info = text(con, &format!("INFO {section}"));
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .map(str::to_string)
}

fn info_int(con: &mut Connection, section: &str, field: &str) -> i64 {
    info_field(con, section, field)
        .unwrap_or_else(|| panic!("no {field}"))
        .parse()
        .unwrap()
}

/// Waits for the replica's link to be up.
fn wait_link_up(replica: &mut Connection) {
    wait_until("master_link_status:up", || {
        info_field(replica, "replication", "master_link_status").as_deref() == Some("up")
    });
}

/// Waits until the replica processed everything the master produced.
fn wait_caught_up(master: &mut Connection, replica: &mut Connection) {
    wait_until("the replica to catch up", || {
        let produced = info_int(master, "replication", "master_repl_offset");
        info_int(replica, "replication", "slave_repl_offset") == produced
    });
}

/// Every key of every database with its type and value digest.
fn dataset(con: &mut Connection) -> Vec<(u32, String, String, String)> {
    let mut all = Vec::new();
    for db in 0..16 {
        cmd(con, &format!("SELECT {db}"));
        let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(con).unwrap();
        for key in keys {
            let kind = text(con, &format!("TYPE {key}"));
            let digest: Vec<String> = redis::cmd("DEBUG")
                .arg("DIGEST-VALUE")
                .arg(&key)
                .query(con)
                .unwrap();
            all.push((db, key, kind, digest.concat()));
        }
    }
    cmd(con, "SELECT 0");
    all.sort();
    all
}

/// Asserts both servers hold the same data, key by key.
fn assert_same_data(master: &mut Connection, replica: &mut Connection) {
    wait_caught_up(master, replica);
    assert_eq!(text(master, "DEBUG DIGEST"), text(replica, "DEBUG DIGEST"));
    assert_eq!(dataset(master), dataset(replica));
}

/// Writes of every type, across databases, with scripts, transactions,
/// expiries and a FLUSHALL in the middle.
fn write_everything(con: &mut Connection) {
    for line in [
        "SET gone 1",
        "SELECT 4",
        "SET gone4 1",
        "FLUSHALL",
        "SELECT 0",
        "SET str v",
        "SET ttl v EX 1000",
        "SET shortttl v PX 1",
        "INCRBY counter 5",
        "APPEND str more",
        "RPUSH list a b c",
        "LPOP list",
        "LMOVE list list2 LEFT RIGHT",
        "HSET hash f1 v1 f2 v2",
        "HINCRBY hash n 3",
        "SADD set a b c",
        "SREM set b",
        "ZADD zset 1 a 2 b",
        "ZINCRBY zset 5 a",
        "XADD stream 1-1 f v",
        "XADD stream * g w",
        "XGROUP CREATE stream grp 0",
        "XREADGROUP GROUP grp alice STREAMS stream >",
        "PFADD hll a b c",
        "SETBIT bits 100 1",
        "EXPIRE list2 5000",
        "MULTI",
        "SET m1 1",
        "SELECT 7",
        "SET m7 7",
        "EXEC",
        "SELECT 0",
        "EVAL redis.call('set',KEYS[1],'fromlua');redis.call('rpush',KEYS[2],'x') 2 lua1 lua2",
        "SELECT 3",
        "SET three 3",
        "HSET h3 a b",
        "SELECT 0",
        "DEL counter",
        "RENAME str str2",
    ] {
        cmd(con, line);
    }
    // `shortttl` expired: the master's lazy expiry propagates its DEL.
    std::thread::sleep(Duration::from_millis(5));
    cmd(con, "GET shortttl");
}

fn sync_everything(master_extra: &[&str], replica_extra: &[&str]) {
    let m = master(ServerKind::Rkv, master_extra);
    let mut mc = m.client();
    cmd(&mut mc, "SET before sync");
    cmd(&mut mc, "SELECT 2");
    cmd(&mut mc, "RPUSH before2 a b");
    cmd(&mut mc, "SELECT 0");
    let r = replica_of(&m, replica_extra);
    let mut rc = r.client();
    wait_link_up(&mut rc);
    assert_same_data(&mut mc, &mut rc);
    write_everything(&mut mc);
    assert_same_data(&mut mc, &mut rc);
    assert_eq!(info_int(&mut mc, "stats", "sync_full"), 1);
}

#[test]
fn diskless_full_sync_then_the_stream_of_every_write() {
    if skip_without_redis_server() {
        return;
    }
    sync_everything(&[], &[]);
}

#[test]
fn disk_full_sync_to_a_replica_loading_from_disk() {
    if skip_without_redis_server() {
        return;
    }
    sync_everything(
        &["--repl-diskless-sync", "no"],
        &["--repl-diskless-load", "disabled"],
    );
}

#[test]
fn diskless_sync_to_a_replica_loading_from_disk() {
    if skip_without_redis_server() {
        return;
    }
    sync_everything(&[], &["--repl-diskless-load", "disabled"]);
}

/// The replica's process id.
fn pid(con: &mut Connection) -> String {
    info_field(con, "server", "process_id").unwrap()
}

fn signal(pid: &str, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, pid])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} {pid}");
}

/// Drops the link while the replica is stopped, writes `bytes` bytes,
/// lets the replica go on; returns (sync_full, sync_partial_ok) of the
/// master after it reconnected.
fn drop_link_and_write(backlog: &str, bytes: usize) -> (i64, i64) {
    let m = master(
        ServerKind::Rkv,
        &["--repl-backlog-size", backlog, "--repl-diskless-sync", "no"],
    );
    let mut mc = m.client();
    let r = replica_of(&m, &[]);
    let mut rc = r.client();
    wait_link_up(&mut rc);
    cmd(&mut mc, "SET a 1");
    wait_caught_up(&mut mc, &mut rc);
    let replica_pid = pid(&mut rc);
    signal(&replica_pid, "-STOP");
    let killed: i64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("replica")
        .query(&mut mc)
        .unwrap();
    assert_eq!(killed, 1);
    let value = "x".repeat(100);
    let mut written = 0;
    let mut i = 0;
    while written < bytes {
        cmd(&mut mc, &format!("SET k{i} {value}"));
        written += 100;
        i += 1;
    }
    signal(&replica_pid, "-CONT");
    wait_until("the replica to reattach", || {
        info_field(&mut mc, "replication", "slave0").is_some_and(|s| s.contains("state=online"))
    });
    wait_link_up(&mut rc);
    assert_same_data(&mut mc, &mut rc);
    (
        info_int(&mut mc, "stats", "sync_full"),
        info_int(&mut mc, "stats", "sync_partial_ok"),
    )
}

#[test]
fn a_dropped_link_resumes_with_a_partial_resync() {
    if skip_without_redis_server() {
        return;
    }
    assert_eq!(drop_link_and_write("1mb", 2_000), (1, 1));
}

#[test]
fn a_gap_larger_than_the_backlog_needs_a_full_resync() {
    if skip_without_redis_server() {
        return;
    }
    assert_eq!(drop_link_and_write("16kb", 100_000), (2, 0));
}

#[test]
fn wait_counts_the_replicas_that_acknowledged() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(ServerKind::Rkv, &[]);
    let mut mc = m.client();
    let r = replica_of(&m, &[]);
    let mut rc = r.client();
    wait_link_up(&mut rc);
    cmd(&mut mc, "SET k v");
    let started = Instant::now();
    let acked: i64 = redis::cmd("WAIT").arg(1).arg(5000).query(&mut mc).unwrap();
    assert_eq!(acked, 1);
    assert!(started.elapsed() < Duration::from_secs(4));
    // Two replicas cannot be had: WAIT times out with the count it has.
    let acked: i64 = redis::cmd("WAIT").arg(2).arg(200).query(&mut mc).unwrap();
    assert_eq!(acked, 1);
}

#[test]
fn min_replicas_to_write_refuses_writes_without_good_replicas() {
    if skip_without_redis_server() {
        return;
    }
    for kind in [ServerKind::Redis, ServerKind::Rkv] {
        let m = master(kind, &["--min-replicas-to-write", "1"]);
        let mut raw = m.raw();
        let reply = raw.command(&["SET", "k", "v"]);
        assert_eq!(
            String::from_utf8_lossy(&reply),
            "-NOREPLICAS Not enough good replicas to write.\r\n",
            "{}",
            kind.name()
        );
        assert_eq!(raw.command(&["GET", "k"]), b"$-1\r\n");
        let r = replica_of(&m, &[]);
        let mut rc = r.client();
        wait_link_up(&mut rc);
        wait_until("a good replica", || {
            raw.command(&["SET", "k", "v"]) == b"+OK\r\n"
        });
    }
}

/// INFO replication with the values that differ between runs blanked.
fn info_shape(con: &mut Connection) -> Vec<String> {
    text(con, "INFO replication")
        .lines()
        .map(|l| match l.split_once(':') {
            Some((k, v)) if k.starts_with("slave") && k != "slave_read_only" => {
                let fields: Vec<&str> = v
                    .split(',')
                    .map(|f| f.split_once('=').map_or(f, |(name, _)| name))
                    .collect();
                format!("{k}:{}", fields.join(","))
            }
            Some((k, _)) => k.to_string(),
            None => l.to_string(),
        })
        .collect()
}

/// ROLE with offsets and ports blanked.
fn role_shape(con: &mut Connection) -> String {
    match cmd(con, "ROLE") {
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|v| match v {
                    Value::BulkString(d) => String::from_utf8_lossy(d).into_owned(),
                    Value::Int(_) => "int".into(),
                    Value::Array(replicas) => format!("{} replicas", replicas.len()),
                    other => format!("{other:?}"),
                })
                .collect();
            parts.join(" ")
        }
        other => panic!("ROLE: {other:?}"),
    }
}

#[test]
fn info_and_role_have_the_shape_of_a_redis_master() {
    if skip_without_redis_server() {
        return;
    }
    let mut shapes = Vec::new();
    for kind in [ServerKind::Redis, ServerKind::Rkv] {
        let m = master(kind, &[]);
        let mut mc = m.client();
        let before = (info_shape(&mut mc), role_shape(&mut mc));
        let r = replica_of(&m, &[]);
        let mut rc = r.client();
        wait_link_up(&mut rc);
        cmd(&mut mc, "SET k v");
        wait_caught_up(&mut mc, &mut rc);
        wait_until("the replica's ACK", || {
            info_field(&mut mc, "replication", "slave0")
                .is_some_and(|s| s.contains("state=online") && !s.contains("offset=0,"))
        });
        let slave0 = info_field(&mut mc, "replication", "slave0").unwrap();
        assert!(
            slave0.starts_with(&format!("ip=127.0.0.1,port={},state=online,", r.port())),
            "{slave0}"
        );
        shapes.push((before, info_shape(&mut mc), role_shape(&mut mc)));
        assert_eq!(info_int(&mut mc, "replication", "repl_backlog_active"), 1);
        assert_eq!(
            info_int(&mut mc, "replication", "repl_backlog_first_byte_offset"),
            1
        );
    }
    assert_eq!(shapes[0], shapes[1]);
}

#[test]
fn a_replica_that_stops_reading_is_dropped_at_its_output_limit_then_resyncs() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(
        ServerKind::Rkv,
        &["--client-output-buffer-limit", "replica 256kb 0 0"],
    );
    let mut mc = m.client();
    let r = replica_of(&m, &[]);
    let mut rc = r.client();
    wait_link_up(&mut rc);
    let replica_pid = pid(&mut rc);
    signal(&replica_pid, "-STOP");
    let value = "v".repeat(1024);
    let mut pipe = redis::pipe();
    for i in 0..20_000 {
        pipe.cmd("SET").arg(format!("k{i}")).arg(&value).ignore();
    }
    pipe.query::<()>(&mut mc).unwrap();
    wait_until("the replica to be dropped", || {
        info_int(&mut mc, "replication", "connected_slaves") == 0
    });
    signal(&replica_pid, "-CONT");
    wait_until("the replica to resync", || {
        info_int(&mut mc, "stats", "sync_full") == 2
    });
    wait_link_up(&mut rc);
    assert_same_data(&mut mc, &mut rc);
}

#[test]
fn the_replica_connection_is_listed_as_a_replica() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(ServerKind::Rkv, &[]);
    let mut mc = m.client();
    let r = replica_of(&m, &[]);
    let mut rc = r.client();
    wait_link_up(&mut rc);
    wait_until("a REPLCONF ACK", || {
        text(&mut mc, "CLIENT LIST TYPE replica").contains("cmd=replconf")
    });
    let list = text(&mut mc, "CLIENT LIST TYPE replica");
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(list.contains(" flags=S "), "{list}");
    assert!(!text(&mut mc, "CLIENT LIST TYPE normal").contains("flags=S"));
}

#[test]
fn a_diskless_sync_waits_for_its_delay_or_enough_replicas_and_feeds_them_all() {
    if skip_without_redis_server() {
        return;
    }
    let m = ServerProcess::start_with_args(
        ServerKind::Rkv,
        &[
            "--enable-debug-command",
            "yes",
            "--repl-diskless-sync-delay",
            "60",
            "--repl-diskless-sync-max-replicas",
            "2",
        ],
    );
    let mut mc = m.client();
    cmd(&mut mc, "SET before sync");
    let first = replica_of(&m, &[]);
    wait_until("the first replica to wait", || {
        info_field(&mut mc, "replication", "slave0")
            .is_some_and(|s| s.contains("state=wait_bgsave"))
    });
    // Nothing starts for one replica within the delay.
    std::thread::sleep(Duration::from_millis(300));
    let mut fc = first.client();
    assert_eq!(
        info_field(&mut fc, "replication", "master_link_status").as_deref(),
        Some("down")
    );
    let second = replica_of(&m, &["--repl-diskless-load", "disabled"]);
    let mut sc = second.client();
    wait_link_up(&mut fc);
    wait_link_up(&mut sc);
    cmd(&mut mc, "SET after sync");
    assert_same_data(&mut mc, &mut fc);
    assert_same_data(&mut mc, &mut sc);
    assert_eq!(info_int(&mut mc, "stats", "sync_full"), 2);
    assert!(m.output().matches("Starting BGSAVE for SYNC").count() == 1);
}

/// `redis-cli --rdb` (and `--functions-rdb`) against `m`, into `path`.
fn cli_rdb(m: &ServerProcess, flag: &str, path: &std::path::Path) {
    let out = Command::new("redis-cli")
        .args(["-p", &m.port().to_string(), flag])
        .arg(path)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{log}");
    assert!(!log.contains("error"), "{log}");
}

#[test]
fn redis_cli_takes_snapshots_over_the_replication_protocol() {
    if skip_without_redis_server() || rkv_tests::cli::skip_without_redis_cli() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("rkv-repl-cli-rdb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for diskless in ["yes", "no"] {
        let m = master(ServerKind::Rkv, &["--repl-diskless-sync", diskless]);
        let mut mc = m.client();
        write_everything(&mut mc);
        redis::cmd("FUNCTION")
            .arg("LOAD")
            .arg("#!lua name=lib\nredis.register_function('f', function() return 1 end)")
            .query::<String>(&mut mc)
            .unwrap();
        let full = dir.join(format!("full-{diskless}.rdb"));
        let functions = dir.join(format!("functions-{diskless}.rdb"));
        cli_rdb(&m, "--rdb", &full);
        cli_rdb(&m, "--functions-rdb", &functions);
        // No replica is left behind, and the stream keeps no copy for them.
        wait_until("the snapshot clients to go", || {
            info_int(&mut mc, "replication", "connected_slaves") == 0
        });
        for (file, keys) in [(&full, true), (&functions, false)] {
            let loaded = ServerProcess::start_with_args(
                ServerKind::Redis,
                &[
                    "--dir",
                    dir.to_str().unwrap(),
                    "--dbfilename",
                    file.file_name().unwrap().to_str().unwrap(),
                    "--enable-debug-command",
                    "yes",
                ],
            );
            let mut lc = loaded.client();
            let libs: Vec<Value> = redis::cmd("FUNCTION").arg("LIST").query(&mut lc).unwrap();
            assert_eq!(libs.len(), 1, "{file:?}");
            if keys {
                assert_eq!(text(&mut mc, "DEBUG DIGEST"), text(&mut lc, "DEBUG DIGEST"));
            } else {
                assert_eq!(text(&mut lc, "DEBUG DIGEST"), "0".repeat(40));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_flushall_during_a_disk_sync_still_leaves_the_replica_equal() {
    if skip_without_redis_server() {
        return;
    }
    let m = master(ServerKind::Rkv, &["--repl-diskless-sync", "no"]);
    let mut mc = m.client();
    let mut pipe = redis::pipe();
    for i in 0..200_000 {
        pipe.cmd("SET").arg(format!("key:{i}")).arg(i).ignore();
    }
    pipe.query::<()>(&mut mc).unwrap();
    let r = replica_of(&m, &[]);
    wait_until("the sync to start", || {
        info_field(&mut mc, "replication", "slave0").is_some_and(|s| !s.contains("state=online"))
            || info_int(&mut mc, "replication", "connected_slaves") > 0
    });
    // FLUSHALL stops a running save child (Redis kills it too): the
    // replica must not be given a stale file, and ends up equal anyway.
    cmd(&mut mc, "FLUSHALL");
    cmd(&mut mc, "SET after flush");
    let mut rc = r.client();
    wait_link_up(&mut rc);
    assert_same_data(&mut mc, &mut rc);
}

#[test]
fn a_waiting_client_released_by_client_unblock_gets_what_redis_gives() {
    if skip_without_redis_server() {
        return;
    }
    let mut replies = Vec::new();
    for kind in [ServerKind::Redis, ServerKind::Rkv] {
        let m = master(kind, &[]);
        let mut waiter = m.raw();
        let mut other = m.raw();
        let id = String::from_utf8(waiter.command(&["CLIENT", "ID"])).unwrap();
        let id = id.trim_start_matches(':').trim_end();
        let mut got = Vec::new();
        for how in ["TIMEOUT", "ERROR"] {
            waiter.send_command(&["WAIT", "1", "0"]);
            wait_until("the WAIT to block", || {
                other
                    .command(&["CLIENT", "LIST", "ID", id])
                    .windows(8)
                    .any(|w| w == b"cmd=wait")
            });
            got.push(other.command(&["CLIENT", "UNBLOCK", id, how]));
            got.push(waiter.read_reply());
        }
        got.push(waiter.command(&["WAIT", "1", "50"]));
        replies.push(got);
    }
    assert_eq!(replies[0], replies[1]);
}

#[test]
fn a_replica_arriving_during_a_disk_sync_joins_it() {
    let m = master(ServerKind::Rkv, &["--repl-diskless-sync", "no"]);
    let mut mc = m.client();
    let mut pipe = redis::pipe();
    for i in 0..200_000 {
        pipe.cmd("SET").arg(format!("key:{i}")).arg(i).ignore();
    }
    pipe.query::<()>(&mut mc).unwrap();
    let (mut first, mut second) = (m.raw(), m.raw());
    first.send_command(&["PSYNC", "?", "-1"]);
    let started = String::from_utf8(first.read_reply()).unwrap();
    assert!(started.starts_with("+FULLRESYNC "), "{started}");
    // The child writing 200k keys is still running: the second replica
    // shares its snapshot and the offset it stands at.
    second.send_command(&["PSYNC", "?", "-1"]);
    let joined = String::from_utf8(second.read_reply()).unwrap();
    assert_eq!(joined, started);
    assert!(m.output().contains("Waiting for end of BGSAVE for SYNC"));
    wait_until("both replicas to be sent the snapshot", || {
        let info = text(&mut mc, "INFO replication");
        info.contains("slave0:") && info.contains("slave1:") && !info.contains("state=wait_bgsave")
    });
}

/// What a replica and the master's own AOF end up with after scripts that
/// narrow their propagation with `redis.set_repl`, on a master of `kind`:
/// (keys on the replica, keys the master replays from its AOF).
fn set_repl_outcome(kind: ServerKind) -> (Vec<String>, Vec<String>) {
    let m = master(kind, &["--appendonly", "yes", "--appendfsync", "always"]);
    let r = replica_of(&m, &[]);
    let (mut mc, mut rc) = (m.client(), r.client());
    wait_link_up(&mut rc);
    let script = |targets: &str, key: &str| {
        format!("redis.set_repl({targets}) redis.call('SET', '{key}', '1') return 1")
    };
    for (targets, key) in [
        ("redis.REPL_AOF", "aof-only"),
        ("redis.REPL_REPLICA", "replica-only"),
        ("redis.REPL_NONE", "nowhere"),
        ("redis.REPL_ALL", "everywhere"),
    ] {
        let _: i64 = redis::cmd("EVAL")
            .arg(script(targets, key))
            .arg(0)
            .query(&mut mc)
            .unwrap();
    }
    // A later plain write lets us know the replica has the stream so far.
    cmd(&mut mc, "SET marker 1");
    wait_until("the marker on the replica", || {
        cmd(&mut rc, "EXISTS marker") == Value::Int(1)
    });
    let mut on_replica: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut rc).unwrap();
    on_replica.sort();
    // DEBUG LOADAOF replays the master's own AOF into its dataset.
    cmd(&mut mc, "DEBUG LOADAOF");
    let mut from_aof: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut mc).unwrap();
    from_aof.sort();
    (on_replica, from_aof)
}

#[test]
fn scripts_choose_where_their_writes_propagate_with_set_repl() {
    if skip_without_redis_server() {
        return;
    }
    let ours = set_repl_outcome(ServerKind::Rkv);
    assert_eq!(ours, set_repl_outcome(ServerKind::Redis));
    assert_eq!(ours.0, ["everywhere", "marker", "replica-only"]);
}
