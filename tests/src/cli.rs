//! Running Debian's `redis-cli` against a test server.

use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// `true` when `redis-cli` can be run.
pub fn redis_cli_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("redis-cli")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Prints the standard notice and returns `true` when `redis-cli` is absent.
pub fn skip_without_redis_cli() -> bool {
    if redis_cli_available() {
        return false;
    }
    eprintln!("skipping: redis-cli not installed");
    true
}

/// Runs `redis-cli -h 127.0.0.1 -p <port> <args>` and returns its output.
pub fn redis_cli(port: u16, args: &[&str]) -> Output {
    Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running redis-cli: {e}"))
}
