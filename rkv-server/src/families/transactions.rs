//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's `multi.c`).
//!
//! Commands sent after MULTI are queued by dispatch (after the checks every
//! command passes; a rejection there dooms the transaction); EXEC runs the
//! queue through the ordinary call path, each command with its own
//! statistics, slow log entry and MONITOR line, and replies with one array.
//! Errors inside EXEC do not roll anything back.

use rkv_proto::ReplyWriter;

use crate::client::ReplyMode;
use crate::command::dispatch;
use crate::command::{acl, flags, Arg, CommandSpec, Ctx, KeySpec};
use crate::multi;
use crate::watch;

/// Flags all five commands share.
const TX_FLAGS: u32 = flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::RUNS_IN_MULTI;

/// What the transaction commands have in common.
const TX: CommandSpec = CommandSpec {
    arity: 1,
    flags: TX_FLAGS | flags::FAST | flags::ALLOW_BUSY,
    acl: acl::TRANSACTION,
    group: "transactions",
    ..CommandSpec::BASE
};

/// EXEC of a transaction a command was rejected from.
pub const EXECABORT: &str = "EXECABORT Transaction discarded because of previous errors.";

/// The transaction commands.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "multi",
        since: "1.2.0",
        summary: "Mark the start of a transaction block",
        complexity: "O(1)",
        handler: multi,
        ..TX
    },
    CommandSpec {
        name: "exec",
        flags: TX_FLAGS | flags::SKIP_SLOWLOG,
        since: "1.2.0",
        summary: "Execute all commands issued after MULTI",
        complexity: "Depends on commands in the transaction",
        handler: exec,
        ..TX
    },
    CommandSpec {
        name: "discard",
        since: "2.0.0",
        summary: "Discard all commands issued after MULTI",
        complexity: "O(N), when N is the number of queued commands",
        handler: discard,
        ..TX
    },
    CommandSpec {
        name: "watch",
        arity: -2,
        since: "2.2.0",
        summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
        complexity: "O(1) for every key.",
        keys: &[KeySpec::range(&["RO"], 1, -1, 1)],
        args: &[Arg::key("key", 0).multiple()],
        handler: watch,
        ..TX
    },
    CommandSpec {
        name: "unwatch",
        since: "2.2.0",
        summary: "Forget about all watched keys",
        complexity: "O(1)",
        handler: unwatch,
        ..TX
    },
];

/// Whether `spec` is EXEC, whose checks see the queued commands' flags and
/// whose rejection aborts the transaction.
pub fn is_exec(spec: &CommandSpec) -> bool {
    spec.name == "exec"
}

/// `MULTI`
fn multi(ctx: &mut Ctx) {
    if ctx.client.multi.active {
        return ctx.error("ERR MULTI calls can not be nested");
    }
    ctx.client.multi.active = true;
    ctx.out.ok();
}

/// `DISCARD`
fn discard(ctx: &mut Ctx) {
    if !ctx.client.multi.active {
        return ctx.error("ERR DISCARD without MULTI");
    }
    multi::discard(ctx.srv, ctx.client);
    ctx.out.ok();
}

/// `EXEC`
fn exec(ctx: &mut Ctx) {
    if !ctx.client.multi.active {
        return ctx.error("ERR EXEC without MULTI");
    }
    let id = ctx.client.id;
    if watch::watched_key_expired(ctx.srv, id) {
        ctx.client.dirty_cas.set(true);
    }
    if ctx.client.multi.dirty_exec {
        ctx.error(EXECABORT);
        return multi::discard(ctx.srv, ctx.client);
    }
    if ctx.client.dirty_cas.get() {
        ctx.out.null_array();
        return multi::discard(ctx.srv, ctx.client);
    }
    let denied_before = ctx.client.deny_blocking;
    // Blocking commands answer at once inside a transaction.
    ctx.client.deny_blocking = true;
    watch::unwatch_all(ctx.srv, id);
    // The queue stays counted (CLIENT LIST `multi=`) while it runs.
    let queued = std::mem::take(&mut ctx.client.multi.queued);
    // As in Redis, CLIENT REPLY OFF/SKIP silences each reply added while it
    // is in force, the array header and queued CLIENT REPLY calls included.
    if !silenced(ctx.client.reply_mode) {
        ctx.out.array(queued.len());
    }
    let mut reply = Vec::new();
    for cmd in &queued {
        let argv: Vec<&[u8]> = cmd.argv.iter().map(Vec::as_slice).collect();
        reply.clear();
        // A queued HELLO changes the protocol of the replies after it.
        let out = ReplyWriter::new(&mut reply, ctx.client.protocol);
        dispatch::call(ctx.srv, ctx.client, &argv, out, cmd.id);
        if !silenced(ctx.client.reply_mode) {
            ctx.out.raw(&reply);
        }
    }
    ctx.client.deny_blocking = denied_before;
    multi::discard(ctx.srv, ctx.client);
    ctx.client.multi.replies_filtered = true;
}

/// Whether CLIENT REPLY drops replies now.
fn silenced(mode: ReplyMode) -> bool {
    matches!(mode, ReplyMode::Off | ReplyMode::Skip)
}

/// `WATCH key [key ...]`
fn watch(ctx: &mut Ctx) {
    if ctx.client.multi.active {
        return ctx.error("ERR WATCH inside MULTI is not allowed");
    }
    // Already doomed: watching more changes nothing.
    if !ctx.client.dirty_cas.get() {
        for key in &ctx.argv[1..] {
            watch::watch(ctx.srv, ctx.client, key);
        }
    }
    ctx.out.ok();
}

/// `UNWATCH`
fn unwatch(ctx: &mut Ctx) {
    watch::unwatch_all(ctx.srv, ctx.client.id);
    ctx.client.dirty_cas.set(false);
    ctx.out.ok();
}
