//! The replication panel: on a master, each replica's lag with its history;
//! on a replica, the link to its master.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Sparkline, Table};
use ratatui::Frame;

use super::format::opt;
use super::widgets::{clip, pairs, panel, status};
use crate::alerts::replica_lagging;
use crate::figures::Figures;
use crate::model::Instance;

/// Draws the replication panel.
pub fn draw(frame: &mut Frame, area: Rect, instance: &Instance, figures: &Figures, focused: bool) {
    let block = panel("Replication", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if figures.role.as_deref() == Some("slave") {
        draw_replica_side(frame, inner, figures);
    } else {
        draw_master_side(frame, inner, instance, figures);
    }
}

/// On a replica: the link to its master.
fn draw_replica_side(frame: &mut Frame, area: Rect, figures: &Figures) {
    let r = &figures.replication;
    let lines = vec![
        pairs(&[("role", "replica".into()), ("of", opt(r.master.as_ref()))]),
        Line::from(vec![
            Span::styled("link ", Style::default().fg(Color::Gray)),
            status(r.link_status.as_deref()),
        ]),
        pairs(&[("last io", format!("{}s ago", opt(r.last_io_seconds_ago)))]),
        pairs(&[("sync in progress", opt(r.sync_in_progress.map(yes_no)))]),
        pairs(&[("offset", opt(r.master_offset))]),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

/// On a master: each replica's lag, then its lag history.
fn draw_master_side(frame: &mut Frame, area: Rect, instance: &Instance, figures: &Figures) {
    let r = &figures.replication;
    let [text, table, charts] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(r.replicas.len() as u16 + 1),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(pairs(&[
            ("role", opt(figures.role.as_ref())),
            ("replicas", r.replicas.len().to_string()),
            ("offset", opt(r.master_offset)),
        ])),
        text,
    );
    if r.replicas.is_empty() {
        frame.render_widget(Paragraph::new("no replicas connected"), table);
        return;
    }
    let rows = r.replicas.iter().map(|replica| {
        let colour = if replica_lagging(replica) {
            Color::Red
        } else {
            Color::Reset
        };
        let style = Style::default().fg(colour);
        Row::new([
            replica.addr.clone(),
            replica.state.clone(),
            replica.lag_bytes.to_string(),
            format!("{}s", replica.lag_seconds),
        ])
        .style(style)
    });
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Min(15),
                Constraint::Length(7),
                Constraint::Length(9),
                Constraint::Length(5),
            ],
        )
        .header(
            Row::new(["replica", "state", "lag B", "lag s"])
                .style(Style::default().fg(Color::Gray)),
        ),
        table,
    );
    draw_lag_history(frame, charts, instance);
}

/// One labelled sparkline of lag bytes per replica, as many as fit.
fn draw_lag_history(frame: &mut Frame, area: Rect, instance: &Instance) {
    let rows = area.height as usize / 2;
    let areas = Layout::vertical(vec![Constraint::Length(2); rows]).split(area);
    for ((addr, history), row) in instance.replica_lag.iter().zip(areas.iter()) {
        let [label, spark] =
            Layout::horizontal([Constraint::Length(16), Constraint::Min(0)]).areas(*row);
        frame.render_widget(Paragraph::new(clip(addr, 15)), label);
        let values: Vec<u64> = history.iter().collect();
        let shown = &values[values.len().saturating_sub(spark.width as usize)..];
        frame.render_widget(
            Sparkline::default()
                .data(shown)
                .style(Style::default().fg(Color::Magenta)),
            spark,
        );
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}
