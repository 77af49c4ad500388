//! RDB persistence between rkv and Redis 7.0: dumps written by one load
//! into the other with identical data (DEBUG DIGEST and per-key digests),
//! DUMP/RESTORE payloads cross both ways, BGSAVE under writes, a killed
//! save child leaves the previous dump intact, save points, `-MISCONF`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use redis::{Connection, Value};
use rkv_tests::raw::CloseOutcome;
use rkv_tests::{skip_without_redis_server, ServerKind, ServerProcess};

/// A fresh empty directory for one server's dump.
fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "rkv-persistence-{}-{name}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts `kind` saving into `dir` with DEBUG enabled and extra arguments.
fn start(kind: ServerKind, dir: &Path, extra: &[&str]) -> ServerProcess {
    let mut args = vec![
        "--dir",
        dir.to_str().unwrap(),
        "--enable-debug-command",
        "yes",
    ];
    args.extend_from_slice(extra);
    ServerProcess::start_with_args(kind, &args)
}

fn cmd(con: &mut Connection, args: &[&[u8]]) -> Value {
    let mut c = redis::cmd(std::str::from_utf8(args[0]).unwrap());
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query(con).unwrap_or_else(|e| {
        panic!(
            "{:?}: {e}",
            String::from_utf8_lossy(args[1.min(args.len() - 1)])
        )
    })
}

fn run(con: &mut Connection, line: &str) {
    let words: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    cmd(con, &words);
}

