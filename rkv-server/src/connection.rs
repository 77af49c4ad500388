//! One client connection: read requests, run them, write replies.
//!
//! Every complete request in the input buffer is run before the replies go
//! out in one write (pipelining); the task then waits for more input or for a
//! wake-up from another client (MONITOR feed, CLIENT KILL, pushes).

use std::cell::RefCell;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::time::Duration;

use rkv_proto::{Limits, RequestParser};
use smallvec::SmallVec;

use crate::client::Client;
use crate::command::dispatch::{execute, Outcome};
use crate::server::Server;
use crate::socket::ClientSocket;

/// Read granularity (Redis's `PROTO_IOBUF_LEN`).
const READ_CHUNK: usize = 16 * 1024;

/// Redis's reply to a non-loopback client in protected mode.
const DENIED: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password \
is set for the default user. In this mode connections are only accepted from the loopback interface. If you want \
to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable \
protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to \
Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet \
if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the \
protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then \
restarting the server. 3) If you started the server manually just for testing, restart it with the \
'--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to \
do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/// What stopped input processing.
enum Next {
    /// Wait for more input.
    Read,
    /// Close after flushing.
    Close,
    /// A pause holds the next command back.
    Paused,
    /// A blocking command parked the client: wait until it is served.
    Blocked,
}

/// Serves one accepted connection until it closes.
pub async fn serve(
    shared: Rc<RefCell<Server>>,
    mut stream: ClientSocket,
    peer: SocketAddr,
    local: SocketAddr,
) {
    let _ = stream.set_nodelay(true);
    let client = match admit(&shared, &stream, peer, local) {
        Ok(c) => c,
        Err(reply) => {
            let _ = stream.write_all(reply.as_bytes()).await;
            return;
        }
    };
    let wake = client.borrow().wake.clone();
    let mut inbuf: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut parser = RequestParser::new();
    let mut out: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut flooded = false;
    loop {
        let next = process_input(&shared, &client, &mut inbuf, &mut parser, &mut out);
        // Redis's beforeSleep point: BCAST invalidations for this batch.
        crate::tracking::broadcast_pending(&mut shared.borrow_mut());
        {
            let mut c = client.borrow_mut();
            if !c.pushed.is_empty() {
                out.append(&mut c.pushed);
            }
        }
        if !out.is_empty() {
            aof_before_reply(&shared).await;
            if !write_out(&mut stream, &client, &wake, &out).await {
                break;
            }
            shared.borrow_mut().stats.total_net_output_bytes += out.len() as u64;
            out.clear();
            // Big one-off replies should not pin memory for the connection's life.
            if out.capacity() > 4 * READ_CHUNK {
                out.shrink_to(READ_CHUNK);
            }
        }
        match next {
            Next::Close => break,
            Next::Paused => {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(10)) => {}
                    _ = wake.notified() => {}
                }
                if client.borrow().close_asap {
                    break;
                }
                continue;
            }
            Next::Blocked => {
                if !wait_while_blocked(&shared, &client, &mut stream, &mut inbuf).await {
                    break;
                }
                // The served (or timeout) reply goes out before anything
                // the rest of the pipeline produces.
                let reply = std::mem::take(&mut client.borrow_mut().pushed);
                aof_before_reply(&shared).await;
                if stream.write_all(&reply).await.is_err() {
                    break;
                }
                shared.borrow_mut().stats.total_net_output_bytes += reply.len() as u64;
                continue;
            }
            Next::Read => {}
        }
        // Pushes that arrived while writing consumed their wake-up: send
        // them before waiting for input.
        if !client.borrow().pushed.is_empty() {
            continue;
        }
        // A read that filled the buffer means the client is flooding us
        // (mass insertion, a big value): let every other client have its
        // turn before reading more, as Redis's event loop serves each ready
        // client once per iteration. Without this, tokio's budget lets one
        // busy connection run for ~128 reads in a row.
        if flooded {
            flooded = false;
            tokio::task::yield_now().await;
        }
        // Make room for the pending argument, but grow at most geometrically:
        // a client announcing a 512 MB value must send it to make us hold it.
        let want = parser
            .bytes_wanted(inbuf.len())
            .clamp(READ_CHUNK, inbuf.capacity().max(READ_CHUNK));
        if inbuf.capacity() - inbuf.len() < want / 2 {
            inbuf.reserve(want);
        }
        let room = inbuf.capacity() - inbuf.len();
        tokio::select! {
            biased;
            _ = wake.notified() => {
                if client.borrow().close_asap {
                    break;
                }
            }
            read = stream.read_buf(&mut inbuf) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    flooded = n == room;
                    let mut srv = shared.borrow_mut();
                    srv.stats.total_net_input_bytes += n as u64;
                    if inbuf.len() as u64 > srv.config.client_query_buffer_limit {
                        let c = client.borrow();
                        crate::warning!("Closing client that reached max query buffer length: id={} addr={}", c.id, c.addr);
                        break;
                    }
                }
            }
        }
    }
    let id = client.borrow().id;
    let mut srv = shared.borrow_mut();
    crate::families::pubsub::forget_client(&mut srv, &mut client.borrow_mut());
    crate::tracking::disable(&mut srv, &mut client.borrow_mut());
    srv.blocking.remove_client(id);
    crate::watch::unwatch_all(&mut srv, id);
    srv.clients.remove(&id);
    srv.monitors.retain(|m| *m != id);
    crate::replication::master::forget_client(&mut srv, id);
}

