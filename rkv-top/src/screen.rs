//! Rendering the dashboard off-screen: `--once` prints it as plain text, and
//! tests inspect the cells (text and colour).

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

use crate::model::Model;
use crate::view::view;

/// Draws `model` into an off-screen buffer of `width` x `height` cells.
pub fn render(model: &Model, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height))
        .expect("an off-screen terminal cannot fail to open");
    terminal
        .draw(|frame| view(model, frame))
        .expect("an off-screen terminal cannot fail to draw");
    terminal.backend().buffer().clone()
}

/// The buffer's text, one line per row, trailing blanks trimmed.
pub fn to_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let row: String = (area.left()..area.right())
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}
