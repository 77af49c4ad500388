//! `appendonly yes`: what writes are propagated as (compared with what
//! redis-server 7.0 writes for the same commands), replay at start-up,
//! torn tails and corruption, and directories moved between rkv and
//! redis-server in both directions.

mod aof_support;

use std::time::Duration;

use aof_support::{read_commands, DataDir, Server};
use rkv_tests::{skip_without_redis_server, RawConnection, ServerKind};

/// Commands whose propagated form is checked, one connection.
const SCRIPT: &[&[&str]] = &[
    &["SET", "a", "1"],
    &["SET", "b", "2", "EX", "100"],
    &["SETEX", "c", "100", "v"],
    &["PSETEX", "d", "100000", "v"],
    &["SET", "e", "v", "PX", "100000", "GET"],
    &["SET", "e2", "v", "GET"],
    &["GET", "missing"],
    &["EXPIRE", "a", "100"],
    &["PEXPIRE", "a", "200000", "GT"],
    &["EXPIREAT", "a", "1"],
    &["INCRBYFLOAT", "f", "1.5"],
    &["HINCRBYFLOAT", "h", "x", "2.5"],
    &["SADD", "s1", "only"],
    &["SPOP", "s1"],
    &["SADD", "s3", "a", "b"],
    &["SPOP", "s3", "5"],
    &["RPUSH", "l", "a", "b", "c"],
    &["BLPOP", "l", "0"],
    &["LMPOP", "1", "l", "RIGHT", "COUNT", "5"],
    &["RPUSH", "l2", "a", "b"],
    &["BLMOVE", "l2", "l3", "LEFT", "RIGHT", "0"],
    &["BRPOPLPUSH", "l2", "l3", "0"],
    &["MULTI"],
    &["SET", "x", "1"],
    &["INCR", "x"],
    &["EXEC"],
    &["MULTI"],
    &["SET", "x1", "1"],
    &["EXEC"],
    &[
        "EVAL",
        "redis.call('set','y','1') redis.call('incr','y')",
        "0",
    ],
    &["EVAL", "redis.call('set','y2','1')", "0"],
    &["EVAL", "redis.set_repl(redis.REPL_NONE) redis.call('set','hidden','1') redis.set_repl(redis.REPL_ALL) redis.call('set','shown','1')", "0"],
    &["SELECT", "2"],
    &["SET", "z", "1"],
    &["GETEX", "z", "EX", "100"],
    &["GETEX", "z", "PERSIST"],
    &["GETDEL", "z"],
    &["ZADD", "zs", "1", "a", "2", "b", "3", "c"],
    &["BZPOPMIN", "zs", "0"],
    &["ZMPOP", "1", "zs", "MAX", "COUNT", "1"],
    &["GETSET", "g", "5"],
    &["SELECT", "0"],
    &["XADD", "st", "*", "f", "v"],
    &["XADD", "st", "MAXLEN", "~", "10", "*", "f", "v"],
    &["XTRIM", "st", "MAXLEN", "~", "0"],
    &["XADD", "st2", "5", "f", "v"],
    &["XADD", "st2", "6-1", "f", "v"],
    &["XADD", "st2", "MINID", "~", "0", "7-*", "f", "v"],
    &["XGROUP", "CREATE", "st3", "g", "$", "MKSTREAM"],
    &["XADD", "st3", "1-1", "f", "v"],
    &["XADD", "st3", "1-2", "f", "v"],
    &[
        "XREADGROUP",
        "GROUP",
        "g",
        "c1",
        "COUNT",
        "10",
        "STREAMS",
        "st3",
        ">",
    ],
    &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "st3", "0"],
    &["XADD", "st3", "2-1", "f", "v"],
    &[
        "XREADGROUP",
        "GROUP",
        "g",
        "c2",
        "NOACK",
        "STREAMS",
        "st3",
        ">",
    ],
    &["XCLAIM", "st3", "g", "c3", "0", "1-1", "1-2"],
    &[
        "XCLAIM", "st3", "g", "c3", "0", "1-1", "LASTID", "3-0", "JUSTID",
    ],
    &["XCLAIM", "st3", "g", "c3", "0", "9-9", "LASTID", "4-0"],
    &["XDEL", "st3", "1-2"],
    &["XAUTOCLAIM", "st3", "g", "c4", "0", "0"],
    &["SET", "t", "v", "PX", "1"],
];

