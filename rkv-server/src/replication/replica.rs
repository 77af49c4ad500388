//! The replica side of replication: the link to our master.

use crate::server::Server;

/// The connection to the master this server replicates.
#[derive(Debug)]
pub struct MasterLink {}

/// Writes the replica-side lines of INFO replication (`master_host` to
/// `replica_announced`), when this server is a replica.
pub fn info_fields(_out: &mut String, _srv: &Server) {}

/// ROLE on a replica. Placeholder for the replica side's version (this
/// branch never has a master link, so it is never reached here).
pub fn role_reply(_ctx: &mut crate::command::Ctx) {}
