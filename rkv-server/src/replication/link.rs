//! The link to the master: one task on the server's thread that, while
//! this server is a replica, connects, does the handshake (PING, AUTH,
//! REPLCONF, PSYNC), receives and loads the snapshot of a full resync, then
//! applies the master's command stream (see [`super::stream`]), ACKing its
//! offset every second. When the link drops it reconnects and asks to
//! continue where it stopped (`+CONTINUE`).

use std::cell::RefCell;
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::time::Duration;

use tokio::net::TcpStream;

use super::conn::{Conn, READ_CHUNK};
use super::failover;
use super::handshake::{handshake, parse_fullresync};
use super::replica::{self, LinkState, MasterLink, MasterPosition, MasterState};
use super::{load, stream, transfer};
use crate::client::{Client, ClientKind};
use crate::server::Server;
use crate::{notice, warning};

/// Starts the link task, following the configured `replicaof` if any.
pub fn spawn(shared: Rc<RefCell<Server>>) {
    replica::start_from_config(&mut shared.borrow_mut());
    tokio::task::spawn_local(supervise(shared));
}

/// Runs links for as long as the server lives: one session per connection
/// attempt, a new one when REPLICAOF names another master.
async fn supervise(shared: Rc<RefCell<Server>>) {
    let wake = replica::link_wake();
    loop {
        let target = {
            let srv = shared.borrow();
            srv.replication
                .link
                .as_ref()
                .map(|l| (l.generation, l.host.clone(), l.port))
        };
        let Some((generation, host, port)) = target else {
            wake.notified().await;
            continue;
        };
        // The dump read at start-up must be in before a sync replaces it.
        if shared.borrow().rdb.loading {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        let outcome = tokio::select! {
            biased;
            _ = replaced(&shared, generation) => continue,
            r = session(&shared, generation, &host, port) => r,
        };
        shared.borrow_mut().update_clock();
        if let Err(reason) = &outcome {
            warning!("{reason}");
        }
        replica::link_lost(&mut shared.borrow_mut(), generation);
        if outcome.is_err() {
            // Redis retries from its once-a-second cron.
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = wake.notified() => {}
            }
        } else {
            notice!("Reconnecting to MASTER {host}:{port}");
        }
    }
}

/// Resolves once the link `generation` is no longer the current one.
async fn replaced(shared: &Rc<RefCell<Server>>, generation: u64) {
    let wake = replica::link_wake();
    loop {
        if current_generation(shared) != Some(generation) {
            return;
        }
        wake.notified().await;
    }
}

fn current_generation(shared: &Rc<RefCell<Server>>) -> Option<u64> {
    shared
        .borrow()
        .replication
        .link
        .as_ref()
        .map(|l| l.generation)
}

/// Runs `f` on the link if it is still `generation`'s.
pub(super) fn with_link<T>(
    srv: &mut Server,
    generation: u64,
    f: impl FnOnce(&mut MasterLink) -> T,
) -> Result<T, String> {
    match srv.replication.link.as_mut() {
        Some(l) if l.generation == generation => Ok(f(l)),
        _ => Err("the replication link was replaced".to_string()),
    }
}

