//! Busy scripts: once a script runs past `busy-reply-threshold`, the
//! server (one thread, blocked in the script) serves the other clients
//! from the script's Lua hook, as Redis's `processEventsWhileBlocked`
//! does: it reads their sockets without blocking, answers `-BUSY`, and
//! runs the commands allowed while busy (SCRIPT KILL, FUNCTION KILL,
//! FUNCTION STATS, SHUTDOWN NOSAVE).
//!
//! Bytes read this way that do not form a whole request are kept in the
//! client's `busy_input`; its connection task takes them (before anything
//! it reads later) once the script ends and the task is woken.

use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd};

use rkv_proto::{Limits, ReplyWriter, RequestParser};

use crate::client::Client;
use crate::command::dispatch::execute;
use crate::command::flags;
use crate::errors;
use crate::server::Server;

/// Bytes read from one socket per attempt.
const READ_CHUNK: usize = 16 * 1024;

/// A connection accepted by a busy script, served by it until the script
/// ends, then handed to the normal accept path.
#[derive(Debug)]
pub struct AcceptedWhileBusy {
    /// The socket.
    pub stream: TcpStream,
    /// Peer address.
    pub peer: SocketAddr,
    /// Local address.
    pub local: SocketAddr,
    /// A stand-in client for the replies given while busy.
    pub client: Client,
}

/// Watches one script run.
#[derive(Debug)]
pub struct BusyWatch {
    started_us: i64,
    threshold_ms: u64,
    caller_id: u64,
    timed_out: bool,
}

impl BusyWatch {
    /// Starts watching a run for the client `caller_id` that started at
    /// `started_us` (microseconds since the Unix epoch).
    pub fn new(threshold_ms: u64, caller_id: u64, started_us: i64) -> Self {
        BusyWatch {
            started_us,
            threshold_ms,
            caller_id,
            timed_out: false,
        }
    }

    /// Whether the run went past the threshold.
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }
}

/// Milliseconds since `started_us` by the wall clock (as Redis measured a
/// script's time); a clock stepped back counts as no time.
pub fn elapsed_ms(started_us: i64) -> u64 {
    ((crate::server::unix_us() - started_us) / 1000).max(0) as u64
}

/// Called from the script's hook: past the threshold, serves the other
/// clients. Returns true when the script was killed.
pub fn tick(srv: &mut Server, watch: &mut BusyWatch) -> bool {
    if !watch.timed_out {
        let elapsed = elapsed_ms(watch.started_us);
        if elapsed < watch.threshold_ms {
            return false;
        }
        watch.timed_out = true;
        if let Some(running) = &srv.scripting.running {
            let kill = if running.is_eval {
                "SCRIPT KILL"
            } else {
                "FUNCTION KILL"
            };
            crate::warning!(
                "Slow script detected: still in execution after {elapsed} milliseconds. You can try killing the script using the {kill} command. Script name is: {}.",
                running.name
            );
        }
    }
    accept_new(srv);
    serve_clients(srv, watch.caller_id);
    serve_accepted(srv);
    srv.scripting.running.as_ref().is_some_and(|r| r.killed)
}

/// After a run that went busy: wakes the clients whose leftover input
/// waits in `busy_input`, so their tasks take it.
pub fn finish(srv: &mut Server, watch: &BusyWatch) {
    if !watch.timed_out {
        return;
    }
    for accepted in std::mem::take(&mut srv.scripting.busy_accepted) {
        srv.scripting.hand_off(accepted);
    }
    for client in srv.clients.values() {
        if let Ok(c) = client.try_borrow() {
            if !c.busy_input.is_empty() {
                c.wake.notify_one();
            }
        }
    }
}

/// Accepts whatever connections wait on the listening sockets.
fn accept_new(srv: &mut Server) {
    for fd in srv.scripting.listener_fds.clone() {
        loop {
            // SAFETY: accept4 with null address pointers only returns a new
            // descriptor, which the TcpStream below then owns.
            let conn = unsafe {
                libc::accept4(
                    fd,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                )
            };
            if conn < 0 {
                break;
            }
            // SAFETY: `conn` is a fresh socket nobody else owns.
            let stream = unsafe { TcpStream::from_raw_fd(conn) };
            let (Ok(peer), Ok(local)) = (stream.peer_addr(), stream.local_addr()) else {
                continue;
            };
            let client = Client::new(
                0,
                peer.to_string(),
                local.to_string(),
                stream.as_raw_fd(),
                srv.now_ms,
                !srv.auth_required(),
            );
            srv.scripting.busy_accepted.push(AcceptedWhileBusy {
                stream,
                peer,
                local,
                client,
            });
        }
    }
}

/// Serves the connections accepted while busy.
fn serve_accepted(srv: &mut Server) {
    let mut accepted = std::mem::take(&mut srv.scripting.busy_accepted);
    for a in &mut accepted {
        serve_one(srv, &mut a.client);
    }
    accepted.append(&mut srv.scripting.busy_accepted);
    srv.scripting.busy_accepted = accepted;
}

