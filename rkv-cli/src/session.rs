//! The client's state across commands: the connection (re-opened on
//! demand), the selected database, MULTI state, and how a command is sent
//! and its replies printed, following redis-cli's rules.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rkv_proto::Frame;

use crate::format::{format_reply, Delimiters, OutputMode};
use crate::interrupt;
use crate::link::{connect, ConnectError, Link, LinkError};
use crate::target::Target;

/// What became of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Sent and answered (the answer may be an error reply).
    Done,
    /// No connection, or it broke; already reported.
    Failed,
}

/// A client session.
pub struct Session {
    /// Where to (re)connect.
    pub target: Target,
    /// The open connection, if any.
    pub link: Option<Link>,
    /// Reply format.
    pub mode: OutputMode,
    /// Database currently selected on `link`.
    pub db: u32,
    /// Inside MULTI.
    pub in_multi: bool,
    db_before_multi: u32,
    /// The interactive prompt (or stdin commands) drives this session.
    pub interactive: bool,
    /// `-e`: an error reply ends a one-shot run with status 1.
    pub exit_on_error: bool,
    /// `-i`: pause after each repetition.
    pub interval: Option<Duration>,
    /// Print out-of-band RESP3 pushes (set on a terminal, as redis-cli does).
    pub show_pushes: bool,
    /// Separators of the raw format.
    pub delimiters: Delimiters,
}

impl Session {
    /// A session that has not connected yet.
    pub fn new(target: Target, mode: OutputMode) -> Session {
        Session {
            target,
            link: None,
            mode,
            db: 0,
            in_multi: false,
            db_before_multi: 0,
            interactive: false,
            exit_on_error: false,
            interval: None,
            show_pushes: false,
            delimiters: Delimiters::default(),
        }
    }

    /// Opens a fresh connection (dropping any old one); errors go to stderr
    /// unless `quiet`, except handshake failures which always do.
    pub fn connect(&mut self, quiet: bool) -> bool {
        if self.link.take().is_some() {
            self.db = 0;
            self.in_multi = false;
        }
        match connect(&self.target) {
            Ok(link) => {
                self.link = Some(link);
                self.db = self.target.db;
                true
            }
            Err(ConnectError::Unreachable(message)) => {
                if !quiet {
                    eprintln!("{message}");
                }
                false
            }
            Err(ConnectError::Handshake(message, link)) => {
                eprintln!("{message}");
                self.link = link;
                false
            }
        }
    }

    /// The link, connecting first if needed; `None` after reporting failure.
    pub fn ensure_link(&mut self) -> Option<&mut Link> {
        if self.link.is_none() && !self.connect(false) {
            return None;
        }
        self.link.as_mut()
    }

    /// The link, connecting quietly first if needed.
    pub fn ensure_link_quiet(&mut self) -> Option<&mut Link> {
        if self.link.is_none() && !self.connect(true) {
            return None;
        }
        self.link.as_mut()
    }

    /// The prompt as redis-cli shows it: `host:port[db](TX)> `.
    pub fn prompt(&self) -> String {
        if self.link.is_none() {
            return "not connected> ".into();
        }
        prompt_text(&self.target, self.db, self.in_multi)
    }

    /// Sends `argv` `repeat` times (negative: forever), printing replies.
    pub fn issue(&mut self, argv: &[Vec<u8>], repeat: i64) -> Outcome {
        if self.link.is_none() && !self.connect(false) && self.link.is_none() {
            return Outcome::Failed;
        }
        // From the moment the command is sent, Ctrl-C cancels it rather
        // than ending the prompt.
        if self.interactive {
            interrupt::begin_cancellable();
        }
        let result = self.send_repeated(argv, repeat);
        if self.interactive {
            interrupt::end_cancellable();
        }
        match result {
            Ok(()) => Outcome::Done,
            Err(LinkError::Interrupted) => {
                // Ctrl-C on a blocking command: the reply may still come, so
                // the connection cannot be reused.
                println!();
                self.connect(false);
                Outcome::Done
            }
            Err(e) => {
                eprintln!("Error: {e}");
                self.link = None;
                Outcome::Failed
            }
        }
    }

