//! Keyspace events of blocked clients served later (BLPOP, BLMOVE, BLMPOP,
//! BZPOPMIN, BZMPOP, XREADGROUP): a watcher connection subscribed to every
//! event sees what a push by one client and the service of another produce.
//! Each scenario runs on redis-server and on rkv-server, and everything the
//! clients and the watcher received must be byte-identical.

use std::thread::sleep;
use std::time::{Duration, Instant};

use rkv_tests::{skip_without_redis_server, RawConnection, ServerKind, ServerProcess};

/// Everything one run received, labelled by connection and step.
type Transcript = Vec<(String, Vec<u8>)>;

/// INFO clients `blocked_clients`.
fn blocked_clients(conn: &mut RawConnection) -> usize {
    let info = String::from_utf8_lossy(&conn.command(&["INFO", "clients"])).into_owned();
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

/// Reads frames until one contains `marker` (not included).
fn read_until(conn: &mut RawConnection, marker: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    loop {
        let frame = conn.read_reply();
        if frame.windows(marker.len()).any(|w| w == marker) {
            return got;
        }
        got.extend_from_slice(&frame);
    }
}

/// One server with a watcher subscribed to every keyspace event (RESP2)
/// and to a `sync` channel that marks the end of what to collect.
struct Setup {
    _server: ServerProcess,
    watcher: RawConnection,
    waiter: RawConnection,
    pusher: RawConnection,
    transcript: Transcript,
}

impl Setup {
    fn start(kind: ServerKind) -> Setup {
        let server = ServerProcess::start(kind);
        let mut watcher = server.raw();
        assert_eq!(
            watcher.command(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]),
            b"+OK\r\n"
        );
        watcher.command(&["PSUBSCRIBE", "__key*__:*"]);
        watcher.command(&["SUBSCRIBE", "sync"]);
        Setup {
            waiter: server.raw(),
            pusher: server.raw(),
            watcher,
            _server: server,
            transcript: Vec::new(),
        }
    }

    /// The pusher runs `args`; its reply is recorded.
    fn push(&mut self, args: &[&str]) {
        let reply = self.pusher.command(args);
        self.transcript.push((format!("pusher {args:?}"), reply));
    }

    /// The waiter sends `args` and the test waits until it is blocked.
    fn block(&mut self, args: &[&str]) {
        self.waiter.send_command(args);
        wait_blocked(&mut self.pusher, 1);
    }

    /// Records the waiter's next reply.
    fn served(&mut self, label: &str) {
        let reply = self.waiter.read_reply();
        self.transcript.push((format!("waiter {label}"), reply));
    }

    /// Records what the watcher received so far.
    fn watched(&mut self, label: &str) {
        assert_eq!(self.pusher.command(&["PUBLISH", "sync", "now"]), b":1\r\n");
        let events = read_until(&mut self.watcher, b"$4\r\nsync\r\n$3\r\nnow\r\n");
        self.transcript
            .push((format!("watcher after {label}"), events));
    }
}

/// Runs `scenario` on both servers and compares the transcripts; also
/// checks that redis's transcript mentions every `expected` event.
fn same_on_both(scenario: fn(&mut Setup), expected: &[&str]) {
    if skip_without_redis_server() {
        return;
    }
    let run = |kind| {
        let mut setup = Setup::start(kind);
        scenario(&mut setup);
        setup.transcript
    };
    let want = run(ServerKind::Redis);
    let all: Vec<u8> = want.iter().flat_map(|(_, b)| b.clone()).collect();
    for event in expected {
        let needle = format!("__keyevent@0__:{event}\r\n");
        assert!(
            all.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "redis sent no {event} event"
        );
    }
    let got = run(ServerKind::Rkv);
    assert_eq!(got.len(), want.len());
    for ((label, g), (_, w)) in got.iter().zip(&want) {
        assert_eq!(
            String::from_utf8_lossy(g),
            String::from_utf8_lossy(w),
            "{label}"
        );
    }
}

#[test]
fn blpop_served_by_a_push_reports_the_pop_and_the_deletion() {
    same_on_both(
        |s| {
            s.block(&["BLPOP", "nokey", "l", "0"]);
            s.push(&["RPUSH", "l", "a"]);
            s.served("BLPOP");
            s.watched("RPUSH");
            s.block(&["BRPOP", "l", "0"]);
            s.push(&["LPUSH", "l", "a", "b"]);
            s.served("BRPOP");
            s.watched("LPUSH");
        },
        &["rpush", "lpop", "del", "lpush", "rpop"],
    );
}

