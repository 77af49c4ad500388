//! Transactions across real connections: WATCH broken by other clients,
//! a blocked BLPOP served by another client's MULTI/RPUSH/EXEC, CLIENT
//! PAUSE WRITE holding transactions with writes, MONITOR's view of a
//! transaction, and the `x`/`d` flags in CLIENT LIST.
//!
//! Each scenario runs against redis-server and rkv-server and the two
//! transcripts (replies, with addresses, ids and timestamps masked) must be
//! identical; a few facts are also asserted outright.

use std::thread::sleep;
use std::time::{Duration, Instant};

use rkv_tests::{skip_without_redis_server, RawConnection, ServerProcess};

fn text(reply: &[u8]) -> String {
    String::from_utf8_lossy(reply).into_owned()
}

/// What one scenario saw, line by line.
#[derive(Default)]
struct Transcript {
    lines: Vec<String>,
}

impl Transcript {
    /// Runs `args` on `conn` (named `who` in the transcript) and records
    /// the reply.
    fn run(&mut self, who: &str, conn: &mut RawConnection, args: &[&str]) -> String {
        let reply = text(&conn.command(args));
        self.note(who, &args.join(" "), &reply);
        reply
    }

    /// Records a reply read separately (after a blocked command).
    fn note(&mut self, who: &str, what: &str, reply: &str) {
        self.lines.push(format!("{who} {what} -> {reply:?}"));
    }
}

/// Runs `scenario` on both servers and compares what they answered.
fn compare(scenario: fn(&ServerProcess, &mut Transcript)) -> Vec<String> {
    let mut seen = Vec::new();
    for server in [ServerProcess::redis(), ServerProcess::rkv()] {
        let mut t = Transcript::default();
        scenario(&server, &mut t);
        seen.push(t.lines);
    }
    let rkv = seen.pop().unwrap();
    let redis = seen.pop().unwrap();
    for (i, (want, got)) in redis.iter().zip(&rkv).enumerate() {
        assert_eq!(got, want, "step {i} differs (left: rkv, right: redis)");
    }
    assert_eq!(rkv.len(), redis.len());
    rkv
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

/// The CLIENT LIST fields that describe `name`'s transaction state.
fn tx_fields(list: &str, name: &str) -> String {
    let line = list
        .lines()
        .find(|l| l.contains(&format!(" name={name} ")))
        .unwrap_or_else(|| panic!("no client {name} in {list}"));
    line.split(' ')
        .filter(|f| {
            ["flags=", "multi=", "multi-mem=", "cmd="]
                .iter()
                .any(|p| f.starts_with(p))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn watch_is_broken_by_another_clients_flush_and_swapdb() {
    if skip_without_redis_server() {
        return;
    }
    let t = compare(|server, t| {
        let (mut a, mut b) = (server.raw(), server.raw());
        t.run("a", &mut a, &["SET", "k", "1"]);
        t.run("a", &mut a, &["WATCH", "k"]);
        t.run("b", &mut b, &["FLUSHDB"]);
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["SET", "k", "mine"]);
        t.run("a", &mut a, &["EXEC"]);
        t.run("a", &mut a, &["EXISTS", "k"]);
        // A flush of nothing the client watches changes nothing.
        t.run("a", &mut a, &["WATCH", "k"]);
        t.run("b", &mut b, &["FLUSHALL"]);
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["SET", "k", "mine"]);
        t.run("a", &mut a, &["EXEC"]);
        // SWAPDB brings a key into the watched database.
        t.run("b", &mut b, &["SELECT", "1"]);
        t.run("b", &mut b, &["SET", "s", "other"]);
        t.run("a", &mut a, &["WATCH", "s"]);
        t.run("b", &mut b, &["SWAPDB", "0", "1"]);
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["GET", "s"]);
        t.run("a", &mut a, &["EXEC"]);
    });
    assert!(t[5].ends_with("\"*-1\\r\\n\""), "{}", t[5]);
    assert!(t[11].ends_with("\"*1\\r\\n+OK\\r\\n\""), "{}", t[11]);
    assert!(t[18].ends_with("\"*-1\\r\\n\""), "{}", t[18]);
}

/// Needs SET to signal the key as modified (the families' signalModifiedKey
/// calls); GET must not break the watch.
#[test]
fn watch_is_broken_by_another_clients_write() {
    if skip_without_redis_server() {
        return;
    }
    let t = compare(|server, t| {
        let (mut a, mut b) = (server.raw(), server.raw());
        t.run("a", &mut a, &["SET", "k", "1"]);
        t.run("a", &mut a, &["WATCH", "k"]);
        t.run("b", &mut b, &["GET", "k"]);
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["INCR", "k"]);
        t.run("a", &mut a, &["EXEC"]);
        t.run("a", &mut a, &["WATCH", "k"]);
        t.run("b", &mut b, &["SET", "k", "10"]);
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["INCR", "k"]);
        t.run("a", &mut a, &["EXEC"]);
        t.run("a", &mut a, &["GET", "k"]);
    });
    assert!(t[5].ends_with("\"*1\\r\\n:2\\r\\n\""), "{}", t[5]);
    assert!(t[10].ends_with("\"*-1\\r\\n\""), "{}", t[10]);
}

