//! Shared helpers for the tests that use the real redis-server 7.0.15:
//! starting and stopping it on a port of the range given to this crate's
//! tests (7760-7779), a workload that records what every prefix of the AOF
//! should contain, and reading a server's data back.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use rkv_aof::manifest::Manifest;
use rkv_proto::{Client, Frame};

/// Keys and values of every database: (db, key) → value.
pub type Model = BTreeMap<(usize, Vec<u8>), Vec<u8>>;

/// A scratch directory removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh, empty directory named after `tag`.
    pub fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rkv-aof-it-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A redis-server child process.
pub struct Redis {
    child: Child,
    /// Its port.
    pub port: u16,
    log: PathBuf,
}

impl Redis {
    /// Starts redis-server with `--dir dir --appendonly yes` plus `extra`,
    /// and waits until it answers PING; `Err` carries its log if it exits
    /// or never becomes ready.
    pub fn start(dir: &Path, port: u16, extra: &[&str]) -> Result<Redis, String> {
        let log = dir.join(format!("redis-{port}.log"));
        let _ = fs::remove_file(&log);
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(dir)
            .arg("--logfile")
            .arg(&log)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run redis-server: {e}"))?;
        let mut redis = Redis { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = redis.child.try_wait() {
                return Err(format!(
                    "redis-server exited ({status}):\n{}",
                    redis.log_text()
                ));
            }
            if let Ok(mut client) = Client::connect(("127.0.0.1", port)) {
                if matches!(client.cmd(&["PING"]), Ok(Frame::Simple(ref s)) if s == "PONG") {
                    return Ok(redis);
                }
            }
            if Instant::now() > deadline {
                return Err(format!("redis-server not ready:\n{}", redis.log_text()));
            }
            sleep(Duration::from_millis(20));
        }
    }

    /// A connection to it.
    pub fn client(&self) -> Client {
        Client::connect(("127.0.0.1", self.port)).expect("connect to redis-server")
    }

    /// Its log so far.
    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SHUTDOWN NOSAVE (the AOF is flushed and fsynced) and wait for exit.
    pub fn stop(mut self) {
        let _ = self.client().cmd(&["SHUTDOWN", "NOSAVE"]);
        let _ = self.child.wait();
    }

    /// BGREWRITEAOF, waiting until the new base and manifest are in place.
    pub fn rewrite_aof(&self) {
        let mut client = self.client();
        ok(client.cmd(&["BGREWRITEAOF"]).unwrap());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let info = client.cmd(&["INFO", "persistence"]).unwrap();
            let text = String::from_utf8_lossy(info.as_bytes().unwrap()).into_owned();
            if text.contains("aof_rewrite_in_progress:0")
                && text.contains("aof_rewrite_scheduled:0")
            {
                return;
            }
            assert!(Instant::now() < deadline, "rewrite did not finish");
            sleep(Duration::from_millis(20));
        }
    }

    /// Every key and value of databases 0 and 1 (strings only).
    pub fn dump(&self) -> Model {
        let mut client = self.client();
        let mut model = Model::new();
        for db in 0..2 {
            ok(client.cmd(&["SELECT", &db.to_string()]).unwrap());
            let Frame::Array(keys) = client.cmd(&["KEYS", "*"]).unwrap() else {
                panic!("KEYS did not answer an array");
            };
            for key in keys {
                let key = key.as_bytes().unwrap().to_vec();
                let value = client.cmd(&[b"GET".as_slice(), &key]).unwrap();
                model.insert(
                    (db, key),
                    value.as_bytes().expect("a string value").to_vec(),
                );
            }
        }
        model
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ok(frame: Frame) {
    assert!(!frame.is_error(), "redis error: {frame:?}");
}

/// The append-only directory Redis uses inside `dir`.
pub fn aof_dir(dir: &Path) -> PathBuf {
    dir.join("appendonlydir")
}

/// The last incremental file the manifest in `dir` lists.
pub fn last_incr(dir: &Path) -> PathBuf {
    let aof = aof_dir(dir);
    let manifest = Manifest::load(&aof.join("appendonly.aof.manifest")).unwrap();
    aof.join(&manifest.incr.last().expect("an incremental file").name)
}

/// What the data set should be once the AOF is replayed up to a byte:
/// (size of the last incremental file after a step, model after it).
pub type History = Vec<(u64, Model)>;

/// Runs a workload of 40 steps against `redis` (plain SETs with `\r\n` in
/// values, MULTI/EXEC blocks, APPEND, DEL, writes in database 1), calling
/// `between` after each step; returns what the data set is after each.
pub fn run_workload(redis: &Redis, dir: &Path, mut between: impl FnMut(usize)) -> History {
    let mut client = redis.client();
    let mut model = Model::new();
    let incr = last_incr(dir);
    let mut history = vec![(fs::metadata(&incr).unwrap().len(), model.clone())];
    let mut counter = 0i64;
    for i in 0..40usize {
        let value = format!("val-{i}-{}\r\nline2", "x".repeat(i * 7)).into_bytes();
        match i % 5 {
            0 => {
                let key = format!("k{i}");
                ok(client
                    .cmd(&[b"SET".as_slice(), key.as_bytes(), &value])
                    .unwrap());
                model.insert((0, key.into_bytes()), value);
            }
            1 => {
                let key = format!("m{i}");
                ok(client.cmd(&["MULTI"]).unwrap());
                client
                    .cmd(&[b"SET".as_slice(), key.as_bytes(), &value])
                    .unwrap();
                client.cmd(&["INCR", "counter"]).unwrap();
                ok(client.cmd(&["EXEC"]).unwrap());
                counter += 1;
                model.insert((0, key.into_bytes()), value);
                model.insert((0, b"counter".to_vec()), counter.to_string().into_bytes());
            }
            2 => {
                let key = format!("k{}", i - 2);
                ok(client.cmd(&["APPEND", &key, "-app"]).unwrap());
                model
                    .get_mut(&(0, key.into_bytes()))
                    .unwrap()
                    .extend_from_slice(b"-app");
            }
            3 => {
                let key = format!("d1k{i}");
                ok(client.cmd(&["SELECT", "1"]).unwrap());
                ok(client
                    .cmd(&[b"SET".as_slice(), key.as_bytes(), &value])
                    .unwrap());
                ok(client.cmd(&["SELECT", "0"]).unwrap());
                model.insert((1, key.into_bytes()), value);
            }
            _ => {
                let key = format!("k{}", i - 4);
                ok(client.cmd(&["DEL", &key]).unwrap());
                model.remove(&(0, key.into_bytes()));
            }
        }
        // The reply leaves after the AOF write, so the size now ends the step.
        history.push((fs::metadata(&incr).unwrap().len(), model.clone()));
        between(i);
    }
    history
}

/// The model expected after replaying the first `len` bytes of the last
/// incremental file: the last step that ended at or before `len`.
pub fn expected_at(history: &History, len: u64) -> &Model {
    &history
        .iter()
        .rev()
        .find(|(end, _)| *end <= len)
        .expect("the start of the file precedes every cut")
        .1
}

/// Copies directory `from` (one level of subdirectories) to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Runs redis-check-aof on the manifest of `dir`; (exit code, stdout).
pub fn redis_check_aof(dir: &Path, extra: &[&str]) -> (i32, String) {
    let output = Command::new("redis-check-aof")
        .args(extra)
        .arg(aof_dir(dir).join("appendonly.aof.manifest"))
        .stdin(Stdio::null())
        .output()
        .expect("run redis-check-aof");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}
