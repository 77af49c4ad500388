//! Scripting across connections and servers: a script's write waking a
//! client blocked in BLPOP, FUNCTION DUMP payloads moving between
//! redis-server and rkv-server both ways, and busy scripts (BUSY replies,
//! SCRIPT KILL / FUNCTION KILL from another connection).
//!
//! Tests that use one server run against rkv-server; `RKV_DIFF_AGAINST=redis`
//! runs them against redis-server instead, to check the expectations.

use std::thread::sleep;
use std::time::{Duration, Instant};

use rkv_tests::differential::candidate_kind;
use rkv_tests::{skip_without_redis_server, RawConnection, ServerKind, ServerProcess};

fn server() -> ServerProcess {
    ServerProcess::start(candidate_kind())
}

fn text(reply: &[u8]) -> String {
    String::from_utf8_lossy(reply).into_owned()
}

/// INFO clients `blocked_clients`.
fn blocked_clients(conn: &mut RawConnection) -> usize {
    let info = text(&conn.command(&["INFO", "clients"]));
    info.lines()
        .find_map(|l| l.strip_prefix("blocked_clients:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no blocked_clients in {info:?}"))
}

#[track_caller]
fn wait_blocked(observer: &mut RawConnection, n: usize) {
    let start = Instant::now();
    while blocked_clients(observer) != n {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "never reached {n} blocked clients"
        );
        sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_script_write_wakes_a_client_blocked_in_blpop() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut waiter = srv.raw();
    let mut writer = srv.raw();
    waiter.send_command(&["BLPOP", "queue", "0"]);
    wait_blocked(&mut writer, 1);
    let reply = writer.command(&[
        "EVAL",
        "redis.call('rpush', KEYS[1], 'a', 'b'); return redis.call('llen', KEYS[1])",
        "1",
        "queue",
    ]);
    assert_eq!(text(&reply), ":2\r\n");
    assert_eq!(
        text(&waiter.read_reply()),
        "*2\r\n$5\r\nqueue\r\n$1\r\na\r\n"
    );
    assert_eq!(
        text(&writer.command(&["LRANGE", "queue", "0", "-1"])),
        "*1\r\n$1\r\nb\r\n"
    );
}

#[test]
fn a_function_write_wakes_a_blocked_client() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut waiter = srv.raw();
    let mut writer = srv.raw();
    let load = writer.command(&[
        "FUNCTION",
        "LOAD",
        "#!lua name=q\nredis.register_function('push', function(keys, args) return redis.call('lpush', keys[1], args[1]) end)",
    ]);
    assert_eq!(text(&load), "$1\r\nq\r\n");
    waiter.send_command(&["BRPOP", "fq", "0"]);
    wait_blocked(&mut writer, 1);
    assert_eq!(
        text(&writer.command(&["FCALL", "push", "1", "fq", "x"])),
        ":1\r\n"
    );
    assert_eq!(text(&waiter.read_reply()), "*2\r\n$2\r\nfq\r\n$1\r\nx\r\n");
}

const LIBRARY: &str = "#!lua name=mylib\nlocal function hello(keys, args)\n  return 'hello ' .. (args[1] or 'world') .. ' from a library long enough to be compressed'\nend\nredis.register_function('hello', hello)\nredis.register_function{function_name='ro_hello', callback=hello, flags={'no-writes'}, description='read only'}";

fn bulk_payload(reply: &[u8]) -> Vec<u8> {
    let header_end = reply
        .iter()
        .position(|&b| b == b'\n')
        .expect("a bulk reply")
        + 1;
    assert_eq!(reply[0], b'$', "{}", text(reply));
    reply[header_end..reply.len() - 2].to_vec()
}

/// Dumps from `from`, restores into `to`, and calls the restored functions.
fn dump_and_restore(from: &ServerProcess, to: &ServerProcess) {
    let mut src = from.raw();
    let mut dst = to.raw();
    assert_eq!(
        text(&src.command(&["FUNCTION", "LOAD", LIBRARY])),
        "$5\r\nmylib\r\n"
    );
    let payload = bulk_payload(&src.command(&["FUNCTION", "DUMP"]));
    let mut restore: Vec<&[u8]> = vec![b"FUNCTION", b"RESTORE", &payload];
    assert_eq!(text(&dst.command(&restore)), "+OK\r\n");
    assert_eq!(
        text(&dst.command(&["FCALL_RO", "ro_hello", "0", "you"])),
        "$53\r\nhello you from a library long enough to be compressed\r\n"
    );
    assert!(text(&dst.command(&restore)).starts_with("-ERR Library mylib already exists"));
    restore.push(b"REPLACE");
    assert_eq!(text(&dst.command(&restore)), "+OK\r\n");
    let listed = text(&dst.command(&["FUNCTION", "LIST", "WITHCODE"]));
    assert!(listed.contains(LIBRARY), "{listed}");
    // A damaged payload is refused.
    let mut bad = payload.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0xff;
    let reply = dst.command(&[&b"FUNCTION"[..], b"RESTORE", &bad]);
    assert_eq!(
        text(&reply),
        "-ERR DUMP payload version or checksum are wrong\r\n"
    );
}

