//! `cargo xtask`: project chores.
//!
//! `cargo xtask gen` regenerates the man pages and shell completions;
//! `cargo xtask check` fails when the committed ones are stale.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// Project chores for the rkv workspace.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask")]
struct Args {
    /// The chore to run.
    #[command(subcommand)]
    task: Task,
}

/// The chores `cargo xtask` knows.
#[derive(Subcommand, Debug)]
enum Task {
    /// Write man/*.1 and completions/* from the programs' clap definitions.
    Gen,
    /// Fail if the committed man pages or completions differ from `gen`'s.
    Check,
}

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let root = xtask::workspace_root();
    let files = xtask::generate_all(xtask::programs()).context("rendering docs")?;
    match args.task {
        Task::Gen => {
            xtask::write_files(&root, &files).context("writing generated files")?;
            println!("wrote {} files", files.len());
            Ok(ExitCode::SUCCESS)
        }
        Task::Check => {
            let stale = xtask::stale_files(&root, &files).context("reading generated files")?;
            if stale.is_empty() {
                println!("{} generated files are up to date", files.len());
                return Ok(ExitCode::SUCCESS);
            }
            for problem in &stale {
                eprintln!("{problem}");
            }
            eprintln!("run `cargo xtask gen` and commit the result");
            Ok(ExitCode::FAILURE)
        }
    }
}
