//! The master side of replication: replicas attached with PSYNC/SYNC, the
//! backlog, and feeding them the propagated stream (Redis's
//! `replicationFeedSlaves` and the master half of `replication.c`).
//!
//! The stream is one byte sequence: [`feed`] encodes each propagated
//! command (with a SELECT when the database changes) and [`feed_raw`]
//! appends bytes as they are; both go to the backlog, to every online
//! replica, and into the buffer of replicas waiting for their snapshot.
//! Full syncs are in [`super::fullsync`], the periodic work (PINGs, ACK
//! timeouts, WAIT) in [`super::master_cron`].

use std::cell::RefCell;
use std::rc::Rc;

use tokio::sync::Notify;

use super::backlog::Backlog;
use super::encode;
use crate::client::Client;
use crate::server::Server;
use crate::{notice, warning};

/// Where a replica is in its life (Redis's `SLAVE_STATE_*`).
#[derive(Debug)]
pub enum ReplicaState {
    /// Waiting for a snapshot to be started for it.
    WaitBgsaveStart,
    /// Its snapshot is being produced (or, diskless, streamed to it).
    WaitBgsaveEnd,
    /// The snapshot file is being sent to it.
    SendBulk(super::fullsync::BulkFile),
    /// Receiving the stream.
    Online,
    /// An `rdb-only` replica that got its snapshot and is being closed.
    RdbTransmitted,
}

impl ReplicaState {
    /// INFO's name for the state.
    pub fn name(&self) -> &'static str {
        match self {
            ReplicaState::WaitBgsaveStart | ReplicaState::WaitBgsaveEnd => "wait_bgsave",
            ReplicaState::SendBulk(_) => "send_bulk",
            ReplicaState::Online => "online",
            ReplicaState::RdbTransmitted => "",
        }
    }
}

/// What a connection said with REPLCONF before PSYNC (listening port,
/// announced address, capabilities).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handshake {
    /// `REPLCONF listening-port`.
    pub listening_port: u16,
    /// `REPLCONF ip-address`.
    pub announced_ip: Option<String>,
    /// `capa eof`: can read a diskless (EOF-marked) snapshot.
    pub capa_eof: bool,
    /// `capa psync2`: understands `+CONTINUE <replid>`.
    pub capa_psync2: bool,
    /// `rdb-only 1`: wants the snapshot and nothing after (redis-cli --rdb).
    pub rdb_only: bool,
    /// What `rdb-filter-only` leaves out of its snapshot.
    pub filter: RdbFilter,
}

/// Parts of the snapshot a replica asked to leave out (Redis's
/// `SLAVE_REQ_RDB_EXCLUDE_*`); such snapshots always go through a socket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RdbFilter {
    /// Leave out the keys.
    pub exclude_data: bool,
    /// Leave out the function libraries.
    pub exclude_functions: bool,
}

impl RdbFilter {
    /// Whether anything is left out.
    pub fn any(self) -> bool {
        self.exclude_data || self.exclude_functions
    }
}

/// A replica attached to this server.
#[derive(Debug)]
pub struct ReplicaLink {
    /// Its client id.
    pub id: u64,
    /// Its client, to queue the stream on.
    pub client: Rc<RefCell<Client>>,
    /// The address it connected from, `ip:port`.
    pub addr: String,
    /// Its REPLCONF settings.
    pub handshake: Handshake,
    /// Where it is.
    pub state: ReplicaState,
    /// The stream produced since its snapshot's offset, held until the
    /// snapshot is through.
    pub pending: Vec<u8>,
    /// The offset its snapshot stands at (Redis's `psync_initial_offset`).
    pub initial_offset: i64,
    /// The last offset it acknowledged.
    pub ack_offset: i64,
    /// When it last acknowledged (ms since the epoch).
    pub ack_time_ms: i64,
    /// When it asked to sync (ms since the epoch).
    pub attached_ms: i64,
    /// It attached with SYNC (no `+FULLRESYNC` line, no ACKs).
    pub pre_psync: bool,
}

