//! `rkv-loadgen`: drives a Redis-protocol server with a sequence of
//! commands per request (e.g. `MULTI ; SET a 1 ; SET b 2 ; EXEC`), from many
//! connections on one thread as redis-benchmark does, optionally with
//! subscribers attached to a channel so PUBLISH fans out. Prints one line:
//! `requests,seconds,rps,p50_ms,p99_ms`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Command-line options.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Server host.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Server port.
    #[arg(short, long)]
    port: u16,
    /// Parallel connections sending requests.
    #[arg(short, long, default_value_t = 50)]
    clients: usize,
    /// Requests in total (one request = the whole command sequence).
    #[arg(short = 'n', long, default_value_t = 100_000)]
    requests: usize,
    /// Requests each connection sends before reading their replies.
    #[arg(short = 'P', long, default_value_t = 1)]
    pipeline: usize,
    /// Connections subscribed to --channel while the load runs; the run
    /// ends when each has received one message per request.
    #[arg(long, default_value_t = 0)]
    subscribers: usize,
    /// Channel the subscribers listen on.
    #[arg(long, default_value = "channel")]
    channel: String,
    /// The request: a command and its arguments; `;` separates commands.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let sequence = split_sequence(&args.command)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    let report = local.block_on(&runtime, run(args, sequence))?;
    println!("{report}");
    Ok(())
}

/// Splits `SET a 1 ; SET b 2` into its commands.
fn split_sequence(words: &[String]) -> Result<Vec<Vec<String>>> {
    let mut commands = vec![Vec::new()];
    for w in words {
        if w == ";" {
            commands.push(Vec::new());
        } else {
            commands.last_mut().expect("never empty").push(w.clone());
        }
    }
    if commands.iter().any(Vec::is_empty) {
        bail!("empty command in the sequence (check the ';' separators)");
    }
    Ok(commands)
}

/// Runs the load and formats the report line.
async fn run(args: Args, sequence: Vec<Vec<String>>) -> Result<String> {
    let addr = format!("{}:{}", args.host, args.port);
    let mut subscribers = Vec::new();
    for _ in 0..args.subscribers {
        let stream = subscribe(&addr, &args.channel).await?;
        subscribers.push(tokio::task::spawn_local(drain_messages(
            stream,
            args.requests,
        )));
    }
    let mut request = Vec::new();
    for command in &sequence {
        request.extend(rkv_proto::frame::encode_command(command));
    }
    let batch: Vec<u8> = request.repeat(args.pipeline);
    let replies_per_batch = sequence.len() * args.pipeline;
    let remaining = Rc::new(Cell::new(args.requests.div_ceil(args.pipeline)));
    let latencies = Rc::new(RefCell::new(Vec::with_capacity(remaining.get())));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.clients {
        let stream = TcpStream::connect(&addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        workers.push(tokio::task::spawn_local(send_batches(
            stream,
            batch.clone(),
            replies_per_batch,
            remaining.clone(),
            latencies.clone(),
        )));
    }
    for w in workers {
        w.await??;
    }
    for s in subscribers {
        tokio::time::timeout(Duration::from_secs(60), s)
            .await
            .context("subscribers did not receive every message within 60 s")???;
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut lat = latencies.take();
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 * p) as usize).min(lat.len() - 1);
        lat[i].as_secs_f64() * 1000.0
    };
    let done = args.requests.div_ceil(args.pipeline) * args.pipeline;
    Ok(format!(
        "{done},{seconds:.3},{:.0},{:.3},{:.3}",
        done as f64 / seconds,
        pct(0.5),
        pct(0.99)
    ))
}

/// One connection's loop: takes a batch while any remain, sends it, waits
/// for all its replies; records each batch's round trip.
async fn send_batches(
    mut stream: TcpStream,
    batch: Vec<u8>,
    replies: usize,
    remaining: Rc<Cell<usize>>,
    latencies: Rc<RefCell<Vec<Duration>>>,
) -> Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    while remaining.get() > 0 {
        remaining.set(remaining.get() - 1);
        let sent = Instant::now();
        stream.write_all(&batch).await?;
        let mut seen = 0;
        let mut start = 0;
        while seen < replies {
            let mut advanced = true;
            while advanced && seen < replies {
                advanced = false;
                if let Some(len) = rkv_proto::frame::check_frame(&buf[start..])? {
                    if buf[start] == b'-' {
                        bail!(
                            "server replied with an error: {}",
                            String::from_utf8_lossy(&buf[start..start + len]).trim_end()
                        );
                    }
                    start += len;
                    seen += 1;
                    advanced = true;
                }
            }
            if seen < replies {
                read_more(&mut stream, &mut buf).await?;
            }
        }
        buf.drain(..start);
        latencies.borrow_mut().push(sent.elapsed());
    }
    Ok(())
}

/// Reads whatever the socket has into `buf`; an EOF is an error.
async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<()> {
    let len = buf.len();
    buf.resize(len + 64 * 1024, 0);
    let n = stream.read(&mut buf[len..]).await?;
    buf.truncate(len + n);
    if n == 0 {
        bail!("server closed the connection");
    }
    Ok(())
}

/// Connects and subscribes to `channel`, returning once confirmed.
async fn subscribe(addr: &str, channel: &str) -> Result<TcpStream> {
    let mut stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream
        .write_all(&rkv_proto::frame::encode_command(&["SUBSCRIBE", channel]))
        .await?;
    let mut buf = Vec::new();
    while rkv_proto::frame::check_frame(&buf)?.is_none() {
        read_more(&mut stream, &mut buf).await?;
    }
    Ok(stream)
}

/// Reads and counts a subscriber's messages until `expected` arrived.
async fn drain_messages(mut stream: TcpStream, expected: usize) -> Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut seen = 0;
    let mut start = 0;
    while seen < expected {
        while let Some(len) = rkv_proto::frame::check_frame(&buf[start..])? {
            start += len;
            seen += 1;
        }
        buf.drain(..start);
        start = 0;
        if seen < expected {
            read_more(&mut stream, &mut buf).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_sequence;

    #[test]
    fn sequences_split_on_semicolons() {
        let words: Vec<String> = ["MULTI", ";", "SET", "a", "1", ";", "EXEC"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let seq = split_sequence(&words).unwrap();
        assert_eq!(seq.len(), 3);
        assert_eq!(seq[1], ["SET", "a", "1"]);
        let bad: Vec<String> = ["GET", "a", ";"].iter().map(|s| s.to_string()).collect();
        assert!(split_sequence(&bad).is_err());
    }
}
