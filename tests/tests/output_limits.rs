//! `client-output-buffer-limit` for the normal and pubsub classes, across
//! real connections: a subscriber that never reads while PUBLISH floods it,
//! a normal client whose pipelined replies exceed the hard limit, a client
//! left over its soft limit. Every scenario runs on rkv-server and on
//! redis-server, and the two must behave the same: disconnected or not,
//! nothing sent after the limit tripped, Redis's log line, the same
//! survivors in CLIENT LIST.

use std::thread::sleep;
use std::time::{Duration, Instant};

use rkv_tests::raw::CloseOutcome;
use rkv_tests::{skip_without_redis_server, RawConnection, ServerKind, ServerProcess};

fn text(reply: &[u8]) -> String {
    String::from_utf8_lossy(reply).into_owned()
}

/// The warning both servers log when they close a client at its limit.
const LOG_LINE: &str = "for overcoming of output buffer limits.";

/// Runs `scenario` on both servers and returns what each reported, for the
/// caller to compare; `None` when redis-server is not installed.
fn on_both<T>(scenario: impl Fn(&ServerProcess) -> T) -> Option<(T, T)> {
    if skip_without_redis_server() {
        return None;
    }
    let redis = scenario(&ServerProcess::start(ServerKind::Redis));
    let rkv = scenario(&ServerProcess::start(ServerKind::Rkv));
    Some((rkv, redis))
}

fn set_limit(admin: &mut RawConnection, value: &str) {
    let reply = admin.command(&["CONFIG", "SET", "client-output-buffer-limit", value]);
    assert_eq!(text(&reply), "+OK\r\n");
}

/// Polls `args` until it answers `want` (the server closes clients
/// asynchronously), for up to 10 s.
#[track_caller]
fn wait_for_reply(conn: &mut RawConnection, args: &[&str], want: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = text(&conn.command(args));
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "{args:?} still answers {got:?}");
        sleep(Duration::from_millis(20));
    }
}

/// How many clients CLIENT LIST shows.
fn client_count(admin: &mut RawConnection) -> usize {
    text(&admin.command(&["CLIENT", "LIST"]))
        .matches(" addr=")
        .count()
}

/// Whether the server logged the limit warning (it may take a moment to
/// reach the log file).
fn logged_limit(srv: &ServerProcess) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if srv.output().contains(LOG_LINE) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        sleep(Duration::from_millis(50));
    }
}

fn subscribe(conn: &mut RawConnection, channel: &str) {
    let reply = conn.command(&["SUBSCRIBE", channel]);
    let want = format!(
        "*3\r\n$9\r\nsubscribe\r\n${}\r\n{channel}\r\n:1\r\n",
        channel.len()
    );
    assert_eq!(text(&reply), want);
}

#[test]
fn a_flooded_subscriber_that_never_reads_is_disconnected_on_both_servers() {
    let Some((rkv, redis)) = on_both(|srv| {
        let mut admin = srv.raw();
        set_limit(&mut admin, "pubsub 1mb 512kb 1");
        let mut lazy = srv.raw();
        subscribe(&mut lazy, "flood");
        let payload = "x".repeat(64 * 1024);
        // 16 MB in all: far past the limit and what the sockets can hold.
        let mut receivers = Vec::new();
        for _ in 0..256 {
            receivers.push(text(&admin.command(&["PUBLISH", "flood", &payload])));
        }
        wait_for_reply(
            &mut admin,
            &["PUBSUB", "NUMSUB", "flood"],
            "*2\r\n$5\r\nflood\r\n:0\r\n",
        );
        // Each PUBLISH reached the subscriber until it was dropped.
        let reached = receivers.iter().take_while(|r| *r == ":1\r\n").count();
        assert!(receivers[reached..].iter().all(|r| r == ":0\r\n"));
        assert!(reached < 256, "never disconnected");
        (client_count(&mut admin), logged_limit(srv))
    }) else {
        return;
    };
    assert_eq!(rkv, (1, true));
    assert_eq!(rkv, redis);
}

#[test]
fn pipelined_replies_over_the_normal_hard_limit_close_the_client_unanswered() {
    let Some((rkv, redis)) = on_both(|srv| {
        let mut admin = srv.raw();
        let element = "e".repeat(100);
        let mut rpush = vec!["RPUSH".to_string(), "list".to_string()];
        rpush.extend(std::iter::repeat_n(element, 1000));
        assert_eq!(text(&admin.command(&rpush)), ":1000\r\n");
        set_limit(&mut admin, "normal 1mb 0 0");
        // One LRANGE (about 108 KB) and eight of them pipelined stay under
        // the limit; twenty pipelined (about 2.2 MB) go over it.
        let mut fine = srv.raw();
        let mut batch = Vec::new();
        for _ in 0..8 {
            batch.extend(rkv_proto::encode_command(&["LRANGE", "list", "0", "-1"]));
        }
        fine.send(&batch);
        for _ in 0..8 {
            assert!(fine.read_reply().starts_with(b"*1000\r\n"));
        }
        let mut greedy = srv.raw();
        let mut batch = Vec::new();
        for _ in 0..20 {
            batch.extend(rkv_proto::encode_command(&["LRANGE", "list", "0", "-1"]));
        }
        greedy.send(&batch);
        let greedy_outcome = greedy.wait_closed();
        assert_eq!(text(&fine.command(&["PING"])), "+PONG\r\n");
        (greedy_outcome, client_count(&mut admin), logged_limit(srv))
    }) else {
        return;
    };
    assert_eq!(rkv, (CloseOutcome::Closed, 2, true));
    assert_eq!(rkv, redis);
}

