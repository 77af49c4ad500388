//! The persistence panel: RDB and AOF status.

use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::format::{duration, opt, opt_bytes};
use super::widgets::{pairs, panel, status};
use crate::figures::Figures;

/// Draws the persistence panel.
pub fn draw(frame: &mut Frame, area: Rect, figures: &Figures, focused: bool) {
    let block = panel("Persistence", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let p = &figures.persistence;
    let label = |text: &str| Span::styled(format!("{text} "), Style::default().fg(Color::Gray));
    let flag = |f: Option<bool>| opt(f.map(|f| if f { "yes" } else { "no" }));
    let lines = vec![
        Line::from(vec![
            label("rdb last bgsave"),
            status(p.last_bgsave_status.as_deref()),
            Span::raw("  "),
            label("in progress"),
            Span::raw(flag(p.bgsave_in_progress)),
        ]),
        pairs(&[
            (
                "last save",
                p.seconds_since_save
                    .map(duration)
                    .map(|d| format!("{d} ago"))
                    .unwrap_or_else(|| "-".into()),
            ),
            ("changes", opt(p.changes_since_save)),
        ]),
        pairs(&[("last COW", opt_bytes(p.last_cow_bytes))]),
        pairs(&[
            (
                "aof",
                flag(p.aof_enabled)
                    .replace("yes", "on")
                    .replace("no", "off"),
            ),
            ("rewriting", flag(p.aof_rewrite_in_progress)),
        ]),
        Line::from(vec![
            label("aof last rewrite"),
            status(p.aof_last_rewrite_status.as_deref()),
            Span::raw("  "),
            label("write"),
            status(p.aof_last_write_status.as_deref()),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
}
