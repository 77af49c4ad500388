//! The HTML page of `rkv-rdb analyze --html`: the report's tables and a
//! treemap of memory by key prefix (rectangles sized by bytes, laid out by
//! alternating slice-and-dice).

use std::io::{self, Write};

use super::analyze::Report;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A rectangle of the treemap, in percent of the map.
struct Tile {
    label: String,
    bytes: u64,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

fn layout(
    items: &[(String, u64)],
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    horizontal: bool,
    out: &mut Vec<Tile>,
) {
    if items.is_empty() {
        return;
    }
    if items.len() == 1 {
        out.push(Tile {
            label: items[0].0.clone(),
            bytes: items[0].1,
            x,
            y,
            w,
            h,
        });
        return;
    }
    let total: u64 = items.iter().map(|i| i.1).sum::<u64>().max(1);
    // Split into two groups of roughly equal weight, recurse across.
    let mut acc = 0;
    let mut split = 1;
    for (i, item) in items.iter().enumerate() {
        acc += item.1;
        if acc * 2 >= total {
            split = (i + 1).min(items.len() - 1).max(1);
            break;
        }
    }
    let first: u64 = items[..split].iter().map(|i| i.1).sum();
    let share = first as f64 / total as f64;
    if horizontal {
        layout(&items[..split], x, y, w * share, h, !horizontal, out);
        layout(
            &items[split..],
            x + w * share,
            y,
            w * (1.0 - share),
            h,
            !horizontal,
            out,
        );
    } else {
        layout(&items[..split], x, y, w, h * share, !horizontal, out);
        layout(
            &items[split..],
            x,
            y + h * share,
            w,
            h * (1.0 - share),
            !horizontal,
            out,
        );
    }
}

/// Writes the page.
pub fn write_html(
    out: &mut impl Write,
    report: &Report,
    top: usize,
    title: &str,
) -> io::Result<()> {
    let prefixes = report.top_prefixes(top.max(50));
    let items: Vec<(String, u64)> = prefixes
        .iter()
        .map(|(p, t)| (String::from_utf8_lossy(p).into_owned(), t.bytes))
        .collect();
    let mut tiles = Vec::new();
    layout(&items, 0.0, 0.0, 100.0, 100.0, true, &mut tiles);
    writeln!(
        out,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>rkv-rdb analyze: {}</title>",
        escape(title)
    )?;
    writeln!(out, "<style>body{{font-family:sans-serif;margin:2em}}#map{{position:relative;width:100%;height:480px;border:1px solid #333}}.t{{position:absolute;box-sizing:border-box;border:1px solid #fff;overflow:hidden;font-size:12px;color:#fff;padding:2px}}table{{border-collapse:collapse}}td,th{{padding:2px 8px;text-align:right}}td:first-child{{text-align:left}}</style></head><body>")?;
    writeln!(out, "<h1>Memory of {}</h1>", escape(title))?;
    writeln!(
        out,
        "<p>{} keys, about {} bytes in memory.</p>",
        report.total.keys, report.total.bytes
    )?;
    writeln!(out, "<h2>By key prefix</h2><div id=\"map\">")?;
    for (i, tile) in tiles.iter().enumerate() {
        let hue = (i * 47) % 360;
        writeln!(
            out,
            "<div class=\"t\" style=\"left:{:.3}%;top:{:.3}%;width:{:.3}%;height:{:.3}%;background:hsl({hue},55%,40%)\" title=\"{} — {} bytes\">{}</div>",
            tile.x, tile.y, tile.w, tile.h, escape(&tile.label), tile.bytes, escape(&tile.label)
        )?;
    }
    writeln!(out, "</div>")?;
    writeln!(
        out,
        "<h2>By type</h2><table><tr><th>type</th><th>keys</th><th>bytes</th></tr>"
    )?;
    for (name, t) in &report.by_type {
        writeln!(
            out,
            "<tr><td>{name}</td><td>{}</td><td>{}</td></tr>",
            t.keys, t.bytes
        )?;
    }
    writeln!(out, "</table><h2>Biggest keys</h2><table><tr><th>key</th><th>db</th><th>type</th><th>encoding</th><th>elements</th><th>bytes</th></tr>")?;
    for k in report.top_keys() {
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&String::from_utf8_lossy(&k.key)),
            k.db,
            k.type_name,
            k.encoding,
            k.elements,
            k.size
        )?;
    }
    writeln!(out, "</table></body></html>")
}