#[test]
fn blpop_is_served_once_by_another_clients_transaction() {
    if skip_without_redis_server() {
        return;
    }
    let t = compare(|server, t| {
        let (mut waiter, mut b) = (server.raw(), server.raw());
        waiter.send_command(&["BLPOP", "l", "0"]);
        wait_blocked(&mut b, 1);
        t.run("b", &mut b, &["MULTI"]);
        t.run("b", &mut b, &["RPUSH", "l", "x", "y"]);
        t.run("b", &mut b, &["LPUSH", "l", "w"]);
        // Inside EXEC nobody has been served yet: LLEN sees all three.
        t.run("b", &mut b, &["LLEN", "l"]);
        t.run("b", &mut b, &["EXEC"]);
        let served = text(&waiter.read_reply());
        t.note("waiter", "BLPOP l 0", &served);
        t.run("b", &mut b, &["LRANGE", "l", "0", "-1"]);
        assert_eq!(blocked_clients(&mut b), 0);
    });
    assert!(
        t[4].ends_with("\"*3\\r\\n:2\\r\\n:3\\r\\n:3\\r\\n\""),
        "{}",
        t[4]
    );
    assert!(
        t[5].ends_with("\"*2\\r\\n$1\\r\\nl\\r\\n$1\\r\\nw\\r\\n\""),
        "{}",
        t[5]
    );
}

#[test]
fn blocking_command_inside_exec_does_not_block() {
    if skip_without_redis_server() {
        return;
    }
    compare(|server, t| {
        let (mut a, mut b) = (server.raw(), server.raw());
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["BLPOP", "nothing", "0"]);
        t.run("a", &mut a, &["BZPOPMAX", "nothing", "0"]);
        t.run("a", &mut a, &["EXEC"]);
        assert_eq!(blocked_clients(&mut b), 0);
    });
}

/// How long the reply to `args` took.
fn timed(conn: &mut RawConnection, args: &[&str]) -> (String, Duration) {
    let start = Instant::now();
    let reply = text(&conn.command(args));
    (reply, start.elapsed())
}

#[test]
fn client_pause_write_holds_transactions_with_writes() {
    if skip_without_redis_server() {
        return;
    }
    let t = compare(|server, t| {
        let (mut a, mut b) = (server.raw(), server.raw());
        t.run("a", &mut a, &["SET", "k", "1"]);
        // Queued before the pause: a read-only transaction runs at once,
        // one with a write waits for the pause to end.
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["GET", "k"]);
        t.run("b", &mut b, &["CLIENT", "PAUSE", "400", "WRITE"]);
        let (reply, took) = timed(&mut a, &["EXEC"]);
        t.note("a", "EXEC (reads)", &reply);
        t.note(
            "a",
            "held",
            &(took >= Duration::from_millis(300)).to_string(),
        );
        t.run("b", &mut b, &["CLIENT", "UNPAUSE"]);
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["INCR", "k"]);
        t.run("b", &mut b, &["CLIENT", "PAUSE", "400", "WRITE"]);
        let (reply, took) = timed(&mut a, &["EXEC"]);
        t.note("a", "EXEC (writes)", &reply);
        t.note(
            "a",
            "held",
            &(took >= Duration::from_millis(300)).to_string(),
        );
        // Queueing a write is held too.
        t.run("a", &mut a, &["MULTI"]);
        t.run("b", &mut b, &["CLIENT", "PAUSE", "400", "WRITE"]);
        let (reply, took) = timed(&mut a, &["INCR", "k"]);
        t.note("a", "INCR (queued)", &reply);
        t.note(
            "a",
            "held",
            &(took >= Duration::from_millis(300)).to_string(),
        );
        t.run("a", &mut a, &["EXEC"]);
    });
    let held: Vec<&String> = t.iter().filter(|l| l.starts_with("a held")).collect();
    assert_eq!(
        held,
        [
            "a held -> \"false\"",
            "a held -> \"true\"",
            "a held -> \"true\""
        ]
    );
}

/// Masks the timestamp and address of a MONITOR line.
fn monitor_line(line: &str) -> String {
    let rest = line.split_once(']').map_or(line, |(_, rest)| rest);
    format!("+T [db addr]{rest}")
}

