//! `rkv-aof`: placeholder entry point; the tool's issue fills it in.

use clap::Parser;

/// Command-line arguments of rkv-aof.
#[derive(Parser, Debug)]
#[command(name = "rkv-aof", version, about)]
struct Args {}

fn main() {
    let _args = Args::parse();
}
