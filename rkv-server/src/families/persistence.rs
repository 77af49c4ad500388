//! SAVE, BGSAVE and LASTSAVE (Redis's `rdb.c` commands), and
//! BGREWRITEAOF (aof.c); the work is in [`crate::persistence`] and
//! [`crate::aof::rewrite`].

use crate::aof::rewrite;
use crate::command::{acl, flags, Arg, CommandSpec, Ctx};
use crate::persistence::saving;
use crate::replication::fullsync;

/// Redis's reply while a background save runs.
const SAVE_IN_PROGRESS: &str = "ERR Background save already in progress";

/// Redis's reply to BGSAVE while another kind of child runs.
const OTHER_CHILD_ACTIVE: &str = "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.";

/// Redis's reply to BGREWRITEAOF while a rewrite runs.
const REWRITE_IN_PROGRESS: &str = "ERR Background append only file rewriting already in progress";

/// Redis's reply when a rewrite cannot start.
const REWRITE_FAILED: &str =
    "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";

/// The persistence commands.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "save",
        arity: 1,
        flags: flags::NO_ASYNC_LOADING | flags::ADMIN | flags::NOSCRIPT | flags::NO_MULTI,
        group: "server",
        since: "1.0.0",
        summary: "Synchronously save the dataset to disk",
        complexity: "O(N) where N is the total number of keys in all databases",
        handler: save,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "bgsave",
        arity: -1,
        flags: flags::NO_ASYNC_LOADING | flags::ADMIN | flags::NOSCRIPT,
        group: "server",
        since: "1.0.0",
        summary: "Asynchronously save the dataset to disk",
        complexity: "O(1)",
        history: &[("3.2.2", "Added the `SCHEDULE` option.")],
        args: &[Arg {
            since: Some("3.2.2"),
            ..Arg::token("schedule", "SCHEDULE").optional()
        }],
        handler: bgsave,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "bgrewriteaof",
        arity: 1,
        flags: flags::NO_ASYNC_LOADING | flags::ADMIN | flags::NOSCRIPT,
        group: "server",
        since: "1.0.0",
        summary: "Asynchronously rewrite the append-only file",
        complexity: "O(1)",
        handler: bgrewriteaof,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "lastsave",
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::ADMIN | acl::DANGEROUS,
        group: "server",
        since: "1.0.0",
        summary: "Get the UNIX time stamp of the last successful save to disk",
        complexity: "O(1)",
        tips: &["nondeterministic_output"],
        handler: lastsave,
        ..CommandSpec::BASE
    },
];

/// `SAVE`: writes the snapshot now, blocking every client meanwhile.
fn save(ctx: &mut Ctx) {
    if ctx.srv.rdb.child.is_some() || fullsync::diskless_child_running(ctx.srv) {
        return ctx.error(SAVE_IN_PROGRESS);
    }
    ctx.srv.rdb.saves += 1;
    match saving::save_now(ctx.srv) {
        Ok(()) => ctx.out.ok(),
        Err(_) => ctx.error("ERR"),
    }
}

/// `BGSAVE [SCHEDULE]`: forks a child that writes the snapshot.
fn bgsave(ctx: &mut Ctx) {
    let valid = ctx.argc() == 1 || ctx.arg(1).eq_ignore_ascii_case(b"schedule");
    if !valid || ctx.argc() > 2 {
        return ctx.syntax_error();
    }
    if ctx.srv.rdb.child.is_some() || fullsync::diskless_child_running(ctx.srv) {
        return ctx.error(SAVE_IN_PROGRESS);
    }
    // Forking from inside EXEC would snapshot half a transaction: Redis
    // schedules the save for after it instead, as it does with SCHEDULE
    // while another child (an AOF rewrite) runs.
    let schedule = ctx.argc() == 2;
    if rewrite::any_child(ctx.srv) || ctx.client.multi.active {
        if !schedule && !ctx.client.multi.active {
            return ctx.error(OTHER_CHILD_ACTIVE);
        }
        ctx.srv.rdb.scheduled = true;
        return ctx.out.simple("Background saving scheduled");
    }
    match saving::start_background(ctx.srv) {
        Ok(_) => ctx.out.simple("Background saving started"),
        Err(_) => ctx.error("ERR"),
    }
}

/// `BGREWRITEAOF`: forks a child that writes a new base file; scheduled
/// while another child runs or inside EXEC.
fn bgrewriteaof(ctx: &mut Ctx) {
    if rewrite::in_progress(ctx.srv) {
        return ctx.error(REWRITE_IN_PROGRESS);
    }
    if rewrite::any_child(ctx.srv) || ctx.client.multi.active {
        ctx.srv.aof_rewrite.scheduled = true;
        // A manual request goes ahead of the failure back-off.
        ctx.srv.aof_rewrite.consecutive_failures = 0;
        return ctx
            .out
            .simple("Background append only file rewriting scheduled");
    }
    match rewrite::start_background(ctx.srv) {
        Ok(_) => ctx
            .out
            .simple("Background append only file rewriting started"),
        Err(_) => ctx.error(REWRITE_FAILED),
    }
}

/// `LASTSAVE`: unix time of the last successful save.
fn lastsave(ctx: &mut Ctx) {
    ctx.out.int(ctx.srv.rdb.lastsave);
}