#[test]
fn one_reply_bigger_than_the_normal_hard_limit_closes_even_a_reading_client() {
    let Some((rkv, redis)) = on_both(|srv| {
        let mut admin = srv.raw();
        let big = "v".repeat(2 * 1024 * 1024);
        assert_eq!(text(&admin.command(&["SET", "big", &big])), "+OK\r\n");
        set_limit(&mut admin, "normal 1mb 0 0");
        let mut reader = srv.raw();
        reader.send_command(&["GET", "big"]);
        let outcome = reader.wait_closed();
        // The key is untouched: a fresh client sees all of it.
        let mut fresh = srv.raw();
        let strlen = text(&fresh.command(&["STRLEN", "big"]));
        (outcome, strlen, logged_limit(srv))
    }) else {
        return;
    };
    assert_eq!(
        rkv,
        (CloseOutcome::Closed, ":2097152\r\n".to_string(), true)
    );
    assert_eq!(rkv, redis);
}

#[test]
fn a_client_that_stops_reading_is_closed_after_its_soft_limit_seconds() {
    let Some((rkv, redis)) = on_both(|srv| {
        let mut admin = srv.raw();
        let value = "v".repeat(512 * 1024);
        assert_eq!(text(&admin.command(&["SET", "half", &value])), "+OK\r\n");
        set_limit(&mut admin, "normal 0 1mb 1");
        // 32 replies of 512 KB (16 MB) sent in one pipeline, never read:
        // the output stays over the soft limit with nothing added to it,
        // so only the servers' cron can notice the seconds going by.
        let mut stalled = srv.raw();
        let mut batch = Vec::new();
        for _ in 0..32 {
            batch.extend(rkv_proto::encode_command(&["GET", "half"]));
        }
        stalled.send(&batch);
        sleep(Duration::from_millis(500));
        let before = client_count(&mut admin);
        let started = Instant::now();
        let deadline = started + Duration::from_secs(10);
        while client_count(&mut admin) != 1 && Instant::now() < deadline {
            sleep(Duration::from_millis(50));
        }
        let waited = started.elapsed();
        // Over the soft limit for more than one whole second: closed
        // between one and three seconds after it first went over.
        let in_time = waited >= Duration::from_millis(500) && waited < Duration::from_secs(4);
        stalled.abort();
        (before, client_count(&mut admin), in_time, logged_limit(srv))
    }) else {
        return;
    };
    assert_eq!(rkv, (2, 1, true, true));
    assert_eq!(rkv, redis);
}

/// An INFO clients field as a number.
fn info_clients_field(admin: &mut RawConnection, field: &str) -> u64 {
    let info = text(&admin.command(&["INFO", "clients"]));
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {info:?}"))
}

#[test]
fn recent_buffer_peaks_and_pending_output_show_in_info_and_client_list() {
    let Some((rkv, redis)) = on_both(|srv| {
        let mut admin = srv.raw();
        let big = "v".repeat(2 * 1024 * 1024);
        // A 2 MB argument fills the writer's query buffer for a moment.
        let mut writer = srv.raw();
        assert_eq!(text(&writer.command(&["SET", "big", &big])), "+OK\r\n");
        // Ten 2 MB replies nobody reads stay queued in the server.
        let mut stalled = srv.raw();
        let mut batch = Vec::new();
        for _ in 0..10 {
            batch.extend(rkv_proto::encode_command(&["GET", "big"]));
        }
        stalled.send(&batch);
        // Both servers sample client buffers in their cron (10 times a second).
        sleep(Duration::from_millis(600));
        let input = info_clients_field(&mut admin, "client_recent_max_input_buffer");
        let output = info_clients_field(&mut admin, "client_recent_max_output_buffer");
        let list = text(&admin.command(&["CLIENT", "LIST"]));
        let line = list
            .lines()
            .find(|l| l.contains("cmd=get"))
            .unwrap_or_default()
            .to_string();
        let omem: u64 = line
            .split(' ')
            .find_map(|w| w.strip_prefix("omem="))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        stalled.abort();
        (
            input >= 2 * 1024 * 1024,
            output > 8 * 1024 * 1024,
            omem > 8 * 1024 * 1024,
            line.contains(" events=rw "),
        )
    }) else {
        return;
    };
    assert_eq!(rkv, (true, true, true, true));
    assert_eq!(rkv, redis);
}

#[test]
fn a_flooded_subscriber_shows_its_queued_messages_as_omem() {
    let Some((rkv, redis)) = on_both(|srv| {
        let mut admin = srv.raw();
        set_limit(&mut admin, "pubsub 0 0 0");
        let mut lazy = srv.raw();
        subscribe(&mut lazy, "flood");
        let payload = "x".repeat(64 * 1024);
        // 16 MB, far more than the sockets hold: most of it waits in the server.
        for _ in 0..256 {
            assert_eq!(
                text(&admin.command(&["PUBLISH", "flood", &payload])),
                ":1\r\n"
            );
        }
        let list = text(&admin.command(&["CLIENT", "LIST"]));
        let line = list
            .lines()
            .find(|l| l.contains("sub=1"))
            .unwrap_or_default();
        let field = |name: &str| -> u64 {
            line.split(' ')
                .find_map(|w| w.strip_prefix(name))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        let (omem, tot) = (field("omem="), field("tot-mem="));
        // Redis adds client memory up in its cron.
        sleep(Duration::from_millis(500));
        let used_by_clients = info_memory_field(&mut admin, "mem_clients_normal");
        lazy.abort();
        (omem > 8 * 1024 * 1024, tot >= omem, used_by_clients >= omem)
    }) else {
        return;
    };
    assert_eq!(rkv, (true, true, true));
    assert_eq!(rkv, redis);
}

/// An INFO memory field as a number.
fn info_memory_field(admin: &mut RawConnection, field: &str) -> u64 {
    let info = text(&admin.command(&["INFO", "memory"]));
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {info:?}"))
}
