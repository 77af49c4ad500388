//! The master side of replication: replicas attached with PSYNC/SYNC, the
//! backlog, and feeding them the propagated stream.

use crate::server::Server;

/// Replicas attached to this server and the backlog they resync from.
#[derive(Debug, Default)]
pub struct MasterSide {}

/// Whether propagated commands have anywhere to go on the replication
/// side (a backlog or an attached replica).
pub fn wants_feed(_srv: &Server) -> bool {
    false
}

/// Appends one propagated command, run in database `db`, to the
/// replication stream.
pub fn feed<A: AsRef<[u8]>>(_srv: &mut Server, _db: usize, _argv: &[A]) {}

/// Writes the master-side lines of INFO replication, from
/// `connected_slaves` on.
pub fn info_fields(out: &mut String, srv: &Server) {
    use std::fmt::Write;
    let r = &srv.replication;
    let _ = write!(
        out,
        "connected_slaves:0\r\n\
         master_failover_state:no-failover\r\n\
         master_replid:{}\r\n\
         master_replid2:{}\r\n\
         master_repl_offset:{}\r\n\
         second_repl_offset:{}\r\n\
         repl_backlog_active:0\r\n\
         repl_backlog_size:1048576\r\n\
         repl_backlog_first_byte_offset:0\r\n\
         repl_backlog_histlen:0\r\n",
        r.replid, r.replid2, r.master_repl_offset, r.second_repl_offset,
    );
}
