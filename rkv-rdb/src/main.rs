//! `rkv-rdb` entry point: parses the arguments and reports that the
//! requested subcommand is not written yet.

use std::process::ExitCode;

use clap::Parser;
use rkv_rdb::Args;

fn main() -> ExitCode {
    let args = Args::parse();
    eprintln!("rkv-rdb: '{}' is not implemented yet", args.command.name());
    ExitCode::from(2)
}
