//! `--pipe`: mass insertion. Raw RESP from stdin goes to the server while
//! replies are counted; a final ECHO of random bytes tells when the server
//! has answered everything.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::link::{os_message, Link, LinkError};
use crate::session::Session;

/// Size of each read from stdin.
const CHUNK: usize = 64 * 1024;

/// Runs the transfer; exit status 1 when any reply was an error.
pub fn run(session: &mut Session, timeout_secs: u64) -> ExitCode {
    let Some(link) = session.link.as_mut() else {
        return ExitCode::from(1);
    };
    let marker = random_marker();
    let mut writer = match link.writer() {
        Ok(w) => w,
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
            return run_interleaved(session, marker, timeout_secs)
        }
        Err(e) => {
            eprintln!("Error writing to the server: {}", os_message(&e));
            return ExitCode::from(1);
        }
    };
    let eof = Arc::new(AtomicBool::new(false));
    let eof_seen = Arc::clone(&eof);
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut buf = vec![0u8; CHUNK];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if let Err(e) = writer.write_all(&buf[..n]) {
                        eprintln!("Error writing to the server: {}", os_message(&e));
                        std::process::exit(1);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    eprintln!("Error reading from stdin: {}", os_message(&e));
                    std::process::exit(1);
                }
            }
        }
        // Announced and flagged before the ECHO goes out, so its reply can
        // neither overtake the message nor go unrecognised.
        println!("All data transferred. Waiting for the last reply...");
        let _ = std::io::stdout().flush();
        eof_seen.store(true, Ordering::SeqCst);
        if let Err(e) = writer.write_all(&echo_command(&marker)) {
            eprintln!("Error writing to the server: {}", os_message(&e));
            std::process::exit(1);
        }
    });

    let _ = link.set_read_timeout(Some(Duration::from_millis(500)));
    let mut tally = Tally::default();
    loop {
        let eof_now = eof.load(Ordering::SeqCst);
        match tally.take_reply(link, &marker, eof_now) {
            Ok(true) => break,
            Ok(false) => {}
            Err(code) => return code,
        }
        if tally.timed_out(eof_now, timeout_secs) {
            break;
        }
    }
    tally.finish()
}

/// Whether `raw` is the RESP bulk string holding exactly `payload`.
fn is_bulk_of(raw: &[u8], payload: &[u8]) -> bool {
    let header = format!("${}\r\n", payload.len());
    raw.len() == header.len() + payload.len() + 2
        && raw.starts_with(header.as_bytes())
        && &raw[header.len()..raw.len() - 2] == payload
}

/// Counts replies and errors, and spots the final ECHO.
struct Tally {
    errors: u64,
    replies: u64,
    last_reply: Instant,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            errors: 0,
            replies: 0,
            last_reply: Instant::now(),
        }
    }
}

impl Tally {
    /// Counts the replies already buffered, then waits (up to the link's
    /// read timeout) for more; `true` once the marker came back. Replies
    /// are recognised from their raw bytes: only errors are decoded.
    fn take_reply(&mut self, link: &mut Link, marker: &[u8], eof: bool) -> Result<bool, ExitCode> {
        loop {
            let raw = match link.take_raw_buffered() {
                Ok(Some(raw)) => raw,
                Ok(None) => break,
                Err(_) => {
                    eprintln!("Error reading replies from server");
                    return Err(ExitCode::from(1));
                }
            };
            self.last_reply = Instant::now();
            if raw[0] == b'-' {
                let text = &raw[1..raw.len() - 2];
                eprintln!("{}", String::from_utf8_lossy(text));
                self.errors += 1;
            } else if eof && is_bulk_of(raw, marker) {
                println!("Last reply received from server.");
                return Ok(true);
            }
            self.replies += 1;
        }
        match link.fill() {
            Ok(()) => Ok(false),
            Err(LinkError::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(false)
            }
            Err(_) => {
                eprintln!("Error reading replies from server");
                Err(ExitCode::from(1))
            }
        }
    }

    /// After end of input, whether the server has been silent too long
    /// (counted as an error, as redis-cli does).
    fn timed_out(&mut self, eof: bool, timeout_secs: u64) -> bool {
        if eof && timeout_secs > 0 && self.last_reply.elapsed() > Duration::from_secs(timeout_secs)
        {
            eprintln!("No replies for {timeout_secs} seconds: exiting.");
            self.errors += 1;
            return true;
        }
        false
    }

    fn finish(self) -> ExitCode {
        println!("errors: {}, replies: {}", self.errors, self.replies);
        if self.errors > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Pipe mode over a connection with a single writer (TLS): write a chunk,
/// then take the replies that have arrived, and so on.
fn run_interleaved(session: &mut Session, marker: [u8; 20], timeout_secs: u64) -> ExitCode {
    let Some(link) = session.link.as_mut() else {
        return ExitCode::from(1);
    };
    let mut tally = Tally::default();
    let mut stdin = std::io::stdin().lock();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match stdin.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                eprintln!("Error reading from stdin: {}", os_message(&e));
                return ExitCode::from(1);
            }
        };
        if n == 0 {
            break;
        }
        if let Err(e) = link.write_all(&buf[..n]) {
            eprintln!("Error writing to the server: {e}");
            return ExitCode::from(1);
        }
        // Drain what is there without waiting, so the server never stalls
        // on a full output buffer.
        let _ = link.set_read_timeout(Some(Duration::from_millis(1)));
        loop {
            let before = tally.replies + tally.errors;
            if let Err(code) = tally.take_reply(link, &marker, false) {
                return code;
            }
            if tally.replies + tally.errors == before {
                break;
            }
        }
    }
    println!("All data transferred. Waiting for the last reply...");
    if link.write_all(&echo_command(&marker)).is_err() {
        eprintln!("Error writing to the server");
        return ExitCode::from(1);
    }
    let _ = link.set_read_timeout(Some(Duration::from_millis(500)));
    loop {
        match tally.take_reply(link, &marker, true) {
            Ok(true) => break,
            Ok(false) => {}
            Err(code) => return code,
        }
        if tally.timed_out(true, timeout_secs) {
            break;
        }
    }
    tally.finish()
}

/// The final ECHO; its leading CRLF keeps it well-formed even after
/// garbage in the input.
fn echo_command(marker: &[u8; 20]) -> Vec<u8> {
    let mut echo = b"\r\n*2\r\n$4\r\nECHO\r\n$20\r\n".to_vec();
    echo.extend_from_slice(marker);
    echo.extend_from_slice(b"\r\n");
    echo
}

/// 20 unpredictable bytes (clock and process id mixed by xorshift).
fn random_marker() -> [u8; 20] {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut state = nanos ^ (u64::from(std::process::id()) << 32) ^ 0x9e37_79b9_7f4a_7c15;
    let mut out = [0u8; 20];
    for byte in &mut out {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = (state >> 24) as u8;
    }
    out
}