/// Fills a server with every type in every encoding Redis 7.0 uses, in
/// three databases, with expiring keys.
fn populate(con: &mut Connection) {
    for line in [
        "SET str:int 12345",
        "SET str:neg -9876543210",
        "SET str:emb hello",
        "SET str:float 3.14",
        "RPUSH list:small a b 1 2 -3",
        "SADD set:int 1 2 3 -100 70000 5000000000",
        "SADD set:str a b c",
        "ZADD zset:small 1 a 2.5 b -3 c inf d -inf e",
        "HSET hash:small f1 v1 f2 2 f3 -3",
        "XADD stream:plain 1-1 a 1 b 2",
        "XADD stream:plain 1-2 a 3 b 4",
        "XADD stream:plain 2-0 other field",
        "XDEL stream:plain 1-2",
        "XADD stream:groups 5-1 f v",
        "XADD stream:groups 5-2 f w",
        "XADD stream:groups 6-0 g x",
        "XGROUP CREATE stream:groups g1 0",
        "XGROUP CREATE stream:groups g2 $",
        "XREADGROUP GROUP g1 alice COUNT 2 STREAMS stream:groups >",
        "XREADGROUP GROUP g1 bob STREAMS stream:groups >",
        "XACK stream:groups g1 5-1",
        "XGROUP CREATECONSUMER stream:groups g2 carol",
        "XADD stream:empty MAXLEN 0 1-1 f v",
        "SET ttl:str v PX 100000000",
        "RPUSH ttl:list x",
        "PEXPIREAT ttl:list 99999999999999",
        "SELECT 2",
        "SET db2:key value",
        "HSET db2:hash a b",
        "SELECT 5",
        "SADD db5:set m",
        "SELECT 0",
    ] {
        run(con, line);
    }
    let long = "long-value-".repeat(20);
    cmd(con, &[b"SET", b"str:raw", long.as_bytes()]);
    cmd(con, &[b"SET", b"str:bin", b"\x00\x01\xff\r\n"]);
    let mut list: Vec<Vec<u8>> = vec![b"RPUSH".to_vec(), b"list:big".to_vec()];
    list.extend((0..2000).map(|i| format!("element-{i}").into_bytes()));
    cmd(con, &list.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let mut set: Vec<Vec<u8>> = vec![b"SADD".to_vec(), b"set:bigint".to_vec()];
    set.extend((0..1000).map(|i| (i * 7).to_string().into_bytes()));
    cmd(con, &set.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let mut zset: Vec<Vec<u8>> = vec![b"ZADD".to_vec(), b"zset:big".to_vec()];
    for i in 0..300 {
        zset.push(format!("{}", i as f64 / 7.0).into_bytes());
        zset.push(format!("member-{i}").into_bytes());
    }
    cmd(con, &zset.iter().map(Vec::as_slice).collect::<Vec<_>>());
    cmd(con, &[b"ZADD", b"zset:longmember", b"1", long.as_bytes()]);
    let mut hash: Vec<Vec<u8>> = vec![b"HSET".to_vec(), b"hash:big".to_vec()];
    for i in 0..600 {
        hash.push(format!("field-{i}").into_bytes());
        hash.push(format!("{i}").into_bytes());
    }
    cmd(con, &hash.iter().map(Vec::as_slice).collect::<Vec<_>>());
    cmd(con, &[b"HSET", b"hash:longvalue", b"f", long.as_bytes()]);
    for i in 0..250 {
        let id = format!("{}-0", 1000 + i);
        let value = format!("v{i}");
        cmd(
            con,
            &[
                b"XADD",
                b"stream:big",
                id.as_bytes(),
                b"field",
                value.as_bytes(),
            ],
        );
    }
}

fn digest(con: &mut Connection) -> String {
    redis::cmd("DEBUG").arg("DIGEST").query(con).unwrap()
}

/// Every key of database `db` with its type, encoding and digest.
fn describe(con: &mut Connection, db: i64) -> Vec<(Vec<u8>, String, String, String)> {
    let _: () = redis::cmd("SELECT").arg(db).query(con).unwrap();
    let mut keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg("*").query(con).unwrap();
    keys.sort();
    let out = keys
        .into_iter()
        .map(|k| {
            let kind: String = redis::cmd("TYPE").arg(&k).query(con).unwrap();
            let enc: String = redis::cmd("OBJECT")
                .arg("ENCODING")
                .arg(&k)
                .query(con)
                .unwrap();
            let d: Vec<String> = redis::cmd("DEBUG")
                .arg("DIGEST-VALUE")
                .arg(&k)
                .query(con)
                .unwrap();
            (k, kind, enc, d[0].clone())
        })
        .collect();
    let _: () = redis::cmd("SELECT").arg(0).query(con).unwrap();
    out
}

fn assert_same_data(a: &mut Connection, b: &mut Connection) {
    for db in [0, 2, 5] {
        assert_eq!(describe(a, db), describe(b, db), "database {db} differs");
    }
    assert_eq!(digest(a), digest(b));
}

fn info_field(con: &mut Connection, field: &str) -> String {
    let info: String = redis::cmd("INFO").arg("persistence").query(con).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in INFO"))
        .trim()
        .to_string()
}

fn wait_for_bgsave(con: &mut Connection) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while info_field(con, "rdb_bgsave_in_progress") != "0" {
        assert!(Instant::now() < deadline, "BGSAVE never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn redis_check_rdb(path: &Path) {
    let out = Command::new("redis-check-rdb").arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "redis-check-rdb failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_redis_dump_loads_into_rkv_identically() {
    if skip_without_redis_server() {
        return;
    }
    let redis_dir = data_dir("redis-src");
    let redis = start(ServerKind::Redis, &redis_dir, &[]);
    let mut rc = redis.client();
    populate(&mut rc);
    run(&mut rc, "SAVE");
    let rkv_dir = data_dir("rkv-load");
    std::fs::copy(redis_dir.join("dump.rdb"), rkv_dir.join("dump.rdb")).unwrap();
    let rkv = start(ServerKind::Rkv, &rkv_dir, &[]);
    let mut kc = rkv.client();
    assert_same_data(&mut rc, &mut kc);
    assert_eq!(info_field(&mut kc, "rdb_last_load_keys_loaded"), "26");
    assert!(rkv.output().contains("Done loading RDB, keys loaded: 26"));
}

#[test]
fn an_rkv_dump_passes_redis_check_rdb_and_loads_into_redis() {
    if skip_without_redis_server() {
        return;
    }
    let rkv_dir = data_dir("rkv-src");
    let rkv = start(ServerKind::Rkv, &rkv_dir, &[]);
    let mut kc = rkv.client();
    populate(&mut kc);
    run(&mut kc, "SAVE");
    assert_eq!(info_field(&mut kc, "rdb_changes_since_last_save"), "0");
    redis_check_rdb(&rkv_dir.join("dump.rdb"));
    for compression in ["no", "yes"] {
        let _: () = redis::cmd("CONFIG")
            .arg("SET")
            .arg("rdbcompression")
            .arg(compression)
            .query(&mut kc)
            .unwrap();
        run(&mut kc, "SAVE");
        let redis_dir = data_dir("redis-load");
        std::fs::copy(rkv_dir.join("dump.rdb"), redis_dir.join("dump.rdb")).unwrap();
        let redis = start(ServerKind::Redis, &redis_dir, &[]);
        let mut rc = redis.client();
        assert_same_data(&mut kc, &mut rc);
    }
}

#[test]
fn dump_payloads_cross_both_ways() {
    if skip_without_redis_server() {
        return;
    }
    let source = start(ServerKind::Redis, &data_dir("dr-a"), &[]);
    let rkv = start(ServerKind::Rkv, &data_dir("dr-rkv"), &[]);
    let sink = start(ServerKind::Redis, &data_dir("dr-b"), &[]);
    let (mut a, mut k, mut b) = (source.client(), rkv.client(), sink.client());
    populate(&mut a);
    for db in [0i64, 2, 5] {
        for c in [&mut a, &mut k, &mut b] {
            let _: () = redis::cmd("SELECT").arg(db).query(c).unwrap();
        }
        let keys: Vec<Vec<u8>> = redis::cmd("KEYS").arg("*").query(&mut a).unwrap();
        for key in keys {
            let payload: Vec<u8> = redis::cmd("DUMP").arg(&key).query(&mut a).unwrap();
            let ttl: i64 = redis::cmd("PTTL").arg(&key).query(&mut a).unwrap();
            let ttl = ttl.max(0);
            let _: () = redis::cmd("RESTORE")
                .arg(&key)
                .arg(ttl)
                .arg(&payload)
                .query(&mut k)
                .unwrap();
            let back: Vec<u8> = redis::cmd("DUMP").arg(&key).query(&mut k).unwrap();
            let _: () = redis::cmd("RESTORE")
                .arg(&key)
                .arg(ttl)
                .arg(&back)
                .query(&mut b)
                .unwrap_or_else(|e| panic!("Redis refused rkv's DUMP of {key:?}: {e}"));
        }
    }
    for c in [&mut a, &mut k, &mut b] {
        let _: () = redis::cmd("SELECT").arg(0).query(c).unwrap();
    }
    assert_same_data(&mut a, &mut k);
    assert_same_data(&mut a, &mut b);
}

#[test]
fn bgsave_while_a_client_keeps_writing() {
    let dir = data_dir("bgsave");
    let rkv = start(ServerKind::Rkv, &dir, &[]);
    let mut con = rkv.client();
    populate(&mut con);
    let port = rkv.port();
    let writer = std::thread::spawn(move || {
        let mut w = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
            .unwrap()
            .get_connection()
            .unwrap();
        for i in 0..3000 {
            let _: () = redis::cmd("SET")
                .arg(format!("w:{i}"))
                .arg(i)
                .query(&mut w)
                .unwrap();
        }
    });
    let reply: String = redis::cmd("BGSAVE").query(&mut con).unwrap();
    assert_eq!(reply, "Background saving started");
    let again = redis::cmd("BGSAVE").query::<String>(&mut con);
    if info_field(&mut con, "rdb_bgsave_in_progress") == "1" {
        assert!(again.is_err());
    }
    writer.join().unwrap();
    wait_for_bgsave(&mut con);
    assert_eq!(info_field(&mut con, "rdb_last_bgsave_status"), "ok");
    let cow: u64 = info_field(&mut con, "rdb_last_cow_size").parse().unwrap();
    assert!(cow > 0, "the child's copy-on-write size was not reported");
    redis_check_rdb(&dir.join("dump.rdb"));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("temp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// The pids of `parent`'s children.
fn children_of(parent: u32) -> Vec<i32> {
    let path = format!("/proc/{parent}/task/{parent}/children");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn server_pid(con: &mut Connection) -> u32 {
    let info: String = redis::cmd("INFO").arg("server").query(con).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("process_id:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn a_killed_save_child_leaves_the_previous_dump_intact() {
    let dir = data_dir("killed");
    let rkv = start(ServerKind::Rkv, &dir, &[]);
    let mut con = rkv.client();
    populate(&mut con);
    run(&mut con, "SAVE");
    let before = std::fs::read(dir.join("dump.rdb")).unwrap();
    // Enough data that the child is still writing when it is stopped.
    let big = "x".repeat(1000);
    for chunk in 0..40 {
        let mut c = redis::cmd("MSET");
        for i in 0..1000 {
            c.arg(format!("big:{chunk}:{i}")).arg(&big);
        }
        let _: () = c.query(&mut con).unwrap();
    }
    let pid = server_pid(&mut con);
    let _: String = redis::cmd("BGSAVE").query(&mut con).unwrap();
    let child = children_of(pid);
    if let Some(&child) = child.first() {
        // SAFETY: signalling a process this test's server forked.
        unsafe { libc::kill(child, libc::SIGKILL) };
        wait_for_bgsave(&mut con);
        assert_eq!(info_field(&mut con, "rdb_last_bgsave_status"), "err");
        assert_eq!(std::fs::read(dir.join("dump.rdb")).unwrap(), before);
        assert!(!dir.join(format!("temp-{child}.rdb")).exists());
        assert!(rkv
            .output()
            .contains("Background saving terminated by signal 9"));
    } else {
        // The child finished before it could be found: the new dump is whole.
        wait_for_bgsave(&mut con);
        redis_check_rdb(&dir.join("dump.rdb"));
    }
}

#[test]
fn a_killed_parent_leaves_a_whole_dump() {
    let dir = data_dir("killed-parent");
    let rkv = start(ServerKind::Rkv, &dir, &[]);
    let mut con = rkv.client();
    populate(&mut con);
    run(&mut con, "SAVE");
    let big = "y".repeat(1000);
    for chunk in 0..20 {
        let mut c = redis::cmd("MSET");
        for i in 0..1000 {
            c.arg(format!("big:{chunk}:{i}")).arg(&big);
        }
        let _: () = c.query(&mut con).unwrap();
    }
    let pid = server_pid(&mut con);
    let mut raw = rkv.raw();
    let _: String = redis::cmd("BGSAVE").query(&mut con).unwrap();
    let children = children_of(pid);
    // SAFETY: killing the server this test started.
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    // The child holds no client socket: connections close.
    assert!(matches!(raw.wait_closed(), CloseOutcome::Closed));
    let deadline = Instant::now() + Duration::from_secs(60);
    for child in children {
        while Path::new(&format!("/proc/{child}")).exists()
            && std::fs::read_to_string(format!("/proc/{child}/stat"))
                .is_ok_and(|s| !s.contains(") Z "))
        {
            assert!(Instant::now() < deadline, "save child never finished");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    redis_check_rdb(&dir.join("dump.rdb"));
}

#[test]
fn sigterm_saves_when_save_points_exist() {
    let dir = data_dir("sigterm");
    let rkv = start(ServerKind::Rkv, &dir, &["--save", "3600 1"]);
    let mut con = rkv.client();
    run(&mut con, "SET kept yes");
    let pid = server_pid(&mut con);
    // SAFETY: signalling the server this test started.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !rkv.output().contains("ready to exit") {
        assert!(Instant::now() < deadline, "no shutdown after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(rkv
        .output()
        .contains("Saving the final RDB snapshot before exiting."));
    redis_check_rdb(&dir.join("dump.rdb"));
}

/// Clients connecting while a big dump loads get `-LOADING`; commands
/// flagged LOADING (INFO) work and report `loading:1`.
#[test]
fn clients_get_loading_while_the_dump_loads() {
    let dir = data_dir("loading");
    {
        let rkv = start(ServerKind::Rkv, &dir, &[]);
        let mut con = rkv.client();
        let big = "z".repeat(200);
        for chunk in 0..100 {
            let mut c = redis::cmd("MSET");
            for i in 0..1000 {
                c.arg(format!("k:{chunk}:{i}")).arg(&big);
            }
            let _: () = c.query(&mut con).unwrap();
        }
        run(&mut con, "SAVE");
    }
    let port = rkv_tests::free_port::free_port();
    let mut child = Command::new(rkv_tests::rkv_binary::rkv_server_path())
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .arg("--dir")
        .arg(&dir)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut saw_loading, mut saw_info_loading) = (false, false);
    loop {
        assert!(
            Instant::now() < deadline,
            "the server never finished loading"
        );
        let Ok(mut raw) = rkv_tests::RawConnection::connect(port) else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let reply = raw.command(&["GET", "k:0:0"]);
        if reply.starts_with(b"-LOADING") {
            assert_eq!(
                reply,
                b"-LOADING Redis is loading the dataset in memory\r\n"
            );
            saw_loading = true;
            let info = raw.command(&["INFO", "persistence"]);
            let info = String::from_utf8_lossy(&info);
            saw_info_loading |= info.contains("loading:1") && info.contains("loading_loaded_perc:");
            continue;
        }
        assert!(
            reply.starts_with(b"$200"),
            "{}",
            String::from_utf8_lossy(&reply)
        );
        assert_eq!(raw.command(&["DBSIZE"]), b":100000\r\n");
        break;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(saw_loading, "no client ever saw -LOADING");
    assert!(saw_info_loading, "INFO never showed loading:1");
}

#[test]
fn save_points_trigger_a_background_save() {
    let dir = data_dir("savepoints");
    let rkv = start(ServerKind::Rkv, &dir, &["--save", "1 1"]);
    let mut con = rkv.client();
    run(&mut con, "SET a 1");
    let deadline = Instant::now() + Duration::from_secs(10);
    while info_field(&mut con, "rdb_changes_since_last_save") != "0" {
        assert!(Instant::now() < deadline, "no automatic save happened");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(dir.join("dump.rdb").exists());
    assert!(rkv.output().contains("1 changes in 1 seconds. Saving..."));
    let save: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("save")
        .query(&mut con)
        .unwrap();
    assert_eq!(save, ["save", "1 1"]);
}

/// A failed BGSAVE with save points makes writes and PING answer -MISCONF,
/// on both servers alike.
#[test]
fn failing_saves_stop_writes_with_misconf() {
    if skip_without_redis_server() {
        return;
    }
    let mut replies = Vec::new();
    for kind in [ServerKind::Redis, ServerKind::Rkv] {
        let dir = data_dir("misconf");
        let server = start(kind, &dir, &["--save", "3600 1"]);
        // A directory where the dump should go makes the final rename fail.
        std::fs::create_dir(dir.join("dump.rdb")).unwrap();
        std::fs::write(dir.join("dump.rdb").join("keep"), b"x").unwrap();
        let mut raw = server.raw();
        raw.command(&["SET", "k", "v"]);
        raw.command(&["BGSAVE"]);
        let mut con = server.client();
        wait_for_bgsave(&mut con);
        let mut seen = Vec::new();
        for args in [
            vec!["SET", "k", "v"],
            vec!["PING"],
            vec!["GET", "k"],
            vec!["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"],
            vec!["SET", "k", "w"],
        ] {
            seen.push(raw.command(&args));
        }
        seen.push(info_field(&mut con, "rdb_last_bgsave_status").into_bytes());
        replies.push(seen);
    }
    assert_eq!(
        replies[0],
        replies[1],
        "redis vs rkv:\n{:?}",
        replies
            .iter()
            .map(|r| r
                .iter()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
}

#[test]
fn shutdown_saves_when_save_points_exist() {
    let dir = data_dir("shutdown");
    let rkv = start(ServerKind::Rkv, &dir, &["--save", "3600 1"]);
    let mut raw = rkv.raw();
    raw.command(&["SET", "kept", "1"]);
    raw.send_command(&["SHUTDOWN"]);
    let _ = raw.wait_closed();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dir.join("dump.rdb").exists() {
        assert!(Instant::now() < deadline, "no dump written on SHUTDOWN");
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(rkv);
    let again = start(ServerKind::Rkv, &dir, &[]);
    let mut con = again.client();
    let v: String = redis::cmd("GET").arg("kept").query(&mut con).unwrap();
    assert_eq!(v, "1");
    let mut raw = again.raw();
    raw.command(&["SET", "lost", "1"]);
    raw.send_command(&["SHUTDOWN", "NOSAVE"]);
    let _ = raw.wait_closed();
}

#[test]
fn shutdown_refuses_to_exit_when_its_save_fails_unless_forced() {
    let dir = data_dir("shutdown-fail");
    let rkv = start(ServerKind::Rkv, &dir, &[]);
    std::fs::create_dir(dir.join("dump.rdb")).unwrap();
    let mut raw = rkv.raw();
    assert_eq!(
        raw.command(&["SHUTDOWN", "SAVE"]),
        b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
    );
    assert_eq!(raw.command(&["PING"]), b"+PONG\r\n");
    raw.send_command(&["SHUTDOWN", "SAVE", "FORCE"]);
    let _ = raw.wait_closed();
}

#[test]
fn debug_reload_keeps_the_data() {
    let rkv = start(ServerKind::Rkv, &data_dir("reload"), &[]);
    let mut con = rkv.client();
    populate(&mut con);
    let before = digest(&mut con);
    run(&mut con, "DEBUG RELOAD");
    assert_eq!(digest(&mut con), before);
    let err = redis::cmd("DEBUG")
        .arg("RELOAD")
        .arg("BOGUS")
        .query::<()>(&mut con)
        .unwrap_err();
    assert!(err
        .to_string()
        .contains("only supports the MERGE, NOFLUSH and NOSAVE"));
}

/// RESTORE's keyspace events (`restore`, `del` for an expired REPLACE, and
/// `new` for created keys) are those of Redis, in the same order.
#[test]
fn restore_publishes_redis_keyspace_events() {
    if skip_without_redis_server() {
        return;
    }
    let mut seen = Vec::new();
    for kind in [ServerKind::Redis, ServerKind::Rkv] {
        let server = start(kind, &data_dir("events"), &[]);
        let mut raw = server.raw();
        raw.command(&["CONFIG", "SET", "notify-keyspace-events", "KEAn"]);
        raw.command(&["SET", "s", "hello"]);
        let payload = raw.command(&["DUMP", "s"]);
        // The bulk's body, without "$<len>\r\n" and the final "\r\n".
        let start = payload.iter().position(|&b| b == b'\n').unwrap() + 1;
        let payload = payload[start..payload.len() - 2].to_vec();
        let mut sub = server.raw();
        sub.command(&["PSUBSCRIBE", "__key*__:*"]);
        for args in [
            vec![&b"RESTORE"[..], b"r", b"0", &payload],
            vec![b"RESTORE", b"r", b"0", &payload, b"REPLACE"],
            vec![b"RESTORE", b"r", b"1", &payload, b"REPLACE", b"ABSTTL"],
            vec![b"RESTORE", b"t", b"1", &payload, b"ABSTTL"],
            vec![b"SET", b"end", b"1"],
        ] {
            raw.command(&args);
        }
        let mut events = Vec::new();
        loop {
            let msg = sub.read_reply();
            let done = msg.ends_with(b"__keyevent@0__:set\r\n$3\r\nend\r\n");
            events.push(msg);
            if done {
                break;
            }
        }
        seen.push(events);
    }
    assert_eq!(seen[0], seen[1]);
}

/// The golden dumps Redis 7.0 wrote for rkv-rdb's tests load into rkv with
/// the same data as into Redis (and without expired keys in either).
#[test]
fn golden_fixtures_load_as_in_redis() {
    if skip_without_redis_server() {
        return;
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rkv-rdb/tests/fixtures");
    for name in ["all-types.rdb", "all-types-uncompressed.rdb"] {
        let mut servers = Vec::new();
        for kind in [ServerKind::Redis, ServerKind::Rkv] {
            let dir = data_dir("fixture");
            std::fs::copy(fixtures.join(name), dir.join("dump.rdb")).unwrap();
            servers.push(start(kind, &dir, &[]));
        }
        let (mut rc, mut kc) = (servers[0].client(), servers[1].client());
        for db in 0..16 {
            assert_eq!(
                describe(&mut rc, db),
                describe(&mut kc, db),
                "{name}: database {db}"
            );
        }
        assert_eq!(digest(&mut rc), digest(&mut kc), "{name}");
    }
}

/// `FUNCTION LIST WITHCODE` as text, for comparing libraries.
fn function_list(con: &mut Connection) -> String {
    format!("{:?}", cmd(con, &[b"FUNCTION", b"LIST", b"WITHCODE"]))
}

/// Function libraries travel in dumps both ways (RDB_OPCODE_FUNCTION2) and
/// survive DEBUG RELOAD.
#[test]
fn function_libraries_travel_in_dumps() {
    if skip_without_redis_server() {
        return;
    }
    let lib = "#!lua name=dumped\nredis.register_function('hello', function() return 'hi' end)";
    let rkv_dir = data_dir("fn-rkv");
    let rkv = start(ServerKind::Rkv, &rkv_dir, &[]);
    let mut kc = rkv.client();
    cmd(&mut kc, &[b"FUNCTION", b"LOAD", lib.as_bytes()]);
    run(&mut kc, "SET k v");
    run(&mut kc, "SAVE");
    redis_check_rdb(&rkv_dir.join("dump.rdb"));
    let redis_dir = data_dir("fn-redis");
    std::fs::copy(rkv_dir.join("dump.rdb"), redis_dir.join("dump.rdb")).unwrap();
    let redis = start(ServerKind::Redis, &redis_dir, &[]);
    let mut rc = redis.client();
    assert_eq!(function_list(&mut rc), function_list(&mut kc));
    assert_eq!(
        cmd(&mut rc, &[b"FCALL", b"hello", b"0"]),
        Value::BulkString(b"hi".to_vec())
    );
    // And back: Redis's dump loads into a fresh rkv.
    cmd(
        &mut rc,
        &[
            b"FUNCTION",
            b"LOAD",
            b"#!lua name=second\nredis.register_function('two', function() return 2 end)",
        ],
    );
    run(&mut rc, "SAVE");
    let back_dir = data_dir("fn-back");
    std::fs::copy(redis_dir.join("dump.rdb"), back_dir.join("dump.rdb")).unwrap();
    let back = start(ServerKind::Rkv, &back_dir, &[]);
    let mut bc = back.client();
    assert_eq!(function_list(&mut bc), function_list(&mut rc));
    run(&mut bc, "DEBUG RELOAD");
    assert_eq!(function_list(&mut bc), function_list(&mut rc));
    assert_eq!(cmd(&mut bc, &[b"FCALL", b"two", b"0"]), Value::Int(2));
}