/// One connection to the master: `Ok` when an established link dropped,
/// `Err` when the attempt failed before streaming.
async fn session(
    shared: &Rc<RefCell<Server>>,
    generation: u64,
    host: &str,
    port: u16,
) -> Result<(), String> {
    let timeout = {
        let mut srv = shared.borrow_mut();
        with_link(&mut srv, generation, |l| l.state = LinkState::Connecting)?;
        Duration::from_secs(srv.config.repl_timeout.max(1).into())
    };
    notice!("MASTER <-> REPLICA sync started");
    let tcp = tokio::time::timeout(timeout, TcpStream::connect((host, port)))
        .await
        .map_err(|_| "Timeout connecting to the MASTER...".to_string())?
        .map_err(|e| format!("Error condition on socket for SYNC: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let fd = tcp.as_raw_fd();
    let peer = tcp
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| format!("{host}:{port}"));
    let local = tcp.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let (rd, wr) = tcp.into_split();
    let mut conn = Conn {
        rd,
        wr,
        buf: Vec::with_capacity(READ_CHUNK),
        timeout,
    };
    notice!("Non blocking connect for SYNC fired the event.");
    with_link(&mut shared.borrow_mut(), generation, |l| {
        l.state = LinkState::Handshake
    })?;
    handshake(shared, &mut conn).await?;
    let (replid, offset) = {
        let srv = shared.borrow();
        let link = srv.replication.link.as_ref();
        match link.and_then(|l| l.cached.as_ref()) {
            Some(c) => (c.replid.clone(), (c.reploff + 1).to_string()),
            None => ("?".to_string(), "-1".to_string()),
        }
    };
    if replid == "?" {
        notice!("Partial resynchronization not possible (no cached master)");
    } else {
        notice!("Trying a partial resynchronization (request {replid}:{offset}).");
    }
    // A master handing over to this one asks it to take over (FAILOVER).
    let failing_over = failover::in_progress(&shared.borrow());
    let mut psync = vec![b"PSYNC".as_slice(), replid.as_bytes(), offset.as_bytes()];
    if failing_over {
        psync.push(b"FAILOVER");
    }
    let reply = match conn.command(&psync).await {
        Ok(reply) => reply,
        Err(e) => {
            if failing_over {
                failover::abort(&mut shared.borrow_mut(), "Write error to failover target");
            }
            return Err(e);
        }
    };
    if failing_over {
        let accepted = reply.starts_with(b"+FULLRESYNC") || reply.starts_with(b"+CONTINUE");
        failover::psync_answered(&mut shared.borrow_mut(), accepted);
    }
    let peer_info = (fd, peer, local);
    if let Some(rest) = reply.strip_prefix(b"+FULLRESYNC") {
        let (master_replid, master_offset) = parse_fullresync(rest)?;
        notice!("Full resync from master: {master_replid}:{master_offset}");
        full_sync(
            shared,
            generation,
            &mut conn,
            master_replid,
            master_offset,
            peer_info,
        )
        .await?;
    } else if let Some(rest) = reply.strip_prefix(b"+CONTINUE") {
        partial_sync(shared, generation, rest, peer_info)?;
    } else {
        let text = String::from_utf8_lossy(&reply).into_owned();
        if reply.starts_with(b"-NOMASTERLINK") || reply.starts_with(b"-LOADING") {
            return Err(format!(
                "Master is currently unable to PSYNC but should be in the future: {text}"
            ));
        }
        return Err(format!("Unexpected reply to PSYNC from master: {text}"));
    }
    stream::run(shared, generation, &mut conn).await;
    Ok(())
}

/// The master client's socket details: fd, peer address, local address.
type PeerInfo = (i32, String, String);

/// Receives the snapshot, loads it, and adopts the master's history.
async fn full_sync(
    shared: &Rc<RefCell<Server>>,
    generation: u64,
    conn: &mut Conn,
    replid: String,
    offset: i64,
    peer: PeerInfo,
) -> Result<(), String> {
    {
        let mut srv = shared.borrow_mut();
        let now = srv.now_ms / 1000;
        with_link(&mut srv, generation, |l| {
            l.state = LinkState::Transfer;
            l.transfer = replica::TransferProgress {
                size: -1,
                read: 0,
                last_io: now,
            };
        })?;
    }
    // The master sends newlines to keep the link alive while it prepares
    // the snapshot.
    let header = conn.read_nonempty_line().await?;
    let framing = transfer::parse_header(&header)?;
    let diskless = {
        let srv = shared.borrow();
        match srv.config.repl_diskless_load {
            replica::DisklessLoad::Disabled => false,
            replica::DisklessLoad::OnEmptyDb => srv.total_keys() == 0,
            replica::DisklessLoad::Swapdb => true,
        }
    };
    // A transfer that fails (or is abandoned) leaves no temp file behind.
    let mut _temp_file = None;
    let sink = if diskless {
        transfer::Sink::Memory(Vec::new())
    } else {
        let srv = shared.borrow();
        let path = srv.config.dir.join(format!(
            "temp-{}.{}.rdb",
            srv.now_ms / 1000,
            std::process::id()
        ));
        let file = std::fs::File::create(&path).map_err(|e| {
            format!("Opening the temp file needed for MASTER <-> REPLICA synchronization: {e}")
        })?;
        _temp_file = Some(transfer::TempFile(path.clone()));
        transfer::Sink::File { file, path }
    };
    let mut payload = transfer::Payload::new(framing, sink);
    let size = payload.announced_size();
    let target = if diskless { "parser" } else { "disk" };
    if size >= 0 {
        notice!("MASTER <-> REPLICA sync: receiving {size} bytes from master to {target}");
    } else {
        notice!("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to {target}");
    }
    loop {
        let taken = payload.feed(&conn.buf)?;
        conn.buf.drain(..taken);
        {
            let mut srv = shared.borrow_mut();
            srv.update_clock();
            let now = srv.now_ms / 1000;
            let read = payload.received as i64;
            with_link(&mut srv, generation, |l| {
                l.transfer = replica::TransferProgress {
                    size,
                    read,
                    last_io: now,
                };
            })?;
        }
        if payload.is_done() {
            break;
        }
        conn.fill().await?;
    }
    // Old data may be served while loading only if it is an earlier
    // point of the same history.
    let same_history = shared.borrow().replication.replid == replid;
    load::load_snapshot(shared, generation, payload.sink, same_history).await?;
    adopt_master(&mut shared.borrow_mut(), generation, replid, offset, peer)?;
    // A diskless master waits for this ACK to start streaming.
    conn.send(&stream::ack_command(offset)).await
}

/// After a full sync: the master client joins and our history becomes
/// the master's (Redis's end of `readSyncBulkPayload`).
fn adopt_master(
    srv: &mut Server,
    generation: u64,
    replid: String,
    offset: i64,
    peer: PeerInfo,
) -> Result<(), String> {
    let client_id = register_master_client(srv, peer, 0);
    let now = srv.now_ms / 1000;
    let position = MasterPosition {
        replid: replid.clone(),
        reploff: offset,
        db: 0,
    };
    let adopted = with_link(srv, generation, |l| {
        l.state = LinkState::Connected;
        l.down_since = 0;
        l.last_io = now;
        l.cached = None;
        l.master = Some(MasterState {
            client_id,
            position,
            read_reploff: offset,
        });
    });
    if let Err(e) = adopted {
        replica::drop_master_client(srv, Some(client_id));
        return Err(e);
    }
    srv.replication.replid = replid;
    srv.replication.master_repl_offset = offset;
    super::master::clear_replid2(srv);
    super::master::create_backlog_if_missing(srv);
    super::master::reset_backlog(srv);
    notice!("MASTER <-> REPLICA sync: Finished with success");
    Ok(())
}

/// `+CONTINUE [<new replid>]`: the master continues from our cached
/// position; a new id means it was promoted (or switched history), and
/// our own replicas must learn it.
fn partial_sync(
    shared: &Rc<RefCell<Server>>,
    generation: u64,
    rest: &[u8],
    peer: PeerInfo,
) -> Result<(), String> {
    let mut srv = shared.borrow_mut();
    let cached = with_link(&mut srv, generation, |l| l.cached.take())?;
    let Some(mut position) = cached else {
        return Err("+CONTINUE without a cached master".to_string());
    };
    notice!("Successful partial resynchronization with master.");
    let new_id = String::from_utf8_lossy(rest).trim().to_string();
    if new_id.len() == 40 && new_id != position.replid {
        let r = &mut srv.replication;
        r.replid2 = std::mem::replace(&mut position.replid, new_id.clone());
        r.second_repl_offset = r.master_repl_offset + 1;
        r.replid = new_id;
        notice!("Master replication ID changed to {}", r.replid);
        super::master::disconnect_replicas(&mut srv);
    }
    let client_id = register_master_client(&mut srv, peer, position.db);
    let now = srv.now_ms / 1000;
    let reploff = position.reploff;
    let attached = with_link(&mut srv, generation, |l| {
        l.state = LinkState::Connected;
        l.down_since = 0;
        l.last_io = now;
        l.master = Some(MasterState {
            client_id,
            position,
            read_reploff: reploff,
        });
    });
    if let Err(e) = attached {
        replica::drop_master_client(&mut srv, Some(client_id));
        return Err(e);
    }
    super::master::create_backlog_if_missing(&mut srv);
    notice!("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
    Ok(())
}

/// Adds the master client (CLIENT LIST `flags=M`) to the client table.
fn register_master_client(srv: &mut Server, (fd, peer, local): PeerInfo, db: usize) -> u64 {
    let id = srv.next_client_id;
    srv.next_client_id += 1;
    let mut client = Client::new(id, peer, local, fd, srv.now_ms, true);
    client.kind = ClientKind::Master;
    client.db = db;
    srv.clients.insert(id, Rc::new(RefCell::new(client)));
    id
}
