//! The interactive dashboard: terminal setup, and the loop that feeds key
//! presses and poller events to `update` and redraws with `view`.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};

use crate::model::Model;
use crate::poller::spawn_pollers;
use crate::target::Target;
use crate::update::{update, Msg};
use crate::view::view;

/// How long to wait for a key before looking at the pollers again.
const INPUT_WAIT: Duration = Duration::from_millis(100);

/// Runs the dashboard until the user quits.
pub fn run(targets: &[Target], interval: Duration) -> io::Result<()> {
    if !io::stdout().is_terminal() {
        return Err(io::Error::other(
            "standard output is not a terminal (use --once or --json)",
        ));
    }
    let (events, incoming) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    spawn_pollers(targets, interval, events, stop.clone());
    let mut model = Model::new(targets.iter().map(Target::label));
    // ratatui::init enters the alternate screen and raw mode, and installs a
    // panic hook that restores the terminal before the message prints.
    let mut terminal = ratatui::try_init().inspect_err(|_| ratatui::restore())?;
    let result = (|| -> io::Result<()> {
        let mut dirty = true;
        while !model.quit {
            if dirty {
                terminal.draw(|frame| view(&model, frame))?;
                dirty = false;
            }
            if event::poll(INPUT_WAIT)? {
                match event::read()? {
                    Event::Key(key) if key.kind == KeyEventKind::Press => {
                        update(&mut model, Msg::Key(key.code));
                        dirty = true;
                    }
                    Event::Resize(_, _) => dirty = true,
                    _ => {}
                }
            }
            while let Ok(event) = incoming.try_recv() {
                update(&mut model, Msg::Poll(event));
                dirty = true;
            }
        }
        Ok(())
    })();
    stop.store(true, Ordering::Relaxed);
    ratatui::restore();
    result
}
