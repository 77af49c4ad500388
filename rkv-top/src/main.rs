//! `rkv-top` entry point: parses the arguments and reports that the
//! dashboard itself is not written yet.

use std::process::ExitCode;

use clap::Parser;
use rkv_top::Args;

fn main() -> ExitCode {
    let _args = Args::parse();
    eprintln!("rkv-top: the dashboard is not implemented yet");
    ExitCode::from(2)
}
