//! BGREWRITEAOF and automatic rewrites on real processes: the rewritten
//! set keeps every acknowledged write, is valid for `redis-check-aof`,
//! loads in redis-server with the same DEBUG DIGEST, the old files go,
//! and a killed child leaves the previous set intact.

mod aof_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aof_support::{DataDir, Server};
use rkv_tests::{skip_without_redis_server, RawConnection, ServerKind};

const DEBUG: [&str; 2] = ["--enable-debug-command", "yes"];

fn info_field(c: &mut RawConnection, name: &str) -> String {
    let info = String::from_utf8(c.command(&["INFO", "persistence"])).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .unwrap_or_else(|| panic!("no {name} in {info}"))
        .to_string()
}

/// Waits until no rewrite runs or is scheduled.
fn wait_rewrite_done(c: &mut RawConnection) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while info_field(c, "aof_rewrite_in_progress") != "0"
        || info_field(c, "aof_rewrite_scheduled") != "0"
    {
        assert!(Instant::now() < deadline, "rewrite did not finish");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The file names in the append-only directory, sorted.
fn aof_files(dir: &DataDir) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.aof_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn manifest(dir: &DataDir) -> String {
    std::fs::read_to_string(dir.aof_dir().join("appendonly.aof.manifest")).unwrap()
}

/// `redis-check-aof` on the manifest calls the set valid.
fn assert_redis_check_aof_valid(dir: &DataDir) {
    let out = std::process::Command::new("redis-check-aof")
        .arg(dir.aof_dir().join("appendonly.aof.manifest"))
        .output()
        .expect("redis-check-aof");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("is valid"), "{text}");
}

/// Loads the directory in redis-server and returns its DEBUG DIGEST.
fn redis_digest(dir: &DataDir) -> Vec<u8> {
    let redis = Server::start(ServerKind::Redis, &dir.0, &DEBUG).unwrap_or_else(|l| panic!("{l}"));
    let digest = redis.raw().command(&["DEBUG", "DIGEST"]);
    redis.shutdown();
    digest
}

/// DEBUG DIGEST and [`stream_state`] of the directory loaded in redis-server.
fn redis_state(dir: &DataDir) -> (Vec<u8>, Vec<u8>) {
    let redis = Server::start(ServerKind::Redis, &dir.0, &DEBUG).unwrap_or_else(|l| panic!("{l}"));
    let mut c = redis.raw();
    let state = (c.command(&["DEBUG", "DIGEST"]), stream_state(&mut c));
    redis.shutdown();
    state
}

/// What DEBUG DIGEST leaves out of stream `st` (the parts that do not
/// depend on the clock): counters, groups with their consumer counts,
/// pending entries per consumer.
fn stream_state(c: &mut RawConnection) -> Vec<u8> {
    let mut out = c.command(&["XINFO", "GROUPS", "st"]);
    out.extend(c.command(&["XPENDING", "st", "g"]));
    let info = c.command(&["XINFO", "STREAM", "st"]);
    let text = String::from_utf8_lossy(&info);
    for field in ["last-generated-id", "max-deleted-entry-id", "entries-added"] {
        let at = text.find(field).unwrap();
        out.extend(text[at..].lines().take(3).collect::<String>().bytes());
    }
    out
}

/// `SET <prefix>:<i> <i>` for `n` keys, pipelined.
fn fill(c: &mut RawConnection, prefix: &str, n: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        for i in chunk {
            c.send_command(&["SET", &format!("{prefix}:{i}"), &i.to_string()]);
        }
        for _ in chunk {
            assert_eq!(c.read_reply(), b"+OK\r\n");
        }
    }
}

