//! Shared helpers for the rkv-cli integration tests: run rkv-cli or
//! redis-cli against a server, and start the servers to compare on.

#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use rkv_tests::cli::redis_cli_available;
use rkv_tests::server::{redis_server_available, ServerKind, ServerProcess};

/// Which client binary to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// This crate's binary.
    Rkv,
    /// Debian's redis-cli, the reference.
    Redis,
}

/// What a client run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Exit status code.
    pub status: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            status: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Runs `client -h 127.0.0.1 -p PORT args...` with `stdin` piped in.
pub fn run(client: Client, port: u16, args: &[&str], stdin: &[u8]) -> Run {
    run_with_env(client, port, args, stdin, &[])
}

/// Like [`run`], with extra environment variables.
pub fn run_with_env(
    client: Client,
    port: u16,
    args: &[&str],
    stdin: &[u8],
    env: &[(&str, &str)],
) -> Run {
    let program = match client {
        Client::Rkv => env!("CARGO_BIN_EXE_rkv-cli"),
        Client::Redis => "redis-cli",
    };
    let mut child = Command::new(program)
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .env_remove("FAKETTY")
        .env_remove("RKVCLI_AUTH")
        .env_remove("REDISCLI_AUTH")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {program}: {e}"));
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().expect("client output");
    let _ = writer.join();
    output.into()
}

/// Runs both clients with the same arguments and input and asserts the
/// same stdout, stderr and exit status.
#[track_caller]
pub fn assert_same(server: &ServerProcess, args: &[&str], stdin: &[u8]) -> Run {
    let ours = run(Client::Rkv, server.port(), args, stdin);
    let theirs = run(Client::Redis, server.port(), args, stdin);
    assert_eq!(
        ours,
        theirs,
        "rkv-cli and redis-cli differ for {args:?} against {}",
        server.kind().name()
    );
    ours
}

/// The servers to compare against: rkv-server always, redis-server when
/// installed. Empty (with a notice) when redis-cli is missing.
pub fn servers() -> Vec<ServerProcess> {
    if !redis_cli_available() {
        eprintln!("skipping: redis-cli not installed");
        return Vec::new();
    }
    let mut servers = vec![ServerProcess::start(ServerKind::Rkv)];
    if redis_server_available() {
        servers.push(ServerProcess::start(ServerKind::Redis));
    } else {
        eprintln!("note: redis-server not installed; comparing on rkv-server only");
    }
    servers
}

/// Sends commands on a raw connection, ignoring the replies' content.
pub fn seed(server: &ServerProcess, commands: &[&[&str]]) {
    let mut conn = server.raw();
    for command in commands {
        conn.command(command);
    }
}
