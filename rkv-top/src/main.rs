//! `rkv-top`: placeholder entry point; the tool's issue fills it in.

use clap::Parser;

/// Command-line arguments of rkv-top.
#[derive(Parser, Debug)]
#[command(name = "rkv-top", version, about)]
struct Args {}

fn main() {
    let _args = Args::parse();
}