#[test]
fn blmove_and_blmpop_served_later() {
    same_on_both(
        |s| {
            s.block(&["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"]);
            s.push(&["LPUSH", "src", "x", "y"]);
            s.served("BLMOVE");
            s.watched("LPUSH src");
            s.block(&["BRPOPLPUSH", "one", "dst", "0"]);
            s.push(&["RPUSH", "one", "z"]);
            s.served("BRPOPLPUSH");
            s.watched("RPUSH one");
            s.block(&["BLMPOP", "0", "2", "nokey", "m", "RIGHT", "COUNT", "5"]);
            s.push(&["RPUSH", "m", "a", "b", "c"]);
            s.served("BLMPOP");
            s.watched("RPUSH m");
        },
        &["lpush", "rpush", "lpop", "rpop", "del"],
    );
}

#[test]
fn bzpopmin_and_bzmpop_served_later() {
    same_on_both(
        |s| {
            s.block(&["BZPOPMIN", "z", "0"]);
            s.push(&["ZADD", "z", "1", "a", "2", "b"]);
            s.served("BZPOPMIN");
            s.watched("ZADD z");
            s.block(&["BZPOPMAX", "z2", "0"]);
            s.push(&["ZADD", "z2", "1", "a"]);
            s.served("BZPOPMAX");
            s.watched("ZADD z2");
            s.block(&["BZMPOP", "0", "1", "z3", "MIN", "COUNT", "9"]);
            s.push(&["ZADD", "z3", "1", "a", "2", "b"]);
            s.served("BZMPOP");
            s.watched("ZADD z3");
        },
        &["zadd", "zpopmin", "zpopmax", "del"],
    );
}

#[test]
fn xreadgroup_served_later_creates_its_consumer() {
    same_on_both(
        |s| {
            s.push(&["XGROUP", "CREATE", "st", "g", "$", "MKSTREAM"]);
            s.block(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "alice",
                "BLOCK",
                "0",
                "STREAMS",
                "st",
                ">",
            ]);
            s.push(&["XADD", "st", "1-1", "f", "v"]);
            s.served("XREADGROUP alice");
            s.watched("XADD");
            s.block(&[
                "XREADGROUP",
                "GROUP",
                "g",
                "alice",
                "BLOCK",
                "0",
                "STREAMS",
                "st",
                ">",
            ]);
            s.push(&["XADD", "st", "2-1", "f", "v"]);
            s.served("XREADGROUP alice again");
            s.watched("XADD again");
        },
        &["xgroup-create", "xadd", "xgroup-createconsumer"],
    );
}

#[test]
fn a_waiter_subscribed_to_its_own_events_gets_them_around_its_reply() {
    same_on_both(
        |s| {
            s.waiter.send_command(&["HELLO", "3"]);
            s.waiter.read_reply();
            s.waiter.command(&["PSUBSCRIBE", "__key*__:*"]);
            s.block(&["BLPOP", "l", "0"]);
            s.push(&["RPUSH", "l", "a"]);
            s.waiter.send_command(&["PING", "waiter-sync"]);
            let got = read_until(&mut s.waiter, b"waiter-sync");
            s.transcript
                .push(("waiter BLPOP with its events".into(), got));
            s.block(&["BZPOPMIN", "z", "0"]);
            s.push(&["ZADD", "z", "1", "a", "2", "b"]);
            s.waiter.send_command(&["PING", "waiter-sync"]);
            let got = read_until(&mut s.waiter, b"waiter-sync");
            s.transcript
                .push(("waiter BZPOPMIN with its events".into(), got));
        },
        &["rpush", "lpop", "zadd", "zpopmin"],
    );
}

#[test]
fn a_pusher_subscribed_to_its_own_events_also_gets_the_served_pops() {
    same_on_both(
        |s| {
            s.pusher.send_command(&["HELLO", "3"]);
            s.pusher.read_reply();
            s.pusher.command(&["PSUBSCRIBE", "__key*__:*"]);
            s.block(&["BLPOP", "l", "0"]);
            s.pusher.send_command(&["RPUSH", "l", "a"]);
            s.pusher.send_command(&["PING", "pusher-sync"]);
            let got = read_until(&mut s.pusher, b"pusher-sync");
            s.transcript
                .push(("pusher RPUSH with its events".into(), got));
            s.served("BLPOP");
        },
        &["rpush", "lpop", "del"],
    );
}