#[test]
fn monitor_sees_multi_then_queued_commands_then_exec() {
    if skip_without_redis_server() {
        return;
    }
    let t = compare(|server, t| {
        let (mut m, mut a) = (server.raw(), server.raw());
        t.run("m", &mut m, &["MONITOR"]);
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["SET", "k", "v"]);
        t.run("a", &mut a, &["GET", "k"]);
        t.run("a", &mut a, &["EXEC"]);
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["EXEC", "x"]);
        for _ in 0..6 {
            let line = text(&m.read_reply());
            t.note("m", "feed", &monitor_line(&line));
        }
    });
    let feed: Vec<&String> = t.iter().filter(|l| l.starts_with("m feed")).collect();
    assert!(feed[0].contains("\\\"MULTI\\\""), "{feed:?}");
    assert!(feed[1].contains("\\\"SET\\\""), "{feed:?}");
    assert!(feed[3].contains("\\\"EXEC\\\""), "{feed:?}");
    assert!(feed[5].contains("\\\"EXEC\\\" \\\"x\\\""), "{feed:?}");
}

#[test]
fn client_list_shows_multi_and_dirty_flags() {
    if skip_without_redis_server() {
        return;
    }
    compare(|server, t| {
        let (mut a, mut b) = (server.raw(), server.raw());
        t.run("a", &mut a, &["CLIENT", "SETNAME", "tx"]);
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["SET", "x", "12345"]);
        t.run("a", &mut a, &["PING"]);
        let list = text(&b.command(&["CLIENT", "LIST"]));
        t.note("b", "CLIENT LIST", &tx_fields(&list, "tx"));
        t.run("a", &mut a, &["DISCARD"]);
        t.run("a", &mut a, &["SET", "w", "1"]);
        t.run("a", &mut a, &["WATCH", "w"]);
        t.run("b", &mut b, &["FLUSHALL"]);
        let list = text(&b.command(&["CLIENT", "LIST"]));
        t.note("b", "CLIENT LIST", &tx_fields(&list, "tx"));
        t.run("a", &mut a, &["UNWATCH"]);
        let list = text(&b.command(&["CLIENT", "LIST"]));
        t.note("b", "CLIENT LIST", &tx_fields(&list, "tx"));
    });
}

/// CLIENT REPLY OFF/SKIP drop each reply added while they are in force, so
/// a transaction that changes the mode sends a partial array, as Redis
/// does. Silenced commands get nothing back, so the commands are pipelined
/// and the replies read as frames up to a final PING.
#[test]
fn client_reply_inside_exec_silences_replies_one_by_one() {
    if skip_without_redis_server() {
        return;
    }
    compare(|server, t| {
        let mut a = server.raw();
        let script = [
            "MULTI",
            "CLIENT REPLY SKIP",
            "PING",
            "EXEC",
            "PING a",
            "PING b",
            "CLIENT REPLY SKIP",
            "MULTI",
            "PING c",
            "EXEC",
            "MULTI",
            "PING d",
            "CLIENT REPLY OFF",
            "PING e",
            "EXEC",
            "PING f",
            "CLIENT REPLY ON",
            "PING g",
            "CLIENT REPLY OFF",
            "MULTI",
            "PING h",
            "CLIENT REPLY ON",
            "PING i",
            "EXEC",
            "MULTI",
            "CLIENT REPLY SKIP",
            "EXEC",
            "PING j",
            "PING k",
            "PING end",
        ];
        for line in script {
            let args: Vec<&str> = line.split(' ').collect();
            a.send_command(&args);
        }
        loop {
            let frame = text(&a.read_reply());
            t.note("a", "frame", &frame);
            if frame.ends_with("end\r\n") {
                break;
            }
        }
    });
}

/// QUIT and RESET run at once inside MULTI: QUIT closes the connection
/// (its watches go with it), RESET leaves MULTI and drops the queue.
#[test]
fn quit_and_reset_are_not_queued() {
    if skip_without_redis_server() {
        return;
    }
    compare(|server, t| {
        let (mut a, mut b) = (server.raw(), server.raw());
        t.run("a", &mut a, &["SET", "k", "1"]);
        t.run("a", &mut a, &["WATCH", "k"]);
        t.run("a", &mut a, &["MULTI"]);
        t.run("a", &mut a, &["SET", "k", "2"]);
        t.run("a", &mut a, &["QUIT"]);
        let closed = matches!(a.wait_closed(), rkv_tests::raw::CloseOutcome::Closed);
        t.note("a", "closed", &closed.to_string());
        t.run("b", &mut b, &["GET", "k"]);
        t.run("b", &mut b, &["MULTI"]);
        t.run("b", &mut b, &["SET", "k", "3"]);
        t.run("b", &mut b, &["RESET"]);
        t.run("b", &mut b, &["EXEC"]);
        t.run("b", &mut b, &["GET", "k"]);
    });
}
