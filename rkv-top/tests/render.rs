//! Renders real INFO captures (Debian's redis-server 7.0.15 and rkv-server,
//! in tests/fixtures/) into ratatui's TestBackend and checks what operators
//! read off the screen: fragmentation and its colour, hit ratios, replica lag.

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use rkv_top::info::Info;
use rkv_top::model::Model;
use rkv_top::poller::PollEvent;
use rkv_top::sample::{parse_client_list, Sample};
use rkv_top::screen::{render, to_text};
use rkv_top::update::{update, Msg};

const REDIS_MASTER: &str = include_str!("fixtures/redis-7.0.15-master-lagging.info");
const REDIS_MASTER_CLIENTS: &str = include_str!("fixtures/redis-7.0.15-master.clientlist");
const REDIS_REPLICA: &str = include_str!("fixtures/redis-7.0.15-replica.info");
const RKV: &str = include_str!("fixtures/rkv-server.info");

fn sample(info: &str) -> Sample {
    Sample {
        taken_at: Instant::now(),
        info: Info::parse(info),
        maxmemory: Some(0),
        slowlog: Vec::new(),
        clients: Vec::new(),
        pings: vec![Duration::from_micros(120)],
        latency_events: Vec::new(),
    }
}

fn model_with(sample: Sample) -> Model {
    let mut model = Model::new(["127.0.0.1:7780".to_owned()]);
    update(
        &mut model,
        Msg::Poll(PollEvent::Sample(0, Box::new(sample))),
    );
    model
}

fn screen(model: &Model) -> (Buffer, String) {
    let buffer = render(model, 120, 42);
    let text = to_text(&buffer);
    (buffer, text)
}

/// The colour of the first cell of the first occurrence of `needle`.
fn colour_of(buffer: &Buffer, needle: &str) -> Color {
    let width = buffer.area.width;
    for y in 0..buffer.area.height {
        let row: Vec<&str> = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
        for x in 0..width as usize {
            let candidate: String = row[x..]
                .iter()
                .take(needle.chars().count())
                .copied()
                .collect();
            if candidate == needle {
                return buffer[(x as u16, y)].fg;
            }
        }
    }
    panic!("{needle:?} is not on screen");
}

