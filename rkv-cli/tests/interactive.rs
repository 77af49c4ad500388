//! The interactive prompt driven in a pseudo-terminal: prompt text,
//! history file, hints, Tab completion, reconnection after a server
//! restart, and Ctrl-C on a blocking command.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rexpect::session::{spawn_command, PtySession};
use rkv_tests::rkv_binary::rkv_server_path;
use rkv_tests::server::ServerProcess;

/// Any connected prompt of these tests (all servers are on 127.0.0.1).
const PROMPT: &str = r"127\.0\.0\.1:\d+(\[\d+\])?(\(TX\))?> ";

/// How long any expectation may wait.
const TIMEOUT_MS: u64 = 10_000;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rkv-cli-tty-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// rkv-cli at a prompt on `port`, history in `history`.
fn prompt_session(port: u16, history: &std::path::Path) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rkv-cli"));
    command
        .args(["-p", &port.to_string()])
        .env("TERM", "xterm")
        .env("RKVCLI_HISTFILE", history)
        .env_remove("RKVCLI_AUTH");
    let mut session = spawn_command(command, Some(TIMEOUT_MS)).expect("spawn rkv-cli in a pty");
    session
        .exp_string(&format!("127.0.0.1:{port}> "))
        .expect("first prompt");
    session
}

/// Types keys without Enter.
fn keys(session: &mut PtySession, text: &str) {
    session.send(text).unwrap();
    session.flush().unwrap();
}

/// Types a line, waits for `expect`, then for the next prompt, so that
/// what is typed next reaches the line editor.
fn say(session: &mut PtySession, line: &str, expect: &str) {
    say_streaming(session, line, expect);
    if !expect.ends_with("> ") {
        session
            .exp_regex(PROMPT)
            .unwrap_or_else(|e| panic!("after {line:?}, waiting for the prompt: {e}"));
    }
}

/// Types a line and waits for `expect` only (for commands that keep
/// streaming instead of returning to the prompt).
fn say_streaming(session: &mut PtySession, line: &str, expect: &str) {
    session.send_line(line).unwrap();
    session
        .exp_string(expect)
        .unwrap_or_else(|e| panic!("after {line:?}, waiting for {expect:?}: {e}"));
}

