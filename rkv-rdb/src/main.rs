//! `rkv-rdb` entry point: parses the arguments and runs the subcommand.

use std::process::ExitCode;

use clap::Parser;
use rkv_rdb::Args;

fn main() -> ExitCode {
    rkv_rdb::cli::run(&Args::parse())
}