/// Replaces one `field:value` line of a capture, for threshold cases.
fn with_field(info: &str, field: &str, value: &str) -> String {
    info.lines()
        .map(|line| {
            if line.starts_with(&format!("{field}:")) {
                format!("{field}:{value}\r")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn redis_master_shows_fragmentation_in_red_and_the_hit_ratio() {
    let (buffer, text) = screen(&model_with(sample(REDIS_MASTER)));
    assert!(text.contains("frag 5.83"), "{text}");
    assert_eq!(colour_of(&buffer, "5.83  alloc"), Color::Red);
    // 150 hits, 51 misses.
    assert!(text.contains("total 74.6%"), "{text}");
    assert!(text.contains("master redis 7.0.15"), "{text}");
    assert!(text.contains("db0    700"), "{text}");
}

#[test]
fn redis_master_shows_each_replica_lag_and_raises_an_alert() {
    let (buffer, text) = screen(&model_with(sample(REDIS_MASTER)));
    // master_repl_offset 47118 minus the paused replica's offset 7175.
    let row = text
        .lines()
        .find(|l| l.contains("127.0.0.1:7781  online"))
        .unwrap_or_else(|| panic!("no replica row:\n{text}"));
    assert!(row.contains("39943") && row.contains("21s"), "{row}");
    assert_eq!(colour_of(&buffer, "127.0.0.1:7781  online"), Color::Red);
    assert!(
        text.contains("replica 127.0.0.1:7781 lagging 21s / 39943 bytes"),
        "{text}"
    );
}

#[test]
fn fragmentation_colour_follows_the_thresholds() {
    for (ratio, colour) in [
        ("1.20", Color::Green),
        ("1.45", Color::Yellow),
        ("1.62", Color::Red),
        ("0.80", Color::Red),
    ] {
        let info = with_field(REDIS_MASTER, "mem_fragmentation_ratio", ratio);
        let (buffer, _) = screen(&model_with(sample(&info)));
        assert_eq!(
            colour_of(&buffer, &format!("{ratio}  alloc")),
            colour,
            "{ratio}"
        );
    }
}

#[test]
fn redis_replica_shows_its_master_link() {
    let (buffer, text) = screen(&model_with(sample(REDIS_REPLICA)));
    assert!(text.contains("role replica  of 127.0.0.1:7780"), "{text}");
    assert!(text.contains("link up"), "{text}");
    assert_eq!(colour_of(&buffer, "up  "), Color::Green);
    assert!(text.contains("frag 6.94"), "{text}");
}

#[test]
fn biggest_output_buffers_come_from_client_list() {
    let mut s = sample(REDIS_MASTER);
    s.clients = parse_client_list(REDIS_MASTER_CLIENTS);
    let (_, text) = screen(&model_with(s));
    assert!(
        text.contains("127.0.0.1:60362 replconf     20.02K"),
        "{text}"
    );
}

#[test]
fn rkv_server_capture_renders_the_same_figures() {
    let (buffer, text) = screen(&model_with(sample(RKV)));
    assert!(text.contains("frag 9.45"), "{text}");
    assert_eq!(colour_of(&buffer, "9.45  alloc"), Color::Red);
    // 60 hits, 20 misses.
    assert!(text.contains("total 75.0%"), "{text}");
    assert!(text.contains("db0    100"), "{text}");
    assert!(text.contains("master rkv 0.1.0"), "{text}");
    assert!(text.contains("no replicas connected"), "{text}");
}

#[test]
fn rates_appear_once_a_second_sample_arrives() {
    let first = sample(REDIS_MASTER);
    let mut second = sample(&with_field(REDIS_MASTER, "keyspace_hits", "250"));
    second.taken_at = first.taken_at + Duration::from_secs(1);
    let mut model = model_with(first);
    update(
        &mut model,
        Msg::Poll(PollEvent::Sample(0, Box::new(second))),
    );
    let (_, text) = screen(&model);
    // 100 new hits, no new misses over the interval.
    assert!(text.contains("hit ratio: last 100.0%"), "{text}");
}

#[test]
fn a_lost_server_stays_on_screen_marked_disconnected() {
    let mut model = model_with(sample(REDIS_MASTER));
    update(
        &mut model,
        Msg::Poll(PollEvent::Down(0, "connection refused".into())),
    );
    let (buffer, text) = screen(&model);
    assert!(
        text.contains("disconnected: connection refused (retrying)"),
        "{text}"
    );
    assert_eq!(colour_of(&buffer, "✕ 127.0.0.1:7780"), Color::Red);
    assert!(
        text.contains("frag 5.83"),
        "last figures stay visible:\n{text}"
    );
}

#[test]
fn help_overlay_and_small_terminals() {
    let mut model = model_with(sample(REDIS_MASTER));
    update(&mut model, Msg::Key(KeyCode::Char('?')));
    let (_, text) = screen(&model);
    assert!(
        text.contains("reset rates") && text.contains(" keys "),
        "{text}"
    );
    // Resizing to a tiny terminal must not panic.
    for (w, h) in [(1, 1), (20, 5), (40, 12)] {
        render(&model, w, h);
    }
}

#[test]
fn enter_zooms_the_focused_panel() {
    let mut model = model_with(sample(REDIS_MASTER));
    for key in [KeyCode::Down, KeyCode::Down, KeyCode::Down, KeyCode::Enter] {
        update(&mut model, Msg::Key(key));
    }
    let (buffer, text) = screen(&model);
    assert!(text.contains("┌ Replication"), "{text}");
    assert!(!text.contains("┌ Memory"), "{text}");
    assert_eq!(colour_of(&buffer, "┌ Replication"), Color::Yellow);
}

#[test]
fn latency_monitor_events_are_listed() {
    let mut s = sample(RKV);
    s.latency_events = vec![rkv_top::sample::LatencyEvent {
        name: "command".into(),
        unix_time: 1_795_278_929,
        latest_ms: 105,
        max_ms: 250,
    }];
    let (_, text) = screen(&model_with(s));
    assert!(text.contains("spike command 105ms (max 250ms)"), "{text}");
}
