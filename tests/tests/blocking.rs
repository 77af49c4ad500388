//! Blocking list and sorted set commands across real connections: service
//! order, timeouts, BLMOVE/BLMPOP, BZPOPMIN/BZPOPMAX/BZMPOP, CLIENT UNBLOCK,
//! keys that change type or vanish while clients wait, and the pipeline
//! behind a blocked command.
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
fn blpop_serves_clients_in_the_order_they_blocked() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut pusher = server.raw();
    let mut waiters: Vec<RawConnection> = (0..3).map(|_| server.raw()).collect();
    for (i, w) in waiters.iter_mut().enumerate() {
        block(w, &mut pusher, &["BLPOP", "other", "k", "0"], i + 1);
    }
    let list = text(&pusher.command(&["CLIENT", "LIST"]));
    assert_eq!(list.matches(" flags=b ").count(), 3, "{list}");
    assert_eq!(pusher.command(&["RPUSH", "k", "a", "b", "c"]), b":3\r\n");
    for (w, v) in waiters.iter_mut().zip(["a", "b", "c"]) {
        let want = format!("*2\r\n$1\r\nk\r\n$1\r\n{v}\r\n");
        assert_eq!(text(&w.read_reply()), want);
    }
    assert_eq!(pusher.command(&["EXISTS", "k"]), b":0\r\n");
    assert_eq!(blocked_clients(&mut pusher), 0);
}

#[test]
fn one_push_of_one_element_serves_only_the_first_waiter() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut pusher = server.raw();
    let mut first = server.raw();
    let mut second = server.raw();
    block(&mut first, &mut pusher, &["BRPOP", "k", "0"], 1);
    block(&mut second, &mut pusher, &["BRPOP", "k", "0"], 2);
    assert_eq!(pusher.command(&["LPUSH", "k", "x"]), b":1\r\n");
    assert_eq!(first.read_reply(), b"*2\r\n$1\r\nk\r\n$1\r\nx\r\n");
    wait_blocked(&mut pusher, 1);
    assert_eq!(pusher.command(&["LPUSH", "k", "y"]), b":1\r\n");
    assert_eq!(second.read_reply(), b"*2\r\n$1\r\nk\r\n$1\r\ny\r\n");
}

#[test]
fn timeouts_reply_null_after_the_fractional_timeout() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut c = server.raw();
    let start = Instant::now();
    assert_eq!(c.command(&["BLPOP", "nokey", "0.3"]), b"*-1\r\n");
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(280), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    // Redis 7.0 times every list block out with a null array, BLMOVE too.
    assert_eq!(
        c.command(&["BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.05"]),
        b"*-1\r\n"
    );
    assert_eq!(c.command(&["BRPOPLPUSH", "nokey", "d", "0.05"]), b"*-1\r\n");
    assert_eq!(
        c.command(&["BLMPOP", "0.05", "1", "nokey", "LEFT"]),
        b"*-1\r\n"
    );
    c.command(&["HELLO", "3"]);
    assert_eq!(c.command(&["BRPOP", "nokey", "0.05"]), b"_\r\n");
    assert_eq!(
        c.command(&["BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.05"]),
        b"_\r\n"
    );
    assert_eq!(c.command(&["EXISTS", "d"]), b":0\r\n");
}

#[test]
fn blmove_moves_the_pushed_element() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut pusher = server.raw();
    let mut mover = server.raw();
    block(
        &mut mover,
        &mut pusher,
        &["BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"],
        1,
    );
    assert_eq!(pusher.command(&["RPUSH", "src", "a", "b"]), b":2\r\n");
    assert_eq!(mover.read_reply(), b"$1\r\nb\r\n");
    assert_eq!(
        pusher.command(&["LRANGE", "src", "0", "-1"]),
        b"*1\r\n$1\r\na\r\n"
    );
    assert_eq!(
        pusher.command(&["LRANGE", "dst", "0", "-1"]),
        b"*1\r\n$1\r\nb\r\n"
    );

    // The destination became a string while the client waited: Redis 7.0
    // unblocks it with WRONGTYPE and leaves the source alone.
    block(
        &mut mover,
        &mut pusher,
        &["BRPOPLPUSH", "src2", "str", "0"],
        1,
    );
    assert_eq!(pusher.command(&["SET", "str", "v"]), b"+OK\r\n");
    assert_eq!(pusher.command(&["RPUSH", "src2", "x"]), b":1\r\n");
    assert_eq!(
        text(&mover.read_reply()),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        pusher.command(&["LRANGE", "src2", "0", "-1"]),
        b"*1\r\n$1\r\nx\r\n"
    );
}

