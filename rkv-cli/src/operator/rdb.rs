//! `--rdb`, `--functions-rdb` and `--replica`: speak just enough of the
//! replication protocol to receive a snapshot (saved to a file) or the
//! command stream (printed as CSV).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use rkv_proto::Frame;

use crate::format::OutputMode;
use crate::link::{os_message, Link};
use crate::session::Session;

/// Length of the end marker of a diskless transfer.
const EOF_MARK_LEN: usize = 40;

/// How the snapshot's end is known.
enum Payload {
    /// `$<len>`: exactly this many bytes.
    Length(u64),
    /// `$EOF:<mark>`: until these 40 bytes appear.
    Marker(Vec<u8>),
}

/// `REPLCONF a b`, reported on stderr as redis-cli does; `false` when the
/// server refused (not fatal: older servers lack some options).
fn replconf(link: &mut Link, a: &str, b: &str) -> Result<bool, ExitCode> {
    eprintln!("sending REPLCONF {a} {b}");
    match link.call(&["REPLCONF", a, b]) {
        Ok(Frame::Error(e)) => {
            eprintln!("REPLCONF {a} error: {e}");
            Ok(false)
        }
        Ok(_) => Ok(true),
        Err(_) => {
            eprintln!("\nI/O error");
            Err(ExitCode::from(1))
        }
    }
}

/// Sends SYNC and reads the payload header.
fn sync(link: &mut Link) -> Result<Payload, ExitCode> {
    if link.write_all(b"SYNC\r\n").is_err() {
        eprintln!("Error writing to master");
        return Err(ExitCode::from(1));
    }
    let header = link.read_line().map_err(|_| {
        eprintln!("Error reading bulk length while SYNCing");
        ExitCode::from(1)
    })?;
    if header.first() == Some(&b'-') {
        eprintln!(
            "SYNC with master failed: {}",
            String::from_utf8_lossy(&header)
        );
        return Err(ExitCode::from(1));
    }
    let body = header.get(1..).unwrap_or_default();
    if let Some(mark) = body.strip_prefix(b"EOF:") {
        if mark.len() >= EOF_MARK_LEN {
            return Ok(Payload::Marker(mark[..EOF_MARK_LEN].to_vec()));
        }
    }
    let digits: String = String::from_utf8_lossy(body)
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Ok(Payload::Length(digits.parse().unwrap_or(0)))
}

/// Copies the payload to `out`; returns the snapshot's length (without the
/// end marker).
fn copy_payload(link: &mut Link, payload: &Payload, out: &mut dyn Write) -> Result<u64, String> {
    let mut written = 0u64;
    let mut tail: Vec<u8> = Vec::with_capacity(2 * EOF_MARK_LEN);
    loop {
        let want = match payload {
            Payload::Length(n) if written >= *n => return Ok(written),
            Payload::Length(n) => (n - written).min(64 * 1024) as usize,
            Payload::Marker(_) => 64 * 1024,
        };
        let chunk = link
            .read_raw(want)
            .map_err(|_| "I/O Error reading RDB payload from socket".to_string())?;
        out.write_all(&chunk)
            .map_err(|e| format!("Error writing data to file: {}", os_message(&e)))?;
        written += chunk.len() as u64;
        if let Payload::Marker(mark) = payload {
            tail.extend_from_slice(&chunk);
            if tail.len() > EOF_MARK_LEN {
                tail.drain(..tail.len() - EOF_MARK_LEN);
            }
            if tail == *mark {
                return Ok(written - EOF_MARK_LEN as u64);
            }
        }
    }
}

/// `--rdb FILE` / `--functions-rdb FILE` ('-' is standard output).
pub fn fetch(session: &mut Session, file: &Path, functions_only: bool) -> ExitCode {
    let Some(link) = session.link.as_mut() else {
        return ExitCode::from(1);
    };
    if let Err(code) = replconf(link, "capa", "eof") {
        return code;
    }
    if let Err(code) = replconf(link, "rdb-only", "1") {
        return code;
    }
    if functions_only {
        match replconf(link, "rdb-filter-only", "functions") {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("Failed requesting functions only RDB from server, aborting");
                return ExitCode::from(1);
            }
            Err(code) => return code,
        }
    }
    let payload = match sync(link) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let name = file.display().to_string();
    match &payload {
        Payload::Marker(_) => eprintln!(
            "SYNC sent to master, writing bytes of bulk transfer until EOF marker to '{name}'"
        ),
        Payload::Length(n) => eprintln!("SYNC sent to master, writing {n} bytes to '{name}'"),
    }
    let to_stdout = name == "-";
    let mut file_out = if to_stdout {
        None
    } else {
        match OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(file)
        {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("Error opening '{name}': {}", os_message(&e));
                return ExitCode::from(1);
            }
        }
    };
    let mut stdout = std::io::stdout().lock();
    let out: &mut dyn Write = match file_out.as_mut() {
        Some(f) => f,
        None => &mut stdout,
    };
    let length = match copy_payload(link, &payload, out) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    session.link = None;
    match (&payload, file_out.as_mut()) {
        (Payload::Marker(_), file) => {
            if let Some(f) = file {
                if let Err(e) = f.set_len(length) {
                    eprintln!("ftruncate failed: {}.", os_message(&e));
                }
            }
            eprintln!("Transfer finished with success after {length} bytes");
        }
        (Payload::Length(_), _) => eprintln!("Transfer finished with success."),
    }
    if let Some(f) = file_out {
        if let Err(e) = f.sync_all() {
            eprintln!("Fail to fsync '{name}': {}", os_message(&e));
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

/// `--replica`: skip the snapshot, then print each propagated command as CSV.
pub fn replica(session: &mut Session) -> ExitCode {
    let Some(link) = session.link.as_mut() else {
        return ExitCode::from(1);
    };
    if let Err(code) = replconf(link, "capa", "eof") {
        return code;
    }
    if let Err(code) = replconf(link, "rdb-filter-only", "") {
        return code;
    }
    let payload = match sync(link) {
        Ok(p) => p,
        Err(code) => return code,
    };
    match &payload {
        Payload::Marker(_) => {
            eprintln!("SYNC with master, discarding bytes of bulk transfer until EOF marker...")
        }
        Payload::Length(n) => {
            eprintln!("SYNC with master, discarding {n} bytes of bulk transfer...")
        }
    }
    let length = match copy_payload(link, &payload, &mut std::io::sink()) {
        Ok(n) => n,
        Err(_) => {
            eprintln!("Error reading RDB payload while SYNCing");
            return ExitCode::from(1);
        }
    };
    if let Payload::Marker(_) = payload {
        // Counted with the end marker here, unlike --rdb, as redis-cli does.
        let received = length + EOF_MARK_LEN as u64;
        eprintln!("SYNC done after {received} bytes. Logging commands from master.");
        std::thread::sleep(std::time::Duration::from_secs(1));
        // redis-cli sends the ACK as a regular command and so takes the
        // next thing the primary sends as its reply; mirror that so the
        // printed stream is the same.
        if let Err(code) = replconf(link, "ACK", "0") {
            return code;
        }
    } else {
        eprintln!("SYNC done. Logging commands from master.");
    }
    session.mode = OutputMode::Csv;
    while let Some(link) = session.link.as_mut() {
        match link.read_frame() {
            Ok(frame) => session.print(&frame, false),
            Err(e) => {
                eprintln!("Error: {e}");
                return ExitCode::from(1);
            }
        }
    }
    ExitCode::from(1)
}
