//! End to end in a real terminal: rkv-top runs inside tmux against a live
//! master and replica (Debian's redis-server for both, until rkv has
//! replication); pausing the replica with SIGSTOP must show its lag and an
//! alert, then a disconnection on the replica's own tab, and resuming it
//! must clear them; `q` quits.

mod common;

use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant};

use common::{client, info_field, master_and_replica};
use rkv_tests::server::redis_server_available;

/// A private tmux server (its own socket), killed when the test ends.
struct Tmux {
    socket: String,
    /// The socket file, known once the server runs; removed on drop.
    socket_path: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "top"]).stdout).into_owned()
    }

    /// Waits until the screen satisfies `ready`, or fails with the last screen.
    fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{screen}"
            );
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
        // A tmux server leaves its socket file behind when it exits.
        if !self.socket_path.is_empty() {
            std::fs::remove_file(&self.socket_path).ok();
        }
    }
}

/// A process stopped with SIGSTOP, continued when dropped.
struct Paused(String);

impl Paused {
    fn new(pid: String) -> Self {
        signal("STOP", &pid);
        Paused(pid)
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        signal("CONT", &self.0);
    }
}

fn signal(name: &str, pid: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), pid])
        .status();
    assert!(status.is_ok_and(|s| s.success()), "kill -{name} {pid}");
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn paused_replica_shows_lag_then_recovers() {
    if !redis_server_available() || !tmux_available() {
        eprintln!("skipped: needs redis-server and tmux");
        return;
    }
    let (master, replica) = master_and_replica();
    let replica_addr = format!("127.0.0.1:{}", replica.port());
    let mut tmux = Tmux {
        socket: format!("rkv-top-e2e-{}", std::process::id()),
        socket_path: String::new(),
    };
    let command = format!(
        "{} --interval 200ms -u redis://127.0.0.1:{} -u redis://{replica_addr}",
        env!("CARGO_BIN_EXE_rkv-top"),
        master.port()
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "top",
        "-x",
        "120",
        "-y",
        "42",
        &command,
    ]);
    assert!(started.status.success(), "tmux: {started:?}");
    let path = tmux
        .run(&["display-message", "-p", "#{socket_path}"])
        .stdout;
    tmux.socket_path = String::from_utf8_lossy(&path).trim().to_owned();
    let online_row = |s: &str| {
        s.lines()
            .any(|l| l.contains(&replica_addr) && l.contains(" online "))
    };
    tmux.wait_for("the replica row", online_row);

    let pid = info_field(&replica, "server", "process_id").expect("replica pid");
    let paused = Paused::new(pid);
    // 2 MiB the stopped replica cannot acknowledge: over the 1 MiB threshold.
    let big = "x".repeat(2 * 1024 * 1024);
    client(&master)
        .cmd(&["SET", "{t}big", big.as_str()])
        .unwrap();
    let alert = format!("replica {replica_addr} lagging");
    tmux.wait_for("the lag alert", |s| s.contains(&alert));

    tmux.run(&["send-keys", "-t", "top", "Tab"]);
    tmux.wait_for("the replica shown disconnected", |s| {
        s.contains("disconnected:") && s.contains(&format!("✕ {replica_addr}"))
    });

    drop(paused);
    tmux.wait_for("the replica back up", |s| {
        s.contains(&format!("● {replica_addr}"))
    });
    tmux.run(&["send-keys", "-t", "top", "BTab"]);
    tmux.wait_for("the lag alert to clear", |s| {
        online_row(s) && !s.contains(&alert)
    });

    tmux.run(&["send-keys", "-t", "top", "q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while tmux.run(&["has-session", "-t", "top"]).status.success() {
        assert!(
            Instant::now() < deadline,
            "q did not quit:\n{}",
            tmux.screen()
        );
        thread::sleep(Duration::from_millis(100));
    }
}
