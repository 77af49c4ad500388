//! `rkv-aof` entry point: parses the arguments and reports that the
//! requested subcommand is not written yet.

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
    eprintln!("rkv-aof: '{}' is not implemented yet", command.name());
    ExitCode::from(2)
}
