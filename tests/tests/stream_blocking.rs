//! XREAD and XREADGROUP BLOCK across real connections: wake-up by XADD,
//! `$`, several keys, timeouts in milliseconds, RESP3, writes that add no
//! entry after the waiter's ID, and groups destroyed or streams overwritten
//! while clients wait.
//!
//! Every test runs against rkv-server; `RKV_DIFF_AGAINST=redis` runs them
//! against redis-server instead, to check the expectations themselves.

use std::thread::sleep;
use std::time::{Duration, Instant};

use rkv_tests::differential::candidate_kind;
use rkv_tests::{skip_without_redis_server, RawConnection, ServerProcess};

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

/// Waits until exactly `n` clients are blocked.
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

/// Sends a blocking command and waits until the server has parked it.
fn block(
    conn: &mut RawConnection,
    observer: &mut RawConnection,
    args: &[&str],
    now_blocked: usize,
) {
    conn.send_command(args);
    wait_blocked(observer, now_blocked);
}

#[test]
fn xadd_wakes_a_reader_blocked_on_dollar() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut writer = server.raw();
    let mut reader = server.raw();
    assert_eq!(
        writer.command(&["XADD", "s", "1-1", "a", "1"]),
        b"$3\r\n1-1\r\n"
    );
    block(
        &mut reader,
        &mut writer,
        &["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
        1,
    );
    // A write elsewhere, and a stream write that adds nothing, serve no one.
    writer.command(&["SET", "other", "x"]);
    assert_eq!(writer.command(&["XDEL", "s", "9-9"]), b":0\r\n");
    assert_eq!(blocked_clients(&mut writer), 1);
    assert_eq!(
        writer.command(&["XADD", "s", "2-0", "b", "2"]),
        b"$3\r\n2-0\r\n"
    );
    assert_eq!(
        text(&reader.read_reply()),
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(blocked_clients(&mut writer), 0);
}

#[test]
fn the_key_that_gets_an_entry_answers_for_a_reader_of_several() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut writer = server.raw();
    let mut reader = server.raw();
    writer.command(&["XADD", "a", "5-0", "f", "v"]);
    block(
        &mut reader,
        &mut writer,
        &[
            "XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "a", "b", "5-0", "0",
        ],
        1,
    );
    writer.send(b"XADD b 1-0 x 1\r\n");
    assert_eq!(writer.read_reply(), b"$3\r\n1-0\r\n");
    assert_eq!(
        text(&reader.read_reply()),
        "*1\r\n*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n"
    );
    // A reader of an older ID on a key with entries is served at once.
    assert_eq!(
        text(&reader.command(&["XREAD", "BLOCK", "0", "STREAMS", "a", "0"])),
        "*1\r\n*2\r\n$1\r\na\r\n*1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
}

#[test]
fn timeouts_are_milliseconds_and_reply_null() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut c = server.raw();
    let start = Instant::now();
    assert_eq!(
        c.command(&["XREAD", "BLOCK", "300", "STREAMS", "nokey", "$"]),
        b"*-1\r\n"
    );
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(280), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    c.command(&["HELLO", "3"]);
    assert_eq!(
        c.command(&["XREAD", "BLOCK", "50", "STREAMS", "nokey", "$"]),
        b"_\r\n"
    );
}

#[test]
fn resp3_readers_get_a_map_and_several_waiters_are_all_served() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut writer = server.raw();
    let mut first = server.raw();
    let mut second = server.raw();
    first.command(&["HELLO", "3"]);
    block(
        &mut first,
        &mut writer,
        &["XREAD", "BLOCK", "0", "STREAMS", "s", "0"],
        1,
    );
    block(
        &mut second,
        &mut writer,
        &["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
        2,
    );
    writer.command(&["XADD", "s", "3-0", "k", "v"]);
    assert_eq!(
        text(&first.read_reply()),
        "%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n"
    );
    assert_eq!(
        text(&second.read_reply()),
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n"
    );
}

#[test]
fn xreadgroup_block_is_served_new_entries_and_records_them_pending() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut writer = server.raw();
    let mut reader = server.raw();
    writer.command(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    block(
        &mut reader,
        &mut writer,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "alice",
            "BLOCK",
            "0",
            "STREAMS",
            "s",
            ">",
        ],
        1,
    );
    writer.command(&["XADD", "s", "1-0", "f", "v"]);
    assert_eq!(
        text(&reader.read_reply()),
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    assert_eq!(
        text(&writer.command(&["XPENDING", "s", "g"])),
        "*4\r\n:1\r\n$3\r\n1-0\r\n$3\r\n1-0\r\n*1\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n"
    );
}

#[test]
fn destroying_the_group_ends_a_blocked_xreadgroup_with_nogroup() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut writer = server.raw();
    let mut reader = server.raw();
    writer.command(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    block(
        &mut reader,
        &mut writer,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "bob",
            "BLOCK",
            "0",
            "STREAMS",
            "s",
            ">",
        ],
        1,
    );
    assert_eq!(writer.command(&["XGROUP", "DESTROY", "s", "g"]), b":1\r\n");
    assert_eq!(
        text(&reader.read_reply()),
        "-NOGROUP the consumer group this client was blocked on no longer exists\r\n"
    );
}

#[test]
fn xreadgroup_block_times_out_with_null() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut c = server.raw();
    c.command(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    assert_eq!(
        c.command(&[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "BLOCK",
            "60",
            "STREAMS",
            "s",
            ">"
        ]),
        b"*-1\r\n"
    );
}

#[test]
fn overwriting_the_stream_ends_a_blocked_xreadgroup_but_not_an_xread() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut writer = server.raw();
    let mut grouped = server.raw();
    let mut plain = server.raw();
    writer.command(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    block(
        &mut grouped,
        &mut writer,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "BLOCK",
            "0",
            "STREAMS",
            "s",
            ">",
        ],
        1,
    );
    block(
        &mut plain,
        &mut writer,
        &["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
        2,
    );
    assert_eq!(writer.command(&["SET", "s", "x"]), b"+OK\r\n");
    assert_eq!(
        text(&grouped.read_reply()),
        "-UNBLOCKED the stream key no longer exists\r\n"
    );
    wait_blocked(&mut writer, 1);
    writer.command(&["DEL", "s"]);
    writer.command(&["XADD", "s", "1-0", "f", "v"]);
    assert_eq!(
        text(&plain.read_reply()),
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
}

#[test]
fn deleting_the_stream_releases_xreadgroup_but_not_xread() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut writer = server.raw();
    let mut grouped = server.raw();
    let mut plain = server.raw();
    assert_eq!(
        writer.command(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]),
        b"+OK\r\n"
    );
    block(
        &mut grouped,
        &mut writer,
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "BLOCK",
            "0",
            "STREAMS",
            "s",
            ">",
        ],
        1,
    );
    block(
        &mut plain,
        &mut writer,
        &["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
        2,
    );
    assert_eq!(writer.command(&["DEL", "s"]), b":1\r\n");
    assert_eq!(
        grouped.read_reply(),
        b"-UNBLOCKED the stream key no longer exists\r\n"
    );
    // XREAD keeps waiting for the stream to come back.
    wait_blocked(&mut writer, 1);
    writer.command(&["XADD", "s", "5-0", "f", "v"]);
    assert_eq!(
        text(&plain.read_reply()),
        "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
}