impl Handshake {
    /// The ip a replica connecting from `addr` goes by: the announced
    /// one, else the peer's.
    pub fn ip(&self, addr: &str) -> String {
        match &self.announced_ip {
            Some(ip) => ip.clone(),
            None => match addr.rsplit_once(':') {
                Some((ip, _)) => ip.trim_start_matches('[').trim_end_matches(']').to_string(),
                None => addr.to_string(),
            },
        }
    }

    /// How logs name the replica (Redis's `replicationGetSlaveName`).
    pub fn name(&self, addr: &str) -> String {
        let ip = self.ip(addr);
        match self.listening_port {
            0 => format!("{ip}:<unknown-replica-port>"),
            port if ip.contains(':') => format!("[{ip}]:{port}"),
            port => format!("{ip}:{port}"),
        }
    }
}

impl ReplicaLink {
    /// The ip INFO and ROLE show: the announced one, else the peer's.
    pub fn ip(&self) -> String {
        self.handshake.ip(&self.addr)
    }

    /// How logs name it.
    pub fn name(&self) -> String {
        self.handshake.name(&self.addr)
    }
}

/// A client blocked in WAIT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiter {
    /// Its client id.
    pub id: u64,
    /// The offset replicas must have acknowledged.
    pub offset: i64,
    /// How many replicas it waits for.
    pub replicas: usize,
}

/// Replicas attached to this server and the backlog they resync from.
#[derive(Debug, Default)]
pub struct MasterSide {
    /// The tail of the stream, once a replica has attached.
    pub backlog: Option<Backlog>,
    /// Attached replicas, in attach order.
    pub replicas: Vec<ReplicaLink>,
    /// REPLCONF settings of connections not (yet) replicas, by client id.
    pub handshakes: std::collections::HashMap<u64, Handshake>,
    /// The database the stream last selected (Redis's `slaveseldb`;
    /// `None` forces a SELECT before the next command).
    pub stream_db: Option<usize>,
    /// Since when no replica is attached (ms since the epoch).
    pub no_replicas_since_ms: i64,
    /// The full sync in progress.
    pub sync: Option<super::fullsync::SyncJob>,
    /// Clients blocked in WAIT.
    pub waiters: Vec<Waiter>,
    /// WAIT asked replicas for an ACK: send `REPLCONF GETACK *` soon.
    pub ack_requested: bool,
    /// Wakes the replication task (a replica to sync, an ACK to request).
    pub wake: Rc<Notify>,
    /// Last run of the once-a-second work (ms since the epoch).
    pub last_cron_ms: i64,
    /// Runs of the once-a-second work.
    pub cron_loops: u64,
}

/// Whether propagated commands have anywhere to go on the replication
/// side: a backlog exists once a replica attached (until
/// `repl-backlog-ttl` passes without any).
pub fn wants_feed(srv: &Server) -> bool {
    srv.replication.master.backlog.is_some() && !srv.replication.is_replica()
}

/// Appends one propagated command, run in database `db`, to the
/// replication stream, preceded by a SELECT when the stream had another
/// database selected. A replica does nothing here: it passes on its
/// master's stream with [`feed_raw`] instead.
pub fn feed<A: AsRef<[u8]>>(srv: &mut Server, db: usize, argv: &[A]) {
    if !wants_feed(srv) {
        return;
    }
    feed_command(srv, Some(db), argv);
}

/// Encodes `argv` on the stream; `db` `None` runs it in whatever the
/// stream has selected (PING, REPLCONF GETACK), as Redis passes
/// `slaveseldb` for those.
pub(crate) fn feed_command<A: AsRef<[u8]>>(srv: &mut Server, db: Option<usize>, argv: &[A]) {
    let mut bytes = Vec::new();
    if let Some(db) = db {
        if srv.replication.master.stream_db != Some(db) {
            encode::encode_select(&mut bytes, db);
            srv.replication.master.stream_db = Some(db);
        }
    }
    encode::encode_command(&mut bytes, argv);
    feed_raw(srv, &bytes);
}

