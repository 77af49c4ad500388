//! The replication panel: on a master, each replica's lag with its history;
//! on a replica, the link to its master.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Sparkline, Table};
use ratatui::Frame;

use super::format::opt;
use super::widgets::{clip, pairs, panel, status};
use crate::alerts::{REPLICA_LAG_BYTES, REPLICA_LAG_SECONDS};
use crate::figures::Figures;
use crate::model::Instance;

/// Draws the replication panel.
pub fn draw(frame: &mut Frame, area: Rect, instance: &Instance, figures: &Figures, focused: bool) {
    let block = panel("Replication", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let r = &figures.replication;
    let role = figures.role.as_deref().unwrap_or("-");
    if role == "slave" {
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
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    let [text, table, charts] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(r.replicas.len() as u16 + 1),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(pairs(&[
            ("role", role.to_owned()),
            ("replicas", r.replicas.len().to_string()),
            ("offset", opt(r.master_offset)),
        ])),
        text,
    );
    let rows = r.replicas.iter().map(|replica| {
        let lagging =
            replica.lag_seconds >= REPLICA_LAG_SECONDS || replica.lag_bytes >= REPLICA_LAG_BYTES;
        let style = Style::default().fg(if lagging { Color::Red } else { Color::Reset });
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
