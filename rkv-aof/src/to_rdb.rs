//! `rkv-aof to-rdb`: offline compaction of an AOF into an RDB snapshot.
//!
//! The replay must be the server's own (every command's semantics), and
//! this crate cannot depend on `rkv-server` (the server depends on it), so
//! the tool runs the server: the AOF's files are copied into a scratch
//! directory, `rkv-server` (beside this executable, else on PATH, or
//! `$RKV_SERVER`) starts on it with `appendonly yes` on a free loopback
//! port, loads them exactly as at start-up (a truncated tail is refused:
//! `aof-load-truncated no`), then `SAVE` writes the snapshot with the
//! server's RDB writer, which is copied to OUT. The original files are
//! only read.

use std::fs;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::layout::AofLayout;
use crate::manifest::Manifest;

/// How long the server may take to load before the tool gives up.
const LOAD_TIMEOUT: Duration = Duration::from_secs(3600);

/// What a conversion produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// The server binary that replayed the AOF.
    pub server: PathBuf,
    /// The server's INFO keyspace lines (`db0:keys=…`).
    pub keyspace: Vec<String>,
    /// Size of the RDB file written.
    pub rdb_bytes: u64,
}

/// Replays the AOF at `path` (manifest, directory or single file) in a
/// scratch `rkv-server` and writes its snapshot to `out`.
pub fn convert(path: &Path, out: &Path) -> Result<Converted, String> {
    let layout = AofLayout::resolve(path).map_err(|e| e.to_string())?;
    let server = find_server()?;
    let scratch = Scratch::new()?;
    let prefix = stage(&layout, &scratch.0)?;
    let mut process = ServerProcess::start(&server, &scratch.0, &prefix)?;
    let result = process.save_snapshot();
    process.stop();
    let keyspace = result.map_err(|e| format!("{e}\n{}", scratch.log()))?;
    let dump = scratch.0.join("dump.rdb");
    let rdb_bytes = fs::copy(&dump, out).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(Converted {
        server,
        keyspace,
        rdb_bytes,
    })
}

/// `rkv-server` beside the running executable, else `$RKV_SERVER`, else
/// the one on PATH.
fn find_server() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("RKV_SERVER") {
        return Ok(PathBuf::from(path));
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("rkv-server")));
    if let Some(path) = beside.filter(|p| p.is_file()) {
        return Ok(path);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("rkv-server"))
        .find(|p| p.is_file());
    on_path.ok_or_else(|| {
        "rkv-server not found (looked beside rkv-aof, in $RKV_SERVER and on PATH)".into()
    })
}

/// Copies the set into `dir` as the server expects it; returns the file
/// name prefix (`appendfilename`).
fn stage(layout: &AofLayout, dir: &Path) -> Result<String, String> {
    let copy = |from: &Path, to: &Path| {
        fs::copy(from, to)
            .map(|_| ())
            .map_err(|e| format!("{}: {e}", from.display()))
    };
    match layout {
        AofLayout::Single { path } => {
            copy(path, &dir.join("appendonly.aof"))?;
            Ok("appendonly.aof".into())
        }
        AofLayout::MultiPart {
            manifest_path,
            manifest,
        } => {
            let name = manifest_path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("appendonly.aof.manifest");
            let prefix = name.strip_suffix(".manifest").unwrap_or(name).to_string();
            let target = dir.join("appendonlydir");
            fs::create_dir_all(&target).map_err(|e| e.to_string())?;
            for part in layout.parts() {
                copy(&part.path, &target.join(&part.name))?;
            }
            // History files are not part of the data set: not copied.
            let staged = Manifest {
                history: Vec::new(),
                ..manifest.clone()
            };
            staged
                .write_atomically(&target, &format!("{prefix}.manifest"))
                .map_err(|e| e.to_string())?;
            Ok(prefix)
        }
    }
}

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, String> {
        let dir = std::env::temp_dir().join(format!("rkv-aof-to-rdb-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }

    /// What the server logged.
    fn log(&self) -> String {
        fs::read_to_string(self.0.join("server.log")).unwrap_or_default()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The scratch server.
struct ServerProcess {
    child: Child,
    port: u16,
}

impl ServerProcess {
    fn start(server: &Path, dir: &Path, prefix: &str) -> Result<ServerProcess, String> {
        // A port the system just handed out and released: free unless
        // another process grabs it in between.
        let port = TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let log = fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
        let child = Command::new(server)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(dir)
            .args(["--appendonly", "yes", "--appendfilename", prefix])
            .args(["--appenddirname", "appendonlydir", "--appendfsync", "no"])
            .args(["--aof-load-truncated", "no", "--save", ""])
            .args(["--dbfilename", "dump.rdb", "--maxmemory", "0"])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", server.display()))?;
        Ok(ServerProcess { child, port })
    }

    /// Waits for the load, saves, and returns INFO keyspace's lines.
    fn save_snapshot(&mut self) -> Result<Vec<String>, String> {
        let deadline = Instant::now() + LOAD_TIMEOUT;
        let mut conn = loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("rkv-server could not load the AOF ({status})"));
            }
            if Instant::now() > deadline {
                return Err("rkv-server did not finish loading in time".into());
            }
            if let Ok(mut c) = TcpStream::connect(("127.0.0.1", self.port)) {
                if request(&mut c, &["PING"]).is_ok_and(|r| r.starts_with(b"+PONG")) {
                    break c;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let saved = request(&mut conn, &["SAVE"]).map_err(|e| e.to_string())?;
        if !saved.starts_with(b"+OK") {
            return Err(format!(
                "SAVE failed: {}",
                String::from_utf8_lossy(&saved).trim_end()
            ));
        }
        let info = request(&mut conn, &["INFO", "keyspace"]).map_err(|e| e.to_string())?;
        Ok(String::from_utf8_lossy(&info)
            .lines()
            .filter(|l| l.starts_with("db"))
            .map(str::to_string)
            .collect())
    }

    /// SHUTDOWN NOSAVE, then reap (a kill if it does not go).
    fn stop(mut self) {
        if let Ok(mut c) = TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = request(&mut c, &["SHUTDOWN", "NOSAVE"]);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one command and reads one reply: a line, or a bulk string.
fn request(conn: &mut TcpStream, args: &[&str]) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    crate::writer::encode_command(&mut buf, args);
    conn.write_all(&buf)?;
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    while !reply.ends_with(b"\r\n") {
        if conn.read(&mut byte)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        reply.push(byte[0]);
    }
    if reply[0] == b'$' {
        let len: i64 = String::from_utf8_lossy(&reply[1..reply.len() - 2])
            .parse()
            .unwrap_or(-1);
        if len >= 0 {
            let mut body = vec![0u8; len as usize + 2];
            conn.read_exact(&mut body)?;
            body.truncate(len as usize);
            return Ok(body);
        }
    }
    Ok(reply)
}
