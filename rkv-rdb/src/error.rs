//! Errors raised while reading RDB data: what went wrong, at which byte
//! offset, and in which key when the reader had got that far.

use std::fmt;

/// What is wrong with an RDB file, without the position (see [`RdbError`]).
#[derive(Debug, thiserror::Error)]
pub enum RdbErrorKind {
    /// The underlying reader failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The file ended in the middle of something.
    #[error("unexpected end of file")]
    Truncated,
    /// The file does not start with `REDIS`.
    #[error("not an RDB file (bad magic string)")]
    BadMagic,
    /// The version number is not one this reader knows.
    #[error("unsupported RDB version {0}")]
    UnsupportedVersion(u32),
    /// A value type byte this reader does not know.
    #[error("unknown value type {0}")]
    UnknownType(u8),
    /// The CRC64 footer does not match the file's contents.
    #[error("checksum mismatch: the file says {expected:#018x}, the contents give {actual:#018x}")]
    BadChecksum {
        /// Checksum stored in the footer.
        expected: u64,
        /// Checksum computed over the file.
        actual: u64,
    },
    /// A module value that cannot be skipped without the module itself.
    #[error("value of module '{0}' cannot be read without the module")]
    UnreadableModule(String),
    /// Any other malformed structure (length, LZF data, listpack, ...).
    #[error("corrupt {what}: {reason}")]
    Corrupt {
        /// The structure being decoded ("listpack", "LZF string", ...).
        what: &'static str,
        /// What was found wrong.
        reason: String,
    },
}

/// An error reading RDB data, with the byte offset where it was detected and
/// the key being read, when there was one.
#[derive(Debug)]
pub struct RdbError {
    /// Byte offset in the input at which the problem was detected.
    pub offset: u64,
    /// Name of the key being read, if the error happened inside a key.
    pub key: Option<Vec<u8>>,
    /// What went wrong.
    pub kind: RdbErrorKind,
}

impl RdbError {
    /// An error of `kind` at `offset`, outside any key.
    pub fn new(offset: u64, kind: RdbErrorKind) -> Self {
        RdbError {
            offset,
            key: None,
            kind,
        }
    }

    /// A [`RdbErrorKind::Corrupt`] error at `offset`.
    pub fn corrupt(offset: u64, what: &'static str, reason: impl Into<String>) -> Self {
        Self::new(
            offset,
            RdbErrorKind::Corrupt {
                what,
                reason: reason.into(),
            },
        )
    }

    /// The same error, tagged with the key it happened in.
    pub fn in_key(mut self, key: &[u8]) -> Self {
        if self.key.is_none() {
            self.key = Some(key.to_vec());
        }
        self
    }
}

impl fmt::Display for RdbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at offset {}", self.offset)?;
        if let Some(key) = &self.key {
            write!(f, " (key '{}')", String::from_utf8_lossy(key))?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for RdbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            RdbErrorKind::Io(err) => Some(err),
            _ => None,
        }
    }
}

/// A decoding failure inside an in-memory blob (listpack, ziplist, ...),
/// turned into an [`RdbError`] by the reader, which knows the offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobError {
    /// The structure being decoded.
    pub what: &'static str,
    /// What was found wrong.
    pub reason: String,
}

impl BlobError {
    /// A failure decoding `what`.
    pub fn new(what: &'static str, reason: impl Into<String>) -> Self {
        BlobError {
            what,
            reason: reason.into(),
        }
    }

    /// The equivalent [`RdbError`] at `offset`.
    pub fn at(self, offset: u64) -> RdbError {
        RdbError::corrupt(offset, self.what, self.reason)
    }
}

/// Shorthand for results of RDB reading.
pub type RdbResult<T> = Result<T, RdbError>;
