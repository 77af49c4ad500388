//! `rkv-rdb dump`: prints an RDB file's keys as JSON Lines, RESP commands
//! or command lines, with filters on database, type, name and count.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use regex::bytes::Regex;

use super::json::Record;
use super::records::{for_each_rdb_item, item_to_record, Sink};
use super::{DumpArgs, DumpFormat, KeyType};
use crate::value::Value;

fn type_matches(filter: KeyType, value: &Value) -> bool {
    let name = match filter {
        KeyType::String => "string",
        KeyType::List => "list",
        KeyType::Set => "set",
        KeyType::Zset => "zset",
        KeyType::Hash => "hash",
        KeyType::Stream => "stream",
    };
    value.type_name() == name
}

/// Writes the dump of `args.file` to `out`.
pub fn dump_to<W: Write>(args: &DumpArgs, out: W) -> Result<(), String> {
    let pattern = args
        .key
        .as_deref()
        .map(Regex::new)
        .transpose()
        .map_err(|e| format!("--key: {e}"))?;
    let filtered = args.db.is_some() || args.key_type.is_some() || pattern.is_some();
    let mut sink = match args.format {
        DumpFormat::Json => Sink::Json(out),
        DumpFormat::Resp => Sink::Resp { out, db: None },
        DumpFormat::Commands => Sink::Lines { out, db: None },
    };
    let mut printed = 0u64;
    let limit = args.limit.unwrap_or(u64::MAX);
    for_each_rdb_item(&args.file, |item| {
        let Some(record) = item_to_record(item) else {
            return Ok(true);
        };
        if let Record::Key { db, key, value, .. } = &record {
            if args.db.is_some_and(|want| want as u64 != *db)
                || args.key_type.is_some_and(|t| !type_matches(t, value))
                || pattern.as_ref().is_some_and(|p| !p.is_match(key))
            {
                return Ok(true);
            }
            if printed >= limit {
                return Ok(false);
            }
            printed += 1;
        } else if filtered {
            return Ok(true);
        }
        sink.put(&record)?;
        Ok(true)
    })?;
    sink.finish()
}

/// Runs `rkv-rdb dump`.
pub fn run(args: &DumpArgs) -> ExitCode {
    let stdout = std::io::stdout().lock();
    match dump_to(args, BufWriter::with_capacity(64 * 1024, stdout)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.contains("Broken pipe") => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rkv-rdb: {e}");
            ExitCode::from(1)
        }
    }
}
