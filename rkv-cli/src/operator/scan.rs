//! `--scan`: list keys with SCAN, honouring --pattern, --count and --type.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use rkv_proto::{quote_repr, Frame};

use crate::format::OutputMode;
use crate::session::{interrupted, Session};
use crate::KeyspaceArgs;

/// One SCAN call: the next cursor and the keys.
pub fn scan_page(
    session: &mut Session,
    cursor: &str,
    keyspace: &KeyspaceArgs,
) -> Result<(String, Vec<Vec<u8>>), String> {
    let mut argv: Vec<Vec<u8>> = vec![b"SCAN".to_vec(), cursor.as_bytes().to_vec()];
    if let Some(pattern) = &keyspace.pattern {
        argv.push(b"MATCH".to_vec());
        argv.push(pattern.clone().into_bytes());
    }
    if let Some(count) = keyspace.count {
        argv.push(b"COUNT".to_vec());
        argv.push(count.to_string().into_bytes());
    }
    if let Some(kind) = &keyspace.key_type {
        argv.push(b"TYPE".to_vec());
        argv.push(kind.clone().into_bytes());
    }
    let link = session.link.as_mut().ok_or("\nI/O error")?;
    match link.call(&argv) {
        Err(_) => Err("\nI/O error".into()),
        Ok(Frame::Error(e)) => Err(format!("SCAN error: {e}")),
        Ok(Frame::Array(items)) if items.len() == 2 => {
            let next = String::from_utf8_lossy(items[0].as_bytes().unwrap_or(b"0")).into_owned();
            let Frame::Array(keys) = &items[1] else {
                return Err("Invalid element count from SCAN!".into());
            };
            let keys = keys
                .iter()
                .map(|k| k.as_bytes().unwrap_or_default().to_vec())
                .collect();
            Ok((next, keys))
        }
        Ok(Frame::Array(_)) => Err("Invalid element count from SCAN!".into()),
        Ok(_) => Err("Non ARRAY response from SCAN!".into()),
    }
}

/// Prints every matching key, one per line (quoted on a terminal).
pub fn run(session: &mut Session, keyspace: &KeyspaceArgs, interval: Option<f64>) -> ExitCode {
    let mut cursor = String::from("0");
    let mut stdout = std::io::stdout().lock();
    loop {
        let (next, keys) = match scan_page(session, &cursor, keyspace) {
            Ok(page) => page,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        };
        for key in keys {
            if session.mode == OutputMode::Standard {
                let _ = writeln!(stdout, "{}", quote_repr(&key));
            } else {
                let _ = stdout.write_all(&key);
                let _ = stdout.write_all(b"\n");
            }
        }
        let _ = stdout.flush();
        if let Some(secs) = interval {
            std::thread::sleep(Duration::from_secs_f64(secs));
        }
        cursor = next;
        if cursor == "0" || interrupted() {
            return ExitCode::SUCCESS;
        }
    }
}
