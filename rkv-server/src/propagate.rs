//! The propagation path: what a change to the dataset is written as, for
//! the AOF now and for replicas later (Redis's `alsoPropagate` and
//! `propagatePendingCommands`).
//!
//! Every command that moved `dirty` is propagated once its outermost call
//! returns: by default its own arguments, or what the handler asked for
//! with [`Ctx::propagate_as`] (Redis's `rewriteClientCommandVector`), after
//! anything it queued with [`Ctx::also_propagate`]. Handlers whose own
//! arguments must never be propagated (EVAL: its effects are) say so with
//! [`Ctx::prevent_propagation`]. When one outermost call queued several
//! commands (EXEC, a script, a command plus the lazy expiry it caused)
//! they are wrapped in MULTI/EXEC so a replay applies them whole.
//!
//! Consumers: [`crate::aof::feed`] and [`crate::replication::master::feed`],
//! both reached through [`consume`].

use crate::command::ctx::Ctx;
use crate::server::Server;

/// One command to propagate, in the database it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropagatedOp {
    /// The database it runs in (a SELECT precedes it when that changes).
    pub db: usize,
    /// Its arguments, command name first.
    pub argv: Vec<Vec<u8>>,
    /// Where it goes: [`TO_AOF`], [`TO_REPLICAS`] or both.
    pub targets: u8,
}

/// A propagated command goes to the AOF (Redis's `PROPAGATE_AOF`,
/// `redis.REPL_AOF`).
pub const TO_AOF: u8 = 1;
/// A propagated command goes to the replicas (`PROPAGATE_REPL`,
/// `redis.REPL_REPLICA`).
pub const TO_REPLICAS: u8 = 2;
/// Both consumers, the default.
pub const TO_ALL: u8 = TO_AOF | TO_REPLICAS;

/// Commands waiting for the outermost call to finish.
#[derive(Debug)]
pub struct Propagation {
    pending: Vec<PropagatedOp>,
    depth: u32,
    /// Where the commands a script runs from now on go: `redis.set_repl`
    /// narrows it until the outermost call ends.
    script_targets: u8,
}

impl Default for Propagation {
    fn default() -> Self {
        Propagation {
            pending: Vec::new(),
            depth: 0,
            script_targets: TO_ALL,
        }
    }
}

impl Propagation {
    /// Queues `argv` in database `db` (Redis's `alsoPropagate`).
    pub fn also(&mut self, db: usize, argv: &[&[u8]]) {
        self.pending.push(PropagatedOp {
            db,
            argv: argv.iter().map(|a| a.to_vec()).collect(),
            targets: TO_ALL,
        });
    }

    /// Queues an owned argument vector.
    pub fn also_owned(&mut self, db: usize, argv: Vec<Vec<u8>>) {
        self.also_owned_to(db, argv, TO_ALL);
    }

    fn also_owned_to(&mut self, db: usize, argv: Vec<Vec<u8>>, targets: u8) {
        self.pending.push(PropagatedOp { db, argv, targets });
    }

    /// A call starts (calls nest: EXEC and scripts run commands).
    pub(crate) fn enter(&mut self) {
        self.depth += 1;
    }

    /// A call ends; true when it was the outermost one.
    pub(crate) fn leave(&mut self) -> bool {
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 {
            self.script_targets = TO_ALL;
        }
        self.depth == 0
    }

    /// `redis.set_repl(flags)`: REPL_AOF (1) and REPL_REPLICA (2) bits say
    /// where the script's next commands go.
    pub fn set_script_targets(&mut self, flags: i64) {
        self.script_targets = (flags & i64::from(TO_ALL)) as u8;
    }

    /// Whether no call is running (active expiry, serving blocked clients).
    pub fn idle(&self) -> bool {
        self.depth == 0
    }

    /// Commands queued and not yet sent, oldest first.
    pub fn pending(&self) -> &[PropagatedOp] {
        &self.pending
    }
}

/// What a call's handler decided about its own propagation.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum OwnPropagation {
    /// Its arguments, if it changed the dataset.
    #[default]
    Argv,
    /// These arguments instead, if it changed the dataset.
    Replaced(Vec<Vec<u8>>),
    /// Nothing (its effects were queued otherwise, or must not be).
    Prevented,
}

/// After a handler ran: queues the command itself when it changed the
/// dataset (`dirty_moved`), as Redis's `call` does (EXEC never: its
/// commands were queued one by one).
pub(crate) fn after_handler(
    srv: &mut Server,
    db: usize,
    argv: &[&[u8]],
    dirty_moved: bool,
    own: OwnPropagation,
    is_exec: bool,
) {
    collect_expired(srv);
    // As in Redis, `set_repl` masks a command's own propagation only (what
    // it queued with also_propagate still goes).
    let targets = srv.propagation.script_targets;
    if !dirty_moved || is_exec || !active(srv) || targets == 0 {
        return;
    }
    // The common case, one plain write at top level, goes straight to the
    // consumers without copying its arguments (a lone command is never
    // wrapped, so nothing is reordered).
    if srv.propagation.depth == 1
        && srv.propagation.pending.is_empty()
        && own == OwnPropagation::Argv
        && targets == TO_ALL
    {
        consume(srv, db, argv, TO_ALL);
        return;
    }
    let argv = match own {
        OwnPropagation::Argv => argv.iter().map(|a| a.to_vec()).collect(),
        OwnPropagation::Replaced(v) => v,
        OwnPropagation::Prevented => return,
    };
    srv.propagation.also_owned_to(db, argv, targets);
}