/// Puts the writes buffered for the AOF in the file before a reply leaves
/// (Redis's `beforeSleep` order). Under `appendfsync always` the reply
/// waits for the group commit, one fsync for every client of this turn.
async fn aof_before_reply(shared: &Rc<RefCell<Server>>) {
    if crate::aof::group_commit_pending(&shared.borrow()) {
        let commit = shared.borrow().aof_group_commit.clone();
        commit.wait_durable().await;
    }
    crate::aof::write_pending(&mut shared.borrow_mut());
}

/// Writes `out` in full, keeping `Client::omem` at the bytes not yet sent
/// (output buffer limits count them). A client killed meanwhile is let go
/// at once: a subscriber that never reads must not keep its connection.
/// False when the connection must close.
async fn write_out(
    stream: &mut ClientSocket,
    client: &Rc<RefCell<Client>>,
    wake: &tokio::sync::Notify,
    out: &[u8],
) -> bool {
    let mut written = 0;
    while written < out.len() {
        match stream.try_write(&out[written..]) {
            Ok(0) => return false,
            Ok(n) if written + n == out.len() => return true,
            Ok(n) => written += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(_) => return false,
        }
    }
    while written < out.len() {
        client.borrow_mut().omem = out.len() - written;
        tokio::select! {
            biased;
            _ = wake.notified() => {
                if client.borrow().close_asap {
                    return false;
                }
            }
            sent = stream.write(&out[written..]) => match sent {
                Ok(0) | Err(_) => return false,
                Ok(n) => written += n,
            }
        }
    }
    client.borrow_mut().omem = 0;
    true
}

/// Waits until the blocked client is served, times out or is released,
/// reading (but not running) its input meanwhile so a hang-up is noticed.
/// False when the connection must close.
async fn wait_while_blocked(
    shared: &Rc<RefCell<Server>>,
    client: &Rc<RefCell<Client>>,
    stream: &mut ClientSocket,
    inbuf: &mut Vec<u8>,
) -> bool {
    let (id, wake) = {
        let c = client.borrow();
        (c.id, c.wake.clone())
    };
    loop {
        let Some(deadline) = shared.borrow().blocking.deadline(id) else {
            return true;
        };
        let wait = if deadline == 0 {
            Duration::from_secs(3600)
        } else {
            // The loop re-checks, so a far deadline can be waited for in steps.
            let left = deadline.saturating_sub(crate::server::unix_ms());
            Duration::from_millis(left.clamp(0, 3_600_000) as u64)
        };
        if inbuf.capacity() - inbuf.len() < READ_CHUNK / 2 {
            inbuf.reserve(READ_CHUNK);
        }
        tokio::select! {
            biased;
            _ = wake.notified() => {
                if client.borrow().close_asap {
                    return false;
                }
            }
            _ = tokio::time::sleep(wait), if deadline != 0 => {
                let mut srv = shared.borrow_mut();
                srv.update_clock();
                crate::blocking::expire_if_due(&mut srv, id);
            }
            read = stream.read_buf(inbuf) => match read {
                Ok(0) | Err(_) => return false,
                Ok(n) => {
                    let mut srv = shared.borrow_mut();
                    srv.stats.total_net_input_bytes += n as u64;
                    if inbuf.len() as u64 > srv.config.client_query_buffer_limit {
                        return false;
                    }
                }
            }
        }
    }
}

