//! Malformed and over-limit requests, byte for byte against Debian's
//! redis-server: the same error reply, the connection closed the same way,
//! and the server still serving other clients afterwards.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use rkv_tests::escape::escape_bytes;
use rkv_tests::{skip_without_redis_server, ServerKind, ServerProcess};

/// Everything the server sends after `input`, until it closes the
/// connection or stays quiet for `quiet`; and whether it closed.
fn exchange(port: u16, input: &[u8], quiet: Duration) -> (Vec<u8>, bool) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(quiet)).unwrap();
    // The server may close before reading everything; that is part of the test.
    let _ = s.write_all(input);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return (got, true),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return (got, false)
            }
            Err(_) => return (got, true),
        }
    }
}

fn cases() -> Vec<(&'static str, Vec<u8>)> {
    let mut long_count = b"*".to_vec();
    long_count.extend(std::iter::repeat_n(b'1', 70_000));
    let mut long_bulk = b"*1\r\n$".to_vec();
    long_bulk.extend(std::iter::repeat_n(b'2', 70_000));
    let mut long_inline = vec![b'a'; 70_000];
    long_inline.push(b' ');
    vec![
        ("bulk length not a number", b"*1\r\n$abc\r\n".to_vec()),
        ("multibulk length not a number", b"*abc\r\n".to_vec()),
        ("multibulk length too big", b"*3000000000\r\n".to_vec()),
        ("missing dollar", b"*1\r\nfoo\r\n".to_vec()),
        ("negative bulk length", b"*1\r\n$-5\r\n".to_vec()),
        (
            "bulk length over proto-max-bulk-len",
            b"*2\r\n$3\r\nGET\r\n$600000000\r\n".to_vec(),
        ),
        ("unbalanced quotes inline", b"SET \"a\r\n".to_vec()),
        ("closing quote glued to text", b"ECHO \"a\"b\r\n".to_vec()),
        ("huge multibulk count line", long_count),
        ("huge bulk count line", long_bulk),
        ("huge inline request", long_inline),
        (
            "valid then malformed",
            b"PING\r\n*1\r\n$x\r\nPING\r\n".to_vec(),
        ),
        (
            "empty multibulk and lines are skipped",
            b"*0\r\n\r\n\n*-1\r\nPING\r\n".to_vec(),
        ),
        (
            "inline with quotes and escapes",
            b"ECHO \"a\\x41\\n\" 'it\\'s'\r\n".to_vec(),
        ),
        (
            "bulk body without CRLF check",
            b"*2\r\n$4\r\nECHO\r\n$2\r\nhiXX".to_vec(),
        ),
        (
            "quit closes after the reply",
            b"PING\r\nQUIT\r\nPING\r\n".to_vec(),
        ),
    ]
}

#[test]
fn malformed_requests_match_redis() {
    if skip_without_redis_server() {
        return;
    }
    let rkv = ServerProcess::start(ServerKind::Rkv);
    let redis = ServerProcess::start(ServerKind::Redis);
    let quiet = Duration::from_millis(700);
    let mut failures = Vec::new();
    for (name, input) in cases() {
        let ours = exchange(rkv.port(), &input, quiet);
        let theirs = exchange(redis.port(), &input, quiet);
        if ours != theirs {
            failures.push(format!(
                "{name}:\n  rkv:   {} (closed: {})\n  redis: {} (closed: {})",
                escape_bytes(&ours.0),
                ours.1,
                escape_bytes(&theirs.0),
                theirs.1
            ));
        }
    }
    // The server survived every case.
    assert_eq!(exchange(rkv.port(), b"PING\r\n", quiet).0, b"+PONG\r\n");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unauthenticated_limits_match_redis() {
    if skip_without_redis_server() {
        return;
    }
    let args = ["--requirepass", "secret"];
    let rkv = ServerProcess::start_with_args(ServerKind::Rkv, &args);
    let redis = ServerProcess::start_with_args(ServerKind::Redis, &args);
    let quiet = Duration::from_millis(700);
    for input in [
        &b"*11\r\n"[..],
        b"*1\r\n$16385\r\n",
        b"GET k\r\n",
        b"AUTH wrong\r\n",
    ] {
        let ours = exchange(rkv.port(), input, quiet);
        let theirs = exchange(redis.port(), input, quiet);
        assert_eq!(ours, theirs, "input {}", escape_bytes(input));
    }
}

#[test]
fn announced_huge_bulk_then_disconnect_leaves_server_healthy() {
    let rkv = ServerProcess::rkv();
    for _ in 0..20 {
        let mut s = TcpStream::connect(("127.0.0.1", rkv.port())).unwrap();
        s.write_all(b"*2\r\n$3\r\nSET\r\n$536870000\r\nabc")
            .unwrap();
    }
    let (reply, _) = exchange(rkv.port(), b"PING\r\n", Duration::from_millis(700));
    assert_eq!(reply, b"+PONG\r\n");
}

/// Seeded random garbage (and garbage glued to valid commands) on many
/// connections: the server answers or closes, never dies, and a
/// well-behaved client is served throughout.
#[test]
fn random_garbage_never_kills_the_server() {
    let rkv = ServerProcess::rkv();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"*$:+-\r\n0123456789-abcSETGET \"'\\x";
    for round in 0..200 {
        let len = (next() % 512) as usize;
        let mut input: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if r % 4 == 0 {
                    r as u8
                } else {
                    alphabet[(r >> 8) as usize % alphabet.len()]
                }
            })
            .collect();
        if round % 3 == 0 {
            input.splice(
                0..0,
                b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".iter().copied(),
            );
        }
        let _ = exchange(rkv.port(), &input, Duration::from_millis(20));
        if round % 50 == 0 {
            assert_eq!(
                exchange(rkv.port(), b"PING\r\n", Duration::from_millis(500)).0,
                b"+PONG\r\n"
            );
        }
    }
    assert_eq!(
        exchange(rkv.port(), b"PING\r\n", Duration::from_millis(500)).0,
        b"+PONG\r\n"
    );
}