/// Sends every queued command to the consumers. With `wrap` and more than
/// one command they go inside MULTI/EXEC (the MULTI in the first one's
/// database, the EXEC in the last one's, so no extra SELECT appears);
/// active expiry and eviction pass `wrap = false`, as Redis does.
pub fn flush(srv: &mut Server, wrap: bool) {
    collect_expired(srv);
    if srv.propagation.pending.is_empty() {
        return;
    }
    let ops = std::mem::take(&mut srv.propagation.pending);
    if !active(srv) {
        return;
    }
    let wrap = wrap && ops.len() > 1;
    // The MULTI/EXEC pair goes to both consumers, as in Redis.
    if wrap {
        consume(srv, ops[0].db, &[b"MULTI".to_vec()], TO_ALL);
    }
    for op in &ops {
        consume(srv, op.db, &op.argv, op.targets);
    }
    if wrap {
        let last = ops[ops.len() - 1].db;
        consume(srv, last, &[b"EXEC".to_vec()], TO_ALL);
    }
}

/// Hands one command to the consumers `targets` names: the AOF and the
/// replication stream.
fn consume<A: AsRef<[u8]>>(srv: &mut Server, db: usize, argv: &[A], targets: u8) {
    if targets & TO_AOF != 0 {
        crate::aof::feed(srv, db, argv);
    }
    if targets & TO_REPLICAS != 0 {
        crate::replication::master::feed(srv, db, argv);
    }
}

/// Whether anything consumes propagated commands (the AOF, the
/// replication stream). When nothing does, handlers' rewrites cost
/// nothing: they are not even built.
pub fn active(srv: &Server) -> bool {
    crate::aof::wants_feed(srv) || crate::replication::master::wants_feed(srv)
}

/// Queues a DEL for every key that expired since the last call (Redis's
/// `propagateDeletion`), so a replay never finds a key Redis had deleted.
/// Without a consumer the keys are just forgotten.
pub fn collect_expired(srv: &mut Server) {
    let generation = crate::db::keyspace::expired_queued_generation();
    if generation == srv.expired_collected {
        return;
    }
    srv.expired_collected = generation;
    let wanted = active(srv);
    for db in 0..srv.dbs.len() {
        if srv.dbs[db].expired_unpropagated.is_empty() {
            continue;
        }
        let keys = std::mem::take(&mut srv.dbs[db].expired_unpropagated);
        if wanted {
            let verb = deletion_verb(srv.config.lazyfree_lazy_expire);
            for key in keys {
                srv.propagation.also(db, &[verb, key.as_ref()]);
            }
        }
    }
}

/// How a deletion the server made by itself is propagated: UNLINK when its
/// value is freed lazily (`lazyfree-lazy-expire`, `lazyfree-lazy-eviction`),
/// DEL otherwise, as Redis's `propagateDeletion`.
pub fn deletion_verb(lazy: bool) -> &'static [u8] {
    if lazy {
        b"UNLINK"
    } else {
        b"DEL"
    }
}

/// Builds an argument vector from mixed pieces (names, keys, numbers).
pub fn argv_of(parts: &[&[u8]]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.to_vec()).collect()
}

impl Ctx<'_> {
    /// Propagates `argv` instead of the command's own arguments, if the
    /// command changes the dataset (Redis's `rewriteClientCommandVector`):
    /// SET EX becomes SET PXAT, INCRBYFLOAT a SET KEEPTTL...
    pub fn propagate_as(&mut self, argv: &[&[u8]]) {
        if !active(self.srv) {
            return;
        }
        self.own_propagation = OwnPropagation::Replaced(argv_of(argv));
    }

    /// [`Ctx::propagate_as`] with owned arguments.
    pub fn propagate_as_owned(&mut self, argv: Vec<Vec<u8>>) {
        if !active(self.srv) {
            return;
        }
        self.own_propagation = OwnPropagation::Replaced(argv);
    }

    /// Queues `argv` in database `db`, before the command's own
    /// propagation (Redis's `alsoPropagate`): SPOP's SREMs, a served
    /// BLMOVE's LMOVE...
    pub fn also_propagate(&mut self, db: usize, argv: &[&[u8]]) {
        if active(self.srv) {
            self.srv.propagation.also(db, argv);
        }
    }

    /// [`Ctx::also_propagate`] with owned arguments.
    pub fn also_propagate_owned(&mut self, db: usize, argv: Vec<Vec<u8>>) {
        if active(self.srv) {
            self.srv.propagation.also_owned(db, argv);
        }
    }

    /// Never propagates the command's own arguments (Redis's
    /// `preventCommandPropagation`): what it queued with
    /// [`Ctx::also_propagate`] and the commands it ran still are.
    pub fn prevent_propagation(&mut self) {
        self.own_propagation = OwnPropagation::Prevented;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_nest_and_only_the_outermost_ends_the_unit() {
        let mut p = Propagation::default();
        p.enter();
        p.enter();
        assert!(!p.leave());
        assert!(p.leave());
        assert!(p.idle());
    }

    #[test]
    fn queued_commands_keep_their_order_and_database() {
        let mut p = Propagation::default();
        p.also(0, &[b"DEL", b"a"]);
        p.also_owned(2, vec![b"SET".to_vec(), b"k".to_vec(), b"v".to_vec()]);
        assert_eq!(p.pending()[0].argv, vec![b"DEL".to_vec(), b"a".to_vec()]);
        assert_eq!(p.pending()[1].db, 2);
    }
}