fn fill_all_types(c: &mut RawConnection) {
    let many: Vec<String> = (0..150).map(|i| format!("m{i}")).collect();
    let mut rpush = vec!["RPUSH", "biglist"];
    rpush.extend(many.iter().map(String::as_str));
    c.command(&rpush);
    let mut sadd = vec!["SADD", "bigset"];
    sadd.extend(many.iter().map(String::as_str));
    c.command(&sadd);
    c.command(&["SADD", "intset", "1", "2", "-7"]);
    c.command(&["HSET", "h", "f", "v", "n", "12"]);
    c.command(&["ZADD", "z", "1.5", "a", "-2", "b", "3e20", "c"]);
    c.command(&["SET", "ttl", "v", "EX", "1000"]);
    c.command(&["INCRBYFLOAT", "f", "0.1"]);
    fill(c, "pop", 500);
    c.command(&["XADD", "st", "1-1", "a", "1", "b", "2"]);
    c.command(&["XADD", "st", "2-1", "c", "3"]);
    c.command(&["XADD", "st", "3-1", "d", "4"]);
    c.command(&["XDEL", "st", "3-1"]);
    c.command(&["XGROUP", "CREATE", "st", "g", "0"]);
    c.command(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "alice",
        "COUNT",
        "1",
        "STREAMS",
        "st",
        ">",
    ]);
    c.command(&["XGROUP", "CREATECONSUMER", "st", "g", "bob"]);
    c.command(&["XADD", "empty", "MAXLEN", "0", "*", "x", "y"]);
    c.command(&["SELECT", "4"]);
    c.command(&["SET", "in4", "x"]);
    c.command(&["SELECT", "0"]);
}

/// Writes `SET w:<i> <i>` until told to stop, recording each acknowledged `i`.
fn write_acked(port: u16, acked: Arc<Mutex<Vec<u64>>>, stop: Arc<AtomicBool>) {
    let mut c = RawConnection::connect(port).unwrap();
    for i in 0.. {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        if c.command(&["SET", &format!("w:{i}"), &i.to_string()]) == b"+OK\r\n" {
            acked.lock().unwrap().push(i);
        }
    }
}

fn rewrite_while_writing(preamble: &str, base_suffix: &str) {
    let dir = DataDir::new(&format!("rw-writing-{preamble}"));
    let args = [DEBUG[0], DEBUG[1], "--aof-use-rdb-preamble", preamble];
    let server = Server::start(ServerKind::Rkv, &dir.0, &args).unwrap();
    let mut c = server.raw();
    fill_all_types(&mut c);
    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acked, stop, port) = (Arc::clone(&acked), Arc::clone(&stop), server.port);
        std::thread::spawn(move || write_acked(port, acked, stop))
    };
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(
            c.command(&["BGREWRITEAOF"]),
            b"+Background append only file rewriting started\r\n"
        );
        wait_rewrite_done(&mut c);
        assert_eq!(info_field(&mut c, "aof_last_bgrewrite_status"), "ok");
    }
    std::thread::sleep(Duration::from_millis(100));
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert_eq!(info_field(&mut c, "aof_rewrites"), "3");
    let before = c.command(&["DEBUG", "DIGEST"]);
    let streams = stream_state(&mut c);
    server.shutdown();

    assert_eq!(
        manifest(&dir),
        format!(
            "file appendonly.aof.4.base.{base_suffix} seq 4 type b\n\
             file appendonly.aof.4.incr.aof seq 4 type i\n"
        )
    );
    let files: Vec<String> = aof_files(&dir);
    assert_eq!(
        files,
        [
            format!("appendonly.aof.4.base.{base_suffix}"),
            "appendonly.aof.4.incr.aof".to_string(),
            "appendonly.aof.manifest".to_string(),
        ]
    );
    let server = Server::start(ServerKind::Rkv, &dir.0, &DEBUG).unwrap();
    let mut c = server.raw();
    assert_eq!(c.command(&["DEBUG", "DIGEST"]), before);
    assert_eq!(stream_state(&mut c), streams);
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 10, "the writer wrote during the rewrites");
    for i in acked {
        assert_eq!(
            c.command(&["GET", &format!("w:{i}")]),
            format!("${}\r\n{i}\r\n", i.to_string().len()).as_bytes()
        );
    }
    server.shutdown();
    if skip_without_redis_server() {
        return;
    }
    assert_redis_check_aof_valid(&dir);
    assert_eq!(redis_state(&dir), (before, streams));
}

#[test]
fn a_rewrite_while_clients_write_keeps_every_acknowledged_write() {
    rewrite_while_writing("yes", "rdb");
}

#[test]
fn a_rewrite_without_preamble_writes_commands_both_servers_load() {
    rewrite_while_writing("no", "aof");
}

