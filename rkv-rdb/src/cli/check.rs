//! `rkv-rdb check`: reads a whole file, verifying its structure and
//! checksum, and says where the first problem is.

use std::collections::BTreeSet;
use std::fs::File;
use std::process::ExitCode;

use super::progress::Progress;
use super::CheckArgs;
use crate::reader::{Item, RdbReader};
use crate::RdbError;

/// What a successful check found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CheckSummary {
    /// RDB version.
    pub version: u32,
    /// Keys read.
    pub keys: u64,
    /// Keys with an expiry.
    pub expires: u64,
    /// Databases holding keys.
    pub databases: usize,
    /// Function libraries.
    pub functions: u64,
    /// File size in bytes.
    pub bytes: u64,
    /// Whether the checksum was verified.
    pub checksum_verified: bool,
}

/// Reads `reader` to the end.
pub fn check_reader<R: std::io::Read>(
    mut reader: RdbReader<R>,
    progress: &Progress,
) -> Result<CheckSummary, RdbError> {
    let mut summary = CheckSummary {
        version: reader.version(),
        ..Default::default()
    };
    let mut dbs = BTreeSet::new();
    let mut n = 0u64;
    while let Some(item) = reader.next_item()? {
        n += 1;
        if n.is_multiple_of(1024) {
            progress.set(reader.offset());
        }
        match item {
            Item::Key(key) => {
                summary.keys += 1;
                summary.expires += key.expire_ms.is_some() as u64;
                dbs.insert(key.db);
            }
            Item::Function { .. } => summary.functions += 1,
            Item::End { checksum_verified } => summary.checksum_verified = checksum_verified,
            _ => {}
        }
    }
    summary.bytes = reader.offset();
    summary.databases = dbs.len();
    Ok(summary)
}

/// Runs `rkv-rdb check`.
pub fn run(args: &CheckArgs) -> ExitCode {
    let name = args.file.display();
    let file = match File::open(&args.file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("rkv-rdb: {name}: {e}");
            return ExitCode::from(1);
        }
    };
    let progress = Progress::new(file.metadata().map(|m| m.len()).unwrap_or(0));
    let result = RdbReader::new(file).and_then(|r| check_reader(r, &progress));
    progress.finish();
    match result {
        Ok(s) => {
            println!(
                "{name}: OK: RDB version {}, {} keys ({} with an expiry) in {} databases, {} function libraries, {} bytes, checksum {}",
                s.version,
                s.keys,
                s.expires,
                s.databases,
                s.functions,
                s.bytes,
                if s.checksum_verified { "verified" } else { "not present" }
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{name}: INVALID {e}");
            ExitCode::from(1)
        }
    }
}
