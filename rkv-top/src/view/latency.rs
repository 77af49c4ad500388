//! The latency panel: a histogram of PING round trips, as text bars, then
//! the server's LATENCY LATEST events.

use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::widgets::{pairs, panel};
use crate::latency::LatencyHistogram;
use crate::model::Instance;

/// Draws the latency panel.
pub fn draw(frame: &mut Frame, area: Rect, instance: &Instance, focused: bool) {
    let block = panel("PING latency (ms)", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let h = &instance.latency;
    let mean = h
        .mean_ms()
        .map(|m| format!("{m:.3}"))
        .unwrap_or_else(|| "-".into());
    let mut lines = vec![pairs(&[
        ("n", h.samples().to_string()),
        ("mean", mean),
        ("max", format!("{:.3}", h.max_ms)),
    ])];
    let peak = h.counts.iter().copied().max().unwrap_or(0).max(1);
    let bar_room = (inner.width as usize).saturating_sub(6 + 1 + 8);
    for (label, count) in LatencyHistogram::labels().iter().zip(h.counts) {
        let width = (count as usize * bar_room).div_ceil(peak as usize);
        lines.push(Line::from(vec![
            Span::styled(format!("{label:>6} "), Style::default().fg(Color::Gray)),
            Span::styled("█".repeat(width), Style::default().fg(Color::Cyan)),
            Span::raw(format!(" {count}")),
        ]));
    }
    // The server's own latency monitor, when latency-monitor-threshold is set.
    let events = instance.figures.iter().flat_map(|f| &f.latency_events);
    for event in events {
        lines.push(pairs(&[(
            &format!("spike {}", event.name),
            format!("{}ms (max {}ms)", event.latest_ms, event.max_ms),
        )]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
