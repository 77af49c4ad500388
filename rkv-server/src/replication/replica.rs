//! The replica side of replication: which master we follow (REPLICAOF,
//! `replicaof`), the state of the link to it, and what that state means
//! for clients (`-READONLY`, `-MASTERDOWN`, INFO, ROLE).
//!
//! The link itself (connecting, handshake, transfer, streaming) is a task
//! on the server's thread, in [`super::link`]; this module holds the state
//! it and the commands share.

use std::cell::Cell;
use std::rc::Rc;

use tokio::sync::Notify;

pub use super::replica_info::{info_fields, role_reply};
use crate::client::{Client, ClientKind};
use crate::command::flags;
use crate::notice;
use crate::server::Server;

/// `repl-diskless-load`: where the master's snapshot goes before loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DisklessLoad {
    /// To a file in `dir`, then loaded from it.
    #[default]
    Disabled = 0,
    /// Straight from the socket when the dataset is empty, else as
    /// `Disabled`.
    OnEmptyDb = 1,
    /// Straight from the socket into new databases that replace the old
    /// ones once loaded (the old data is served meanwhile when the
    /// snapshot continues the same history).
    Swapdb = 2,
}

impl DisklessLoad {
    /// The mode at `index` of the directive's word list.
    pub fn from_index(index: usize) -> Self {
        match index {
            1 => DisklessLoad::OnEmptyDb,
            2 => DisklessLoad::Swapdb,
            _ => DisklessLoad::Disabled,
        }
    }
}

/// Where the link to the master stands (Redis's `repl_state`, with the
/// handshake's sub-states folded into one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Must connect (again).
    Connect,
    /// The TCP connection is being made.
    Connecting,
    /// PING, AUTH, REPLCONF, PSYNC exchanged.
    Handshake,
    /// Receiving the snapshot of a full resync.
    Transfer,
    /// Streaming: the master's writes are applied as they come.
    Connected,
}

impl LinkState {
    /// The word ROLE shows.
    pub fn role_word(self) -> &'static str {
        match self {
            LinkState::Connect => "connect",
            LinkState::Connecting => "connecting",
            LinkState::Handshake => "handshake",
            LinkState::Transfer => "sync",
            LinkState::Connected => "connected",
        }
    }
}

/// A replication history and how far into it we applied (Redis's master
/// client's `replid` and `reploff`, or the cached master's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterPosition {
    /// The master's replication id.
    pub replid: String,
    /// Bytes of its stream applied.
    pub reploff: i64,
    /// The database its stream last selected: a partial resync continues
    /// without a new SELECT.
    pub db: usize,
}

/// The live connection's state, once the handshake succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterState {
    /// Id of the master client in the client table.
    pub client_id: u64,
    /// History and applied offset.
    pub position: MasterPosition,
    /// Bytes of the stream read (applied or not yet complete).
    pub read_reploff: i64,
}

/// Progress of a snapshot transfer (INFO `master_sync_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TransferProgress {
    /// Announced size, or -1 for an EOF-marked (diskless) transfer.
    pub size: i64,
    /// Bytes read so far.
    pub read: i64,
    /// Unix seconds of the last byte read.
    pub last_io: i64,
}

/// The link to the master this server replicates.
#[derive(Debug)]
pub struct MasterLink {
    /// The master's host, as given.
    pub host: String,
    /// The master's port.
    pub port: u16,
    /// Where the link stands.
    pub state: LinkState,
    /// Changes with every REPLICAOF, so a link task for an old master
    /// knows to stop.
    pub generation: u64,
    /// The connected master, once streaming (or loading).
    pub master: Option<MasterState>,
    /// Where a partial resync would continue from (Redis's cached master).
    pub cached: Option<MasterPosition>,
    /// Unix seconds of the last data from the master.
    pub last_io: i64,
    /// Unix seconds when the link went down, 0 if it never was up.
    pub down_since: i64,
    /// The snapshot being received.
    pub transfer: TransferProgress,
}