/// Appends `bytes` to the stream as they are: to the backlog (if any), to
/// every online replica, into the buffer of replicas whose snapshot is
/// under way, and advances `master_repl_offset`. A replica calls it with
/// the bytes it applied from its master, so its own replicas and backlog
/// carry the master's stream unchanged.
pub fn feed_raw(srv: &mut Server, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    let r = &mut srv.replication;
    if let Some(backlog) = r.master.backlog.as_mut() {
        backlog.append(bytes);
    }
    r.master_repl_offset += bytes.len() as i64;
    let limit = srv.config.client_output_buffer_limit.replica;
    let now = srv.now_ms;
    for link in srv.replication.master.replicas.iter_mut() {
        if link.handshake.rdb_only {
            continue;
        }
        match link.state {
            ReplicaState::WaitBgsaveStart | ReplicaState::RdbTransmitted => continue,
            ReplicaState::Online => {
                let Ok(mut c) = link.client.try_borrow_mut() else {
                    continue;
                };
                c.push_bytes(bytes);
            }
            ReplicaState::WaitBgsaveEnd | ReplicaState::SendBulk(_) => {
                link.pending.extend_from_slice(bytes);
            }
        }
        let Ok(mut c) = link.client.try_borrow_mut() else {
            continue;
        };
        let queued = (c.pushed.len() + c.omem + link.pending.len()) as u64;
        let mut since = c.soft_limit_since_ms;
        if !c.close_asap && limit.exceeded(queued, &mut since, now) {
            warning!(
                "Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.",
                c.id,
                c.addr
            );
            c.kill();
        }
        c.soft_limit_since_ms = since;
    }
}

/// Creates the backlog if there is none (Redis's
/// `createReplicationBacklog`): it starts at the current offset.
pub fn create_backlog_if_missing(srv: &mut Server) {
    let r = &mut srv.replication;
    if r.master.backlog.is_none() {
        let size = srv.config.repl_backlog_size as usize;
        r.master.backlog = Some(Backlog::new(size, r.master_repl_offset));
        // The first command after the backlog exists must carry its SELECT.
        r.master.stream_db = None;
    }
}

/// Empties the backlog so that it starts at the current offset (a
/// replica that just loaded a new snapshot from its master: the history
/// it held belongs to another stream).
pub fn reset_backlog(srv: &mut Server) {
    let r = &mut srv.replication;
    if r.master.backlog.is_some() {
        let size = srv.config.repl_backlog_size as usize;
        r.master.backlog = Some(Backlog::new(size, r.master_repl_offset));
        r.master.stream_db = None;
    }
}

/// Frees the backlog (Redis's `freeReplicationBacklog`).
pub fn free_backlog(srv: &mut Server) {
    srv.replication.master.backlog = None;
}

/// Applies CONFIG SET repl-backlog-size: the history that fits is kept.
pub fn resize_backlog(srv: &mut Server) {
    let size = srv.config.repl_backlog_size as usize;
    let m = &mut srv.replication.master;
    if let Some(b) = m.backlog.as_ref() {
        if b.size() != size {
            m.backlog = Some(b.resized(size));
        }
    }
}

/// Drops every attached replica (Redis's `disconnectSlaves`): they
/// reconnect and resync.
pub fn disconnect_replicas(srv: &mut Server) {
    let links = std::mem::take(&mut srv.replication.master.replicas);
    for link in links {
        if let Ok(mut c) = link.client.try_borrow_mut() {
            c.kill();
        }
    }
    super::fullsync::abort_if_unneeded(srv);
    srv.replication.master.no_replicas_since_ms = srv.now_ms;
}

/// Starts a new history: the current id becomes `replid2`, valid up to
/// the current offset, and a fresh id is drawn (Redis's
/// `shiftReplicationId`, on promotion to master).
pub fn shift_replid(srv: &mut Server) {
    let r = &mut srv.replication;
    r.replid2 = std::mem::replace(&mut r.replid, crate::server::random_hex(40));
    // Offsets up to ours are shared with the former master; the replicas
    // asking for the byte after it may continue.
    r.second_repl_offset = r.master_repl_offset + 1;
    notice!(
        "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
        r.replid2,
        r.second_repl_offset,
        r.replid
    );
}

/// Draws a new replication id (Redis's `changeReplicationId`).
pub fn change_replid(srv: &mut Server) {
    srv.replication.replid = crate::server::random_hex(40);
}

