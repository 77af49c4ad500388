//! Keyspace notifications delivered to another client: a RESP2 subscriber
//! on every database's keyspace and keyevent channels watches a second
//! connection run string and generic commands across databases, and the
//! active expiry cycle delete a key. The same scenario runs on rkv-server and
//! redis-server and the subscriber's transcripts must be identical.

use std::time::{Duration, Instant};

use rkv_tests::{skip_without_redis_server, RawConnection, ServerKind, ServerProcess};

/// Channel the writer publishes on after each command, so the subscriber
/// knows it has seen every event of that command.
const SYNC_CHANNEL: &str = "sync-after-command";

/// The commands the writer runs (`notify-keyspace-events` is `KEA`).
const SCENARIO: &[&[&str]] = &[
    &["SET", "k", "v", "EX", "100"],
    &["APPEND", "k", "w"],
    &["INCR", "n"],
    &["GETDEL", "n"],
    &["EXPIRE", "k", "200"],
    &["PERSIST", "k"],
    &["RENAME", "k", "k2"],
    &["MOVE", "k2", "3"],
    &["SELECT", "3"],
    &["COPY", "k2", "k3", "DB", "5"],
    &["SETBIT", "b", "1", "1"],
    &["PFADD", "h", "x"],
    &["EXPIRE", "b", "-1"],
    &["DEL", "k2", "h", "none"],
    &["SWAPDB", "3", "5"],
    &["FLUSHDB"],
    &["SELECT", "0"],
];

/// Sends one command and reads its reply.
fn command(conn: &mut RawConnection, args: &[&str]) -> Vec<u8> {
    conn.command(args)
}

/// Reads the subscriber's frames up to the `SYNC_CHANNEL` message numbered
/// `n`, returning what came before it.
fn read_until_sync(sub: &mut RawConnection, n: usize) -> String {
    let marker = format!(
        "*3\r\n$7\r\nmessage\r\n${}\r\n{SYNC_CHANNEL}\r\n${}\r\n{n}\r\n",
        SYNC_CHANNEL.len(),
        n.to_string().len()
    );
    let mut seen = String::new();
    loop {
        let frame = String::from_utf8_lossy(&sub.read_reply()).into_owned();
        if frame == marker {
            return seen;
        }
        seen.push_str(&frame);
    }
}

/// Runs the scenario on a fresh server of `kind`; the subscriber's
/// transcript, one section per command.
fn transcript(kind: ServerKind) -> Vec<String> {
    let server = ServerProcess::start(kind);
    let mut writer = server.raw();
    let mut sub = server.raw();
    command(
        &mut writer,
        &["CONFIG", "SET", "notify-keyspace-events", "KEA"],
    );
    sub.send_command(&["SUBSCRIBE", SYNC_CHANNEL]);
    sub.read_reply();
    sub.send_command(&["PSUBSCRIBE", "__key*@*__:*"]);
    sub.read_reply();
    let mut sections = Vec::new();
    for (n, args) in SCENARIO.iter().enumerate() {
        let reply = command(&mut writer, args);
        command(&mut writer, &["PUBLISH", SYNC_CHANNEL, &n.to_string()]);
        let events = read_until_sync(&mut sub, n);
        sections.push(format!(
            "{args:?} -> {}\n{events}",
            String::from_utf8_lossy(&reply)
        ));
    }
    // The active expiry cycle reports to subscribers by itself.
    command(&mut writer, &["SET", "gone", "v", "PX", "20"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut expired = String::new();
    while !expired.contains("expired") {
        assert!(Instant::now() < deadline, "no expired event; got {expired}");
        expired.push_str(&String::from_utf8_lossy(&sub.read_reply()));
    }
    sections.push(expired);
    sections
}

#[test]
fn other_clients_see_the_same_events_as_from_redis() {
    if skip_without_redis_server() {
        return;
    }
    let ours = transcript(ServerKind::Rkv);
    let theirs = transcript(ServerKind::Redis);
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a, b, "step {i} differs");
    }
    assert_eq!(ours.len(), theirs.len());
    assert!(
        theirs[0].contains("__keyevent@0__:expire"),
        "the scenario publishes events: {}",
        theirs[0]
    );
}
