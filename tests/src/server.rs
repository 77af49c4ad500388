//! Starting a real server process on a free port for one test.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::free_port::free_port;
use crate::raw::RawConnection;
use crate::rkv_binary::rkv_server_path;

/// How long a server gets to start answering PING.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);
/// How many fresh ports to try when the chosen one was taken in the meantime.
const PORT_ATTEMPTS: usize = 5;

/// Which server implementation to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// rkv's own `rkv-server`, built from this workspace.
    Rkv,
    /// Debian's `redis-server`, the reference implementation.
    Redis,
}

impl ServerKind {
    /// Short lowercase name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Rkv => "rkv",
            ServerKind::Redis => "redis",
        }
    }
}

/// `true` when Debian's `redis-server` can be run.
pub fn redis_server_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// A running server, killed (and its scratch directory removed) on drop.
pub struct ServerProcess {
    kind: ServerKind,
    port: u16,
    child: Child,
    scratch: PathBuf,
}

impl ServerProcess {
    /// Starts `kind` on a free port and waits until it answers PING.
    #[track_caller]
    pub fn start(kind: ServerKind) -> Self {
        Self::start_with_args(kind, &[])
    }

    /// Starts rkv-server.
    #[track_caller]
    pub fn rkv() -> Self {
        Self::start(ServerKind::Rkv)
    }

    /// Starts Debian's redis-server (without persistence).
    #[track_caller]
    pub fn redis() -> Self {
        Self::start(ServerKind::Redis)
    }

    /// Starts `kind` with extra `--directive value` arguments appended.
    #[track_caller]
    pub fn start_with_args(kind: ServerKind, extra: &[&str]) -> Self {
        let mut last_failure = String::new();
        for _ in 0..PORT_ATTEMPTS {
            match Self::try_start(kind, free_port(), extra) {
                Ok(server) => return server,
                Err(failure) if failure.port_in_use => last_failure = failure.report,
                Err(failure) => panic!("{}", failure.report),
            }
        }
        panic!("{last_failure}\n(gave up after {PORT_ATTEMPTS} ports were taken)")
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Which implementation this is.
    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    /// `redis://127.0.0.1:<port>/` for client libraries.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A fresh `redis` crate connection.
    #[track_caller]
    pub fn client(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(10)))
            .unwrap_or_else(|e| panic!("redis client to {} server: {e}", self.kind.name()))
    }

    /// A fresh raw byte-level connection.
    #[track_caller]
    pub fn raw(&self) -> RawConnection {
        RawConnection::connect(self.port)
            .unwrap_or_else(|e| panic!("raw connection to {} server: {e}", self.kind.name()))
    }

    /// Everything the server wrote to stdout and stderr so far.
    pub fn output(&self) -> String {
        read_logs(&self.scratch)
    }

    fn try_start(kind: ServerKind, port: u16, extra: &[&str]) -> Result<Self, StartFailure> {
        let scratch = scratch_dir(kind, port);
        let port_text = port.to_string();
        let mut command = match kind {
            ServerKind::Rkv => {
                // Like redis-server below: no save points unless a test asks.
                let mut c = Command::new(rkv_server_path());
                c.args(["--save", ""]);
                c
            }
            ServerKind::Redis => {
                let mut c = Command::new("redis-server");
                c.args(["--save", "", "--appendonly", "no"]);
                c.arg("--dir").arg(&scratch);
                c
            }
        };
        command
            .args(["--port", &port_text, "--bind", "127.0.0.1"])
            .args(extra)
            .current_dir(&scratch)
            .stdin(Stdio::null())
            .stdout(log_file(&scratch, "stdout.log"))
            .stderr(log_file(&scratch, "stderr.log"));
        let command_line = format!("{command:?}");
        let child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "could not spawn {} server {:?}: {e}",
                kind.name(),
                command.get_program()
            )
        });
        let mut server = ServerProcess {
            kind,
            port,
            child,
            scratch,
        };
        match server.wait_for_ping() {
            Ok(()) => Ok(server),
            Err(why) => {
                let logs = server.output();
                let port_in_use =
                    logs.contains("Address already in use") || logs.contains("AddrInUse");
                Err(StartFailure {
                    port_in_use,
                    report: format!(
                        "{} server on port {port} never answered PING: {why}\ncommand: {command_line}\n--- server output ---\n{logs}",
                        kind.name()
                    ),
                })
            }
        }
    }

    /// Polls with PING until `+PONG`, the process exits, or time runs out.
    fn wait_for_ping(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        let mut last_error = String::from("not tried");
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("process exited with {status}"));
            }
            match ping(self.port) {
                Ok(()) => return Ok(()),
                Err(e) => last_error = e,
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!(
            "timed out after {STARTUP_TIMEOUT:?}; last attempt: {last_error}"
        ))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.scratch);
    }
}

/// Why a start attempt failed, and whether a different port might help.
struct StartFailure {
    port_in_use: bool,
    report: String,
}

/// Whether a server on `port` answers PING (or NOAUTH) now.
pub fn answers_ping(port: u16) -> bool {
    ping(port).is_ok()
}

/// One PING round trip on a fresh connection.
fn ping(port: u16) -> Result<(), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"*1\r\n$4\r\nPING\r\n")
        .map_err(|e| e.to_string())?;
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).map_err(|e| e.to_string())?;
    // A server with `requirepass` answers NOAUTH: it is up all the same.
    if &reply == b"+PONG\r\n" || &reply == b"-NOAUTH" {
        Ok(())
    } else {
        Err(format!(
            "unexpected PING reply {}",
            crate::escape::escape_bytes(&reply)
        ))
    }
}

/// A new, empty per-server directory under the system temp directory.
fn scratch_dir(kind: ServerKind, port: u16) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "rkv-test-{}-{}-{n}-{port}",
        kind.name(),
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

fn log_file(dir: &std::path::Path, name: &str) -> File {
    File::create(dir.join(name)).unwrap_or_else(|e| panic!("creating log {name}: {e}"))
}

fn read_logs(dir: &std::path::Path) -> String {
    ["stdout.log", "stderr.log"]
        .iter()
        .map(|name| {
            let text = fs::read(dir.join(name)).unwrap_or_default();
            format!("[{name}]\n{}", String::from_utf8_lossy(&text))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
