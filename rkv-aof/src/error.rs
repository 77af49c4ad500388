//! The crate's error type: every failure names the file it concerns and,
//! where it has one, the byte offset or manifest line.

use std::io;
use std::path::PathBuf;

use crate::reader::ReadError;

/// A failure of an AOF operation.
#[derive(Debug, thiserror::Error)]
pub enum AofError {
    /// An I/O call on `path` failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory the call was made on.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The manifest could not be parsed (`line` counts from 1; 0 for the
    /// file as a whole).
    #[error("{}: line {line}: {reason}", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// The line at fault.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// An AOF file could not be read as a stream of commands.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Applying the command at `offset` of `file` during a replay failed.
    #[error("{}: byte {offset}: {reason}", file.display())]
    Apply {
        /// The file replayed.
        file: PathBuf,
        /// The command's offset.
        offset: u64,
        /// What the caller said.
        reason: String,
    },
    /// `path` is neither an AOF file, a manifest, nor a directory holding one.
    #[error("{}: {reason}", path.display())]
    Layout {
        /// The path given.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },
}

impl AofError {
    /// An [`AofError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> AofError {
        AofError::Io {
            path: path.into(),
            source,
        }
    }
}
