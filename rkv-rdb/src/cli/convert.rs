//! `rkv-rdb convert`: RDB to JSON and back (exact), RDB or JSON to AOF
//! (RESP commands), and RDB to RDB (rewritten as version 10).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::ExitCode;

use super::records::{for_each_json_record, for_each_rdb_item, item_to_record, Sink};
use super::{ConvertArgs, FileFormat};

fn format_of(path: &Path, given: Option<FileFormat>) -> Result<FileFormat, String> {
    if let Some(format) = given {
        return Ok(format);
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("rdb") => Ok(FileFormat::Rdb),
        Some("json") | Some("jsonl") => Ok(FileFormat::Json),
        Some("aof") => Ok(FileFormat::Aof),
        _ => Err(format!(
            "{}: cannot tell the format from the name; use --from/--to",
            path.display()
        )),
    }
}

/// Converts as `args` says.
pub fn convert(args: &ConvertArgs) -> Result<(), String> {
    let from = format_of(&args.input, args.from)?;
    let to = format_of(&args.output, args.to)?;
    if from == FileFormat::Aof {
        return Err("reading an AOF is not supported: convert from RDB or JSON".to_owned());
    }
    let out = File::create(&args.output).map_err(|e| format!("{}: {e}", args.output.display()))?;
    let out = BufWriter::with_capacity(64 * 1024, out);
    let mut sink = match to {
        FileFormat::Rdb => Sink::rdb(out)?,
        FileFormat::Json => Sink::Json(out),
        FileFormat::Aof => Sink::Resp { out, db: None },
    };
    match from {
        FileFormat::Rdb => for_each_rdb_item(&args.input, |item| {
            if let Some(record) = item_to_record(item) {
                sink.put(&record)?;
            }
            Ok(true)
        })?,
        _ => for_each_json_record(&args.input, |record| sink.put(&record))?,
    }
    sink.finish()
}

/// Runs `rkv-rdb convert`.
pub fn run(args: &ConvertArgs) -> ExitCode {
    match convert(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rkv-rdb: {e}");
            ExitCode::from(1)
        }
    }
}
