//! `rkv-rdb` entry point: parses the arguments and runs the subcommand.

use std::process::ExitCode;

use clap::Parser;
use rkv_rdb::Args;

/// jemalloc: reading a dump allocates and frees small buffers per key,
/// which it serves faster than the system allocator.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    rkv_rdb::cli::run(&Args::parse())
}
