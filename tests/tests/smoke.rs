//! End-to-end smoke tests against a real rkv-server: through the `redis`
//! crate, through Debian's `redis-cli`, and with raw bytes.

use rkv_tests::cli::{redis_cli, skip_without_redis_cli};
use rkv_tests::raw::CloseOutcome;
use rkv_tests::ServerProcess;

#[test]
fn ping_through_redis_crate() {
    let server = ServerProcess::rkv();
    let mut con = server.client();
    let pong: String = redis::cmd("PING").query(&mut con).unwrap();
    assert_eq!(pong, "PONG");
    let echoed: String = redis::cmd("PING").arg("hello").query(&mut con).unwrap();
    assert_eq!(echoed, "hello");
}

#[test]
fn set_then_get_through_redis_crate() {
    let server = ServerProcess::rkv();
    let mut con = server.client();
    let _: () = redis::cmd("SET")
        .arg("greeting")
        .arg("hi there")
        .query(&mut con)
        .unwrap();
    let value: String = redis::cmd("GET").arg("greeting").query(&mut con).unwrap();
    assert_eq!(value, "hi there");
    let missing: Option<String> = redis::cmd("GET").arg("missing").query(&mut con).unwrap();
    assert_eq!(missing, None);
    let binary = vec![0u8, 255, 13, 10, 7];
    let _: () = redis::cmd("SET")
        .arg("bin")
        .arg(&binary)
        .query(&mut con)
        .unwrap();
    let back: Vec<u8> = redis::cmd("GET").arg("bin").query(&mut con).unwrap();
    assert_eq!(back, binary);
}

#[test]
fn pipeline_of_1000_commands() {
    let server = ServerProcess::rkv();
    let mut con = server.client();
    let mut pipe = redis::pipe();
    for i in 0..500 {
        pipe.cmd("SET").arg(format!("key:{i}")).arg(i).ignore();
        pipe.cmd("GET").arg(format!("key:{i}"));
    }
    let values: Vec<i64> = pipe.query(&mut con).unwrap();
    assert_eq!(values, (0..500).collect::<Vec<i64>>());
}

#[test]
fn raw_pipeline_in_one_write() {
    let server = ServerProcess::rkv();
    let mut raw = server.raw();
    raw.send(&b"*1\r\n$4\r\nPING\r\n".repeat(1000));
    for i in 0..1000 {
        assert_eq!(raw.read_reply(), b"+PONG\r\n", "reply {i}");
    }
}

#[test]
fn redis_cli_ping_set_get() {
    if skip_without_redis_cli() {
        return;
    }
    let server = ServerProcess::rkv();
    let cli = |args: &[&str]| {
        let output = redis_cli(server.port(), args);
        assert!(output.status.success(), "redis-cli {args:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert_eq!(cli(&["PING"]), "PONG\n");
    assert_eq!(cli(&["SET", "k", "from cli"]), "OK\n");
    assert_eq!(cli(&["GET", "k"]), "from cli\n");
    assert_eq!(cli(&["--raw", "INCR", "n"]), "1\n");
}

#[test]
fn invalid_bulk_length_is_an_error_and_closes_the_connection() {
    let server = ServerProcess::rkv();
    let mut raw = server.raw();
    raw.send(b"*1\r\n$abc\r\n");
    assert_eq!(
        raw.read_reply(),
        b"-ERR Protocol error: invalid bulk length\r\n"
    );
    assert_eq!(raw.wait_closed(), CloseOutcome::Closed);
    // The server itself keeps serving.
    assert_eq!(server.raw().command(&["PING"]), b"+PONG\r\n");
}

#[test]
fn dropped_connection_mid_command_does_not_disturb_others() {
    let server = ServerProcess::rkv();
    let mut other = server.raw();
    assert_eq!(other.command(&["SET", "k", "before"]), b"+OK\r\n");
    let mut dropped = server.raw();
    dropped.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\naf");
    dropped.abort();
    assert_eq!(other.command(&["PING"]), b"+PONG\r\n");
    assert_eq!(other.command(&["GET", "k"]), b"$6\r\nbefore\r\n");
    assert_eq!(server.raw().command(&["GET", "k"]), b"$6\r\nbefore\r\n");
}

/// A reply far bigger than the socket buffers is delivered whole, while a
/// client that does not read blocks nobody else.
#[test]
fn big_replies_and_a_stalled_reader() {
    let server = ServerProcess::rkv();
    let mut con = server.client();
    let big = vec![b'x'; 20 * 1024 * 1024];
    let _: () = redis::cmd("SET")
        .arg("big")
        .arg(&big)
        .query(&mut con)
        .unwrap();
    // A raw client asks for the value many times and never reads.
    let mut stalled = server.raw();
    stalled.send(&b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(8));
    let pong: String = redis::cmd("PING").query(&mut con).unwrap();
    assert_eq!(pong, "PONG");
    let back: Vec<u8> = redis::cmd("GET").arg("big").query(&mut con).unwrap();
    assert_eq!(back.len(), big.len());
    assert!(back == big);
    stalled.abort();
}
