//! Helpers for tests against a real redis-server: start one on a free
//! port with a given dump, and talk RESP to it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A reply from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// +OK and the like.
    Status(String),
    /// -ERR ...
    Error(String),
    /// :n
    Int(i64),
    /// $n
    Bulk(Option<Vec<u8>>),
    /// *n
    Array(Vec<Reply>),
}

/// A redis-server child process, shut down on drop.
pub struct RedisServer {
    child: Child,
    /// Its port.
    pub port: u16,
    /// Its working directory (holds the dump).
    pub dir: PathBuf,
}

/// True when redis-server can be run here.
pub fn redis_available() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl RedisServer {
    /// Starts redis-server loading `dump` (copied into a fresh directory).
    pub fn start_with(dump: Option<&Path>, name: &str) -> RedisServer {
        let dir = std::env::temp_dir().join(format!("rkv-rdb-redis-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if let Some(dump) = dump {
            std::fs::copy(dump, dir.join("dump.rdb")).unwrap();
        }
        let port = free_port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let server = RedisServer { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(mut c) = server.connect() {
                if c.call(&["PING"]) == Reply::Status("PONG".into()) {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// A new connection.
    pub fn connect(&self) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(Connection {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        })
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A RESP connection.
pub struct Connection {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Connection {
    /// Sends a command and reads its reply.
    pub fn call_bytes(&mut self, args: &[&[u8]]) -> Reply {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.writer.write_all(&out).unwrap();
        self.read_reply()
    }

    /// Sends a command of text arguments.
    pub fn call(&mut self, args: &[&str]) -> Reply {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.call_bytes(&args)
    }

    fn read_line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        line.trim_end_matches("\r\n").to_owned()
    }

    fn read_reply(&mut self) -> Reply {
        let line = self.read_line();
        let (kind, rest) = line.split_at(1);
        match kind {
            "+" => Reply::Status(rest.to_owned()),
            "-" => Reply::Error(rest.to_owned()),
            ":" => Reply::Int(rest.parse().unwrap()),
            "$" => {
                let len: i64 = rest.parse().unwrap();
                if len < 0 {
                    return Reply::Bulk(None);
                }
                let mut buf = vec![0; len as usize + 2];
                self.reader.read_exact(&mut buf).unwrap();
                buf.truncate(len as usize);
                Reply::Bulk(Some(buf))
            }
            "*" => {
                let len: i64 = rest.parse().unwrap();
                Reply::Array((0..len.max(0)).map(|_| self.read_reply()).collect())
            }
            other => panic!("unexpected reply type {other}"),
        }
    }

    /// All keys of database `db`, sorted.
    pub fn keys(&mut self, db: u64) -> Vec<Vec<u8>> {
        assert_eq!(
            self.call(&["SELECT", &db.to_string()]),
            Reply::Status("OK".into())
        );
        let Reply::Array(items) = self.call(&["KEYS", "*"]) else {
            panic!("KEYS")
        };
        let mut keys: Vec<Vec<u8>> = items
            .into_iter()
            .map(|r| match r {
                Reply::Bulk(Some(k)) => k,
                other => panic!("{other:?}"),
            })
            .collect();
        keys.sort();
        keys
    }

    /// DUMP of `key` in the selected database.
    pub fn dump(&mut self, key: &[u8]) -> Vec<u8> {
        match self.call_bytes(&[b"DUMP", key]) {
            Reply::Bulk(Some(p)) => p,
            other => panic!("DUMP: {other:?}"),
        }
    }
}
