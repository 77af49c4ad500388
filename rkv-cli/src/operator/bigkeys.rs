//! `--bigkeys` and `--memkeys`: walk the keyspace with SCAN, pipelining
//! TYPE and a size command per key, and report the biggest key of each type.

use std::process::ExitCode;
use std::time::Duration;

use rkv_proto::{encode_command, quote_repr, Frame};

use super::scan::scan_page;
use crate::session::{interrupted, Session};
use crate::KeyspaceArgs;

/// Running figures for one type (shared with --keystats).
#[derive(Debug, Clone)]
pub(super) struct TypeStats {
    pub(super) name: String,
    pub(super) size_command: Option<&'static str>,
    pub(super) unit: &'static str,
    pub(super) biggest: u64,
    pub(super) biggest_key: Option<String>,
    pub(super) count: u64,
    pub(super) total: u64,
}

impl TypeStats {
    fn new(name: &str, size_command: Option<&'static str>, unit: &'static str) -> TypeStats {
        TypeStats {
            name: name.to_string(),
            size_command,
            unit,
            biggest: 0,
            biggest_key: None,
            count: 0,
            total: 0,
        }
    }
}

pub(super) fn known_types() -> Vec<TypeStats> {
    vec![
        TypeStats::new("string", Some("STRLEN"), "bytes"),
        TypeStats::new("list", Some("LLEN"), "items"),
        TypeStats::new("set", Some("SCARD"), "members"),
        TypeStats::new("hash", Some("HLEN"), "fields"),
        TypeStats::new("zset", Some("ZCARD"), "members"),
        TypeStats::new("stream", Some("XLEN"), "entries"),
    ]
}

/// Samples the keyspace; `memkeys` measures MEMORY USAGE instead of
/// element counts.
pub fn run(
    session: &mut Session,
    keyspace: &KeyspaceArgs,
    memkeys: bool,
    interval: Option<f64>,
) -> ExitCode {
    let mut types = known_types();
    let total_keys = match session.link.as_mut().map(|l| l.call(&["DBSIZE"])) {
        Some(Ok(Frame::Integer(n))) => n as f64,
        Some(Ok(Frame::Error(e))) => {
            eprintln!("Couldn't determine DBSIZE: {e}");
            return ExitCode::from(1);
        }
        Some(Ok(_)) => {
            eprintln!("Non INTEGER response from DBSIZE!");
            return ExitCode::from(1);
        }
        _ => {
            eprintln!("\nI/O error");
            return ExitCode::from(1);
        }
    };
    println!("\n# Scanning the entire keyspace to find biggest keys as well as");
    println!("# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec");
    println!("# per 100 SCAN commands (not usually needed).\n");
    let unit_of = |t: &TypeStats| if memkeys { "bytes" } else { t.unit };
    let (mut sampled, mut total_len, mut loops) = (0u64, 0u64, 0u64);
    let mut cursor = String::from("0");
    let mut pct;
    loop {
        pct = 100.0 * sampled as f64 / total_keys;
        let (next, keys) = match scan_page(session, &cursor, keyspace) {
            Ok(page) => page,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        };
        loops += 1;
        let kinds = match key_types(session, &keys, &mut types) {
            Ok(kinds) => kinds,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        };
        let sizes = match key_sizes(
            session,
            &keys,
            &kinds,
            &types,
            memkeys,
            keyspace.memkeys_samples,
        ) {
            Ok(sizes) => sizes,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        };
        for ((key, kind), size) in keys.iter().zip(&kinds).zip(&sizes) {
            let Some(kind) = kind else { continue };
            let stats = &mut types[*kind];
            stats.total += size;
            stats.count += 1;
            total_len += key.len() as u64;
            sampled += 1;
            if stats.biggest < *size {
                let quoted = quote_repr(key);
                println!(
                    "[{pct:05.2}%] Biggest {:<6} found so far '{quoted}' with {size} {}",
                    stats.name,
                    unit_of(stats)
                );
                stats.biggest_key = Some(quoted);
                stats.biggest = *size;
            }
            if sampled.is_multiple_of(1_000_000) {
                println!("[{pct:05.2}%] Sampled {sampled} keys so far");
            }
        }
        if let Some(secs) = interval {
            if loops.is_multiple_of(100) {
                std::thread::sleep(Duration::from_secs_f64(secs));
            }
        }
        cursor = next;
        if cursor == "0" || interrupted() {
            break;
        }
    }
    println!("\n-------- summary -------\n");
    if interrupted() {
        print!("[{pct:05.2}%] ");
    }
    println!("Sampled {sampled} keys in the keyspace!");
    let avg = if total_len > 0 {
        total_len as f64 / sampled as f64
    } else {
        0.0
    };
    println!("Total key length in bytes is {total_len} (avg len {avg:.2})\n");
    for stats in &types {
        if let Some(key) = &stats.biggest_key {
            println!(
                "Biggest {:>6} found '{key}' has {} {}",
                stats.name,
                stats.biggest,
                unit_of(stats)
            );
        }
    }
    println!();
    for stats in &types {
        let share = if sampled > 0 {
            100.0 * stats.count as f64 / sampled as f64
        } else {
            0.0
        };
        let avg = if stats.count > 0 {
            stats.total as f64 / stats.count as f64
        } else {
            0.0
        };
        println!(
            "{} {}s with {} {} ({share:05.2}% of keys, avg size {avg:.2})",
            stats.count,
            stats.name,
            stats.total,
            unit_of(stats)
        );
    }
    ExitCode::SUCCESS
}

