//! Loading a whole append-only set at start-up, with Redis's rules: files
//! in manifest order (base, then incremental), an RDB base handed to the
//! caller's RDB loader, a torn or unterminated tail tolerated only in the
//! last file and only under `aof-load-truncated` (then cut in place), any
//! other damage fatal with the file and byte named.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::AofError;
use crate::fix::truncate_in_place;
use crate::layout::AofPart;
use crate::preamble::starts_with_rdb;
use crate::reader::{AofReader, ReadError};
use crate::replay::{replay, ReplayEnd, ReplaySummary, Replayed};

/// What the server provides to a load.
pub trait LoadTarget {
    /// Loads the RDB image at the start of `input` (a base file or an
    /// old-style preamble), consuming exactly its bytes; returns its length.
    fn load_rdb(&mut self, file: &Path, input: &mut dyn BufRead) -> Result<u64, String>;

    /// Applies a command, or a transaction's commands, read from a file.
    fn apply(&mut self, item: Replayed<'_>) -> Result<(), String>;
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedFile {
    /// The file.
    pub path: PathBuf,
    /// Bytes of RDB image loaded from its start (0 if none).
    pub rdb_len: u64,
    /// How its command part replayed.
    pub summary: ReplaySummary,
    /// Set when its torn tail was cut: the size it was cut to.
    pub truncated_to: Option<u64>,
}

/// Loads `parts` in order into `target`. With `load_truncated` (Redis's
/// `aof-load-truncated`), a damaged tail of the last file is cut at its
/// last complete command and loading succeeds; otherwise, or in an
/// earlier file, it is an error.
pub fn load_files(
    parts: &[AofPart],
    load_truncated: bool,
    target: &mut dyn LoadTarget,
) -> Result<Vec<LoadedFile>, AofError> {
    let mut loaded = Vec::with_capacity(parts.len());
    for (index, part) in parts.iter().enumerate() {
        let is_last = index + 1 == parts.len();
        let file = File::open(&part.path).map_err(|e| AofError::io(&part.path, e))?;
        let mut input = BufReader::with_capacity(64 * 1024, file);
        let head = input.fill_buf().map_err(|e| AofError::io(&part.path, e))?;
        let mut rdb_len = 0;
        if starts_with_rdb(head) {
            rdb_len =
                target
                    .load_rdb(&part.path, &mut input)
                    .map_err(|reason| AofError::Apply {
                        file: part.path.clone(),
                        offset: 0,
                        reason: format!("RDB image: {reason}"),
                    })?;
        }
        let reader = AofReader::starting_at(input, &part.path, rdb_len);
        let summary = replay(reader, &mut |item| target.apply(item))?;
        let mut truncated_to = None;
        let size = || {
            std::fs::metadata(&part.path)
                .map(|m| m.len())
                .map_err(|e| AofError::io(&part.path, e))
        };
        // (start of the incomplete entry or transaction, end of file)
        let damaged = match summary.end {
            ReplayEnd::Complete => None,
            ReplayEnd::TruncatedTail { eof } => Some((summary.valid_end, eof)),
            ReplayEnd::UnterminatedMulti { multi } => Some((multi, size()?)),
        };
        if let Some((entry, eof)) = damaged {
            if !is_last || !load_truncated {
                return Err(AofError::Read(ReadError::Truncated {
                    file: part.path.clone(),
                    entry,
                    eof,
                }));
            }
            if summary.valid_end < eof {
                truncate_in_place(&part.path, summary.valid_end)?;
                truncated_to = Some(summary.valid_end);
            }
        }
        loaded.push(LoadedFile {
            path: part.path.clone(),
            rdb_len,
            summary,
            truncated_to,
        });
    }
    Ok(loaded)
}
