//! The RDB preamble: a base file (or an old-style AOF) that starts with an
//! RDB image ("REDIS" magic) before any commands.
//!
//! This crate does not parse RDB itself. Whoever can (the rkv-rdb library)
//! implements [`PreambleReader`]; without one, a preamble is detected and
//! reported as not validated.

use std::io::BufRead;

/// The magic every RDB image starts with.
pub const RDB_MAGIC: &[u8; 5] = b"REDIS";

/// Whether a file starting with `head` begins with an RDB image.
pub fn starts_with_rdb(head: &[u8]) -> bool {
    head.starts_with(RDB_MAGIC)
}

/// What a validated preamble held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreambleSummary {
    /// Its length in bytes, checksum included: where the command tail
    /// starts.
    pub len: u64,
    /// Keys it holds, when the reader counts them.
    pub keys: Option<u64>,
}

/// Reads an RDB image from the start of an input, consuming exactly its
/// bytes and no more.
pub trait PreambleReader {
    /// Validates the image at the start of `input`; on failure, says why
    /// and at which byte offset.
    fn read_preamble(&self, input: &mut dyn BufRead) -> Result<PreambleSummary, PreambleError>;
}

/// Why an RDB preamble is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid RDB preamble at byte {offset}: {reason}")]
pub struct PreambleError {
    /// Where the problem was found.
    pub offset: u64,
    /// What it is.
    pub reason: String,
}
