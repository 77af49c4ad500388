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
            micros(entry.micros),
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

/// Microseconds as `850us` below a millisecond, else `12.5ms`.
fn micros(us: u64) -> String {
    if us < 1000 {
        format!("{us}us")
    } else {
        format!("{:.1}ms", us as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::micros;

    #[test]
    fn durations_switch_to_milliseconds() {
        assert_eq!(micros(850), "850us");
        assert_eq!(micros(189_601), "189.6ms");
    }
}
