//! Applying the master's command stream: each command runs through the
//! normal dispatch as the master client (Redis's `CLIENT_MASTER`: its
//! replies are dropped, it may write on a read-only replica, it sees
//! expired keys as still there until the master deletes them). The bytes
//! of each applied command advance our offset and are passed on unchanged
//! to our own replicas and backlog; a transaction counts once its EXEC ran.
//! `REPLCONF GETACK` is answered with `REPLCONF ACK <offset>`, and an ACK
//! goes out every second.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rkv_proto::{Limits, RequestParser};
use smallvec::SmallVec;
use tokio::io::AsyncReadExt;

use super::conn::Conn;
use super::link::with_link;
use super::replica::set_applying_master_stream;
use crate::command::dispatch::{execute, Outcome};
use crate::db::keyspace::EXPIRY_SUSPENDED;
use crate::server::Server;
use crate::warning;

/// `REPLCONF ACK <offset>`, as sent to the master.
pub fn ack_command(offset: i64) -> Vec<u8> {
    let offset = offset.to_string();
    rkv_proto::encode_command(&[b"REPLCONF".as_slice(), b"ACK", offset.as_bytes()])
}

/// What applying the buffered stream left to do.
#[derive(Debug, Default)]
struct Applied {
    /// Offsets to ACK (one per GETACK, in order).
    acks: Vec<i64>,
    /// A CLIENT PAUSE holds the next command back.
    paused: bool,
    /// The link must close (killed, replaced, protocol error).
    close: bool,
}

/// The stream state kept between reads.
#[derive(Default)]
struct StreamState {
    parser: RequestParser,
    /// Bytes of commands applied inside a MULTI not counted yet.
    unfed: Vec<u8>,
}

