//! `rkv-cli`: placeholder entry point; the tool's issue fills it in.

use clap::Parser;

/// Command-line arguments of rkv-cli.
#[derive(Parser, Debug)]
#[command(name = "rkv-cli", version, about)]
struct Args {}

fn main() {
    let _args = Args::parse();
}
