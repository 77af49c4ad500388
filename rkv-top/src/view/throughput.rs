//! The throughput panel: ops/s with a sparkline, network rates, busiest commands.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Paragraph, Row, Sparkline, Table};
use ratatui::Frame;

use super::format::opt_rate;
use super::widgets::{pairs, panel};
use crate::figures::Figures;
use crate::model::Instance;

/// Draws the throughput panel.
pub fn draw(frame: &mut Frame, area: Rect, instance: &Instance, figures: &Figures, focused: bool) {
    let block = panel("Throughput", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [text, spark, table] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(2),
        Constraint::Min(0),
    ])
    .areas(inner);
    let lines = vec![
        pairs(&[("ops/s", opt_rate(figures.ops_per_sec))]),
        pairs(&[
            ("in KB/s", opt_rate(figures.net_in_kbps)),
            ("out KB/s", opt_rate(figures.net_out_kbps)),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines), text);
    // Newest values on the right, as much history as fits.
    let history: Vec<u64> = instance.ops.iter().collect();
    let shown = &history[history.len().saturating_sub(spark.width as usize)..];
    frame.render_widget(
        Sparkline::default()
            .data(shown)
            .style(Style::default().fg(Color::Green)),
        spark,
    );
    let rows = figures.busiest.iter().map(|c| {
        Row::new([
            c.name.clone(),
            format!("{:.1}", c.calls_per_sec),
            format!("{:.2}", c.usec_per_call),
        ])
    });
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Min(10),
                Constraint::Length(9),
                Constraint::Length(10),
            ],
        )
        .header(
            Row::new(["command", "calls/s", "usec/call"]).style(Style::default().fg(Color::Gray)),
        ),
        table,
    );
}
