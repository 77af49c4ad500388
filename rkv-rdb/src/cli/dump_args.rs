//! Arguments of `rkv-rdb dump`.

use std::path::PathBuf;

/// Arguments of `rkv-rdb dump`.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct DumpArgs {
    /// RDB file to read.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DumpFormat::Json)]
    pub format: DumpFormat,

    /// Only keys of this database.
    #[arg(long, value_name = "N")]
    pub db: Option<u32>,

    /// Only keys of this type.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub key_type: Option<KeyType>,

    /// Only keys whose name matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub key: Option<String>,

    /// Stop after this many keys.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
}

/// How `rkv-rdb dump` prints keys.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpFormat {
    /// JSON Lines: one object per key (and per auxiliary field and function).
    Json,
    /// RESP-encoded commands that recreate the keys (expiries as PEXPIREAT), ready for `redis-cli --pipe`.
    Resp,
    /// Human-readable commands that recreate the keys, one per line.
    Commands,
}

/// Value types a key can have in an RDB file.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// Strings, integers included.
    String,
    /// Lists.
    List,
    /// Sets.
    Set,
    /// Sorted sets.
    Zset,
    /// Hashes.
    Hash,
    /// Streams.
    Stream,
}
