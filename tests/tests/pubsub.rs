//! Pub/Sub across real connections: delivery to channel, pattern and shard
//! subscribers with the receiver counts, RESP3 pushes interleaved with
//! replies, PUBSUB introspection as subscribers come and go, clean-up when
//! a subscriber disconnects, CLIENT LIST counts.
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

/// RESP bulk strings, as one frame's elements are encoded.
fn bulks(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("${}\r\n{i}\r\n", i.len()))
        .collect()
}

/// A `message` frame as a RESP2 subscriber receives it.
fn message(channel: &str, payload: &str) -> String {
    format!("*3\r\n{}", bulks(&["message", channel, payload]))
}

/// A `pmessage` frame as a RESP2 subscriber receives it.
fn pmessage(pattern: &str, channel: &str, payload: &str) -> String {
    format!("*4\r\n{}", bulks(&["pmessage", pattern, channel, payload]))
}

/// A subscribe confirmation (`head` is `*` or `>`).
fn confirmation(head: char, word: &str, name: &str, count: i64) -> String {
    format!("{head}3\r\n{}:{count}\r\n", bulks(&[word, name]))
}

/// Sends a subscribe-style command and checks each confirmation.
#[track_caller]
fn subscribe(conn: &mut RawConnection, word: &str, names: &[&str], first_count: i64) {
    let mut args = vec![word];
    args.extend_from_slice(names);
    conn.send_command(&args);
    for (i, name) in names.iter().enumerate() {
        assert_eq!(
            text(&conn.read_reply()),
            confirmation(
                '*',
                &word.to_ascii_lowercase(),
                name,
                first_count + i as i64
            )
        );
    }
}

/// Polls `args` on `conn` until it replies `want` (disconnections are
/// processed asynchronously).
#[track_caller]
fn wait_for_reply(conn: &mut RawConnection, args: &[&str], want: &str) {
    let start = Instant::now();
    loop {
        let got = text(&conn.command(args));
        if got == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{args:?} still replies {got:?}, wanted {want:?}"
        );
        sleep(Duration::from_millis(5));
    }
}

#[test]
fn publish_reaches_channel_and_pattern_subscribers() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut s1 = srv.raw();
    let mut s2 = srv.raw();
    let mut s3 = srv.raw();
    let mut publisher = srv.raw();
    subscribe(&mut s1, "SUBSCRIBE", &["news", "sport"], 1);
    subscribe(&mut s2, "PSUBSCRIBE", &["n*"], 1);
    subscribe(&mut s3, "SUBSCRIBE", &["news"], 1);
    subscribe(&mut s3, "PSUBSCRIBE", &["news*"], 2);

    assert_eq!(
        text(&publisher.command(&["PUBLISH", "news", "hi"])),
        ":4\r\n"
    );
    assert_eq!(text(&s1.read_reply()), message("news", "hi"));
    assert_eq!(text(&s2.read_reply()), pmessage("n*", "news", "hi"));
    // A channel subscription is served before the pattern ones.
    assert_eq!(text(&s3.read_reply()), message("news", "hi"));
    assert_eq!(text(&s3.read_reply()), pmessage("news*", "news", "hi"));

    assert_eq!(
        text(&publisher.command(&["PUBLISH", "sport", ""])),
        ":1\r\n"
    );
    assert_eq!(text(&s1.read_reply()), message("sport", ""));
    assert_eq!(
        text(&publisher.command(&["PUBLISH", "other", "x"])),
        ":0\r\n"
    );

    // Subscribers still answer PING in order with the messages.
    assert_eq!(
        text(&publisher.command(&["PUBLISH", "nothing", "binary\r\n\0"])),
        ":1\r\n"
    );
    s2.send_command(&["PING"]);
    assert_eq!(
        text(&s2.read_reply()),
        pmessage("n*", "nothing", "binary\r\n\0")
    );
    assert_eq!(
        text(&s2.read_reply()),
        format!("*2\r\n{}", bulks(&["pong", ""]))
    );
}

#[test]
fn resp3_pushes_interleave_with_replies() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut sub = srv.raw();
    let mut publisher = srv.raw();
    sub.command(&["HELLO", "3"]);
    sub.send_command(&["SUBSCRIBE", "ch"]);
    assert_eq!(
        text(&sub.read_reply()),
        confirmation('>', "subscribe", "ch", 1)
    );
    assert_eq!(text(&sub.command(&["SET", "k", "v"])), "+OK\r\n");

    assert_eq!(text(&publisher.command(&["PUBLISH", "ch", "m1"])), ":1\r\n");
    assert_eq!(
        text(&sub.read_reply()),
        format!(">3\r\n{}", bulks(&["message", "ch", "m1"]))
    );
    assert_eq!(text(&sub.command(&["GET", "k"])), "$1\r\nv\r\n");

    // Publishing to itself: the push comes before the reply.
    sub.send_command(&["PUBLISH", "ch", "self"]);
    assert_eq!(
        text(&sub.read_reply()),
        format!(">3\r\n{}", bulks(&["message", "ch", "self"]))
    );
    assert_eq!(text(&sub.read_reply()), ":1\r\n");
    assert_eq!(text(&sub.command(&["PING"])), "+PONG\r\n");
}