/// The incremental file's commands after running `SCRIPT` (then a lazy
/// expiry and a served BLPOP), with millisecond times masked.
fn propagated_by(kind: ServerKind) -> Vec<Vec<String>> {
    let dir = DataDir::new(&format!("forms-{}", kind.name()));
    let server = Server::start(kind, &dir.0, &["--appendfsync", "always"]).unwrap();
    let mut c = server.raw();
    for cmd in SCRIPT {
        c.command(&cmd[..]);
    }
    // RESTORE with a relative TTL propagates an absolute one (ABSTTL); one
    // already expired deletes the key it replaces.
    c.command(&["SET", "dumped", "hello"]);
    let dumped = c.command(&["DUMP", "dumped"]);
    let start = dumped.iter().position(|&b| b == b'\n').unwrap() + 1;
    let payload = &dumped[start..dumped.len() - 2];
    c.command(&[&b"RESTORE"[..], b"rs", b"100000", payload]);
    c.command(&[&b"RESTORE"[..], b"rs", b"1", payload, b"REPLACE", b"ABSTTL"]);
    std::thread::sleep(Duration::from_millis(20));
    c.command(&["GET", "t"]);
    // A served blocking pop propagates after the push that served it.
    let mut waiter = server.raw();
    waiter.send_command(&["BLPOP", "bl", "0"]);
    std::thread::sleep(Duration::from_millis(100));
    c.command(&["RPUSH", "bl", "x"]);
    waiter.read_reply();
    c.command(&["PING"]);
    let bytes = std::fs::read(dir.first_incr()).unwrap();
    server.shutdown();
    read_commands(&bytes)
        .into_iter()
        .map(|cmd| {
            cmd.into_iter()
                .map(|a| {
                    let ms = a.split('-').next().unwrap_or("");
                    if ms.len() == 13 && ms.bytes().all(|b| b.is_ascii_digit()) {
                        "<ms>".to_string()
                    } else {
                        a
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn writes_propagate_as_redis_propagates_them() {
    if skip_without_redis_server() {
        return;
    }
    let ours = propagated_by(ServerKind::Rkv);
    let theirs = propagated_by(ServerKind::Redis);
    let show = |v: &[Vec<String>]| v.iter().map(|c| c.join(" ")).collect::<Vec<_>>().join("\n");
    assert!(ours.len() > 40, "{}", show(&ours));
    assert_eq!(show(&ours), show(&theirs));
}

/// The key's 1000 s TTL survived (as an absolute time).
fn assert_ttl_kept(c: &mut RawConnection, key: &str) {
    let reply = c.command(&["TTL", key]);
    let ttl: i64 = String::from_utf8_lossy(&reply[1..reply.len() - 2])
        .parse()
        .unwrap();
    assert!((990..=1000).contains(&ttl), "TTL {ttl}");
}

fn digest(c: &mut RawConnection) -> Vec<u8> {
    c.command(&["DEBUG", "DIGEST"])
}

#[test]
fn a_restart_replays_the_files_into_the_same_dataset() {
    let dir = DataDir::new("restart");
    let server =
        Server::start(ServerKind::Rkv, &dir.0, &["--enable-debug-command", "yes"]).unwrap();
    let mut c = server.raw();
    c.command(&["RPUSH", "l", "a", "b", "c"]);
    c.command(&["HSET", "h", "f", "v", "g", "w"]);
    c.command(&["SADD", "s", "1", "2", "3"]);
    c.command(&["ZADD", "z", "1", "a", "2.5", "b"]);
    c.command(&["SET", "ttl", "v", "EX", "1000"]);
    c.command(&["INCRBYFLOAT", "f", "0.1"]);
    c.command(&["SELECT", "3"]);
    c.command(&["SET", "in3", "x"]);
    let before = digest(&mut c);
    server.shutdown();
    let server =
        Server::start(ServerKind::Rkv, &dir.0, &["--enable-debug-command", "yes"]).unwrap();
    let mut c = server.raw();
    assert_eq!(digest(&mut c), before);
    assert!(server.log().contains("DB loaded from append only file"));
    assert_ttl_kept(&mut c, "ttl");
}

#[test]
fn a_key_whose_first_ttl_passed_but_was_extended_survives_the_replay() {
    let dir = DataDir::new("extended");
    let server = Server::start(ServerKind::Rkv, &dir.0, &[]).unwrap();
    let mut c = server.raw();
    c.command(&["SET", "session", "v", "PX", "300"]);
    c.command(&["PEXPIRE", "session", "100000"]);
    server.shutdown();
    std::thread::sleep(Duration::from_millis(400));
    let server = Server::start(ServerKind::Rkv, &dir.0, &[]).unwrap();
    assert_eq!(server.raw().command(&["GET", "session"]), b"$1\r\nv\r\n");
}

#[test]
fn timestamp_annotations_are_written_and_skipped_on_load() {
    let dir = DataDir::new("timestamps");
    let server =
        Server::start(ServerKind::Rkv, &dir.0, &["--aof-timestamp-enabled", "yes"]).unwrap();
    server.raw().command(&["SET", "k", "v"]);
    server.shutdown();
    let text = std::fs::read(dir.first_incr()).unwrap();
    assert!(
        text.starts_with(b"#TS:"),
        "{}",
        String::from_utf8_lossy(&text)
    );
    let server = Server::start(ServerKind::Rkv, &dir.0, &[]).unwrap();
    assert_eq!(server.raw().command(&["GET", "k"]), b"$1\r\nv\r\n");
}

#[test]
fn a_redis_6_single_file_is_upgraded_into_a_set() {
    let dir = DataDir::new("upgrade");
    std::fs::write(
        dir.0.join("appendonly.aof"),
        b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$1\r\n1\r\n",
    )
    .unwrap();
    let server = Server::start(ServerKind::Rkv, &dir.0, &[]).unwrap_or_else(|log| panic!("{log}"));
    let mut c = server.raw();
    assert_eq!(c.command(&["GET", "old"]), b"$1\r\n1\r\n");
    c.command(&["SET", "new", "2"]);
    server.shutdown();
    let manifest = std::fs::read_to_string(dir.aof_dir().join("appendonly.aof.manifest")).unwrap();
    assert_eq!(
        manifest,
        "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    let server = Server::start(ServerKind::Rkv, &dir.0, &[]).unwrap();
    assert_eq!(
        server.raw().command(&["MGET", "old", "new"]),
        b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"
    );
}

#[test]
fn keys_expired_by_the_active_cycle_are_written_as_del() {
    for kind in [ServerKind::Rkv, ServerKind::Redis] {
        if kind == ServerKind::Redis && skip_without_redis_server() {
            return;
        }
        let dir = DataDir::new(&format!("active-{}", kind.name()));
        let server = Server::start(kind, &dir.0, &["--appendfsync", "always"]).unwrap();
        server.raw().command(&["SET", "k", "v", "PX", "50"]);
        std::thread::sleep(Duration::from_millis(600));
        let cmds = read_commands(&std::fs::read(dir.first_incr()).unwrap());
        assert_eq!(cmds.last().unwrap(), &["DEL", "k"], "{}", kind.name());
    }
}

/// Writes `n` SETs through rkv and stops it; returns the incr file.
fn written_set(dir: &DataDir, n: usize) -> Vec<u8> {
    let server = Server::start(ServerKind::Rkv, &dir.0, &[]).unwrap();
    let mut c = server.raw();
    for i in 0..n {
        c.command(&["SET", &format!("key:{i}"), &format!("value-{i}")]);
    }
    server.shutdown();
    std::fs::read(dir.first_incr()).unwrap()
}

fn dbsize(server: &Server) -> usize {
    let reply = server.raw().command(&["DBSIZE"]);
    String::from_utf8_lossy(&reply[1..reply.len() - 2])
        .parse()
        .unwrap()
}

#[test]
fn a_torn_tail_is_cut_and_loading_goes_on() {
    let dir = DataDir::new("torn");
    let full = written_set(&dir, 50);
    // Cuts inside a header, a length, a bulk, a CRLF, and just after one.
    let last = full.len();
    for cut in [
        last - 1,
        last - 2,
        last - 5,
        last - 12,
        last - 20,
        last - 27,
        40,
    ] {
        std::fs::write(dir.first_incr(), &full[..cut]).unwrap();
        let server = Server::start(ServerKind::Rkv, &dir.0, &[])
            .unwrap_or_else(|log| panic!("cut at {cut}: {log}"));
        let complete = read_commands_prefix(&full[..cut]);
        assert_eq!(dbsize(&server), complete, "cut at {cut}");
        assert!(server.log().contains("aof-load-truncated"), "cut at {cut}");
        server.shutdown();
        // The file was cut back to its last complete command.
        let len = std::fs::metadata(dir.first_incr()).unwrap().len() as usize;
        assert!(len <= cut && full.starts_with(&std::fs::read(dir.first_incr()).unwrap()));
    }
}

/// SETs complete in a prefix of the file (SELECT excluded).
fn read_commands_prefix(bytes: &[u8]) -> usize {
    let mut end = bytes.len();
    loop {
        let ok = std::panic::catch_unwind(|| read_commands(&bytes[..end]));
        if let Ok(cmds) = ok {
            return cmds.iter().filter(|c| c[0] == "SET").count();
        }
        end -= 1;
    }
}

#[test]
fn a_torn_tail_stops_start_up_without_aof_load_truncated() {
    let dir = DataDir::new("torn-refused");
    let full = written_set(&dir, 5);
    std::fs::write(dir.first_incr(), &full[..full.len() - 3]).unwrap();
    let log = match Server::start(ServerKind::Rkv, &dir.0, &["--aof-load-truncated", "no"]) {
        Ok(_) => panic!("started on a torn file"),
        Err(log) => log,
    };
    assert!(log.contains("appendonly.aof.1.incr.aof"), "{log}");
}

#[test]
fn corruption_in_the_middle_names_file_and_offset() {
    let dir = DataDir::new("corrupt");
    let mut full = written_set(&dir, 20);
    let at = full.len() / 2;
    let star = at + full[at..].iter().position(|&b| b == b'*').unwrap();
    full[star] = b'!';
    std::fs::write(dir.first_incr(), &full).unwrap();
    let log = match Server::start(ServerKind::Rkv, &dir.0, &[]) {
        Ok(_) => panic!("started on a corrupt file"),
        Err(log) => log,
    };
    assert!(log.contains("appendonly.aof.1.incr.aof"), "{log}");
    assert!(
        log.contains(&star.to_string()),
        "offset {star} not named: {log}"
    );
}

/// Fills a directory with `writer`, then loads it with `reader`.
fn moved_between(writer: ServerKind, reader: ServerKind) {
    let dir = DataDir::new(&format!("move-{}-{}", writer.name(), reader.name()));
    let server = Server::start(writer, &dir.0, &[]).unwrap();
    let mut c = server.raw();
    c.command(&["SET", "s", "v", "EX", "1000"]);
    c.command(&["RPUSH", "l", "a", "b"]);
    c.command(&["HSET", "h", "f", "1"]);
    c.command(&["INCRBYFLOAT", "n", "2.5"]);
    c.command(&["MULTI"]);
    c.command(&["SADD", "set", "x"]);
    c.command(&["ZADD", "z", "1", "m"]);
    c.command(&["EXEC"]);
    c.command(&["SELECT", "5"]);
    c.command(&["SET", "five", "5"]);
    server.shutdown();
    let server = Server::start(reader, &dir.0, &[]).unwrap_or_else(|log| panic!("{log}"));
    let mut c = server.raw();
    assert_eq!(
        c.command(&["LRANGE", "l", "0", "-1"]),
        b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_eq!(c.command(&["HGET", "h", "f"]), b"$1\r\n1\r\n");
    assert_eq!(c.command(&["GET", "n"]), b"$3\r\n2.5\r\n");
    assert_eq!(c.command(&["SISMEMBER", "set", "x"]), b":1\r\n");
    assert_eq!(c.command(&["ZSCORE", "z", "m"]), b"$1\r\n1\r\n");
    assert_ttl_kept(&mut c, "s");
    c.command(&["SELECT", "5"]);
    assert_eq!(c.command(&["GET", "five"]), b"$1\r\n5\r\n");
    server.shutdown();
}

#[test]
fn a_directory_written_by_redis_loads_in_rkv() {
    if skip_without_redis_server() {
        return;
    }
    moved_between(ServerKind::Redis, ServerKind::Rkv);
}

#[test]
fn a_directory_written_by_rkv_loads_in_redis() {
    if skip_without_redis_server() {
        return;
    }
    moved_between(ServerKind::Rkv, ServerKind::Redis);
}

#[test]
fn config_set_appendfsync_and_info_fields() {
    let dir = DataDir::new("info");
    let server = Server::start(ServerKind::Rkv, &dir.0, &[]).unwrap();
    let mut c = server.raw();
    c.command(&["SET", "k", "v"]);
    assert_eq!(
        c.command(&["CONFIG", "SET", "appendfsync", "always"]),
        b"+OK\r\n"
    );
    c.command(&["SET", "k2", "v"]);
    let info = String::from_utf8(c.command(&["INFO", "persistence"])).unwrap();
    assert!(info.contains("aof_enabled:1"), "{info}");
    assert!(info.contains("aof_last_write_status:ok"), "{info}");
    assert!(info.contains("aof_buffer_length:0"), "{info}");
    let size = |p: std::path::PathBuf| std::fs::metadata(p).unwrap().len();
    let base = size(dir.aof_dir().join("appendonly.aof.1.base.rdb"));
    let total = base + size(dir.first_incr());
    assert!(
        info.contains(&format!("aof_current_size:{total}\r\n")),
        "{info}"
    );
    assert!(
        info.contains(&format!("aof_base_size:{base}\r\n")),
        "{info}"
    );
    server.shutdown();
}

#[test]
fn appendonly_can_be_turned_on_at_run_time_on_an_empty_dataset() {
    let dir = DataDir::new("turn-on");
    let server = Server::start(ServerKind::Rkv, &dir.0, &["--appendonly", "no"]).unwrap();
    let mut c = server.raw();
    assert_eq!(
        c.command(&["CONFIG", "SET", "appendonly", "yes"]),
        b"+OK\r\n"
    );
    c.command(&["SET", "k", "v"]);
    server.shutdown();
    let server = Server::start(ServerKind::Rkv, &dir.0, &[]).unwrap();
    assert_eq!(server.raw().command(&["GET", "k"]), b"$1\r\nv\r\n");
}