#[test]
fn bgsave_during_a_rewrite_is_refused_or_scheduled() {
    let dir = DataDir::new("rw-bgsave");
    let server = Server::start(ServerKind::Rkv, &dir.0, &DEBUG).unwrap();
    let mut c = server.raw();
    fill(&mut c, "key", 50_000);
    assert_eq!(
        c.command(&["BGREWRITEAOF"]),
        b"+Background append only file rewriting started\r\n"
    );
    assert_eq!(
        c.command(&["BGREWRITEAOF"]),
        b"-ERR Background append only file rewriting already in progress\r\n"
    );
    assert_eq!(
        c.command(&["BGSAVE"]),
        &b"-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n"[..]
    );
    assert_eq!(
        c.command(&["BGSAVE", "SCHEDULE"]),
        b"+Background saving scheduled\r\n"
    );
    wait_rewrite_done(&mut c);
    // The scheduled BGSAVE runs once the rewrite is done.
    let deadline = Instant::now() + Duration::from_secs(30);
    while info_field(&mut c, "rdb_saves") != "1"
        || info_field(&mut c, "rdb_bgsave_in_progress") != "0"
    {
        assert!(
            Instant::now() < deadline,
            "the scheduled BGSAVE did not run"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(c.command(&["BGSAVE"]), b"+Background saving started\r\n");
    assert_eq!(
        c.command(&["BGREWRITEAOF"]),
        b"+Background append only file rewriting scheduled\r\n"
    );
    assert_eq!(info_field(&mut c, "aof_rewrite_scheduled"), "1");
    assert_eq!(info_field(&mut c, "aof_pending_rewrite"), "1");
    wait_rewrite_done(&mut c);
    assert_eq!(info_field(&mut c, "aof_rewrites"), "2");
    assert_eq!(info_field(&mut c, "aof_pending_rewrite"), "0");
    server.shutdown();
}

#[test]
fn growth_past_the_percentage_starts_an_automatic_rewrite() {
    let dir = DataDir::new("rw-auto");
    let args = [
        "--auto-aof-rewrite-percentage",
        "100",
        "--auto-aof-rewrite-min-size",
        "64kb",
    ];
    let server = Server::start(ServerKind::Rkv, &dir.0, &args).unwrap();
    let mut c = server.raw();
    let value = "x".repeat(1000);
    for i in 0..100 {
        c.command(&["SET", &format!("k{i}"), &value]);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while info_field(&mut c, "aof_rewrites") != "1" {
        assert!(Instant::now() < deadline, "no automatic rewrite");
        std::thread::sleep(Duration::from_millis(50));
    }
    wait_rewrite_done(&mut c);
    assert!(server
        .log()
        .contains("Starting automatic rewriting of AOF on"));
    assert!(manifest(&dir).starts_with("file appendonly.aof.2.base.rdb seq 2 type b\n"));
    assert!(
        !dir.first_incr().exists(),
        "the old incremental file is removed"
    );
    let base: u64 = info_field(&mut c, "aof_base_size").parse().unwrap();
    let current: u64 = info_field(&mut c, "aof_current_size").parse().unwrap();
    assert!(base > 0 && current >= base);
    server.shutdown();
}

/// The pid of a child of `parent`, waiting for it to appear.
fn child_of(parent: u32) -> Option<i32> {
    let path = format!("/proc/{parent}/task/{parent}/children");
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if let Some(pid) = text.split_whitespace().next() {
            return pid.parse().ok();
        }
    }
    None
}

#[test]
fn a_killed_rewrite_child_leaves_the_old_files_valid() {
    let dir = DataDir::new("rw-killed");
    let args = [DEBUG[0], DEBUG[1], "--aof-use-rdb-preamble", "no"];
    let server = Server::start(ServerKind::Rkv, &dir.0, &args).unwrap();
    let mut c = server.raw();
    fill(&mut c, "key", 100_000);
    c.command(&["SET", "marker", "1"]);
    let before = c.command(&["DEBUG", "DIGEST"]);
    c.command(&["BGREWRITEAOF"]);
    let child = child_of(server.child.id()).expect("a rewrite child");
    // SAFETY: signalling the test's own grandchild process.
    unsafe { libc::kill(child, libc::SIGKILL) };
    wait_rewrite_done(&mut c);
    assert_eq!(info_field(&mut c, "aof_last_bgrewrite_status"), "err");
    assert_eq!(info_field(&mut c, "aof_rewrites_consecutive_failures"), "1");
    c.command(&["SET", "after", "2"]);
    let after = c.command(&["DEBUG", "DIGEST"]);
    assert_ne!(after, before);
    server.shutdown();
    assert!(manifest(&dir).starts_with("file appendonly.aof.1.base.aof seq 1 type b\n"));
    let leftovers = std::fs::read_dir(&dir.0)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().starts_with("temp-rewriteaof")
        })
        .count();
    assert_eq!(leftovers, 0, "the child's temporary file is removed");
    let server = Server::start(ServerKind::Rkv, &dir.0, &DEBUG).unwrap();
    assert_eq!(server.raw().command(&["DEBUG", "DIGEST"]), after);
    server.shutdown();
    if skip_without_redis_server() {
        return;
    }
    assert_redis_check_aof_valid(&dir);
}