#[test]
fn prompt_tracks_database_and_transaction() {
    let server = ServerProcess::redis_or_rkv();
    let dir = scratch("prompt");
    let mut cli = prompt_session(server.port(), &dir.join("history"));
    let port = server.port();
    say(&mut cli, "SELECT 2", &format!("127.0.0.1:{port}[2]> "));
    say(&mut cli, "MULTI", &format!("127.0.0.1:{port}[2](TX)> "));
    say(&mut cli, "SET k v", "QUEUED");
    say_streaming(&mut cli, "EXEC", "1) OK");
    cli.exp_string(&format!("127.0.0.1:{port}[2]> ")).unwrap();
    say(&mut cli, "3 INCR counter", "(integer) 3");
    say(&mut cli, "GET \"k\"", "\"v\"");
    say(&mut cli, "SET \"open", "Invalid argument(s)");
    cli.send_line("quit").unwrap();
    cli.exp_eof().expect("quit ends the client");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn history_file_leaves_out_secrets() {
    let server = ServerProcess::rkv();
    let dir = scratch("history");
    let history = dir.join("history");
    let mut cli = prompt_session(server.port(), &history);
    say(&mut cli, "SET visible 1", "OK");
    say(&mut cli, "AUTH hunter2", "(error)");
    say(&mut cli, "HELLO 3 AUTH default hunter2", "proto");
    say(&mut cli, "GET visible", "\"1\"");
    cli.send_line("quit").unwrap();
    cli.exp_eof().unwrap();
    let text = std::fs::read_to_string(&history).expect("history file written");
    assert!(text.contains("SET visible 1"), "{text}");
    assert!(text.contains("GET visible"), "{text}");
    assert!(!text.contains("hunter2"), "secret in history: {text}");

    // A new session recalls the previous commands with the Up arrow
    // ("quit" itself is the latest entry, as in redis-cli).
    let mut again = prompt_session(server.port(), &history);
    keys(&mut again, "\x1b[A");
    again.exp_string("quit").unwrap();
    keys(&mut again, "\x1b[A");
    again.exp_string("GET visible").unwrap();
    keys(&mut again, "\r");
    again.exp_string("\"1\"").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hints_and_tab_completion() {
    let server = ServerProcess::redis_or_rkv();
    let dir = scratch("hints");
    let mut cli = prompt_session(server.port(), &dir.join("history"));
    keys(&mut cli, "SET k ");
    cli.exp_string("value")
        .expect("hint for SET's next argument");
    cli.send_control('u').unwrap();
    keys(&mut cli, "ech");
    keys(&mut cli, "\t");
    cli.exp_string("ECHO").expect("completed command name");
    keys(&mut cli, " hi\r");
    cli.exp_string("\"hi\"").unwrap();
    say(&mut cli, "HELP GET", "summary:");
    let _ = std::fs::remove_dir_all(&dir);
}

/// An rkv-server on a fixed port, so it can be restarted there.
struct FixedServer {
    child: Child,
}

impl FixedServer {
    fn start(port: u16) -> FixedServer {
        let child = Command::new(rkv_server_path())
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn rkv-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "rkv-server did not start on {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        FixedServer { child }
    }
}

impl Drop for FixedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn reconnects_after_the_server_restarts() {
    let port = rkv_tests::free_port::free_port();
    let dir = scratch("reconnect");
    let server = FixedServer::start(port);
    let mut cli = prompt_session(port, &dir.join("history"));
    say(&mut cli, "PING", "PONG");
    drop(server);
    say(&mut cli, "PING", "not connected> ");
    let _server = FixedServer::start(port);
    say(&mut cli, "PING", "PONG");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_cancels_a_blocking_command() {
    let server = ServerProcess::rkv();
    let dir = scratch("ctrlc");
    let mut cli = prompt_session(server.port(), &dir.join("history"));
    cli.send_line("BLPOP nothing-here 0").unwrap();
    cli.exp_string("BLPOP nothing-here 0").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    cli.send_control('c').unwrap();
    cli.exp_string(&format!("127.0.0.1:{}> ", server.port()))
        .expect("back at the prompt");
    say(&mut cli, "PING", "PONG");
    let _ = std::fs::remove_dir_all(&dir);
}

/// redis-server where installed (its COMMAND DOCS feed the hints), else
/// rkv-server.
trait RedisOrRkv {
    fn redis_or_rkv() -> ServerProcess;
}

impl RedisOrRkv for ServerProcess {
    fn redis_or_rkv() -> ServerProcess {
        if rkv_tests::server::redis_server_available() {
            ServerProcess::redis()
        } else {
            ServerProcess::rkv()
        }
    }
}

#[test]
fn subscribe_streams_until_ctrl_c() {
    let server = ServerProcess::rkv();
    let dir = scratch("subscribe");
    let mut cli = prompt_session(server.port(), &dir.join("history"));
    say_streaming(
        &mut cli,
        "SUBSCRIBE news",
        "Reading messages... (press Ctrl-C to quit)",
    );
    cli.exp_string("(integer) 1").unwrap();
    let mut publisher = server.raw();
    publisher.command(&["PUBLISH", "news", "first"]);
    cli.exp_string("\"first\"").expect("message shown");
    publisher.command(&["PUBLISH", "news", "second"]);
    cli.exp_string("\"second\"").expect("second message shown");
    cli.send_control('c').unwrap();
    cli.exp_string(&format!("127.0.0.1:{}> ", server.port()))
        .expect("back at the prompt");
    say(&mut cli, "PING", "PONG");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_r_searches_the_history() {
    let server = ServerProcess::rkv();
    let dir = scratch("search");
    let mut cli = prompt_session(server.port(), &dir.join("history"));
    say(&mut cli, "SET needle found", "OK");
    say(&mut cli, "PING", "PONG");
    cli.send_control('r').unwrap();
    keys(&mut cli, "need");
    cli.exp_string("SET needle found")
        .expect("search finds the command");
    keys(&mut cli, "\r");
    cli.exp_string("OK").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn connect_switches_servers_and_clear_keeps_the_prompt() {
    let first = ServerProcess::rkv();
    let second = ServerProcess::rkv();
    let dir = scratch("connect");
    let mut cli = prompt_session(first.port(), &dir.join("history"));
    say(
        &mut cli,
        &format!("CONNECT 127.0.0.1 {}", second.port()),
        &format!("127.0.0.1:{}> ", second.port()),
    );
    say(&mut cli, "SET only-on-second 1", "OK");
    assert_eq!(
        second.raw().command(&["EXISTS", "only-on-second"]),
        b":1\r\n".to_vec()
    );
    // The screen is cleared, then the prompt drawn again.
    say(&mut cli, "CLEAR", "\x1b[J");
    say(&mut cli, "PING", "PONG");
    let _ = std::fs::remove_dir_all(&dir);
}
