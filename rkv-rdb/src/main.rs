//! `rkv-rdb`: placeholder entry point; the tool's issue fills it in.

use clap::Parser;

/// Command-line arguments of rkv-rdb.
#[derive(Parser, Debug)]
#[command(name = "rkv-rdb", version, about)]
struct Args {}

fn main() {
    let _args = Args::parse();
}
