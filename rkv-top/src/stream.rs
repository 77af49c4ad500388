//! `--json` without `--once`: one JSON line per sample, until the output
//! closes (e.g. `rkv-top --json | head -5`).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use crate::json::instance_json;
use crate::model::Model;
use crate::poller::{spawn_pollers, PollEvent};
use crate::target::Target;
use crate::update::{update, Msg};

/// Prints a JSON line for every poll result; returns when `out` fails
/// (a closed pipe ends the stream quietly).
pub fn run(targets: &[Target], interval: Duration, out: &mut impl Write) -> io::Result<()> {
    let (events, incoming) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    spawn_pollers(targets, interval, events, stop.clone());
    let mut model = Model::new(targets.iter().map(Target::label));
    let result = (|| -> io::Result<()> {
        for event in incoming {
            let index = match &event {
                PollEvent::Sample(i, _) | PollEvent::Down(i, _) => *i,
            };
            update(&mut model, Msg::Poll(event));
            writeln!(out, "{}", instance_json(&model.instances[index]))?;
            out.flush()?;
        }
        Ok(())
    })();
    stop.store(true, Ordering::Relaxed);
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