#[test]
fn blmove_chain_serves_a_client_waiting_on_the_destination() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut pusher = server.raw();
    let mut mover = server.raw();
    let mut popper = server.raw();
    block(&mut popper, &mut pusher, &["BLPOP", "dst", "0"], 1);
    block(
        &mut mover,
        &mut pusher,
        &["BLMOVE", "src", "dst", "LEFT", "LEFT", "0"],
        2,
    );
    assert_eq!(pusher.command(&["LPUSH", "src", "v"]), b":1\r\n");
    assert_eq!(mover.read_reply(), b"$1\r\nv\r\n");
    assert_eq!(popper.read_reply(), b"*2\r\n$3\r\ndst\r\n$1\r\nv\r\n");
    assert_eq!(pusher.command(&["EXISTS", "src", "dst"]), b":0\r\n");
}

#[test]
fn blmpop_pops_count_from_the_key_that_got_data() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut pusher = server.raw();
    let mut c = server.raw();
    block(
        &mut c,
        &mut pusher,
        &["BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2"],
        1,
    );
    assert_eq!(pusher.command(&["RPUSH", "b", "1", "2", "3"]), b":3\r\n");
    assert_eq!(
        c.read_reply(),
        b"*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        pusher.command(&["LRANGE", "b", "0", "-1"]),
        b"*1\r\n$1\r\n1\r\n"
    );
}

#[test]
fn client_unblock_with_timeout_and_error() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut admin = server.raw();
    let mut c = server.raw();
    let id = text(&c.command(&["CLIENT", "ID"]));
    let id = id.trim_start_matches(':').trim().to_string();
    assert_eq!(admin.command(&["CLIENT", "UNBLOCK", &id]), b":0\r\n");

    block(&mut c, &mut admin, &["BLPOP", "k", "0"], 1);
    assert_eq!(
        admin.command(&["CLIENT", "UNBLOCK", &id, "TIMEOUT"]),
        b":1\r\n"
    );
    assert_eq!(c.read_reply(), b"*-1\r\n");

    block(
        &mut c,
        &mut admin,
        &["BLMOVE", "k", "d", "LEFT", "LEFT", "0"],
        1,
    );
    assert_eq!(admin.command(&["CLIENT", "UNBLOCK", &id]), b":1\r\n");
    assert_eq!(c.read_reply(), b"*-1\r\n");

    block(&mut c, &mut admin, &["BRPOP", "k", "0"], 1);
    assert_eq!(
        admin.command(&["CLIENT", "UNBLOCK", &id, "error"]),
        b":1\r\n"
    );
    assert_eq!(
        c.read_reply(),
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
    assert_eq!(blocked_clients(&mut admin), 0);
    assert_eq!(c.command(&["PING"]), b"+PONG\r\n");
}

#[test]
fn key_deleted_or_retyped_keeps_the_client_blocked_until_a_push() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut other = server.raw();
    let mut c = server.raw();
    block(&mut c, &mut other, &["BLPOP", "k", "0"], 1);
    assert_eq!(other.command(&["SET", "k", "str"]), b"+OK\r\n");
    assert_eq!(other.command(&["APPEND", "k", "more"]), b":7\r\n");
    assert_eq!(other.command(&["DEL", "k"]), b":1\r\n");
    assert_eq!(other.command(&["RPUSH", "k2", "x"]), b":1\r\n");
    assert_eq!(other.command(&["LPOP", "k2"]), b"$1\r\nx\r\n");
    assert_eq!(blocked_clients(&mut other), 1);
    assert_eq!(other.command(&["RPUSH", "k", "v"]), b":1\r\n");
    assert_eq!(c.read_reply(), b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
    assert_eq!(blocked_clients(&mut other), 0);
}

#[test]
fn pipeline_behind_a_blocked_command_runs_after_its_reply() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut other = server.raw();
    let mut c = server.raw();
    c.send(b"BLPOP k 0\r\nECHO after\r\n");
    wait_blocked(&mut other, 1);
    assert_eq!(other.command(&["RPUSH", "k", "v"]), b":1\r\n");
    assert_eq!(c.read_reply(), b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
    assert_eq!(c.read_reply(), b"$5\r\nafter\r\n");
}

#[test]
fn a_blocked_client_that_disconnects_leaves_no_trace() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut other = server.raw();
    let mut c = server.raw();
    block(&mut c, &mut other, &["BLPOP", "k", "0"], 1);
    c.abort();
    wait_blocked(&mut other, 0);
    assert_eq!(other.command(&["RPUSH", "k", "v"]), b":1\r\n");
    assert_eq!(other.command(&["LLEN", "k"]), b":1\r\n");
}