/// Forgets the secondary id (Redis's `clearReplicationId2`).
pub fn clear_replid2(srv: &mut Server) {
    let r = &mut srv.replication;
    r.replid2 = super::NO_REPLID.to_string();
    r.second_repl_offset = -1;
}

/// Index of client `id` among the replicas.
pub fn replica_index(srv: &Server, id: u64) -> Option<usize> {
    srv.replication
        .master
        .replicas
        .iter()
        .position(|l| l.id == id)
}

/// A connection closed: forget it as a replica (or one in handshake) and
/// as a WAIT waiter.
pub fn forget_client(srv: &mut Server, id: u64) {
    let m = &mut srv.replication.master;
    m.handshakes.remove(&id);
    m.waiters.retain(|w| w.id != id);
    if let Some(i) = m.replicas.iter().position(|l| l.id == id) {
        let link = m.replicas.remove(i);
        notice!("Connection with replica {} lost.", link.name());
        if m.replicas.is_empty() {
            m.no_replicas_since_ms = srv.now_ms;
        }
        super::fullsync::abort_if_unneeded(srv);
    }
}

/// A WAIT of client `id` ends (served, timed out or unblocked): forgets
/// it and returns how many replicas acknowledged its offset; `None` when
/// the client was not in WAIT.
pub fn finish_wait(srv: &mut Server, id: u64) -> Option<usize> {
    let m = &mut srv.replication.master;
    let i = m.waiters.iter().position(|w| w.id == id)?;
    let waiter = m.waiters.remove(i);
    Some(count_acks(srv, waiter.offset))
}

/// Online replicas whose acknowledged offset reached `offset` (Redis's
/// `replicationCountAcksByOffset`).
pub fn count_acks(srv: &Server, offset: i64) -> usize {
    srv.replication
        .master
        .replicas
        .iter()
        .filter(|l| matches!(l.state, ReplicaState::Online) && l.ack_offset >= offset)
        .count()
}

/// Online replicas that acknowledged within `min-replicas-max-lag`
/// seconds (Redis's `repl_good_slaves_count`).
pub fn good_replicas(srv: &Server) -> usize {
    let max_lag = srv.config.min_replicas_max_lag as i64;
    let now_s = srv.now_ms / 1000;
    srv.replication
        .master
        .replicas
        .iter()
        .filter(|l| {
            matches!(l.state, ReplicaState::Online) && now_s - l.ack_time_ms / 1000 <= max_lag
        })
        .count()
}

/// Whether writes are allowed under `min-replicas-to-write` (Redis's
/// `checkGoodReplicasStatus`).
pub fn enough_good_replicas(srv: &Server) -> bool {
    srv.replication.is_replica()
        || srv.config.min_replicas_max_lag == 0
        || srv.config.min_replicas_to_write == 0
        || good_replicas(srv) >= srv.config.min_replicas_to_write as usize
}

