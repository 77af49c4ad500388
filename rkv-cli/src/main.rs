//! `rkv-cli` entry point: parses the arguments and reports that the client
//! itself is not written yet.

use std::process::ExitCode;

use clap::Parser;
use rkv_cli::Args;

fn main() -> ExitCode {
    let _args = Args::parse();
    eprintln!("rkv-cli: connecting to a server is not implemented yet");
    ExitCode::from(2)
}
