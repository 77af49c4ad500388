//! The special modes of `rkv-cli` and the key selection they share.

use std::path::PathBuf;

/// Special modes; at most one may be given.
#[derive(clap::Args, Debug, Clone, PartialEq)]
#[command(next_help_heading = "Modes")]
#[group(id = "mode", multiple = false)]
pub struct ModeArgs {
    /// Run the Lua script in FILE with EVAL; COMMAND holds the keys, then a
    /// lone comma, then the arguments.
    #[arg(long, value_name = "FILE")]
    pub eval: Option<PathBuf>,

    /// Print a rolling line of server statistics (memory, clients, ...).
    #[arg(long)]
    pub stat: bool,

    /// Sample the keyspace for the keys with the most elements.
    #[arg(long)]
    pub bigkeys: bool,

    /// Sample the keyspace for the keys using the most memory.
    #[arg(long)]
    pub memkeys: bool,

    /// Sample the keyspace for key-size and memory statistics.
    #[arg(long)]
    pub keystats: bool,

    /// List keys with SCAN, one per line.
    #[arg(long)]
    pub scan: bool,

    /// Continuously measure and print the server's latency.
    #[arg(long)]
    pub latency: bool,

    /// Like --latency, printing a new line every -i seconds (default 15).
    #[arg(long)]
    pub latency_history: bool,

    /// Print the latency spectrum as a colour chart.
    #[arg(long)]
    pub latency_dist: bool,

    /// Measure the latency this machine itself adds, for SECONDS; no server
    /// is needed.
    #[arg(long, value_name = "SECONDS")]
    pub intrinsic_latency: Option<u64>,

    /// Send raw RESP from standard input to the server (mass insertion).
    #[arg(long)]
    pub pipe: bool,

    /// Give up --pipe after this many seconds without replies (0 waits
    /// forever).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, requires = "pipe")]
    pub pipe_timeout: u64,

    /// Transfer an RDB snapshot from the server into FILE ('-' for standard
    /// output).
    #[arg(long, value_name = "FILE")]
    pub rdb: Option<PathBuf>,

    /// Transfer only the functions of the server's RDB snapshot into FILE
    /// ('-' for standard output).
    #[arg(long, value_name = "FILE")]
    pub functions_rdb: Option<PathBuf>,

    /// Act as a replica and print the commands the primary propagates.
    #[arg(long, visible_alias = "slave")]
    pub replica: bool,
}

/// Which keys --scan, --bigkeys, --memkeys and --keystats look at.
#[derive(clap::Args, Debug, Clone, PartialEq)]
#[command(next_help_heading = "Keyspace")]
pub struct KeyspaceArgs {
    /// Only keys matching this glob-style pattern.
    #[arg(long, value_name = "PATTERN")]
    pub pattern: Option<String>,

    /// COUNT hint for each SCAN call.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// Only keys of this type (string, list, set, zset, hash, stream, ...).
    #[arg(long = "type", value_name = "TYPE")]
    pub key_type: Option<String>,

    /// How many elements to sample per key for --memkeys (0 samples all).
    #[arg(long, value_name = "N")]
    pub memkeys_samples: Option<u64>,

    /// How many of the biggest keys --keystats lists (default 10; --bigkeys
    /// and --memkeys report the biggest key of each type, as redis-cli 7.0).
    #[arg(long, value_name = "N")]
    pub top: Option<u32>,
}