#[test]
fn idle_timeout_spares_blocked_clients() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut other = server.raw();
    let mut c = server.raw();
    assert_eq!(
        other.command(&["CONFIG", "SET", "timeout", "1"]),
        b"+OK\r\n"
    );
    block(&mut c, &mut other, &["BLPOP", "k", "0"], 1);
    // Keep the observer itself busy so that only the blocked one is idle.
    for _ in 0..10 {
        sleep(Duration::from_millis(250));
        assert_eq!(other.command(&["PING"]), b"+PONG\r\n");
    }
    assert_eq!(other.command(&["RPUSH", "k", "v"]), b":1\r\n");
    assert_eq!(c.read_reply(), b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
}

#[test]
fn client_kill_closes_a_blocked_client() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut admin = server.raw();
    let mut c = server.raw();
    let id = text(&c.command(&["CLIENT", "ID"]));
    let id = id.trim_start_matches(':').trim().to_string();
    block(&mut c, &mut admin, &["BLMPOP", "0", "1", "k", "LEFT"], 1);
    assert_eq!(admin.command(&["CLIENT", "KILL", "ID", &id]), b":1\r\n");
    assert_eq!(c.wait_closed(), rkv_tests::raw::CloseOutcome::Closed);
    wait_blocked(&mut admin, 0);
    assert_eq!(admin.command(&["RPUSH", "k", "v"]), b":1\r\n");
    assert_eq!(admin.command(&["LLEN", "k"]), b":1\r\n");
}

#[test]
fn bzpopmin_is_woken_by_another_clients_zadd() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut adder = server.raw();
    let mut c = server.raw();
    block(&mut c, &mut adder, &["BZPOPMIN", "z1", "z2", "0"], 1);
    assert_eq!(
        adder.command(&["ZADD", "z2", "2.5", "b", "1", "a"]),
        b":2\r\n"
    );
    assert_eq!(c.read_reply(), b"*3\r\n$2\r\nz2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_eq!(blocked_clients(&mut adder), 0);
    // RESP3 sends the score as a double.
    c.command(&["HELLO", "3"]);
    block(&mut c, &mut adder, &["BZPOPMAX", "z3", "0"], 1);
    assert_eq!(adder.command(&["ZADD", "z3", "7", "m"]), b":1\r\n");
    assert_eq!(c.read_reply(), b"*3\r\n$2\r\nz3\r\n$1\r\nm\r\n,7\r\n");
    assert_eq!(
        adder.command(&["ZRANGE", "z2", "0", "-1", "WITHSCORES"]),
        b"*2\r\n$1\r\nb\r\n$3\r\n2.5\r\n"
    );
    assert_eq!(adder.command(&["EXISTS", "z3"]), b":0\r\n");
}

#[test]
fn sorted_set_waiters_are_served_in_the_order_they_blocked() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut adder = server.raw();
    let mut waiters: Vec<RawConnection> = (0..4).map(|_| server.raw()).collect();
    let commands: [&[&str]; 4] = [
        &["BZPOPMIN", "z", "0"],
        &["BZPOPMAX", "other", "z", "0"],
        &["BZMPOP", "0", "1", "z", "MIN"],
        &["BZPOPMIN", "z", "0"],
    ];
    for (i, (w, args)) in waiters.iter_mut().zip(commands).enumerate() {
        block(w, &mut adder, args, i + 1);
    }
    assert_eq!(
        adder.command(&["ZADD", "z", "1", "a", "2", "b", "3", "c"]),
        b":3\r\n"
    );
    assert_eq!(
        waiters[0].read_reply(),
        b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        waiters[1].read_reply(),
        b"*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        waiters[2].read_reply(),
        b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    // The set emptied and was deleted: the last waiter keeps waiting.
    assert_eq!(adder.command(&["EXISTS", "z"]), b":0\r\n");
    assert_eq!(blocked_clients(&mut adder), 1);
    assert_eq!(adder.command(&["ZADD", "z", "9", "x"]), b":1\r\n");
    assert_eq!(
        waiters[3].read_reply(),
        b"*3\r\n$1\r\nz\r\n$1\r\nx\r\n$1\r\n9\r\n"
    );
}