/// Writes the master-side lines of INFO replication, from
/// `connected_slaves` on.
pub fn info_fields(out: &mut String, srv: &Server) {
    use std::fmt::Write;
    let r = &srv.replication;
    let m = &r.master;
    let _ = write!(out, "connected_slaves:{}\r\n", m.replicas.len());
    if srv.config.min_replicas_to_write != 0 && srv.config.min_replicas_max_lag != 0 {
        let _ = write!(out, "min_slaves_good_slaves:{}\r\n", good_replicas(srv));
    }
    let now_s = crate::server::unix_ms() / 1000;
    let listed = m.replicas.iter().filter(|l| !l.state.name().is_empty());
    for (i, link) in listed.enumerate() {
        let lag = match link.state {
            ReplicaState::Online => now_s - link.ack_time_ms / 1000,
            _ => 0,
        };
        let _ = write!(
            out,
            "slave{i}:ip={},port={},state={},offset={},lag={lag}\r\n",
            link.ip(),
            link.handshake.listening_port,
            link.state.name(),
            link.ack_offset,
        );
    }
    let (first, histlen) = m
        .backlog
        .as_ref()
        .map_or((0, 0), |b| (b.first_offset(), b.histlen()));
    let _ = write!(
        out,
        "master_failover_state:{}\r\n\
         master_replid:{}\r\n\
         master_replid2:{}\r\n\
         master_repl_offset:{}\r\n\
         second_repl_offset:{}\r\n\
         repl_backlog_active:{}\r\n\
         repl_backlog_size:{}\r\n\
         repl_backlog_first_byte_offset:{first}\r\n\
         repl_backlog_histlen:{histlen}\r\n",
        r.failover.state.name(),
        r.replid,
        r.replid2,
        r.master_repl_offset,
        r.second_repl_offset,
        u8::from(m.backlog.is_some()),
        srv.config.repl_backlog_size,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> Server {
        let config = crate::config::Config::from_text("", "test").unwrap();
        Server::new(config)
    }

    fn online_replica(srv: &mut Server, id: u64) -> Rc<RefCell<Client>> {
        let c = Rc::new(RefCell::new(Client::new(
            id,
            "127.0.0.1:5000".into(),
            "x".into(),
            -1,
            0,
            true,
        )));
        srv.replication.master.replicas.push(ReplicaLink {
            id,
            client: c.clone(),
            addr: "127.0.0.1:5000".into(),
            handshake: Handshake::default(),
            state: ReplicaState::Online,
            pending: Vec::new(),
            initial_offset: 0,
            ack_offset: 0,
            ack_time_ms: srv.now_ms,
            attached_ms: srv.now_ms,
            pre_psync: false,
        });
        c
    }

    #[test]
    fn nothing_is_fed_without_a_backlog() {
        let mut srv = server();
        feed(&mut srv, 0, &["SET", "k", "v"]);
        assert_eq!(srv.replication.master_repl_offset, 0);
    }

    #[test]
    fn the_stream_selects_the_db_only_when_it_changes() {
        let mut srv = server();
        create_backlog_if_missing(&mut srv);
        let c = online_replica(&mut srv, 7);
        feed(&mut srv, 0, &["SET", "a", "1"]);
        feed(&mut srv, 0, &["SET", "b", "2"]);
        feed(&mut srv, 2, &["DEL", "a"]);
        let expected: &[u8] = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n\
            *3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n\
            *3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n\
            *2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n\
            *2\r\n$3\r\nDEL\r\n$1\r\na\r\n";
        assert_eq!(c.borrow().pushed, expected);
        assert_eq!(srv.replication.master_repl_offset, expected.len() as i64);
        let backlog = srv.replication.master.backlog.as_ref().unwrap();
        assert_eq!(backlog.first_offset(), 1);
        assert_eq!(backlog.tail_from(1).unwrap(), expected);
    }

    #[test]
    fn a_replica_feeds_its_masters_bytes_unchanged() {
        let mut srv = server();
        create_backlog_if_missing(&mut srv);
        feed_raw(&mut srv, b"*1\r\n$4\r\nPING\r\n");
        assert_eq!(srv.replication.master_repl_offset, 14);
    }

    #[test]
    fn acks_count_online_replicas_at_or_past_an_offset() {
        let mut srv = server();
        online_replica(&mut srv, 1);
        online_replica(&mut srv, 2);
        srv.replication.master.replicas[0].ack_offset = 100;
        srv.replication.master.replicas[1].ack_offset = 50;
        assert_eq!(count_acks(&srv, 60), 1);
        assert_eq!(count_acks(&srv, 50), 2);
        srv.config.min_replicas_to_write = 3;
        assert!(!enough_good_replicas(&srv));
        srv.config.min_replicas_to_write = 2;
        assert!(enough_good_replicas(&srv));
    }

    #[test]
    fn shifting_the_id_keeps_the_old_one_valid_up_to_the_offset() {
        let mut srv = server();
        srv.replication.master_repl_offset = 500;
        let old = srv.replication.replid.clone();
        shift_replid(&mut srv);
        assert_eq!(srv.replication.replid2, old);
        assert_eq!(srv.replication.second_repl_offset, 501);
        assert_ne!(srv.replication.replid, old);
        clear_replid2(&mut srv);
        assert_eq!(srv.replication.second_repl_offset, -1);
    }
}
