//! Helpers for the AOF tests: servers started on a data directory the
//! test owns (so it survives a restart or a SIGKILL), and a reader for
//! the commands of an append-only file.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rkv_tests::free_port::free_port;
use rkv_tests::rkv_binary::rkv_server_path;
use rkv_tests::{RawConnection, ServerKind};

/// A scratch data directory, removed on drop.
pub struct DataDir(pub PathBuf);

impl DataDir {
    /// A new empty directory named after the test.
    pub fn new(name: &str) -> DataDir {
        let dir = std::env::temp_dir().join(format!("rkv-aof-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        DataDir(dir)
    }

    /// `appendonlydir` inside it.
    pub fn aof_dir(&self) -> PathBuf {
        self.0.join("appendonlydir")
    }

    /// The path of the incremental file with sequence 1.
    pub fn first_incr(&self) -> PathBuf {
        self.aof_dir().join("appendonly.aof.1.incr.aof")
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server process on a data directory.
pub struct Server {
    /// The process.
    pub child: Child,
    /// Its port.
    pub port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts `kind` with `appendonly yes` on `dir` plus `extra`
    /// directives; Err(log) when it does not come up.
    pub fn start(kind: ServerKind, dir: &Path, extra: &[&str]) -> Result<Server, String> {
        let port = free_port();
        let log = dir.join(format!("server-{port}.log"));
        let mut cmd = match kind {
            ServerKind::Rkv => Command::new(rkv_server_path()),
            ServerKind::Redis => {
                let mut c = Command::new("redis-server");
                c.args(["--save", ""]);
                c
            }
        };
        cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(dir)
            .args(["--appendonly", "yes"])
            .args(extra)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::from(
                std::fs::OpenOptions::new().append(true).open(&log).unwrap(),
            ));
        let mut child = cmd.spawn().expect("spawn server");
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return Err(std::fs::read_to_string(&log).unwrap_or_default());
            }
            if ping(port) {
                return Ok(Server { child, port, log });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(format!(
            "timed out\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        ))
    }

    /// A raw connection.
    pub fn raw(&self) -> RawConnection {
        RawConnection::connect(self.port).unwrap()
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SHUTDOWN NOSAVE (the AOF is flushed), then wait for the exit.
    pub fn shutdown(mut self) {
        let mut c = self.raw();
        c.send_command(&["SHUTDOWN", "NOSAVE"]);
        let _ = c.wait_closed();
        let _ = self.child.wait();
    }

    /// What the server logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    matches!(s.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG"))
}

/// The commands of an AOF file (the command part after any RDB image is
/// not handled: incremental files only), `#` lines skipped.
pub fn read_commands(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut i = 0;
    let line = |i: &mut usize| -> String {
        let start = *i;
        while bytes[*i] != b'\r' {
            *i += 1;
        }
        assert_eq!(bytes.get(*i + 1), Some(&b'\n'));
        let s = String::from_utf8_lossy(&bytes[start..*i]).into_owned();
        *i += 2;
        s
    };
    while i < bytes.len() {
        let header = line(&mut i);
        if header.starts_with('#') {
            continue;
        }
        let n: usize = header[1..].parse().unwrap();
        let mut args = Vec::with_capacity(n);
        for _ in 0..n {
            let len: usize = line(&mut i)[1..].parse().unwrap();
            assert!(i + len + 2 <= bytes.len(), "torn bulk");
            assert_eq!(&bytes[i + len..i + len + 2], b"\r\n");
            args.push(String::from_utf8_lossy(&bytes[i..i + len]).into_owned());
            i += len + 2;
        }
        out.push(args);
    }
    out
}