#[test]
fn shard_channels_are_apart_from_plain_channels() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut sub = srv.raw();
    let mut observer = srv.raw();
    subscribe(&mut sub, "SSUBSCRIBE", &["sh1", "sh2"], 1);
    subscribe(&mut sub, "PSUBSCRIBE", &["*"], 1);
    assert_eq!(text(&observer.command(&["SPUBLISH", "sh1", "a"])), ":1\r\n");
    assert_eq!(
        text(&sub.read_reply()),
        format!("*3\r\n{}", bulks(&["smessage", "sh1", "a"]))
    );
    // PUBLISH does not reach shard subscribers, only the pattern.
    assert_eq!(text(&observer.command(&["PUBLISH", "sh1", "b"])), ":1\r\n");
    assert_eq!(text(&sub.read_reply()), pmessage("*", "sh1", "b"));
    // SPUBLISH does not reach pattern subscribers.
    assert_eq!(
        text(&observer.command(&["SPUBLISH", "other", "c"])),
        ":0\r\n"
    );
    assert_eq!(
        text(&observer.command(&["PUBSUB", "SHARDNUMSUB", "sh1", "sh3"])),
        "*4\r\n$3\r\nsh1\r\n:1\r\n$3\r\nsh3\r\n:0\r\n"
    );
    assert_eq!(
        text(&observer.command(&["PUBSUB", "SHARDCHANNELS", "*2"])),
        "*1\r\n$3\r\nsh2\r\n"
    );
    assert_eq!(text(&observer.command(&["PUBSUB", "CHANNELS"])), "*0\r\n");
}

#[test]
fn introspection_follows_subscribers_coming_and_going() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut a = srv.raw();
    let mut b = srv.raw();
    let mut observer = srv.raw();
    subscribe(&mut a, "SUBSCRIBE", &["x"], 1);
    subscribe(&mut b, "SUBSCRIBE", &["x", "y"], 1);
    subscribe(&mut b, "PSUBSCRIBE", &["p*", "q*"], 3);
    subscribe(&mut a, "PSUBSCRIBE", &["p*"], 2);
    subscribe(&mut b, "SSUBSCRIBE", &["s"], 1);

    let numsub = |x: i64, y: i64| format!("*4\r\n$1\r\nx\r\n:{x}\r\n$1\r\ny\r\n:{y}\r\n");
    assert_eq!(
        text(&observer.command(&["PUBSUB", "NUMSUB", "x", "y"])),
        numsub(2, 1)
    );
    assert_eq!(text(&observer.command(&["PUBSUB", "NUMPAT"])), ":2\r\n");
    let stats = text(&observer.command(&["INFO", "stats"]));
    for line in [
        "pubsub_channels:2\r\n",
        "pubsub_patterns:2\r\n",
        "pubsubshard_channels:1\r\n",
    ] {
        assert!(stats.contains(line), "{line:?} not in {stats}");
    }
    assert_eq!(
        text(&observer.command(&["PUBSUB", "CHANNELS", "y"])),
        "*1\r\n$1\r\ny\r\n"
    );
    let list = text(&observer.command(&["CLIENT", "LIST"]));
    let b_line = list
        .lines()
        .find(|l| l.contains("sub=2 psub=2 ssub=1"))
        .unwrap_or_else(|| panic!("no line with b's counts in {list}"));
    assert!(b_line.contains(" flags=P "), "{b_line}");
    assert!(
        list.contains(" flags=P db=0 sub=1 psub=1 ssub=0 "),
        "{list}"
    );

    // b hangs up: everything it held goes.
    b.abort();
    wait_for_reply(&mut observer, &["PUBSUB", "NUMPAT"], ":1\r\n");
    assert_eq!(
        text(&observer.command(&["PUBSUB", "NUMSUB", "x", "y"])),
        numsub(1, 0)
    );
    assert_eq!(
        text(&observer.command(&["PUBSUB", "SHARDCHANNELS"])),
        "*0\r\n"
    );
    assert_eq!(text(&observer.command(&["PUBLISH", "px", "m"])), ":1\r\n");
    assert_eq!(text(&a.read_reply()), pmessage("p*", "px", "m"));

    a.send_command(&["UNSUBSCRIBE", "x"]);
    assert_eq!(
        text(&a.read_reply()),
        confirmation('*', "unsubscribe", "x", 1)
    );
    a.send_command(&["PUNSUBSCRIBE"]);
    assert_eq!(
        text(&a.read_reply()),
        confirmation('*', "punsubscribe", "p*", 0)
    );
    assert_eq!(text(&observer.command(&["PUBSUB", "CHANNELS"])), "*0\r\n");
    assert_eq!(text(&observer.command(&["PUBSUB", "NUMPAT"])), ":0\r\n");
    // Out of subscribed mode: ordinary commands work again.
    assert_eq!(text(&a.command(&["GET", "nokey"])), "$-1\r\n");
    let list = text(&observer.command(&["CLIENT", "LIST"]));
    assert!(!list.contains("flags=P"), "{list}");
}

