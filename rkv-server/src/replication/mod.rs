//! Replication (PSYNC2): the state both sides share.
//!
//! A server is a master, a replica, or both (a replica of a replica is fed
//! by one). Both sides speak in offsets of one byte stream: the master
//! appends every propagated command to it ([`crate::propagate`] is its
//! source, as it is the AOF's), keeps its tail in the backlog for partial
//! resyncs and sends it to its replicas; a replica counts the bytes of the
//! stream it has applied and passes them on, unchanged, to its own
//! replicas and backlog.
//!
//! - [`master`]: the master side: replicas attached by PSYNC/SYNC, the
//!   backlog, full and partial resyncs, WAIT, `min-replicas-*`.
//! - [`replica`]: the replica side: the link to a master (REPLICAOF), the
//!   handshake, loading the snapshot, applying the stream, ACKs.
//! - [`link`], [`transfer`], [`load`], [`stream`]: the replica's link
//!   task (with its socket and handshake): receiving and loading the
//!   snapshot, applying the stream.
//! - [`failover`]: FAILOVER, a coordinated switch of master and replica.
//! - [`info`]: INFO's replication section.

pub mod backlog;
mod conn;
pub mod encode;
pub mod failover;
pub mod fullsync;
mod handshake;
pub mod info;
pub mod link;
pub mod load;
pub mod master;
pub mod master_cron;
pub mod replica;
mod replica_info;
pub mod stream;
pub mod transfer;

/// The replication ids and offsets (Redis's `server.replid`, `replid2`,
/// `master_repl_offset`, `second_replid_offset`), and each side's state.
#[derive(Debug)]
pub struct ReplicationState {
    /// This server's replication id: the history its stream belongs to.
    pub replid: String,
    /// The previous replication id, kept after a replica is promoted (or
    /// switches masters) so its former siblings can still resync partially.
    pub replid2: String,
    /// Bytes of the stream produced (master) or applied (replica) so far.
    pub master_repl_offset: i64,
    /// Up to which offset `replid2` is valid; -1 when there is none.
    pub second_repl_offset: i64,
    /// The master side: attached replicas and the backlog.
    pub master: master::MasterSide,
    /// The replica side: the link to our master, when we are a replica.
    pub link: Option<replica::MasterLink>,
    /// A coordinated failover (FAILOVER) under way.
    pub failover: failover::Failover,
}

/// The replication id that means "none" (INFO master_replid2).
pub const NO_REPLID: &str = "0000000000000000000000000000000000000000";

impl ReplicationState {
    /// A master with a fresh replication id and an empty stream.
    pub fn new() -> Self {
        ReplicationState {
            replid: crate::server::random_hex(40),
            replid2: NO_REPLID.to_string(),
            master_repl_offset: 0,
            second_repl_offset: -1,
            master: master::MasterSide::default(),
            link: None,
            failover: failover::Failover::default(),
        }
    }

    /// Whether this server replicates another (`role:slave`).
    pub fn is_replica(&self) -> bool {
        self.link.is_some()
    }
}

impl Default for ReplicationState {
    fn default() -> Self {
        Self::new()
    }
}