/// Applies the stream until the link drops, is killed or times out.
pub(super) async fn run(shared: &Rc<RefCell<Server>>, generation: u64, conn: &mut Conn) {
    let Some((client_id, wake)) = master_client(shared, generation) else {
        return;
    };
    let mut state = StreamState::default();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    ticker.tick().await;
    loop {
        let applied = apply(shared, generation, client_id, &mut state, &mut conn.buf);
        for offset in &applied.acks {
            if conn.send(&ack_command(*offset)).await.is_err() {
                return;
            }
        }
        if applied.close {
            return;
        }
        conn.buf.reserve(16 * 1024);
        tokio::select! {
            biased;
            _ = wake.notified() => {
                if !still_attached(shared, generation, client_id) {
                    return;
                }
            }
            _ = ticker.tick() => {
                match ack_or_timeout(shared, generation) {
                    Some(offset) => {
                        if conn.send(&ack_command(offset)).await.is_err() {
                            return;
                        }
                    }
                    None => return,
                }
            }
            _ = tokio::time::sleep(Duration::from_millis(10)), if applied.paused => {}
            read = conn.rd.read_buf(&mut conn.buf) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    let mut srv = shared.borrow_mut();
                    srv.update_clock();
                    srv.stats.total_net_input_bytes += n as u64;
                    let now = srv.now_ms / 1000;
                    let ok = with_link(&mut srv, generation, |l| {
                        l.last_io = now;
                        if let Some(m) = l.master.as_mut() {
                            m.read_reploff += n as i64;
                        }
                    });
                    if ok.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// The master client's id and wake-up, if the link is still ours.
fn master_client(
    shared: &Rc<RefCell<Server>>,
    generation: u64,
) -> Option<(u64, Rc<tokio::sync::Notify>)> {
    let mut srv = shared.borrow_mut();
    let id = with_link(&mut srv, generation, |l| {
        l.master.as_ref().map(|m| m.client_id)
    })
    .ok()??;
    let wake = srv.clients.get(&id)?.borrow().wake.clone();
    Some((id, wake))
}

/// Whether the master client is still registered and not killed.
fn still_attached(shared: &Rc<RefCell<Server>>, generation: u64, client_id: u64) -> bool {
    let srv = shared.borrow();
    let ours = srv
        .replication
        .link
        .as_ref()
        .is_some_and(|l| l.generation == generation);
    ours && srv
        .clients
        .get(&client_id)
        .is_some_and(|c| c.try_borrow().map_or(true, |c| !c.close_asap))
}

/// The once-a-second check: the offset to ACK, or `None` when the master
/// said nothing for `repl-timeout` seconds (the link is dropped).
fn ack_or_timeout(shared: &Rc<RefCell<Server>>, generation: u64) -> Option<i64> {
    let mut srv = shared.borrow_mut();
    srv.update_clock();
    let now = srv.now_ms / 1000;
    let timeout = i64::from(srv.config.repl_timeout);
    let (last_io, offset) = with_link(&mut srv, generation, |l| {
        (l.last_io, l.master.as_ref().map(|m| m.position.reploff))
    })
    .ok()?;
    if now - last_io > timeout {
        warning!("MASTER timeout: no data nor PING received...");
        return None;
    }
    offset
}

/// Runs every complete command in `buf` as the master client, consuming
/// what ran.
fn apply(
    shared: &Rc<RefCell<Server>>,
    generation: u64,
    client_id: u64,
    state: &mut StreamState,
    buf: &mut Vec<u8>,
) -> Applied {
    let mut result = Applied::default();
    let mut srv = shared.borrow_mut();
    let srv = &mut *srv;
    let Some(client) = srv.clients.get(&client_id).cloned() else {
        result.close = true;
        return result;
    };
    let mut c = client.borrow_mut();
    let mut pos = 0;
    let limits = Limits {
        max_bulk_len: srv.config.proto_max_bulk_len as usize,
        unauthenticated: false,
    };
    let mut reply = Vec::new();
    while pos < buf.len() {
        if c.close_asap || with_link(srv, generation, |_| ()).is_err() {
            result.close = true;
            break;
        }
        let req = match state.parser.parse(&buf[pos..], &limits) {
            Ok(None) => break,
            Ok(Some(req)) => req,
            Err(e) => {
                warning!("Protocol error ({e}) from MASTER: closing the link");
                result.close = true;
                break;
            }
        };
        let consumed = req.consumed();
        if !req.is_empty() {
            let argv: SmallVec<[&[u8]; 8]> = req.iter(&buf[pos..]).collect();
            if is_getack(&argv) {
                // The ACK covers what was applied before the GETACK.
                let offset = current_offset(srv, generation);
                result.acks.push(offset);
            } else {
                // The master's commands see keys its own expiry has not
                // deleted yet (it will send the DEL).
                EXPIRY_SUSPENDED.store(true, Ordering::Relaxed);
                set_applying_master_stream(true);
                let outcome = execute(srv, &mut c, &argv, &mut reply);
                set_applying_master_stream(false);
                EXPIRY_SUSPENDED.store(false, Ordering::Relaxed);
                reply.clear();
                if outcome == Outcome::Paused {
                    result.paused = true;
                    break;
                }
            }
        }
        let bytes = &buf[pos..pos + consumed];
        pos += consumed;
        if c.multi.active {
            state.unfed.extend_from_slice(bytes);
            continue;
        }
        let fed = if state.unfed.is_empty() {
            bytes.to_vec()
        } else {
            state.unfed.extend_from_slice(bytes);
            std::mem::take(&mut state.unfed)
        };
        advance(srv, generation, &fed);
    }
    buf.drain(..pos);
    // Kept with the offset: a partial resync continues in this database.
    let db = c.db;
    let _ = with_link(srv, generation, |l| {
        if let Some(m) = l.master.as_mut() {
            m.position.db = db;
        }
    });
    result
}

/// Counts applied stream bytes into our offset and passes them on.
fn advance(srv: &mut Server, generation: u64, bytes: &[u8]) {
    let _ = with_link(srv, generation, |l| {
        if let Some(m) = l.master.as_mut() {
            m.position.reploff += bytes.len() as i64;
        }
    });
    super::master::feed_raw(srv, bytes);
}

fn current_offset(srv: &mut Server, generation: u64) -> i64 {
    with_link(srv, generation, |l| {
        l.master.as_ref().map_or(0, |m| m.position.reploff)
    })
    .unwrap_or(0)
}

fn is_getack(argv: &[&[u8]]) -> bool {
    argv.len() >= 2
        && argv[0].eq_ignore_ascii_case(b"replconf")
        && argv[1].eq_ignore_ascii_case(b"getack")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_is_a_replconf_command() {
        assert_eq!(
            ack_command(42),
            b"*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$2\r\n42\r\n".to_vec()
        );
    }

    #[test]
    fn getack_is_recognised_in_any_case() {
        assert!(is_getack(&[b"REPLCONF", b"GETACK", b"*"]));
        assert!(is_getack(&[b"replconf", b"getack", b"*"]));
        assert!(!is_getack(&[b"REPLCONF", b"ACK", b"1"]));
    }
}
