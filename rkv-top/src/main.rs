//! `rkv-top` entry point: parses the arguments, then runs the dashboard or
//! the one-shot `--once` report.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use rkv_top::{app, once, stream, target, Args};

fn main() -> ExitCode {
    let args = Args::parse();
    let targets = match target::targets(&args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("rkv-top: {e}");
            return ExitCode::from(2);
        }
    };
    if args.cluster {
        eprintln!("rkv-top: --cluster needs cluster mode, which rkv does not have yet");
        return ExitCode::from(2);
    }
    if !args.once {
        let ran = if args.json {
            stream::run(&targets, args.interval, &mut io::stdout().lock())
        } else {
            app::run(&targets, args.interval)
        };
        return match ran {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("rkv-top: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let mut model = once::sample_twice(&targets, args.interval);
    let mut stdout = io::stdout().lock();
    match once::print(&mut model, args.json, &mut stdout).and_then(|()| stdout.flush()) {
        // A closed pipe (`rkv-top --once | head`) is not an error.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("rkv-top: {e}");
            ExitCode::FAILURE
        }
        _ if once::all_up(&model) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
