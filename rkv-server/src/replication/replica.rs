//! The replica side of replication: the link to our master.

use crate::server::Server;

/// The connection to the master this server replicates.
#[derive(Debug)]
pub struct MasterLink {}

/// Writes the replica-side lines of INFO replication (`master_host` to
/// `replica_announced`), when this server is a replica.
pub fn info_fields(_out: &mut String, _srv: &Server) {}