/// Registers a new client, or returns the error line to send before closing.
fn admit(
    shared: &Rc<RefCell<Server>>,
    stream: &ClientSocket,
    peer: SocketAddr,
    local: SocketAddr,
) -> Result<Rc<RefCell<Client>>, String> {
    let mut srv = shared.borrow_mut();
    srv.update_clock();
    srv.stats.total_connections_received += 1;
    if srv.clients.len() as u64 >= srv.config.maxclients as u64 {
        srv.stats.rejected_connections += 1;
        return Err("-ERR max number of clients reached\r\n".into());
    }
    if srv.config.protected_mode && !srv.auth_required() && !peer.ip().is_loopback() {
        srv.stats.rejected_connections += 1;
        return Err(DENIED.into());
    }
    let id = srv.next_client_id;
    srv.next_client_id += 1;
    let authenticated = !srv.auth_required();
    let mut client = Client::new(
        id,
        peer.to_string(),
        local.to_string(),
        stream.as_raw_fd(),
        srv.now_ms,
        authenticated,
    );
    // A connection a busy script accepted may have sent more than it answered.
    client.busy_input = srv.scripting.take_handoff_input(client.fd);
    let client = Rc::new(RefCell::new(client));
    srv.clients.insert(id, client.clone());
    Ok(client)
}

/// Runs every complete request in `inbuf`, consuming what was run.
fn process_input(
    shared: &Rc<RefCell<Server>>,
    client: &Rc<RefCell<Client>>,
    inbuf: &mut Vec<u8>,
    parser: &mut RequestParser,
    out: &mut Vec<u8>,
) -> Next {
    let mut srv = shared.borrow_mut();
    let mut c = client.borrow_mut();
    // Input a busy script read from our socket comes before any we read.
    if !c.busy_input.is_empty() {
        inbuf.append(&mut c.busy_input);
    }
    let mut pos = 0;
    let mut next = Next::Read;
    while pos < inbuf.len() {
        if c.close_after_reply || c.close_asap {
            break;
        }
        let limits = Limits {
            max_bulk_len: srv.config.proto_max_bulk_len as usize,
            unauthenticated: !c.authenticated,
        };
        match parser.parse(&inbuf[pos..], &limits) {
            Ok(None) => break,
            Ok(Some(req)) => {
                let consumed = req.consumed();
                if req.is_empty() {
                    pos += consumed;
                    continue;
                }
                let argv: SmallVec<[&[u8]; 8]> = req.iter(&inbuf[pos..]).collect();
                // CLIENT LIST shows the caller's query buffer as Redis holds it
                // while running a command: everything read so far.
                c.qbuf = inbuf.len();
                c.qbuf_free = inbuf.capacity() - inbuf.len();
                let reply_start = out.len();
                let outcome = execute(&mut srv, &mut c, &argv, out);
                // A replica gets the stream, never replies (Redis drops
                // them); what it must see is queued in `pushed`.
                if c.kind == crate::client::ClientKind::Replica {
                    out.truncate(reply_start);
                }
                match outcome {
                    Outcome::Paused => {
                        next = Next::Paused;
                        break;
                    }
                    Outcome::Blocked => {
                        pos += consumed;
                        next = Next::Blocked;
                        break;
                    }
                    Outcome::Continue => pos += consumed,
                }
                let limits = &srv.config.client_output_buffer_limit;
                if crate::output_limit::over_own_replies(limits, &mut c, out.len(), srv.now_ms) {
                    out.clear();
                    break;
                }
            }
            Err(e) => {
                crate::verbose!(
                    "Protocol error ({e}) from client: id={} addr={}",
                    c.id,
                    c.addr
                );
                rkv_proto::ReplyWriter::new(out, c.protocol).error(&format!("ERR {e}"));
                srv.stats.count_error("ERR");
                c.close_after_reply = true;
                break;
            }
        }
    }
    inbuf.drain(..pos);
    c.qbuf = inbuf.len();
    c.qbuf_free = inbuf.capacity() - inbuf.len();
    if c.close_after_reply || c.close_asap {
        next = Next::Close;
    }
    next
}
