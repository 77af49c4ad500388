//! `--once`: two samples of every server one interval apart, then the
//! figures as JSON or as a plain-text render of the screen.

use std::io::Write;
use std::thread;
use std::time::Duration;

use crate::model::Model;
use crate::poller::{connect, take_sample, PollEvent};
use crate::screen::{render, to_text};
use crate::target::Target;
use crate::update::{update, Msg};

/// Width of the `--once` text render.
pub const TEXT_WIDTH: u16 = 120;
/// Height of the `--once` text render.
pub const TEXT_HEIGHT: u16 = 42;

/// Polls every target twice, `interval` apart, and returns the model.
pub fn sample_twice(targets: &[Target], interval: Duration) -> Model {
    let mut model = Model::new(targets.iter().map(Target::label));
    let mut clients: Vec<_> = targets.iter().map(connect).collect();
    for round in 0..2 {
        if round == 1 {
            thread::sleep(interval);
        }
        for (index, client) in clients.iter_mut().enumerate() {
            let event = match client {
                Ok(c) => match take_sample(c) {
                    Ok(sample) => PollEvent::Sample(index, Box::new(sample)),
                    Err(e) => PollEvent::Down(index, e),
                },
                Err(e) => PollEvent::Down(index, e.clone()),
            };
            update(&mut model, Msg::Poll(event));
        }
    }
    model
}

/// Writes the model as JSON (`json`) or as text screens, one per server.
pub fn print(model: &mut Model, json: bool, out: &mut impl Write) -> std::io::Result<()> {
    if json {
        let instances: Vec<_> = model
            .instances
            .iter()
            .map(crate::json::instance_json)
            .collect();
        let doc = serde_json::json!({ "instances": instances });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(());
    }
    for index in 0..model.instances.len() {
        model.selected = index;
        write!(out, "{}", to_text(&render(model, TEXT_WIDTH, TEXT_HEIGHT)))?;
    }
    Ok(())
}

/// Whether every server answered.
pub fn all_up(model: &Model) -> bool {
    model
        .instances
        .iter()
        .all(|i| i.link == crate::model::Link::Up)
}