    fn send_repeated(&mut self, argv: &[Vec<u8>], mut repeat: i64) -> Result<(), LinkError> {
        let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
        let verbatim = is_verbatim_command(argv);
        let streaming = match name.as_str() {
            "monitor" => Some(false),
            "subscribe" | "psubscribe" | "ssubscribe" => Some(true),
            _ => None,
        };
        while repeat != 0 {
            if repeat > 0 {
                repeat -= 1;
            }
            let link = self.link.as_mut().ok_or(LinkError::Closed)?;
            link.send(argv)?;
            if let Some(pubsub) = streaming {
                if pubsub && self.mode != OutputMode::Raw {
                    println!("Reading messages... (press Ctrl-C to quit)");
                }
                return self.stream_replies(verbatim);
            }
            let reply = match self.read_reply() {
                Ok(reply) => reply,
                Err(LinkError::Closed) if name == "shutdown" => {
                    self.link = None;
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
            if !self.interactive && self.exit_on_error {
                if let Frame::Error(e) = &reply {
                    eprintln!("{e}");
                    std::process::exit(1);
                }
            }
            self.print(&reply, verbatim);
            self.track_state(argv, &name, &reply);
            if let Some(pause) = self.interval {
                std::thread::sleep(pause);
            }
        }
        Ok(())
    }

    /// Reads the reply to a command, printing any push messages before it.
    fn read_reply(&mut self) -> Result<Frame, LinkError> {
        loop {
            let frame = self.read_one()?;
            if let Frame::Push(_) = frame {
                if self.show_pushes {
                    self.print_push(&frame);
                }
                continue;
            }
            return Ok(frame);
        }
    }

    fn read_one(&mut self) -> Result<Frame, LinkError> {
        let interactive = self.interactive;
        let link = self.link.as_mut().ok_or(LinkError::Closed)?;
        if interactive {
            link.read_frame_interruptible(&interrupt::INTERRUPTED)
        } else {
            link.read_frame()
        }
    }

    /// MONITOR and SUBSCRIBE: print replies until an error or Ctrl-C.
    fn stream_replies(&mut self, verbatim: bool) -> Result<(), LinkError> {
        loop {
            let frame = match self.read_one() {
                Ok(frame) => frame,
                Err(LinkError::Interrupted) => {
                    self.connect(false);
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
            self.print(&frame, verbatim);
            if frame.is_error() {
                return Ok(());
            }
        }
    }

    fn print_push(&self, frame: &Frame) {
        if self.mode == OutputMode::Standard {
            if let Some(text) = invalidate_line(frame) {
                print!("{text}");
                let _ = std::io::stdout().flush();
                return;
            }
        }
        self.print(frame, false);
    }

    /// Prints a reply in the session's format.
    pub fn print(&self, frame: &Frame, verbatim: bool) {
        let out = format_reply(frame, self.mode, verbatim, &self.delimiters);
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(&out);
        let _ = stdout.flush();
    }

    /// Follows SELECT, AUTH, MULTI, EXEC, DISCARD and RESET, as the prompt
    /// and reconnections depend on them.
    fn track_state(&mut self, argv: &[Vec<u8>], name: &str, reply: &Frame) {
        let failed = reply.is_error();
        match (name, argv.len()) {
            ("select", 2) if !failed => {
                let db = leading_int(&argv[1]);
                self.db = db;
                self.target.db = db;
            }
            ("auth", 2 | 3) if self.target.db != self.db => {
                let db = self.target.db.to_string();
                if let Some(link) = self.link.as_mut() {
                    match link.call(&["SELECT", db.as_str()]) {
                        Ok(Frame::Error(e)) => eprintln!("SELECT {db} failed: {e}"),
                        Ok(_) => self.db = self.target.db,
                        Err(_) => eprintln!("\nI/O error"),
                    }
                }
            }
            ("multi", 1) if !failed => {
                self.in_multi = true;
                self.db_before_multi = self.db;
            }
            ("exec", 1) if self.in_multi => {
                self.in_multi = false;
                if failed || *reply == Frame::Null {
                    self.db = self.db_before_multi;
                    self.target.db = self.db;
                }
            }
            ("discard", 1) if !failed => {
                self.in_multi = false;
                self.db = self.db_before_multi;
                self.target.db = self.db;
            }
            ("reset", 1) if !failed => {
                self.in_multi = false;
                self.db = 0;
                self.target.db = 0;
                self.target.resp3 = crate::target::Resp3::No;
            }
            _ => {}
        }
    }
}

/// The connected prompt: address, `[db]` when not 0, `(TX)` inside MULTI.
pub fn prompt_text(target: &Target, db: u32, in_multi: bool) -> String {
    let mut prompt = match &target.socket {
        Some(path) => format!("redis {}", path.display()),
        None => target.address(),
    };
    if db != 0 {
        prompt.push_str(&format!("[{db}]"));
    }
    if in_multi {
        prompt.push_str("(TX)");
    }
    prompt.push_str("> ");
    prompt
}

/// `atoi` of an argument.
fn leading_int(arg: &[u8]) -> u32 {
    let text = String::from_utf8_lossy(arg);
    let digits: String = text
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(0)
}

/// Commands whose text replies redis-cli prints raw even on a terminal.
pub fn is_verbatim_command(argv: &[Vec<u8>]) -> bool {
    let word = |i: usize| -> String {
        argv.get(i)
            .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
            .unwrap_or_default()
    };
    let (cmd, sub, argc) = (word(0), word(1), argv.len());
    match cmd.as_str() {
        "info" | "lolwut" => true,
        "debug" => {
            argc >= 2 && matches!(sub.as_str(), "htstats" | "htstats-key" | "client-eviction")
        }
        "memory" => argc >= 2 && matches!(sub.as_str(), "malloc-stats" | "doctor"),
        "cluster" => argc == 2 && matches!(sub.as_str(), "nodes" | "info"),
        "client" => argc >= 2 && matches!(sub.as_str(), "list" | "info"),
        "latency" => (argc == 3 && sub == "graph") || (argc == 2 && sub == "doctor"),
        "proxy" => argc >= 2 && sub == "info",
        _ => false,
    }
}

/// redis-cli's one-line form of a RESP3 `invalidate` push.
fn invalidate_line(frame: &Frame) -> Option<String> {
    let Frame::Push(items) = frame else {
        return None;
    };
    let [Frame::Bulk(kind), Frame::Array(keys)] = items.as_slice() else {
        return None;
    };
    if !kind.starts_with(b"invalidate") {
        return None;
    }
    let keys: Vec<String> = keys
        .iter()
        .map(|k| {
            format!(
                "'{}'",
                String::from_utf8_lossy(k.as_bytes().unwrap_or_default())
            )
        })
        .collect();
    Some(format!("-> invalidate: {}\n", keys.join(", ")))
}

/// Whether the interrupt flag is up (for long-running modes).
pub fn interrupted() -> bool {
    interrupt::INTERRUPTED.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn verbatim_commands() {
        assert!(is_verbatim_command(&argv(&["INFO"])));
        assert!(is_verbatim_command(&argv(&["client", "LIST"])));
        assert!(!is_verbatim_command(&argv(&["cluster", "nodes", "x"])));
        assert!(!is_verbatim_command(&argv(&["GET", "k"])));
    }

    #[test]
    fn invalidate_push_line() {
        let push = Frame::Push(vec![
            Frame::Bulk(b"invalidate".to_vec()),
            Frame::Array(vec![Frame::Bulk(b"a".to_vec()), Frame::Bulk(b"b".to_vec())]),
        ]);
        assert_eq!(invalidate_line(&push).unwrap(), "-> invalidate: 'a', 'b'\n");
    }

    #[test]
    fn prompt_shows_db_and_transaction() {
        let target = crate::target::Target {
            host: "127.0.0.1".into(),
            port: 6379,
            socket: None,
            user: None,
            password: None,
            db: 0,
            resp3: crate::target::Resp3::No,
            tls: false,
            tls_options: Default::default(),
        };
        assert_eq!(prompt_text(&target, 0, false), "127.0.0.1:6379> ");
        assert_eq!(prompt_text(&target, 2, true), "127.0.0.1:6379[2](TX)> ");
        let s = Session::new(target, OutputMode::Standard);
        assert_eq!(s.prompt(), "not connected> ");
    }
}
