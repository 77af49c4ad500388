//! Arguments of `rkv-rdb analyze`.

use std::path::PathBuf;

/// Arguments of `rkv-rdb analyze`.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct AnalyzeArgs {
    /// RDB file to analyze.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// How many of the biggest keys and prefixes to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// How many ':'-separated segments of a key name form its prefix.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub prefix_depth: usize,

    /// Also write one CSV row per key to FILE ('-' for standard output).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,

    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,

    /// Also write the report as an HTML page to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}