/// Builds `rkv-aof` beside the `rkv-server` the tests use.
fn rkv_aof_path() -> std::path::PathBuf {
    let server = rkv_tests::rkv_binary::rkv_server_path();
    let profile_dir = server.parent().unwrap();
    let mut cargo = std::process::Command::new(env!("CARGO"));
    cargo
        .args(["build", "-q", "-p", "rkv-aof", "--bin", "rkv-aof"])
        .arg("--target-dir")
        .arg(profile_dir.parent().unwrap());
    if profile_dir.file_name().unwrap() != "debug" {
        cargo.args([
            "--profile",
            profile_dir.file_name().unwrap().to_str().unwrap(),
        ]);
    }
    assert!(cargo.status().unwrap().success(), "building rkv-aof");
    profile_dir.join("rkv-aof")
}

#[test]
fn to_rdb_writes_a_snapshot_redis_loads_with_the_same_digest() {
    if skip_without_redis_server() {
        return;
    }
    let dir = DataDir::new("to-rdb");
    let server = Server::start(ServerKind::Rkv, &dir.0, &DEBUG).unwrap();
    let mut c = server.raw();
    fill_all_types(&mut c);
    c.command(&["BGREWRITEAOF"]);
    wait_rewrite_done(&mut c);
    c.command(&["MULTI"]);
    c.command(&["LPUSH", "after-rewrite", "x"]);
    c.command(&["DEL", "pop:1"]);
    c.command(&["EXEC"]);
    server.shutdown();
    let from_aof = redis_digest(&dir);

    let out_dir = DataDir::new("to-rdb-out");
    let out = out_dir.0.join("dump.rdb");
    let run = std::process::Command::new(rkv_aof_path())
        .arg("to-rdb")
        .arg(dir.aof_dir())
        .arg(&out)
        .env("RKV_SERVER", rkv_tests::rkv_binary::rkv_server_path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains("db0:keys=509,"), "{stdout}");
    assert!(stdout.contains("db4:keys=1,"), "{stdout}");

    let check = std::process::Command::new("redis-check-rdb")
        .arg(&out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success() && text.contains("RDB looks OK!"),
        "{text}"
    );

    let redis = Server::start(
        ServerKind::Redis,
        &out_dir.0,
        &[DEBUG[0], DEBUG[1], "--appendonly", "no"],
    )
    .unwrap_or_else(|l| panic!("{l}"));
    assert_eq!(redis.raw().command(&["DEBUG", "DIGEST"]), from_aof);
    redis.shutdown();
}

#[test]
fn config_set_appendonly_yes_on_data_writes_the_base_in_the_background() {
    let dir = DataDir::new("rw-turn-on");
    let args = [DEBUG[0], DEBUG[1], "--appendonly", "no"];
    let server = Server::start(ServerKind::Rkv, &dir.0, &args).unwrap();
    let mut c = server.raw();
    fill(&mut c, "key", 50_000);
    assert_eq!(
        c.command(&["CONFIG", "SET", "appendonly", "yes"]),
        b"+OK\r\n"
    );
    // Written while the child writes the base: they land in the temporary
    // incremental file, which joins the set when the rewrite completes.
    fill(&mut c, "during", 200);
    assert_eq!(info_field(&mut c, "aof_enabled"), "1");
    wait_rewrite_done(&mut c);
    fill(&mut c, "after", 10);
    let before = c.command(&["DEBUG", "DIGEST"]);
    server.shutdown();
    assert_eq!(
        manifest(&dir),
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    assert_eq!(
        aof_files(&dir),
        [
            "appendonly.aof.1.base.rdb",
            "appendonly.aof.1.incr.aof",
            "appendonly.aof.manifest"
        ]
    );
    let server = Server::start(ServerKind::Rkv, &dir.0, &DEBUG).unwrap();
    assert_eq!(server.raw().command(&["DEBUG", "DIGEST"]), before);
    server.shutdown();
    if skip_without_redis_server() {
        return;
    }
    assert_eq!(redis_digest(&dir), before);
}
