//! LOLWUT [VERSION n]: computer art and the version.
//!
//! As in Redis 7.0, the default (and any version other than 5 or 6) is the
//! bare version line. Versions 5 and 6 draw rkv's own rendition of Georg
//! Nees's "Schotter" (rows of squares that rotate and drift more the lower
//! they are) in Braille characters, from `[cols] [squares-per-row]
//! [squares-per-col]` as Redis's LOLWUT 5 takes them.

use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::server::{REDIS_VERSION, RKV_VERSION};

/// Declaration of LOLWUT.
pub const SPEC: CommandSpec = CommandSpec {
    name: "lolwut",
    arity: -1,
    flags: flags::READONLY | flags::FAST,
    group: "server",
    since: "5.0.0",
    summary: "Display some computer art and the Redis version",
    args: &[Arg {
        token: Some("VERSION"),
        ..Arg::new("version", ArgKind::Integer).optional()
    }],
    handler: lolwut,
    ..CommandSpec::BASE
};

/// `LOLWUT [VERSION n] [art arguments]`
fn lolwut(ctx: &mut Ctx) {
    let mut version = None;
    let mut rest = &ctx.argv[1..];
    if ctx.argc() >= 3 && ctx.arg(1).eq_ignore_ascii_case(b"version") {
        let Some(v) = ctx.i64_or_reply(2) else {
            return;
        };
        version = Some(v as u32);
        rest = &ctx.argv[3..];
    }
    if !matches!(version, Some(5 | 6)) {
        let text = format!("Redis ver. {REDIS_VERSION}\n");
        return ctx.out.verbatim("txt", text.as_bytes());
    }
    let mut params = [66i64, 8, 12];
    for (i, slot) in params.iter_mut().enumerate() {
        if let Some(arg) = rest.get(i) {
            match rkv_proto::request::parse_i64(arg) {
                Some(n) => *slot = n,
                None => return ctx.error(crate::errors::NOT_INTEGER),
            }
        }
    }
    let cols = params[0].clamp(1, 1000) as usize;
    let per_row = params[1].clamp(1, 200) as usize;
    let per_col = params[2].clamp(1, 200) as usize;
    let mut text = schotter(cols, per_row, per_col);
    text.push_str(&format!(
        "\nGeorg Nees - schotter, plotter on paper, 1968. rkv ver. {RKV_VERSION} (Redis ver. {REDIS_VERSION})\n"
    ));
    ctx.out.verbatim("txt", text.as_bytes());
}

/// A pixel canvas rendered as Braille (2×4 pixels per character).
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<bool>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![false; width * height],
        }
    }

    fn set(&mut self, x: i64, y: i64) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            self.pixels[y as usize * self.width + x as usize] = true;
        }
    }

    /// A line by Bresenham's algorithm.
    fn line(&mut self, (mut x0, mut y0): (i64, i64), (x1, y1): (i64, i64)) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let mut err = dx + dy;
        loop {
            self.set(x0, y0);
            if x0 == x1 && y0 == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x0 += sx;
            }
            if e2 <= dx {
                err += dx;
                y0 += sy;
            }
        }
    }

    fn render(&self) -> String {
        // Braille dot bit for pixel (dx, dy) within a 2×4 cell.
        const BITS: [[u32; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
        let mut out = String::new();
        for cy in (0..self.height).step_by(4) {
            for cx in (0..self.width).step_by(2) {
                let mut code = 0x2800;
                for (dx, column) in BITS.iter().enumerate() {
                    for (dy, bit) in column.iter().enumerate() {
                        let (x, y) = (cx + dx, cy + dy);
                        if x < self.width && y < self.height && self.pixels[y * self.width + x] {
                            code |= bit;
                        }
                    }
                }
                out.push(char::from_u32(code).unwrap_or(' '));
            }
            out.push('\n');
        }
        out
    }
}

/// A small deterministic generator so the art is reproducible.
struct Xorshift(u64);

impl Xorshift {
    /// A value in `[-1, 1)`.
    fn next_signed(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 2000) as f64 / 1000.0 - 1.0
    }
}

/// Draws the squares: row `r` of `per_col` is rotated and displaced by an
/// amount growing with `r`.
fn schotter(cols: usize, per_row: usize, per_col: usize) -> String {
    let width = cols * 2;
    let side = (width / (per_row + 2)).max(2);
    let pad = (width - side * per_row) / 2;
    let height = side * per_col + side * 2;
    let mut canvas = Canvas::new(width, height);
    let mut rng = Xorshift(0x5eed_cafe_f00d);
    for row in 0..per_col {
        let disorder = row as f64 / per_col as f64;
        for col in 0..per_row {
            let angle = rng.next_signed() * disorder * std::f64::consts::FRAC_PI_4;
            let shift_x = rng.next_signed() * disorder * side as f64 / 2.0;
            let shift_y = rng.next_signed() * disorder * side as f64 / 2.0;
            let cx = (pad + col * side) as f64 + side as f64 / 2.0 + shift_x;
            let cy = (side + row * side) as f64 + side as f64 / 2.0 + shift_y;
            let r = side as f64 / 2.0;
            let corners: Vec<(i64, i64)> = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
                .iter()
                .map(|(ux, uy)| {
                    let (x, y) = (ux * r, uy * r);
                    let (s, c) = angle.sin_cos();
                    ((cx + x * c - y * s) as i64, (cy + x * s + y * c) as i64)
                })
                .collect();
            for i in 0..4 {
                canvas.line(corners[i], corners[(i + 1) % 4]);
            }
        }
    }
    canvas.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn art_has_requested_width() {
        let art = schotter(20, 2, 2);
        let first = art.lines().next().unwrap();
        assert_eq!(first.chars().count(), 20);
        assert!(art.chars().any(|c| c != '\u{2800}' && c != '\n'));
    }
}
