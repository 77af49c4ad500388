//! `rkv-replag`: samples replication lag while a load runs on a master.
//!
//! Every `--interval-ms` it reads `master_repl_offset` from the master's
//! INFO replication and then from each replica's, and records the master's
//! offset minus the replica's (bytes not yet applied). It stops once the
//! master's offset has moved and then stood still for `--idle-ms` with
//! every replica caught up, and prints one line:
//! `samples,p50_bytes,p99_bytes,max_bytes,catch_up_ms` where catch_up_ms is
//! how long the replicas took to reach the master's final offset after
//! its last change.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;

/// Command-line options.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port of the master on 127.0.0.1.
    #[arg(long)]
    master: u16,
    /// Port of a replica on 127.0.0.1 (repeat for several).
    #[arg(long = "replica", required = true)]
    replicas: Vec<u16>,
    /// Pause between samples.
    #[arg(long, default_value_t = 2)]
    interval_ms: u64,
    /// How long the master must stay idle, replicas caught up, to stop.
    #[arg(long, default_value_t = 1000)]
    idle_ms: u64,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout_s: u64,
}

/// One connection that answers `INFO replication`.
struct InfoConn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl InfoConn {
    fn connect(port: u16) -> Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .with_context(|| format!("connecting to port {port}"))?;
        stream.set_nodelay(true)?;
        Ok(InfoConn {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        })
    }

    /// `master_repl_offset` from INFO replication.
    fn offset(&mut self) -> Result<i64> {
        self.writer
            .write_all(b"*2\r\n$4\r\nINFO\r\n$11\r\nreplication\r\n")?;
        let mut header = String::new();
        self.reader.read_line(&mut header)?;
        let Some(len) = header.trim_end().strip_prefix('$') else {
            bail!("unexpected INFO reply: {header:?}");
        };
        let mut body = vec![0u8; len.parse::<usize>()? + 2];
        self.reader.read_exact(&mut body)?;
        let text = String::from_utf8_lossy(&body);
        for line in text.lines() {
            if let Some(v) = line.strip_prefix("master_repl_offset:") {
                return Ok(v.trim().parse()?);
            }
        }
        bail!("INFO replication has no master_repl_offset")
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let mut master = InfoConn::connect(args.master)?;
    let mut replicas = args
        .replicas
        .iter()
        .map(|&p| InfoConn::connect(p))
        .collect::<Result<Vec<_>>>()?;
    let start_offset = master.offset()?;
    let mut last_offset = start_offset;
    let mut last_change = Instant::now();
    let mut caught_up_at: Option<Instant> = None;
    let mut lags = Vec::new();
    let started = Instant::now();
    loop {
        let m = master.offset()?;
        let mut behind = 0;
        for r in replicas.iter_mut() {
            let lag = (m - r.offset()?).max(0);
            behind = behind.max(lag);
            if m != start_offset {
                lags.push(lag);
            }
        }
        if m != last_offset {
            last_offset = m;
            last_change = Instant::now();
            caught_up_at = None;
        } else if behind == 0 && caught_up_at.is_none() {
            caught_up_at = Some(Instant::now());
        }
        let idle = last_change.elapsed() >= Duration::from_millis(args.idle_ms);
        if m != start_offset && idle && behind == 0 {
            break;
        }
        if started.elapsed() > Duration::from_secs(args.timeout_s) {
            bail!("no steady state within {} s", args.timeout_s);
        }
        std::thread::sleep(Duration::from_millis(args.interval_ms));
    }
    lags.sort_unstable();
    let pct = |p: f64| -> i64 {
        if lags.is_empty() {
            return 0;
        }
        lags[((lags.len() as f64 * p) as usize).min(lags.len() - 1)]
    };
    let catch_up = caught_up_at
        .map(|t| t.duration_since(last_change).as_millis())
        .unwrap_or(0);
    println!(
        "{},{},{},{},{}",
        lags.len(),
        pct(0.5),
        pct(0.99),
        lags.last().copied().unwrap_or(0),
        catch_up
    );
    Ok(())
}
