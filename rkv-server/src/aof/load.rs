//! Start-up replay: every command of the append-only files runs through
//! the server's own command code, as a client that is not connected
//! (Redis's AOF "fake client"), so a replay does exactly what the
//! original commands did. A transaction's commands apply one after the
//! other with nothing in between (the loader runs alone). Nothing expires
//! during the replay, as in Redis (see [`SuspendExpiry`]).

use std::io::BufRead;
use std::path::Path;
use std::sync::atomic::Ordering;

use rkv_aof::load::LoadTarget;
use rkv_aof::reader::Command;
use rkv_aof::replay::Replayed;
use rkv_proto::ReplyWriter;

use crate::client::Client;
use crate::command::dispatch;
use crate::db::keyspace::EXPIRY_SUSPENDED;
use crate::server::Server;

/// Suspends expiry (`db::keyspace::EXPIRY_SUSPENDED`) while it lives.
pub struct SuspendExpiry;

impl SuspendExpiry {
    /// Suspends expiry until dropped.
    pub fn new() -> SuspendExpiry {
        EXPIRY_SUSPENDED.store(true, Ordering::Relaxed);
        SuspendExpiry
    }
}

impl Default for SuspendExpiry {
    fn default() -> Self {
        SuspendExpiry::new()
    }
}

impl Drop for SuspendExpiry {
    fn drop(&mut self) {
        EXPIRY_SUSPENDED.store(false, Ordering::Relaxed);
    }
}

/// A [`LoadTarget`] applying commands to a server.
pub struct ServerLoadTarget<'a> {
    srv: &'a mut Server,
    client: Client,
    reply: Vec<u8>,
    /// Commands applied so far.
    pub commands: u64,
}

impl<'a> ServerLoadTarget<'a> {
    /// A loader feeding `srv`, starting in database 0.
    pub fn new(srv: &'a mut Server) -> ServerLoadTarget<'a> {
        let client = Client::new(0, String::new(), String::new(), -1, srv.now_ms, true);
        ServerLoadTarget {
            srv,
            client,
            reply: Vec::new(),
            commands: 0,
        }
    }

    fn run(&mut self, command: &Command) -> Result<(), String> {
        let argv: Vec<&[u8]> = command.args.iter().map(Vec::as_slice).collect();
        let name = || String::from_utf8_lossy(&command.args[0]).into_owned();
        let Ok(id) = self.srv.commands.resolve(&argv) else {
            return Err(format!("Unknown command '{}'", name()));
        };
        let spec = self.srv.commands.entry(id).spec;
        if (spec.arity > 0 && argv.len() != spec.arity as usize)
            || (argv.len() as i64) < -(spec.arity as i64)
        {
            return Err(format!("Wrong number of arguments for '{}'", name()));
        }
        self.reply.clear();
        let out = ReplyWriter::new(&mut self.reply, self.client.protocol);
        if dispatch::call(self.srv, &mut self.client, &argv, out, id) {
            // Nothing can ever serve the loader: a blocking command in a
            // file is a no-op, as in Redis.
            self.srv.blocking.remove_client(self.client.id);
            self.client.blocked = false;
        }
        self.commands += 1;
        Ok(())
    }
}

impl LoadTarget for ServerLoadTarget<'_> {
    fn load_rdb(&mut self, _file: &Path, input: &mut dyn BufRead) -> Result<u64, String> {
        super::rdb_bridge::load_rdb_into_keyspace(self.srv, input)
    }

    fn apply(&mut self, item: Replayed<'_>) -> Result<(), String> {
        match item {
            Replayed::Command(c) => self.run(c),
            Replayed::Transaction(cs) => cs.iter().try_for_each(|c| self.run(c)),
        }
    }
}