impl MasterLink {
    /// The applied offset INFO shows as `slave_repl_offset` (and the read
    /// one as `slave_read_repl_offset`): the master's, else the cached
    /// master's, else 1, as Redis.
    pub fn offsets(&self) -> (i64, i64) {
        match (&self.master, &self.cached) {
            (Some(m), _) => (m.position.reploff, m.read_reploff),
            (None, Some(c)) => (c.reploff, c.reploff),
            _ => (1, 1),
        }
    }
}

// Kept per thread: the keyspace lives on the server's one thread (and
// tests running servers side by side do not see each other's state).
thread_local! {
    /// Wakes the link task (new master, no master, link to drop).
    static LINK_WAKE: Rc<Notify> = Rc::new(Notify::new());
    /// Source of [`MasterLink::generation`].
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    /// Set while this server is a replica: expired keys are hidden from
    /// reads but never deleted (the master sends the DELs), as Redis 7.0's
    /// `expireIfNeeded` does on replicas.
    static KEEP_EXPIRED_KEYS: Cell<bool> = const { Cell::new(false) };
    /// Set while a command of the master's stream runs (scripts it runs
    /// obey it too: Redis's `mustObeyClient` of the original client).
    static APPLYING_MASTER_STREAM: Cell<bool> = const { Cell::new(false) };
}

/// Whether expired keys are kept (this server is a replica).
pub fn keeps_expired_keys() -> bool {
    KEEP_EXPIRED_KEYS.with(Cell::get)
}

/// Marks the start (`true`) and end of a command from the master's stream.
pub fn set_applying_master_stream(on: bool) {
    APPLYING_MASTER_STREAM.with(|a| a.set(on));
}

/// The notifier the link task waits on.
pub fn link_wake() -> Rc<Notify> {
    LINK_WAKE.with(Rc::clone)
}

/// Redis's `shared.roslaveerr`.
pub const READONLY: &str = "READONLY You can't write against a read only replica.";
/// Redis's `shared.masterdownerr`.
pub const MASTERDOWN: &str =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

/// Whether `client` is our master, or runs on its behalf (its commands
/// obey no client checks).
pub fn is_master_client(client: &Client) -> bool {
    client.kind == ClientKind::Master || APPLYING_MASTER_STREAM.with(Cell::get)
}

/// `-READONLY` for a write (`cmd_flags` has WRITE) from a normal client
/// on a read-only replica (Redis's `processCommand` check).
pub fn refusal_for_write(srv: &Server, client: &Client, cmd_flags: u32) -> Option<&'static str> {
    (srv.replication.is_replica()
        && srv.config.replica_read_only
        && !is_master_client(client)
        && cmd_flags & flags::WRITE != 0)
        .then_some(READONLY)
}

/// `-MASTERDOWN` for commands without the `stale` flag while the link is
/// down and `replica-serve-stale-data` is `no`.
pub fn refusal_for_stale(srv: &Server, cmd_flags: u32) -> Option<&'static str> {
    let link = srv.replication.link.as_ref()?;
    (link.state != LinkState::Connected
        && !srv.config.replica_serve_stale_data
        && cmd_flags & flags::STALE == 0)
        .then_some(MASTERDOWN)
}

/// Starts following `host:port` (Redis's `replicationSetMaster`): drops
/// the link to a previous master, remembers where a partial resync could
/// continue (our own history when we were a master), and wakes the link
/// task to connect.
pub fn set_master(srv: &mut Server, host: &str, port: u16) {
    // Clients blocked on a master's keys must not wait on a replica's.
    for id in srv.blocking.blocked_ids() {
        crate::blocking::release(srv, id, crate::blocking::Release::RoleChange);
    }
    let previous = srv.replication.link.take();
    let cached = match previous {
        None => Some(MasterPosition {
            replid: srv.replication.replid.clone(),
            reploff: srv.replication.master_repl_offset,
            db: 0,
        }),
        Some(old) => {
            let position = old.master.as_ref().map(|m| m.position.clone());
            drop_master_client(srv, old.master.as_ref().map(|m| m.client_id));
            position.or(old.cached)
        }
    };
    attach(srv, host, port, cached);
    notice!("Connecting to MASTER {host}:{port}");
}

