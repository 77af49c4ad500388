//! `rkv-cli` entry point: parses the arguments and runs the client.

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use rkv_cli::{run, Args, PasswordSource};

fn main() -> ExitCode {
    let matches = Args::command().get_matches();
    let source = match matches.value_source("password") {
        Some(ValueSource::CommandLine) => PasswordSource::CommandLine,
        _ => PasswordSource::Other,
    };
    let args = match Args::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    run(args, source)
}
