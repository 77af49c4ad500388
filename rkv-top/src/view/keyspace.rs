//! The keyspace panel: hits, misses, hit ratios, evictions and keys per db.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Paragraph, Row, Table};
use ratatui::Frame;

use super::format::{opt, opt_percent, opt_rate};
use super::widgets::{pairs, panel};
use crate::figures::Figures;

/// Draws the keyspace panel.
pub fn draw(frame: &mut Frame, area: Rect, figures: &Figures, focused: bool) {
    let block = panel("Keyspace", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [text, table] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(inner);
    let k = &figures.keyspace;
    let lines = vec![
        pairs(&[("hits", opt(k.hits)), ("misses", opt(k.misses))]),
        pairs(&[
            ("hit ratio: last", opt_percent(k.hit_ratio_interval)),
            ("total", opt_percent(k.hit_ratio_total)),
        ]),
        pairs(&[
            ("evicted/s", opt_rate(k.evicted_per_sec)),
            ("expired/s", opt_rate(k.expired_per_sec)),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines), text);
    let rows = k.dbs.iter().map(|d| {
        Row::new([
            format!("db{}", d.db),
            d.keys.to_string(),
            d.expires.to_string(),
        ])
    });
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(6),
                Constraint::Length(12),
                Constraint::Length(10),
            ],
        )
        .header(Row::new(["db", "keys", "expires"]).style(Style::default().fg(Color::Gray))),
        table,
    );
}
