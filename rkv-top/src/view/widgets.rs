//! Small building blocks the panels share: bordered blocks and label/value lines.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

use crate::alerts::Health;

/// A bordered panel; the focused one has a yellow border.
pub fn panel(title: &str, focused: bool) -> Block<'static> {
    let border = if focused {
        Style::default().fg(Color::Yellow)
    } else {
        Style::default().fg(Color::DarkGray)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(
            format!(" {title} "),
            Style::default().add_modifier(Modifier::BOLD),
        ))
}

/// `label value  label value …` with dim labels.
pub fn pairs(items: &[(&str, String)]) -> Line<'static> {
    let mut spans = Vec::with_capacity(items.len() * 2);
    for (i, (label, value)) in items.iter().enumerate() {
        let sep = if i == 0 { "" } else { "  " };
        spans.push(Span::styled(
            format!("{sep}{label} "),
            Style::default().fg(Color::Gray),
        ));
        spans.push(Span::raw(value.clone()));
    }
    Line::from(spans)
}

/// The colour operators expect for a health level.
pub fn health_color(health: Health) -> Color {
    match health {
        Health::Good => Color::Green,
        Health::Warning => Color::Yellow,
        Health::Bad => Color::Red,
    }
}

/// A status word (ok/up/err/down) coloured green or red.
pub fn status(word: Option<&str>) -> Span<'static> {
    let text = word.unwrap_or("-").to_owned();
    let color = match word {
        Some("ok" | "up" | "online") => Color::Green,
        Some("err" | "down") => Color::Red,
        _ => Color::Reset,
    };
    Span::styled(text, Style::default().fg(color))
}

/// Cuts `text` to `width` characters, marking the cut with `…`.
pub fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}
