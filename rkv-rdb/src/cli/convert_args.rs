//! Arguments of `rkv-rdb convert`.

use std::path::PathBuf;

/// Arguments of `rkv-rdb convert`.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct ConvertArgs {
    /// File to read.
    #[arg(value_name = "IN")]
    pub input: PathBuf,

    /// File to write.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,

    /// Format of IN; when omitted, taken from its extension.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub from: Option<FileFormat>,

    /// Format of OUT; when omitted, taken from its extension.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub to: Option<FileFormat>,
}

/// File formats `rkv-rdb convert` reads and writes.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// RDB snapshot.
    Rdb,
    /// JSON Lines, as printed by `rkv-rdb dump --format json`.
    Json,
    /// Append-only file of RESP commands (written only).
    Aof,
}