/// Pipelined TYPE for every key: index into `types` (new types such as
/// module types are added), `None` for keys that vanished.
pub(super) fn key_types(
    session: &mut Session,
    keys: &[Vec<u8>],
    types: &mut Vec<TypeStats>,
) -> Result<Vec<Option<usize>>, String> {
    let link = session.link.as_mut().ok_or("\nI/O error")?;
    let mut batch = Vec::new();
    for key in keys {
        batch.extend(encode_command(&[b"TYPE".as_slice(), key]));
    }
    link.write_all(&batch)
        .map_err(|e| format!("Error getting type: {e}"))?;
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let name = match link.read_frame() {
            Ok(Frame::Simple(name)) => name,
            Ok(Frame::Error(e)) => return Err(format!("TYPE returned an error: {e}")),
            Ok(_) => {
                return Err(format!(
                    "Invalid reply type for TYPE on key '{}'!",
                    String::from_utf8_lossy(key)
                ))
            }
            Err(e) => {
                return Err(format!(
                    "Error getting type for key '{}' ({e})",
                    String::from_utf8_lossy(key)
                ))
            }
        };
        if name == "none" {
            out.push(None);
            continue;
        }
        let index = match types.iter().position(|t| t.name == name) {
            Some(i) => i,
            None => {
                types.push(TypeStats::new(&name, None, "?"));
                types.len() - 1
            }
        };
        out.push(Some(index));
    }
    Ok(out)
}

/// Pipelined size commands; 0 for keys skipped or changed meanwhile.
pub(super) fn key_sizes(
    session: &mut Session,
    keys: &[Vec<u8>],
    kinds: &[Option<usize>],
    types: &[TypeStats],
    memkeys: bool,
    samples: Option<u64>,
) -> Result<Vec<u64>, String> {
    let link = session.link.as_mut().ok_or("\nI/O error")?;
    let measured = |kind: &Option<usize>| -> Option<usize> {
        kind.filter(|k| memkeys || types[*k].size_command.is_some())
    };
    let mut batch = Vec::new();
    for (key, kind) in keys.iter().zip(kinds) {
        let Some(kind) = measured(kind) else { continue };
        if memkeys {
            match samples.filter(|s| *s > 0) {
                Some(n) => {
                    let n = n.to_string();
                    batch.extend(encode_command(&[
                        b"MEMORY".as_slice(),
                        b"USAGE",
                        key,
                        b"SAMPLES",
                        n.as_bytes(),
                    ]))
                }
                None => batch.extend(encode_command(&[b"MEMORY".as_slice(), b"USAGE", key])),
            }
        } else {
            let command = types[kind].size_command.expect("measured types have one");
            batch.extend(encode_command(&[command.as_bytes(), key]));
        }
    }
    link.write_all(&batch)
        .map_err(|e| format!("Error getting size: {e}"))?;
    let mut sizes = Vec::with_capacity(keys.len());
    for (key, kind) in keys.iter().zip(kinds) {
        let Some(kind) = measured(kind) else {
            sizes.push(0);
            continue;
        };
        match link.read_frame() {
            Ok(Frame::Integer(n)) => sizes.push(n.max(0) as u64),
            Ok(_) => {
                let command = if memkeys {
                    "MEMORY USAGE"
                } else {
                    types[kind].size_command.unwrap_or("?")
                };
                eprintln!(
                    "Warning:  {command} on '{}' failed (may have changed type)",
                    String::from_utf8_lossy(key)
                );
                sizes.push(0);
            }
            Err(e) => {
                return Err(format!(
                    "Error getting size for key '{}' ({e})",
                    String::from_utf8_lossy(key)
                ))
            }
        }
    }
    Ok(sizes)
}
