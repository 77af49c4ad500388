//! `rkv-server [config-file] [--directive value ...]`: the server binary.

use std::process::ExitCode;

/// jemalloc, as Redis uses: less fragmentation for many small values, and
/// the allocator statistics INFO memory reports; wrapped to keep the
/// running total the maxmemory check reads.
#[global_allocator]
static GLOBAL: rkv_server::memory::CountingAllocator<tikv_jemallocator::Jemalloc> =
    rkv_server::memory::CountingAllocator(tikv_jemallocator::Jemalloc);

use rkv_server::config::Config;
use rkv_server::server::{REDIS_VERSION, RKV_VERSION};

fn main() -> ExitCode {
    rkv_server::memory::enable_counting();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("-v" | "--version") => {
            println!("rkv-server v={RKV_VERSION} redis-compatible={REDIS_VERSION}");
            return ExitCode::SUCCESS;
        }
        Some("-h" | "--help") => {
            println!("Usage: rkv-server [/path/to/rkv.conf] [--directive value ...]");
            println!("       rkv-server - (read the configuration from stdin)");
            println!("       rkv-server -v or --version");
            println!("       rkv-server -h or --help");
            println!();
            println!("Examples:");
            println!("       rkv-server (run with the default configuration)");
            println!("       rkv-server /etc/rkv/6379.conf");
            println!("       rkv-server --port 7777");
            println!("       rkv-server /etc/rkv.conf --loglevel verbose");
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let loaded = match Config::from_args(&args) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("\n*** FATAL CONFIG FILE ERROR (rkv {RKV_VERSION}) ***");
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match rkv_server::run(loaded) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rkv-server: {e}");
            ExitCode::FAILURE
        }
    }
}
