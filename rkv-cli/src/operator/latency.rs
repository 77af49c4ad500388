//! `--latency`, `--latency-history`, `--latency-dist` (PING round trips)
//! and `--intrinsic-latency` (how long this machine stalls a busy loop).

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::format::OutputMode;
use crate::session::{interrupted, Session};

/// Pause between two PINGs.
const SAMPLE_PAUSE: Duration = Duration::from_millis(10);

/// One PING round trip in microseconds, reconnecting until it works.
fn ping_micros(session: &mut Session) -> u64 {
    let mut tries = 0;
    loop {
        if let Some(link) = session.link.as_mut() {
            let start = Instant::now();
            if link.call(&["PING"]).is_ok() {
                if tries > 0 {
                    print!("\r\x1b[0K");
                }
                return start.elapsed().as_micros() as u64;
            }
            session.link = None;
        }
        tries += 1;
        print!("\r\x1b[0KReconnecting... {tries}\r");
        let _ = std::io::stdout().flush();
        session.connect(true);
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// Running min / max / average.
#[derive(Default)]
struct Figures {
    min: u64,
    max: u64,
    total: u64,
    count: u64,
}

impl Figures {
    fn add(&mut self, ms: u64) {
        if self.count == 0 {
            (self.min, self.max) = (ms, ms);
        }
        self.min = self.min.min(ms);
        self.max = self.max.max(ms);
        self.total += ms;
        self.count += 1;
    }

    fn avg(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.total as f64 / self.count as f64
        }
    }

    fn render(&self, mode: OutputMode) -> String {
        let (min, max, avg, count) = (self.min, self.max, self.avg(), self.count);
        match mode {
            OutputMode::Standard => {
                format!("min: {min}, max: {max}, avg: {avg:.2} ({count} samples)")
            }
            OutputMode::Csv => format!("{min},{max},{avg:.2},{count}\n"),
            OutputMode::Raw => format!("{min} {max} {avg:.2} {count}\n"),
            OutputMode::Json | OutputMode::QuotedJson => format!(
                "{{\"min\": {min}, \"max\": {max}, \"avg\": {avg:.2}, \"count\": {count}}}\n"
            ),
        }
    }
}

/// `--latency` / `--latency-history`, in milliseconds.
pub fn run(session: &mut Session, history: bool, interval: Option<f64>) -> ExitCode {
    let history_every = Duration::from_secs_f64(interval.unwrap_or(15.0));
    // Without a terminal, plain --latency prints one line after -i (1 s).
    let report_after = Duration::from_secs_f64(interval.unwrap_or(1.0));
    let mut figures = Figures::default();
    let mut range_start = Instant::now();
    let mut stdout = std::io::stdout();
    while !interrupted() {
        let ms = ping_micros(session) / 1000;
        figures.add(ms);
        if session.mode == OutputMode::Standard {
            let _ = write!(stdout, "\x1b[0G\x1b[2K{}", figures.render(session.mode));
        } else if history {
            let _ = write!(stdout, "{}", figures.render(session.mode));
        } else if range_start.elapsed() > report_after {
            let _ = write!(stdout, "{}", figures.render(session.mode));
            return ExitCode::SUCCESS;
        }
        let _ = stdout.flush();
        if history && range_start.elapsed() > history_every {
            let _ = writeln!(
                stdout,
                " -- {:.2} seconds range",
                range_start.elapsed().as_secs_f64()
            );
            range_start = Instant::now();
            figures = Figures::default();
        }
        std::thread::sleep(SAMPLE_PAUSE);
    }
    println!();
    ExitCode::SUCCESS
}

/// Buckets of the latency spectrum: upper bound in µs (0: everything
/// above) and the character that stands for it.
const BUCKETS: &[(u64, char)] = &[
    (10, '.'),
    (125, '-'),
    (250, '*'),
    (500, '#'),
    (1000, '1'),
    (2000, '2'),
    (3000, '3'),
    (4000, '4'),
    (5000, '5'),
    (6000, '6'),
    (7000, '7'),
    (8000, '8'),
    (9000, '9'),
    (10000, 'A'),
    (20000, 'B'),
    (30000, 'C'),
    (40000, 'D'),
    (50000, 'E'),
    (100000, 'F'),
    (200000, 'G'),
    (300000, 'H'),
    (400000, 'I'),
    (500000, 'J'),
    (1000000, 'K'),
    (2000000, 'L'),
    (4000000, 'M'),
    (8000000, 'N'),
    (16000000, 'O'),
    (30000000, 'P'),
    (60000000, 'Q'),
    (0, '?'),
];

/// xterm-256 colours from empty to full.
const PALETTE: &[u8] = &[
    0, 233, 234, 235, 237, 239, 241, 243, 245, 247, 144, 143, 142, 184, 226, 214, 208, 202, 196,
];

fn legend() -> String {
    let mut out = String::from("---------------------------------------------\n");
    out.push_str(". - * #          .01 .125 .25 .5 milliseconds\n");
    out.push_str("1,2,3,...,9      from 1 to 9     milliseconds\n");
    out.push_str("A,B,C,D,E        10,20,30,40,50  milliseconds\n");
    out.push_str("F,G,H,I,J        .1,.2,.3,.4,.5       seconds\n");
    out.push_str("K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\n");
    out.push_str("From 0 to 100%: ");
    for colour in PALETTE {
        out.push_str(&format!("\x1b[48;5;{colour}m "));
    }
    out.push_str("\x1b[0m\n---------------------------------------------\n");
    out
}

/// One spectrum line for `counts` out of `total` samples.
fn spectrum(counts: &[u64], total: u64) -> String {
    let mut out = String::from("\x1b[38;5;0m");
    for (count, (_, ch)) in counts.iter().zip(BUCKETS) {
        let index = ((*count as f64 / total as f64) * (PALETTE.len() - 1) as f64).ceil() as usize;
        out.push_str(&format!(
            "\x1b[48;5;{}m{ch}",
            PALETTE[index.min(PALETTE.len() - 1)]
        ));
    }
    out.push_str("\x1b[0m\n");
    out
}

/// `--latency-dist`: a coloured spectrum line every interval (1 s).
pub fn dist(session: &mut Session, interval: Option<f64>) -> ExitCode {
    let every = Duration::from_secs_f64(interval.unwrap_or(1.0));
    let mut counts = vec![0u64; BUCKETS.len()];
    let (mut total, mut outputs) = (0u64, 0u64);
    let mut start = Instant::now();
    while !interrupted() {
        let micros = ping_micros(session);
        let bucket = BUCKETS
            .iter()
            .position(|(max, _)| *max == 0 || micros <= *max)
            .unwrap_or(BUCKETS.len() - 1);
        counts[bucket] += 1;
        total += 1;
        if start.elapsed() > every {
            if outputs.is_multiple_of(20) {
                print!("{}", legend());
            }
            outputs += 1;
            print!("{}", spectrum(&counts, total));
            let _ = std::io::stdout().flush();
            counts.iter_mut().for_each(|c| *c = 0);
            total = 0;
            start = Instant::now();
        }
        std::thread::sleep(SAMPLE_PAUSE);
    }
    ExitCode::SUCCESS
}

/// A short stretch of CPU work whose duration should be steady.
fn busy_work() -> u64 {
    let mut state: [u8; 256] = std::array::from_fn(|i| i as u8);
    let (mut i, mut j, mut out) = (0u8, 0u8, 0u64);
    for _ in 0..1000 {
        i = i.wrapping_add(1);
        j = j.wrapping_add(state[i as usize]);
        state.swap(i as usize, j as usize);
        out = out.wrapping_add(u64::from(
            state[state[i as usize].wrapping_add(state[j as usize]) as usize],
        ));
    }
    std::hint::black_box(out)
}

/// `--intrinsic-latency SECONDS`.
pub fn intrinsic(seconds: u64) -> ExitCode {
    let run_time = Duration::from_secs(seconds);
    let started = Instant::now();
    let (mut runs, mut worst) = (0u64, 0u64);
    loop {
        let t = Instant::now();
        busy_work();
        let latency = t.elapsed().as_micros() as u64;
        runs += 1;
        if latency == 0 {
            continue;
        }
        if latency > worst {
            worst = latency;
            println!("Max latency so far: {worst} microseconds.");
        }
        if interrupted() || started.elapsed() > run_time {
            let avg_us = run_time.as_micros() as f64 / runs as f64;
            println!(
                "\n{runs} total runs (avg latency: {avg_us:.4} microseconds / {:.2} nanoseconds per run).",
                avg_us * 1e3
            );
            println!(
                "Worst run took {:.0}x longer than the average latency.",
                worst as f64 / avg_us
            );
            return ExitCode::SUCCESS;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_render_per_mode() {
        let mut f = Figures::default();
        f.add(2);
        f.add(4);
        assert_eq!(f.render(OutputMode::Raw), "2 4 3.00 2\n");
        assert_eq!(f.render(OutputMode::Csv), "2,4,3.00,2\n");
        assert_eq!(
            f.render(OutputMode::Standard),
            "min: 2, max: 4, avg: 3.00 (2 samples)"
        );
    }

    #[test]
    fn spectrum_has_one_cell_per_bucket() {
        let mut counts = vec![0u64; BUCKETS.len()];
        counts[0] = 10;
        let line = spectrum(&counts, 10);
        assert!(line.starts_with("\x1b[38;5;0m\x1b[48;5;196m."));
        assert_eq!(line.matches("\x1b[48;5;").count(), BUCKETS.len());
    }
}