#[test]
fn function_dump_from_redis_restores_into_rkv() {
    if skip_without_redis_server() {
        return;
    }
    let redis = ServerProcess::start(ServerKind::Redis);
    let rkv = ServerProcess::start(candidate_kind());
    dump_and_restore(&redis, &rkv);
}

#[test]
fn function_dump_from_rkv_restores_into_redis() {
    if skip_without_redis_server() {
        return;
    }
    let rkv = ServerProcess::start(candidate_kind());
    let redis = ServerProcess::start(ServerKind::Redis);
    dump_and_restore(&rkv, &redis);
}

const BUSY_EVAL: &str =
    "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
const BUSY_FUNCTION: &str =
    "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n";

/// Sends `cmd` until the server answers something else than `-BUSY`-free
/// silence: returns the first reply once the script is busy.
fn wait_busy(conn: &mut RawConnection, expected: &str) {
    let start = Instant::now();
    loop {
        let reply = text(&conn.command(&["GET", "x"]));
        if reply == expected {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "never busy: {reply:?}"
        );
        sleep(Duration::from_millis(20));
    }
}

#[test]
fn script_kill_stops_a_busy_script() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut admin = srv.raw();
    let mut runner = srv.raw();
    let mut other = srv.raw();
    assert_eq!(
        text(&admin.command(&["CONFIG", "SET", "busy-reply-threshold", "100"])),
        "+OK\r\n"
    );
    assert_eq!(
        text(&admin.command(&["SCRIPT", "KILL"])),
        "-NOTBUSY No scripts in execution right now.\r\n"
    );
    runner.send_command(&["EVAL", "local i = 0 while true do i = i + 1 end", "0"]);
    // `other` was connected before the script started; a connection made
    // while it runs is served too.
    wait_busy(&mut other, BUSY_EVAL);
    let mut late = srv.raw();
    assert_eq!(text(&late.command(&["PING"])), BUSY_EVAL);
    assert_eq!(text(&late.command(&["FUNCTION", "KILL"])), BUSY_EVAL);
    assert_eq!(text(&late.command(&["FUNCTION", "STATS"])), BUSY_EVAL);
    assert!(text(&late.command(&["NOSUCH"])).starts_with("-ERR unknown command 'NOSUCH'"));
    assert_eq!(text(&admin.command(&["SCRIPT", "KILL"])), "+OK\r\n");
    let killed = text(&runner.read_reply());
    assert!(
        killed.starts_with("-ERR Script killed by user with SCRIPT KILL... script: "),
        "{killed}"
    );
    // Everyone is served normally again, the late connection included.
    assert_eq!(text(&other.command(&["PING"])), "+PONG\r\n");
    assert_eq!(text(&late.command(&["PING"])), "+PONG\r\n");
    assert_eq!(text(&runner.command(&["PING"])), "+PONG\r\n");

    // A script that catches errors with pcall is killed all the same.
    runner.send_command(&[
        "EVAL",
        "while true do pcall(function() while true do end end) end",
        "0",
    ]);
    wait_busy(&mut other, BUSY_EVAL);
    assert_eq!(text(&admin.command(&["SCRIPT", "KILL"])), "+OK\r\n");
    let killed = text(&runner.read_reply());
    assert!(
        killed.starts_with("-ERR Script killed by user with SCRIPT KILL... script: "),
        "{killed}"
    );
}

#[test]
fn function_kill_stops_a_busy_function_but_not_after_a_write() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut admin = srv.raw();
    let mut runner = srv.raw();
    admin.command(&["CONFIG", "SET", "busy-reply-threshold", "100"]);
    let load = admin.command(&[
        "FUNCTION",
        "LOAD",
        "#!lua name=spin\nredis.register_function('spin', function() while true do end end)",
    ]);
    assert_eq!(text(&load), "$4\r\nspin\r\n");
    runner.send_command(&["FCALL", "spin", "0"]);
    wait_busy(&mut admin, BUSY_FUNCTION);
    assert_eq!(text(&admin.command(&["SCRIPT", "KILL"])), BUSY_FUNCTION);
    let stats = text(&admin.command(&["FUNCTION", "STATS"]));
    assert!(
        stats.contains("$4\r\nspin\r\n$7\r\ncommand\r\n*3\r\n$5\r\nFCALL\r\n"),
        "{stats}"
    );
    assert_eq!(text(&admin.command(&["FUNCTION", "KILL"])), "+OK\r\n");
    let killed = text(&runner.read_reply());
    assert_eq!(
        killed,
        "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n"
    );

    // A script that wrote cannot be killed; SHUTDOWN NOSAVE stops the server.
    runner.send_command(&["EVAL", "redis.call('set', 'w', 1) while true do end", "0"]);
    wait_busy(&mut admin, BUSY_EVAL);
    let unkillable = text(&admin.command(&["SCRIPT", "KILL"]));
    assert!(
        unkillable.starts_with("-UNKILLABLE Sorry the script already executed write commands"),
        "{unkillable}"
    );
    assert_eq!(text(&admin.command(&["SHUTDOWN"])), BUSY_EVAL);
    admin.send_command(&["SHUTDOWN", "NOSAVE"]);
    assert!(
        admin.try_read_reply().is_err(),
        "the server closes the connection"
    );
}
