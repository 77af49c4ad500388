//! `rkv-aof` entry point: parses the arguments and runs the subcommand.

use std::io;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;
use rkv_aof::Args;

fn main() -> ExitCode {
    let Some(command) = Args::parse().into_command() else {
        rkv_aof::command()
            .error(
                ErrorKind::MissingSubcommand,
                "a subcommand or --fix PATH is required",
            )
            .exit();
    };
    let code = rkv_aof::tool::run_with(
        command,
        Some(&rkv_aof::rdb_preamble::RdbPreamble),
        &mut io::stdin().lock(),
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    );
    ExitCode::from(code)
}
