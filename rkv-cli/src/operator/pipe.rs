//! `--pipe`: mass insertion. Raw RESP from stdin goes to the server while
//! replies are counted; a final ECHO of random bytes tells when the server
//! has answered everything.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rkv_proto::Frame;

use crate::link::{os_message, LinkError};
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
        // The leading CRLF keeps the ECHO well-formed even after garbage.
        let mut echo = b"\r\n*2\r\n$4\r\nECHO\r\n$20\r\n".to_vec();
        echo.extend_from_slice(&marker);
        echo.extend_from_slice(b"\r\n");
        if let Err(e) = writer.write_all(&echo) {
            eprintln!("Error writing to the server: {}", os_message(&e));
            std::process::exit(1);
        }
        println!("All data transferred. Waiting for the last reply...");
        let _ = std::io::stdout().flush();
        eof_seen.store(true, Ordering::SeqCst);
    });

    let _ = link.set_read_timeout(Some(Duration::from_millis(500)));
    let (mut errors, mut replies) = (0u64, 0u64);
    let mut last_reply = Instant::now();
    loop {
        match link.read_frame() {
            Ok(frame) => {
                last_reply = Instant::now();
                match &frame {
                    Frame::Error(e) => {
                        eprintln!("{e}");
                        errors += 1;
                    }
                    Frame::Bulk(b) if eof.load(Ordering::SeqCst) && b.as_slice() == marker => {
                        println!("Last reply received from server.");
                        break;
                    }
                    _ => {}
                }
                replies += 1;
            }
            Err(LinkError::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                eprintln!("Error reading replies from server");
                return ExitCode::from(1);
            }
        }
        if eof.load(Ordering::SeqCst)
            && timeout_secs > 0
            && last_reply.elapsed() > Duration::from_secs(timeout_secs)
        {
            eprintln!("No replies for {timeout_secs} seconds: exiting.");
            errors += 1;
            break;
        }
    }
    println!("errors: {errors}, replies: {replies}");
    if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
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
