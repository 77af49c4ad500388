//! The slowlog panel: the newest slow commands.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Row, Table};
use ratatui::Frame;

use super::widgets::{clip, panel};
use crate::figures::Figures;

/// Draws the slowlog panel.
pub fn draw(frame: &mut Frame, area: Rect, figures: &Figures, focused: bool) {
    let block = panel("Slowlog", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let command_width = (inner.width as usize).saturating_sub(8 + 12 + 2);
    let rows = figures.slowlog.iter().map(|entry| {
        Row::new([
            entry.id.to_string(),
            format!("{}us", entry.micros),
            clip(&entry.command, command_width),
        ])
    });
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(8),
                Constraint::Length(12),
                Constraint::Min(10),
            ],
        )
        .header(Row::new(["id", "duration", "command"]).style(Style::default().fg(Color::Gray))),
        inner,
    );
}
