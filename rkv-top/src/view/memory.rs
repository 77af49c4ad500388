//! The memory panel: gauge against maxmemory, fragmentation, used vs RSS chart.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, Gauge, GraphType, Paragraph};
use ratatui::Frame;

use super::format::{bytes, opt_bytes, opt_ratio};
use super::widgets::{health_color, pairs, panel};
use crate::alerts::fragmentation_health;
use crate::figures::Figures;
use crate::model::Instance;

/// Draws the memory panel.
pub fn draw(frame: &mut Frame, area: Rect, instance: &Instance, figures: &Figures, focused: bool) {
    let block = panel("Memory", focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [gauge, text, chart] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Min(0),
    ])
    .areas(inner);
    let m = &figures.memory;
    let label = match (m.used, m.maxmemory) {
        (Some(used), Some(max)) if max > 0 => format!(
            "{} of {} ({:.1}%)",
            bytes(used),
            bytes(max),
            m.used_of_max.unwrap_or(0.0) * 100.0
        ),
        (used, _) => format!("{} (no maxmemory)", opt_bytes(used)),
    };
    let ratio = m.used_of_max.unwrap_or(0.0).clamp(0.0, 1.0);
    frame.render_widget(
        Gauge::default()
            .ratio(ratio)
            .label(label)
            .gauge_style(Style::default().fg(Color::Blue)),
        gauge,
    );
    let frag = match m.fragmentation {
        Some(r) => Span::styled(
            format!("{r:.2}"),
            Style::default().fg(health_color(fragmentation_health(r))),
        ),
        None => Span::raw("-"),
    };
    let mut frag_line = vec![
        Span::styled("frag ", Style::default().fg(Color::Gray)),
        frag,
        Span::raw("  "),
    ];
    frag_line.extend(
        pairs(&[
            ("alloc", opt_ratio(m.allocator_fragmentation)),
            ("rss-ovh", opt_ratio(m.rss_overhead)),
        ])
        .spans,
    );
    let lines = vec![
        pairs(&[("used", opt_bytes(m.used)), ("rss", opt_bytes(m.rss))]),
        pairs(&[("peak", opt_bytes(m.peak))]),
        Line::from(frag_line),
    ];
    frame.render_widget(Paragraph::new(lines), text);
    draw_chart(frame, chart, instance);
}

/// Used memory (cyan) and RSS (magenta) over time.
fn draw_chart(frame: &mut Frame, area: Rect, instance: &Instance) {
    if area.height < 3 || instance.used_memory.len() < 2 {
        return;
    }
    let points = |h: &crate::history::History<u64>| -> Vec<(f64, f64)> {
        h.iter()
            .enumerate()
            .map(|(i, v)| (i as f64, v as f64))
            .collect()
    };
    let (used, rss) = (points(&instance.used_memory), points(&instance.rss));
    let top = used.iter().chain(&rss).map(|p| p.1).fold(1.0, f64::max) * 1.1;
    let len = instance.used_memory.len().max(instance.rss.len()) as f64;
    let datasets = vec![
        Dataset::default()
            .name("used")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::default().fg(Color::Cyan))
            .data(&used),
        Dataset::default()
            .name("rss")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::default().fg(Color::Magenta))
            .data(&rss),
    ];
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().bounds([0.0, len - 1.0]))
        .y_axis(
            Axis::default()
                .bounds([0.0, top])
                .labels([Line::from("0"), Line::from(bytes(top as u64))]),
        );
    frame.render_widget(chart, area);
}