/// INFO memory `used_memory`.
fn used_memory(conn: &mut RawConnection) -> u64 {
    let info = text(&conn.command(&["INFO", "memory"]));
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no used_memory in {info:?}"))
}

#[test]
fn output_buffer_limit_config_reads_back_as_redis_formats_it() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut c = srv.raw();
    let get = ["CONFIG", "GET", "client-output-buffer-limit"];
    let reply = |v: &str| format!("*2\r\n{}", bulks(&["client-output-buffer-limit", v]));
    assert_eq!(
        text(&c.command(&get)),
        reply("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")
    );
    let set = |c: &mut RawConnection, v: &str| {
        text(&c.command(&["CONFIG", "SET", "client-output-buffer-limit", v]))
    };
    assert_eq!(set(&mut c, "pubsub 1mb 500kb 10"), "+OK\r\n");
    assert_eq!(set(&mut c, "replica 1 2 3"), "+OK\r\n");
    assert_eq!(
        text(&c.command(&get)),
        reply("normal 0 0 0 slave 1 2 3 pubsub 1048576 512000 10")
    );
    let failed = |why: &str| {
        format!(
            "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - {why}\r\n"
        )
    };
    assert_eq!(
        set(&mut c, "pubsub 1mb 1mb"),
        failed("Wrong number of arguments in buffer limit configuration.")
    );
    assert_eq!(
        set(&mut c, "master 1 1 1"),
        failed("Invalid client class specified in buffer limit configuration.")
    );
    assert_eq!(
        set(&mut c, "pubsub 1 1 x"),
        failed("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
    );
}

#[test]
fn a_subscriber_that_never_reads_is_disconnected_at_the_pubsub_limit() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut admin = srv.raw();
    let limit = [
        "CONFIG",
        "SET",
        "client-output-buffer-limit",
        "pubsub 4mb 0 0",
    ];
    assert_eq!(text(&admin.command(&limit)), "+OK\r\n");
    let mut lazy = srv.raw();
    subscribe(&mut lazy, "SUBSCRIBE", &["big"], 1);
    let baseline = used_memory(&mut admin);
    let payload = "x".repeat(256 * 1024);
    // 64 MB in all, far past the limit and whatever the sockets buffer.
    for i in 0..256 {
        admin.command(&["PUBLISH", "big", &payload]);
        if i % 16 == 0 {
            let used = used_memory(&mut admin);
            assert!(
                used < baseline + 24 * 1024 * 1024,
                "used_memory grew to {used} (baseline {baseline})"
            );
        }
    }
    wait_for_reply(
        &mut admin,
        &["PUBSUB", "NUMSUB", "big"],
        "*2\r\n$3\r\nbig\r\n:0\r\n",
    );
    let list = text(&admin.command(&["CLIENT", "LIST"]));
    assert_eq!(list.matches(" addr=").count(), 1, "{list}");
    assert_eq!(text(&admin.command(&["PUBLISH", "big", "x"])), ":0\r\n");
    drop(lazy);
}

#[test]
fn a_subscriber_over_the_soft_limit_for_too_long_is_disconnected() {
    if skip_without_redis_server() {
        return;
    }
    let srv = server();
    let mut admin = srv.raw();
    let limit = [
        "CONFIG",
        "SET",
        "client-output-buffer-limit",
        "pubsub 0 1mb 1",
    ];
    assert_eq!(text(&admin.command(&limit)), "+OK\r\n");
    let mut lazy = srv.raw();
    subscribe(&mut lazy, "SUBSCRIBE", &["big"], 1);
    let payload = "x".repeat(256 * 1024);
    // 16 MB: more than the sockets take, so output stays queued.
    for _ in 0..64 {
        assert_eq!(
            text(&admin.command(&["PUBLISH", "big", &payload])),
            ":1\r\n"
        );
    }
    // Over the soft limit but not yet for long enough: still subscribed.
    assert_eq!(
        text(&admin.command(&["PUBSUB", "NUMSUB", "big"])),
        "*2\r\n$3\r\nbig\r\n:1\r\n"
    );
    sleep(Duration::from_millis(2500));
    admin.command(&["PUBLISH", "big", "late"]);
    wait_for_reply(
        &mut admin,
        &["PUBSUB", "NUMSUB", "big"],
        "*2\r\n$3\r\nbig\r\n:0\r\n",
    );
    drop(lazy);
}
