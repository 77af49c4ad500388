//! The operator modes that replace sending a command: statistics, key
//! sampling, latency probes, mass insertion and snapshot transfer.

mod bigkeys;
mod info;
mod keystats;
mod latency;
mod pipe;
mod rdb;
mod scan;
mod stat;

use std::process::ExitCode;

use crate::interrupt;
use crate::session::Session;
use crate::Args;

/// Runs the mode `args` asks for, if any, and returns the exit status.
pub fn run_mode(args: &Args, session: &mut Session) -> Option<ExitCode> {
    let mode = &args.mode;
    if let Some(seconds) = mode.intrinsic_latency {
        interrupt::install();
        interrupt::begin_cancellable();
        return Some(latency::intrinsic(seconds));
    }
    let wanted = mode.latency
        || mode.latency_history
        || mode.latency_dist
        || mode.replica
        || mode.rdb.is_some()
        || mode.functions_rdb.is_some()
        || mode.pipe
        || mode.bigkeys
        || mode.memkeys
        || args.keyspace.memkeys_samples.is_some()
        || mode.keystats
        || mode.stat
        || mode.scan;
    if !wanted {
        return None;
    }
    if !session.connect(false) {
        return Some(ExitCode::from(1));
    }
    let interval = args.interval.filter(|s| *s > 0.0);
    // Long-running loops stop cleanly on Ctrl-C and print their summary.
    interrupt::install();
    interrupt::begin_cancellable();
    let code = if mode.latency || mode.latency_history {
        latency::run(session, mode.latency_history, interval)
    } else if mode.latency_dist {
        latency::dist(session, interval)
    } else if mode.replica {
        rdb::replica(session)
    } else if let Some(file) = &mode.rdb {
        rdb::fetch(session, file, false)
    } else if let Some(file) = &mode.functions_rdb {
        rdb::fetch(session, file, true)
    } else if mode.pipe {
        pipe::run(session, mode.pipe_timeout)
    } else if mode.keystats {
        keystats::run(session, &args.keyspace, interval)
    } else if mode.bigkeys || mode.memkeys || args.keyspace.memkeys_samples.is_some() {
        // --memkeys-samples alone implies --memkeys, as in redis-cli.
        bigkeys::run(session, &args.keyspace, !mode.bigkeys, interval)
    } else if mode.stat {
        stat::run(session, interval.unwrap_or(1.0))
    } else {
        scan::run(session, &args.keyspace, interval)
    };
    Some(code)
}
