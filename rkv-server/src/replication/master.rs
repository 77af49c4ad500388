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

/// Appends bytes a replica applied from its master to our own stream, as
/// they are (placeholder until the master side lands: only the offset).
pub fn feed_raw(srv: &mut Server, bytes: &[u8]) {
    srv.replication.master_repl_offset += bytes.len() as i64;
}

/// Creates the backlog if there is none (placeholder until the master side
/// lands).
pub fn create_backlog_if_missing(_srv: &mut Server) {}

/// Restarts the backlog at the current offset (placeholder until the
/// master side lands).
pub fn reset_backlog(_srv: &mut Server) {}

/// Disconnects our replicas so they resync (placeholder until the master
/// side lands: there are none yet).
pub fn disconnect_replicas(_srv: &mut Server) {}

/// Redis's `shiftReplicationId`: the current id becomes the secondary one,
/// valid up to the current offset, and a new id starts (placeholder until
/// the master side lands).
pub fn shift_replid(srv: &mut Server) {
    let r = &mut srv.replication;
    r.replid2 = std::mem::replace(&mut r.replid, crate::server::random_hex(40));
    r.second_repl_offset = r.master_repl_offset + 1;
}

/// Redis's `changeReplicationId`: a new random id (placeholder until the
/// master side lands).
pub fn change_replid(srv: &mut Server) {
    srv.replication.replid = crate::server::random_hex(40);
}

/// Redis's `clearReplicationId2` (placeholder until the master side lands).
pub fn clear_replid2(srv: &mut Server) {
    srv.replication.replid2 = super::NO_REPLID.to_string();
    srv.replication.second_repl_offset = -1;
}
