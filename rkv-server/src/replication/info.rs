//! INFO's replication section, in Redis's field order: the role, the
//! replica side's fields when we replicate a master, then the master
//! side's.

use std::fmt::Write;

use crate::server::Server;

/// Writes the body of `# Replication`.
pub fn section(out: &mut String, srv: &Server) {
    let role = if srv.replication.is_replica() {
        "slave"
    } else {
        "master"
    };
    let _ = write!(out, "role:{role}\r\n");
    if srv.replication.is_replica() {
        super::replica::info_fields(out, srv);
    }
    super::master::info_fields(out, srv);
}
