//! The clients panel: counts, and the clients holding the biggest output buffers.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::widgets::{Paragraph, Row, Table};
use ratatui::Frame;

use super::format::{bytes, opt};
use super::widgets::{pairs, panel};
use crate::figures::Figures;

/// Draws the clients panel.
pub fn draw(frame: &mut Frame, area: Rect, figures: &Figures, focused: bool) {
    let block = panel("Clients", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [text, table] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
    let c = &figures.clients;
    let lines = vec![
        pairs(&[("connected", opt(c.connected)), ("blocked", opt(c.blocked))]),
        pairs(&[("rejected", opt(c.rejected))]),
    ];
    frame.render_widget(Paragraph::new(lines), text);
    let rows = c
        .biggest_omem
        .iter()
        .map(|client| Row::new([client.addr.clone(), client.cmd.clone(), bytes(client.omem)]));
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Min(15),
                Constraint::Length(12),
                Constraint::Length(9),
            ],
        )
        .header(Row::new(["client", "last cmd", "omem"]).style(Style::default().fg(Color::Gray))),
        table,
    );
}
