//! A server process on a port and data directory the test owns, so it can
//! be killed (SIGKILL, SIGSTOP) and restarted where it was: what
//! replication fault tests need, where [`crate::ServerProcess`] picks a
//! fresh port and directory each time.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::free_port::free_port;
use crate::raw::RawConnection;
use crate::rkv_binary::rkv_server_path;
use crate::server::ServerKind;

/// A data directory removed on drop.
pub struct NodeDir(PathBuf);

impl NodeDir {
    /// A new empty directory whose name says which test made it.
    pub fn new(name: &str) -> NodeDir {
        let dir = std::env::temp_dir().join(format!("rkv-node-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        NodeDir(dir)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for NodeDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running server; killed on drop.
pub struct Node {
    kind: ServerKind,
    port: u16,
    dir: PathBuf,
    extra: Vec<String>,
    child: Option<Child>,
}

impl Node {
    /// Starts `kind` on a free port in `dir` with `--directive value`
    /// arguments `extra` (DEBUG is enabled, save points are off unless
    /// `extra` sets them).
    #[track_caller]
    pub fn start(kind: ServerKind, dir: &Path, extra: &[&str]) -> Node {
        let mut node = Node {
            kind,
            port: free_port(),
            dir: dir.to_path_buf(),
            extra: extra.iter().map(|s| s.to_string()).collect(),
            child: None,
        };
        node.restart();
        node
    }

    /// The port it listens on (the same after a restart).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Which implementation it is.
    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    /// Starts the process again (after [`Node::kill9`]) on the same port
    /// and directory, with the same arguments.
    #[track_caller]
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "restart of a running node");
        let log = self.dir.join(format!("server-{}.log", self.port));
        let mut cmd = match self.kind {
            ServerKind::Rkv => Command::new(rkv_server_path()),
            ServerKind::Redis => {
                let mut c = Command::new("redis-server");
                c.args(["--appendonly", "no"]);
                c
            }
        };
        cmd.args(["--save", "", "--enable-debug-command", "yes"])
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(&self.dir)
            .args(&self.extra)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(append_to(&log))
            .stderr(append_to(&log));
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawning {} server: {e}", self.kind.name()));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "{} server exited with {status}:\n{}",
                    self.kind.name(),
                    self.log()
                );
            }
            if crate::server::answers_ping(self.port) {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "{} server never answered PING:\n{}",
                    self.kind.name(),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child = Some(child);
    }

    /// SIGKILL, waiting until the process is gone.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends `signal` (a name for kill(1): `STOP`, `CONT`) to the process.
    pub fn signal(&self, signal: &str) {
        if let Some(child) = &self.child {
            let _ = Command::new("kill")
                .args([&format!("-{signal}"), &child.id().to_string()])
                .status();
        }
    }

    /// A fresh raw connection.
    #[track_caller]
    pub fn raw(&self) -> RawConnection {
        RawConnection::connect(self.port)
            .unwrap_or_else(|e| panic!("connecting to {} server: {e}", self.kind.name()))
    }

    /// Runs one command on a fresh connection and returns the raw reply.
    #[track_caller]
    pub fn command(&self, args: &[&str]) -> Vec<u8> {
        self.raw().command(args)
    }

    /// A field of INFO, or "" when absent.
    pub fn info_field(&self, field: &str) -> String {
        let reply = self.command(&["INFO", "everything"]);
        let text = String::from_utf8_lossy(&reply);
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .unwrap_or("")
            .trim()
            .to_string()
    }

    /// An integer field of INFO (0 when absent).
    pub fn info_int(&self, field: &str) -> i64 {
        self.info_field(field).parse().unwrap_or(0)
    }

    /// What the process logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join(format!("server-{}.log", self.port)))
            .unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.signal("CONT");
        self.kill9();
    }
}

fn append_to(path: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("opening {}: {e}", path.display()))
}
