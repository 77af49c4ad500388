//! The poller: one thread per server that connects (and reconnects), takes a
//! [`Sample`] every interval, and sends it to the UI over a channel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use std::net::TcpStream;

use rkv_proto::client::ClientError;
use rkv_proto::{Client, Frame};
use rkv_tls::{TlsConnector, TlsError, TlsOptions};

use crate::sample::{
    parse_client_list, parse_config_value, parse_latency_latest, parse_slowlog, Sample,
};
use crate::target::Target;

/// PINGs per poll, so the latency histogram fills up quickly.
const PINGS_PER_POLL: usize = 3;

/// How long a reply (or a TLS handshake) may take before the server counts
/// as down.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// What a poller reports about its server.
#[derive(Debug, Clone)]
pub enum PollEvent {
    /// A fresh sample from instance `index`.
    Sample(usize, Box<Sample>),
    /// Instance `index` could not be reached or stopped answering.
    Down(usize, String),
}

/// Starts one polling thread per target; they stop once `stop` is set or
/// the receiving end of `events` is dropped.
pub fn spawn_pollers(
    targets: &[Target],
    interval: Duration,
    events: Sender<PollEvent>,
    stop: Arc<AtomicBool>,
) {
    for (index, target) in targets.iter().enumerate() {
        let (target, events, stop) = (target.clone(), events.clone(), stop.clone());
        thread::spawn(move || poll_loop(index, &target, interval, &events, &stop));
    }
}

fn poll_loop(
    index: usize,
    target: &Target,
    interval: Duration,
    events: &Sender<PollEvent>,
    stop: &AtomicBool,
) {
    let mut client: Option<Client> = None;
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        let result = match client.as_mut() {
            Some(c) => take_sample(c),
            None => connect(target).and_then(|mut c| {
                let sample = take_sample(&mut c);
                client = Some(c);
                sample
            }),
        };
        let event = match result {
            Ok(sample) => PollEvent::Sample(index, Box::new(sample)),
            Err(error) => {
                // Drop the broken connection; the next round reconnects.
                client = None;
                PollEvent::Down(index, error)
            }
        };
        if events.send(event).is_err() {
            return;
        }
        sleep_until(started + interval, stop);
    }
}

/// Sleeps in short steps so a quit is not held up by a long interval.
fn sleep_until(deadline: Instant, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        thread::sleep((deadline - now).min(Duration::from_millis(100)));
    }
}

/// Opens a connection (over TLS when the target asks for it) and
/// authenticates when credentials were given.
pub fn connect(target: &Target) -> Result<Client, String> {
    let mut client = match &target.tls {
        None => Client::connect((target.host.as_str(), target.port)).map_err(|e| e.to_string())?,
        Some(options) => connect_tls(target, options)?,
    };
    client
        .set_timeout(Some(READ_TIMEOUT))
        .map_err(|e| e.to_string())?;
    if let Some(password) = &target.password {
        let reply = match &target.user {
            Some(user) => client.cmd(&["AUTH", user.as_str(), password.as_str()]),
            None => client.cmd(&["AUTH", password.as_str()]),
        };
        if let Frame::Error(e) = reply.map_err(|e| e.to_string())? {
            return Err(e);
        }
    }
    Ok(client)
}

/// TCP, then a TLS handshake, under the read timeout so that a server that
/// does not speak TLS on that port cannot hold the poller.
fn connect_tls(target: &Target, options: &TlsOptions) -> Result<Client, String> {
    let io_error = |e| ClientError::Io(e).to_string();
    let tcp = TcpStream::connect((target.host.as_str(), target.port)).map_err(io_error)?;
    tcp.set_nodelay(true).map_err(io_error)?;
    tcp.set_read_timeout(Some(READ_TIMEOUT)).map_err(io_error)?;
    // Built at each (re)connection, so renewed certificate files are read.
    let session = TlsConnector::new(options)
        .and_then(|connector| connector.connect(tcp, &target.host))
        .map_err(|e| match e {
            TlsError::Handshake(reason) => format!("TLS handshake failed: {reason}"),
            TlsError::Setup(message) => message,
        })?;
    Ok(Client::over(session))
}

/// Runs one round of commands on `client`.
pub fn take_sample(client: &mut Client) -> Result<Sample, String> {
    let mut pings = Vec::with_capacity(PINGS_PER_POLL);
    for _ in 0..PINGS_PER_POLL {
        let sent = Instant::now();
        checked(client.cmd(&["PING"]))?;
        pings.push(sent.elapsed());
    }
    let info = checked(client.cmd(&["INFO", "all"]))?;
    let info = crate::info::Info::parse(&String::from_utf8_lossy(
        info.as_bytes().unwrap_or_default(),
    ));
    let taken_at = Instant::now();
    // The rest is optional: a server may refuse CONFIG or SLOWLOG (ACLs, or
    // commands rkv does not have yet), and the dashboard shows what it got.
    let maxmemory =
        optional(client.cmd(&["CONFIG", "GET", "maxmemory"]))?.and_then(|f| parse_config_value(&f));
    let slowlog = optional(client.cmd(&["SLOWLOG", "GET", "10"]))?
        .map(|f| parse_slowlog(&f))
        .unwrap_or_default();
    let clients = optional(client.cmd(&["CLIENT", "LIST"]))?
        .map(|f| parse_client_list(&String::from_utf8_lossy(f.as_bytes().unwrap_or_default())))
        .unwrap_or_default();
    let latency_events = optional(client.cmd(&["LATENCY", "LATEST"]))?
        .map(|f| parse_latency_latest(&f))
        .unwrap_or_default();
    Ok(Sample {
        latency_events,
        taken_at,
        info,
        maxmemory,
        slowlog,
        clients,
        pings,
    })
}

fn checked(reply: Result<Frame, rkv_proto::client::ClientError>) -> Result<Frame, String> {
    match reply.map_err(|e| e.to_string())? {
        Frame::Error(e) => Err(e),
        frame => Ok(frame),
    }
}

fn optional(reply: Result<Frame, rkv_proto::client::ClientError>) -> Result<Option<Frame>, String> {
    match reply.map_err(|e| e.to_string())? {
        Frame::Error(_) => Ok(None),
        frame => Ok(Some(frame)),
    }
}