#[test]
fn bzmpop_pops_count_from_the_key_that_got_data() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut adder = server.raw();
    let mut c = server.raw();
    block(
        &mut c,
        &mut adder,
        &["BZMPOP", "0", "2", "a", "b", "MAX", "COUNT", "2"],
        1,
    );
    assert_eq!(
        adder.command(&["ZADD", "b", "1", "x", "2", "y", "3", "z"]),
        b":3\r\n"
    );
    assert_eq!(
        c.read_reply(),
        &b"*2\r\n$1\r\nb\r\n*2\r\n*2\r\n$1\r\nz\r\n$1\r\n3\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n"[..]
    );
    // A COUNT larger than the set takes all of it.
    block(
        &mut c,
        &mut adder,
        &["BZMPOP", "0", "1", "b", "MIN", "COUNT", "10"],
        0,
    );
    assert_eq!(
        c.read_reply(),
        b"*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n"
    );
    assert_eq!(adder.command(&["EXISTS", "b"]), b":0\r\n");
    c.command(&["HELLO", "3"]);
    block(
        &mut c,
        &mut adder,
        &["BZMPOP", "0", "1", "b", "MIN", "COUNT", "2"],
        1,
    );
    assert_eq!(adder.command(&["ZADD", "b", "1.5", "p"]), b":1\r\n");
    assert_eq!(
        c.read_reply(),
        b"*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$1\r\np\r\n,1.5\r\n"
    );
}

#[test]
fn sorted_set_timeouts_reply_null() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut c = server.raw();
    let start = Instant::now();
    assert_eq!(c.command(&["BZPOPMIN", "nokey", "0.3"]), b"*-1\r\n");
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(280), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    assert_eq!(c.command(&["BZPOPMAX", "a", "b", "0.05"]), b"*-1\r\n");
    assert_eq!(
        c.command(&["BZMPOP", "0.05", "2", "a", "b", "MIN", "COUNT", "3"]),
        b"*-1\r\n"
    );
    // A tenth of a millisecond rounds up to one: it times out, not forever.
    assert_eq!(c.command(&["BZPOPMIN", "nokey", "0.0001"]), b"*-1\r\n");
    c.command(&["HELLO", "3"]);
    assert_eq!(c.command(&["BZPOPMIN", "nokey", "0.05"]), b"_\r\n");
    assert_eq!(c.command(&["BZMPOP", "0.05", "1", "a", "MAX"]), b"_\r\n");
    assert_eq!(c.command(&["DBSIZE"]), b":0\r\n");
}

#[test]
fn client_unblock_releases_sorted_set_waiters() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut admin = server.raw();
    let mut c = server.raw();
    let id = text(&c.command(&["CLIENT", "ID"]));
    let id = id.trim_start_matches(':').trim().to_string();
    block(&mut c, &mut admin, &["BZPOPMIN", "z", "0"], 1);
    assert_eq!(admin.command(&["CLIENT", "UNBLOCK", &id]), b":1\r\n");
    assert_eq!(c.read_reply(), b"*-1\r\n");
    block(&mut c, &mut admin, &["BZMPOP", "0", "1", "z", "MAX"], 1);
    assert_eq!(
        admin.command(&["CLIENT", "UNBLOCK", &id, "ERROR"]),
        b":1\r\n"
    );
    assert_eq!(
        c.read_reply(),
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
    assert_eq!(blocked_clients(&mut admin), 0);
    assert_eq!(admin.command(&["ZADD", "z", "1", "a"]), b":1\r\n");
    assert_eq!(admin.command(&["ZCARD", "z"]), b":1\r\n");
}

#[test]
fn a_key_of_another_type_keeps_a_sorted_set_waiter_blocked_until_a_zadd() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut other = server.raw();
    let mut c = server.raw();
    let mut list_waiter = server.raw();
    block(&mut c, &mut other, &["BZPOPMAX", "k", "0"], 1);
    block(&mut list_waiter, &mut other, &["BLPOP", "k", "0"], 2);
    assert_eq!(other.command(&["SET", "k", "str"]), b"+OK\r\n");
    assert_eq!(other.command(&["DEL", "k"]), b":1\r\n");
    // A list there serves the list waiter only.
    assert_eq!(other.command(&["RPUSH", "k", "v"]), b":1\r\n");
    assert_eq!(list_waiter.read_reply(), b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
    assert_eq!(blocked_clients(&mut other), 1);
    assert_eq!(other.command(&["SET", "k", "str"]), b"+OK\r\n");
    assert_eq!(blocked_clients(&mut other), 1);
    assert_eq!(other.command(&["DEL", "k"]), b":1\r\n");
    assert_eq!(other.command(&["ZADD", "k", "4", "m", "5", "n"]), b":2\r\n");
    assert_eq!(c.read_reply(), b"*3\r\n$1\r\nk\r\n$1\r\nn\r\n$1\r\n5\r\n");
    assert_eq!(blocked_clients(&mut other), 0);
    assert_eq!(other.command(&["ZCARD", "k"]), b":1\r\n");
}
