//! `view`: draws the [`Model`] and changes nothing.
//!
//! - `widgets` and `format`: shared blocks, lines and number formats.
//! - one module per panel: `memory`, `throughput`, `keyspace`,
//!   `replication`, `clients`, `persistence`, `slowlog`, `latency`.
//! - this module: the layout, header (instances), alerts line, key hints and
//!   the help overlay.

mod clients;
mod format;
mod keyspace;
mod latency;
mod memory;
mod persistence;
mod replication;
mod slowlog;
mod throughput;
mod widgets;

pub use format::bytes;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::alerts::alerts;
use crate::figures::Figures;
use crate::model::{Instance, Link, Model, Panel};

/// Key hints, shown in the footer and the help overlay.
pub const KEYS: [(&str, &str); 7] = [
    ("q", "quit"),
    ("Tab/←→", "switch server"),
    ("↑↓", "focus panel"),
    ("Enter", "zoom panel"),
    ("p", "pause"),
    ("r", "reset rates"),
    ("?", "help"),
];

/// Draws the whole screen for `model`.
pub fn view(model: &Model, frame: &mut Frame) {
    let [header, alert_line, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(header_line(model)), header);
    let instance = model.current();
    frame.render_widget(Paragraph::new(alerts_line(instance)), alert_line);
    draw_body(frame, body, model, instance);
    frame.render_widget(Paragraph::new(footer_line(model)), footer);
    if model.show_help {
        draw_help(frame, body);
    }
}

fn header_line(model: &Model) -> Line<'static> {
    let mut spans = vec![Span::styled(
        "rkv-top ",
        Style::default().add_modifier(Modifier::BOLD),
    )];
    for (i, instance) in model.instances.iter().enumerate() {
        let (mark, color) = match instance.link {
            Link::Up => ("●", Color::Green),
            Link::Connecting => ("○", Color::Yellow),
            Link::Down(_) => ("✕", Color::Red),
        };
        let mut style = Style::default().fg(color);
        if i == model.selected {
            style = style.add_modifier(Modifier::REVERSED);
        }
        spans.push(Span::styled(format!(" {mark} {} ", instance.label), style));
    }
    if let Some(f) = &model.current().figures {
        let server = match (&f.rkv_version, &f.version) {
            (Some(rkv), _) => format!("rkv {rkv}"),
            (None, Some(redis)) => format!("redis {redis}"),
            (None, None) => "-".to_owned(),
        };
        spans.push(Span::raw(format!(
            "  {} {server} up {}",
            f.role.as_deref().unwrap_or("-"),
            f.uptime_seconds
                .map(format::duration)
                .unwrap_or_else(|| "-".into()),
        )));
    }
    if model.paused {
        spans.push(Span::styled(
            "  PAUSED",
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        ));
    }
    Line::from(spans)
}

fn alerts_line(instance: &Instance) -> Line<'static> {
    let mut found = Vec::new();
    if let Link::Down(error) = &instance.link {
        found.push(format!("disconnected: {error} (retrying)"));
    }
    if let Some(f) = &instance.figures {
        found.extend(alerts(f));
    }
    if found.is_empty() {
        return Line::from(Span::styled(
            "alerts: none",
            Style::default().fg(Color::Green),
        ));
    }
    Line::from(Span::styled(
        format!("alerts: {}", found.join(" | ")),
        Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
    ))
}

fn footer_line(model: &Model) -> Line<'static> {
    let mut spans = Vec::new();
    // The position goes first so that a narrow terminal cuts key hints instead.
    if model.instances.len() > 1 {
        spans.push(Span::raw(format!(
            " [{}/{}]",
            model.selected + 1,
            model.instances.len()
        )));
    }
    for (key, what) in KEYS {
        spans.push(Span::styled(
            format!(" {key}"),
            Style::default().fg(Color::Yellow),
        ));
        spans.push(Span::raw(format!(" {what} ")));
    }
    Line::from(spans)
}

fn draw_body(frame: &mut Frame, area: Rect, model: &Model, instance: &Instance) {
    let Some(figures) = &instance.figures else {
        let text = match &instance.link {
            Link::Down(error) => format!("{}: disconnected ({error}); retrying", instance.label),
            _ => format!("{}: connecting…", instance.label),
        };
        frame.render_widget(Paragraph::new(text), area);
        return;
    };
    if model.zoomed {
        draw_panel(frame, area, model.focus, instance, figures, true);
        return;
    }
    let rows = Layout::vertical([Constraint::Ratio(1, 3); 3]).split(area);
    let thirds = |row: Rect| Layout::horizontal([Constraint::Ratio(1, 3); 3]).split(row);
    let (top, middle) = (thirds(rows[0]), thirds(rows[1]));
    let bottom =
        Layout::horizontal([Constraint::Ratio(2, 3), Constraint::Ratio(1, 3)]).split(rows[2]);
    let areas = [
        top[0], top[1], top[2], middle[0], middle[1], middle[2], bottom[0], bottom[1],
    ];
    for (panel, area) in Panel::ALL.into_iter().zip(areas) {
        draw_panel(frame, area, panel, instance, figures, model.focus == panel);
    }
}

fn draw_panel(
    frame: &mut Frame,
    area: Rect,
    panel: Panel,
    instance: &Instance,
    figures: &Figures,
    focused: bool,
) {
    match panel {
        Panel::Memory => memory::draw(frame, area, instance, figures, focused),
        Panel::Throughput => throughput::draw(frame, area, instance, figures, focused),
        Panel::Keyspace => keyspace::draw(frame, area, figures, focused),
        Panel::Replication => replication::draw(frame, area, instance, figures, focused),
        Panel::Clients => clients::draw(frame, area, figures, focused),
        Panel::Persistence => persistence::draw(frame, area, figures, focused),
        Panel::Slowlog => slowlog::draw(frame, area, figures, focused),
        Panel::Latency => latency::draw(frame, area, instance, focused),
    }
}

fn draw_help(frame: &mut Frame, body: Rect) {
    let width = 40.min(body.width);
    let height = (KEYS.len() as u16 + 2).min(body.height);
    let area = Rect {
        x: body.x + (body.width - width) / 2,
        y: body.y + (body.height - height) / 2,
        width,
        height,
    };
    let lines: Vec<Line> = KEYS
        .iter()
        .map(|(key, what)| Line::from(format!(" {key:<8} {what}")))
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" keys ")),
        area,
    );
}