/// Follows the master named by `replicaof` in the configuration at
/// start-up: no cached master, so the first PSYNC asks for a full sync.
pub fn start_from_config(srv: &mut Server) {
    let [host, port] = srv.config.replicaof.as_slice() else {
        return;
    };
    let (host, port) = (host.clone(), port.parse().unwrap_or(6379));
    attach(srv, &host, port, None);
}

fn attach(srv: &mut Server, host: &str, port: u16, cached: Option<MasterPosition>) {
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    srv.replication.link = Some(MasterLink {
        host: host.to_string(),
        port,
        state: LinkState::Connect,
        generation,
        master: None,
        cached,
        last_io: 0,
        down_since: 0,
        transfer: TransferProgress::default(),
    });
    srv.config.replicaof = vec![host.to_string(), port.to_string()];
    KEEP_EXPIRED_KEYS.with(|k| k.set(true));
    crate::log::set_role('S');
    link_wake().notify_one();
}

/// Stops replicating (REPLICAOF NO ONE, Redis's `replicationUnsetMaster`):
/// the data stays, the history inherited from the master becomes our
/// secondary id (siblings can still resync partially from us), and our
/// own replicas reconnect to learn the new id.
pub fn unset_master(srv: &mut Server) {
    let Some(old) = srv.replication.link.take() else {
        return;
    };
    drop_master_client(srv, old.master.as_ref().map(|m| m.client_id));
    srv.config.replicaof.clear();
    KEEP_EXPIRED_KEYS.with(|k| k.set(false));
    crate::log::set_role('M');
    super::master::shift_replid(srv);
    super::master::disconnect_replicas(srv);
    // An AOF stopped by a failed sync runs again on a master.
    super::load::restart_aof(srv);
    link_wake().notify_one();
}

/// Removes the master client from the client table (the link task owns
/// the socket and notices the link is gone).
pub fn drop_master_client(srv: &mut Server, id: Option<u64>) {
    let Some(id) = id else {
        return;
    };
    if let Some(c) = srv.clients.remove(&id) {
        if let Ok(mut c) = c.try_borrow_mut() {
            c.kill();
        }
    }
    crate::watch::unwatch_all(srv, id);
}

/// The link to the master dropped (or a connection attempt failed):
/// cache the master for a partial resync and go back to `Connect`.
pub fn link_lost(srv: &mut Server, generation: u64) {
    let now = srv.now_ms / 1000;
    let Some(link) = srv.replication.link.as_mut() else {
        return;
    };
    if link.generation != generation {
        return;
    }
    let was_connected = link.state == LinkState::Connected;
    let master = link.master.take();
    link.state = LinkState::Connect;
    link.transfer = TransferProgress::default();
    if was_connected {
        link.down_since = now;
    }
    if let Some(m) = &master {
        link.cached = Some(m.position.clone());
    }
    if was_connected {
        notice!("Connection with master lost.");
        notice!("Caching the disconnected master state.");
    }
    drop_master_client(srv, master.map(|m| m.client_id));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(master: Option<MasterState>, cached: Option<MasterPosition>) -> MasterLink {
        MasterLink {
            host: "h".into(),
            port: 1,
            state: LinkState::Connect,
            generation: 1,
            master,
            cached,
            last_io: 0,
            down_since: 0,
            transfer: TransferProgress::default(),
        }
    }

    #[test]
    fn offsets_come_from_the_master_then_the_cached_master() {
        let pos = |reploff| MasterPosition {
            replid: "x".into(),
            reploff,
            db: 0,
        };
        assert_eq!(link(None, None).offsets(), (1, 1));
        assert_eq!(link(None, Some(pos(7))).offsets(), (7, 7));
        let m = MasterState {
            client_id: 3,
            position: pos(9),
            read_reploff: 12,
        };
        assert_eq!(link(Some(m), Some(pos(7))).offsets(), (9, 12));
    }

    #[test]
    fn diskless_load_modes_follow_the_directive_words() {
        assert_eq!(DisklessLoad::from_index(0), DisklessLoad::Disabled);
        assert_eq!(DisklessLoad::from_index(1), DisklessLoad::OnEmptyDb);
        assert_eq!(DisklessLoad::from_index(2), DisklessLoad::Swapdb);
        assert_eq!(LinkState::Transfer.role_word(), "sync");
    }
}