/// Reads, answers and replies for one client.
fn serve_one(srv: &mut Server, c: &mut Client) {
    if !read_available(c) {
        return;
    }
    let mut out = Vec::new();
    let consumed = answer_requests(srv, c, &mut out);
    c.busy_input.drain(..consumed);
    if !out.is_empty() {
        send_now(c, &out);
    }
}

fn serve_clients(srv: &mut Server, caller_id: u64) {
    let ids: Vec<u64> = srv
        .clients
        .keys()
        .copied()
        .filter(|id| *id != caller_id)
        .collect();
    for id in ids {
        let Some(client) = srv.clients.get(&id).cloned() else {
            continue;
        };
        let Ok(mut c) = client.try_borrow_mut() else {
            continue;
        };
        // A client with output still queued would see our replies jump
        // ahead of it; a blocked one is waiting for its own reply.
        if c.fd < 0 || c.blocked || c.close_asap || c.omem > 0 || !c.pushed.is_empty() {
            continue;
        }
        serve_one(srv, &mut c);
    }
}

/// Reads what the socket has into `busy_input`; false when nothing came.
fn read_available(c: &mut Client) -> bool {
    let before = c.busy_input.len();
    let mut buf = [0u8; READ_CHUNK];
    loop {
        // SAFETY: recv writes at most `buf.len()` bytes into `buf`.
        let n = unsafe { libc::recv(c.fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT) };
        if n <= 0 {
            break;
        }
        c.busy_input.extend_from_slice(&buf[..n as usize]);
        if (n as usize) < buf.len() {
            break;
        }
    }
    c.busy_input.len() > before
}

/// Answers every whole request in `busy_input`; returns the bytes used.
fn answer_requests(srv: &mut Server, c: &mut Client, out: &mut Vec<u8>) -> usize {
    let input = std::mem::take(&mut c.busy_input);
    let mut parser = RequestParser::new();
    let limits = Limits {
        max_bulk_len: srv.config.proto_max_bulk_len as usize,
        unauthenticated: !c.authenticated,
    };
    let mut pos = 0;
    while pos < input.len() {
        let argv: Vec<Vec<u8>> = match parser.parse(&input[pos..], &limits) {
            Ok(Some(req)) => {
                let argv = req.iter(&input[pos..]).map(<[u8]>::to_vec).collect();
                pos += req.consumed();
                argv
            }
            _ => break,
        };
        if argv.is_empty() {
            continue;
        }
        answer(srv, c, &argv, out);
    }
    c.busy_input = input;
    pos
}

/// One request while busy: lookup and arity errors as usual, the allowed
/// commands run, everything else gets `-BUSY`.
fn answer(srv: &mut Server, c: &mut Client, argv: &[Vec<u8>], out: &mut Vec<u8>) {
    let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
    let spec = srv
        .commands
        .resolve(&refs)
        .ok()
        .map(|id| srv.commands.entry(id).spec);
    let runs = match spec {
        None => true,
        Some(s) => {
            let bad_arity = (s.arity > 0 && refs.len() != s.arity as usize)
                || (refs.len() as i64) < -(s.arity as i64);
            bad_arity || s.has(flags::ALLOW_BUSY)
        }
    };
    // Of SHUTDOWN, only SHUTDOWN NOSAVE gets through (at once: the script
    // never returns to the event loop).
    let is_shutdown = spec.is_some_and(|s| s.name == "shutdown");
    if runs && is_shutdown {
        if refs[1..].iter().any(|a| a.eq_ignore_ascii_case(b"nosave")) {
            shutdown_now(srv);
        }
    } else if runs {
        execute(srv, c, &refs, out);
        return;
    }
    let busy = match &srv.scripting.running {
        Some(r) if !r.is_eval => errors::BUSY_FUNCTION,
        _ => errors::BUSY_EVAL,
    };
    ReplyWriter::new(out, c.protocol).error(busy);
    srv.stats.count_error("BUSY");
}

/// SHUTDOWN NOSAVE while a script runs.
fn shutdown_now(srv: &Server) -> ! {
    crate::warning!("User requested shutdown...");
    crate::warning!("rkv is now ready to exit, bye bye...");
    if let Some(pidfile) = &srv.config.pidfile {
        let _ = std::fs::remove_file(pidfile);
    }
    std::process::exit(0);
}

/// Writes a reply straight to the socket; what does not fit goes to the
/// client's `pushed` buffer for its task.
fn send_now(c: &mut Client, out: &[u8]) {
    // SAFETY: send reads `out.len()` bytes from `out`.
    let n = unsafe {
        libc::send(
            c.fd,
            out.as_ptr().cast(),
            out.len(),
            libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
        )
    };
    let sent = if n < 0 { 0 } else { n as usize };
    if sent < out.len() {
        c.push_bytes(&out[sent..]);
    }
}
