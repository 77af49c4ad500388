//! `update`: the only code that changes the [`Model`], one message at a time.

use crossterm::event::KeyCode;

use crate::figures::Figures;
use crate::history::History;
use crate::model::{Instance, Link, Model, Panel, HISTORY_LEN};
use crate::poller::PollEvent;
use crate::sample::Sample;

/// Something that happened: a poll result or a key press.
#[derive(Debug, Clone)]
pub enum Msg {
    /// A poller reported.
    Poll(PollEvent),
    /// The user pressed a key.
    Key(KeyCode),
}

/// Applies one message to the model.
pub fn update(model: &mut Model, msg: Msg) {
    match msg {
        Msg::Poll(PollEvent::Sample(index, sample)) => {
            if let Some(instance) = model.instances.get_mut(index) {
                instance.link = Link::Up;
                if !model.paused {
                    absorb(instance, *sample);
                }
            }
        }
        Msg::Poll(PollEvent::Down(index, error)) => {
            if let Some(instance) = model.instances.get_mut(index) {
                instance.link = Link::Down(error);
            }
        }
        Msg::Key(key) => on_key(model, key),
    }
}

fn on_key(model: &mut Model, key: KeyCode) {
    let count = model.instances.len();
    match key {
        KeyCode::Char('q') => model.quit = true,
        KeyCode::Char('?') => model.show_help = !model.show_help,
        KeyCode::Esc => (model.show_help, model.zoomed) = (false, false),
        KeyCode::Enter | KeyCode::Char('z') => model.zoomed = !model.zoomed,
        KeyCode::Char('p') => model.paused = !model.paused,
        KeyCode::Char('r') => {
            for instance in &mut model.instances {
                reset(instance);
            }
        }
        KeyCode::Tab | KeyCode::Right => model.selected = (model.selected + 1) % count,
        KeyCode::BackTab | KeyCode::Left => model.selected = (model.selected + count - 1) % count,
        KeyCode::Down => model.focus = step_panel(model.focus, 1),
        KeyCode::Up => model.focus = step_panel(model.focus, Panel::ALL.len() - 1),
        _ => {}
    }
}

fn step_panel(panel: Panel, by: usize) -> Panel {
    let at = Panel::ALL.iter().position(|p| *p == panel).unwrap_or(0);
    Panel::ALL[(at + by) % Panel::ALL.len()]
}

/// Takes in a new sample: figures against the previous one, then history.
fn absorb(instance: &mut Instance, sample: Sample) {
    let figures = Figures::compute(instance.latest.as_ref(), &sample);
    if let Some(ops) = figures.ops_per_sec {
        instance.ops.push(ops.round() as u64);
    }
    if let Some(used) = figures.memory.used {
        instance.used_memory.push(used);
    }
    if let Some(rss) = figures.memory.rss {
        instance.rss.push(rss);
    }
    for replica in &figures.replication.replicas {
        instance
            .replica_lag
            .entry(replica.addr.clone())
            .or_insert_with(|| History::new(HISTORY_LEN))
            .push(replica.lag_bytes);
    }
    for trip in &sample.pings {
        instance.latency.record(*trip);
    }
    instance.figures = Some(figures);
    instance.previous = instance.latest.replace(sample);
}

/// Forgets rates and history: the next sample starts afresh.
fn reset(instance: &mut Instance) {
    instance.previous = None;
    if let Some(latest) = &instance.latest {
        instance.figures = Some(Figures::compute(None, latest));
    }
    instance.ops.clear();
    instance.used_memory.clear();
    instance.rss.clear();
    instance.replica_lag.clear();
    instance.latency = Default::default();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::info::Info;
    use std::time::{Duration, Instant};

    fn sample(commands: u64, at: Instant) -> Box<Sample> {
        Box::new(Sample {
            taken_at: at,
            info: Info::parse(&format!("total_commands_processed:{commands}\r\n")),
            maxmemory: None,
            slowlog: Vec::new(),
            clients: Vec::new(),
            pings: vec![Duration::from_micros(80)],
            latency_events: Vec::new(),
        })
    }

    fn model() -> Model {
        Model::new(["a:1".to_owned(), "b:2".to_owned()])
    }

    #[test]
    fn samples_build_rates_and_history() {
        let mut m = model();
        let t0 = Instant::now();
        update(&mut m, Msg::Poll(PollEvent::Sample(0, sample(10, t0))));
        update(
            &mut m,
            Msg::Poll(PollEvent::Sample(
                0,
                sample(30, t0 + Duration::from_secs(1)),
            )),
        );
        let a = &m.instances[0];
        assert_eq!(a.link, Link::Up);
        assert_eq!(a.figures.as_ref().unwrap().ops_per_sec, Some(20.0));
        assert_eq!(a.ops.iter().collect::<Vec<_>>(), [20]);
        assert_eq!(a.latency.samples(), 2);
    }

    #[test]
    fn pause_freezes_and_reset_clears() {
        let mut m = model();
        let t0 = Instant::now();
        update(&mut m, Msg::Poll(PollEvent::Sample(0, sample(10, t0))));
        update(&mut m, Msg::Key(KeyCode::Char('p')));
        update(
            &mut m,
            Msg::Poll(PollEvent::Sample(
                0,
                sample(99, t0 + Duration::from_secs(1)),
            )),
        );
        assert!(m.instances[0].previous.is_none(), "paused: sample ignored");
        update(&mut m, Msg::Key(KeyCode::Char('r')));
        assert_eq!(m.instances[0].latency.samples(), 0);
    }

    #[test]
    fn keys_move_between_instances_and_panels() {
        let mut m = model();
        update(&mut m, Msg::Key(KeyCode::Tab));
        assert_eq!(m.selected, 1);
        update(&mut m, Msg::Key(KeyCode::Right));
        assert_eq!(m.selected, 0);
        update(&mut m, Msg::Key(KeyCode::Up));
        assert_eq!(m.focus, Panel::Latency);
        update(&mut m, Msg::Key(KeyCode::Enter));
        assert!(m.zoomed);
        update(&mut m, Msg::Key(KeyCode::Char('?')));
        assert!(m.show_help);
        update(&mut m, Msg::Key(KeyCode::Esc));
        assert!(!m.show_help && !m.zoomed && !m.quit);
        update(&mut m, Msg::Key(KeyCode::Char('q')));
        assert!(m.quit);
    }

    #[test]
    fn a_failed_poll_marks_the_server_down() {
        let mut m = model();
        update(&mut m, Msg::Poll(PollEvent::Down(1, "refused".into())));
        assert_eq!(m.instances[1].link, Link::Down("refused".into()));
    }
}
