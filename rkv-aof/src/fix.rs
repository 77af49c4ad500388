//! Arguments of `rkv-aof fix`.

use std::path::PathBuf;

/// Arguments of `rkv-aof fix`.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct FixArgs {
    /// AOF file, manifest, or append-only directory.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// Do not ask for confirmation before truncating.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Truncate after the last complete, valid command (the default).
    #[arg(long, conflicts_with = "truncate_to_timestamp")]
    pub truncate_to_valid: bool,

    /// Truncate before the first command annotated with a later Unix time
    /// (needs aof-timestamp-enabled); a point-in-time recovery.
    #[arg(long, value_name = "TS")]
    pub truncate_to_timestamp: Option<u64>,
}

impl FixArgs {
    /// The default fix of `path`: truncate to the last valid command, after
    /// asking for confirmation.
    pub fn interactive(path: PathBuf) -> FixArgs {
        FixArgs {
            path,
            yes: false,
            truncate_to_valid: false,
            truncate_to_timestamp: None,
        }
    }
}
