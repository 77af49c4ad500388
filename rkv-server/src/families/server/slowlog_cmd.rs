//! SLOWLOG GET [count] / LEN / RESET / HELP.

use super::{reply_help, subcommand_syntax_error};
use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx};

const ADMIN: u32 = flags::ADMIN | flags::LOADING | flags::STALE;

/// Declaration of SLOWLOG and its subcommands.
pub const SPEC: CommandSpec = CommandSpec {
    name: "slowlog",
    arity: -2,
    group: "server",
    since: "2.2.12",
    summary: "A container for slow log commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        CommandSpec {
            name: "get",
            arity: -2,
            flags: ADMIN,
            group: "server",
            since: "2.2.12",
            summary: "Get the slow log's entries",
            complexity: "O(N) where N is the number of entries returned",
            tips: &["request_policy:all_nodes", "nondeterministic_output"],
            history: &[(
                "4.0.0",
                "Added client IP address, port and name to the reply.",
            )],
            args: &[Arg::new("count", ArgKind::Integer).optional()],
            handler: slowlog_get,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "len",
            arity: 2,
            flags: ADMIN,
            group: "server",
            since: "2.2.12",
            summary: "Get the slow log's length",
            complexity: "O(1)",
            tips: &[
                "request_policy:all_nodes",
                "response_policy:agg_sum",
                "nondeterministic_output",
            ],
            handler: slowlog_len,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "reset",
            arity: 2,
            flags: ADMIN,
            group: "server",
            since: "2.2.12",
            summary: "Clear all entries from the slow log",
            complexity: "O(N) where N is the number of entries in the slowlog",
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            handler: slowlog_reset,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            group: "server",
            since: "6.2.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            handler: slowlog_help,
            ..CommandSpec::BASE
        },
    ],
    ..CommandSpec::BASE
};

/// `SLOWLOG GET [count]`: newest first; 10 by default, -1 for all.
fn slowlog_get(ctx: &mut Ctx) {
    if ctx.argc() > 3 {
        return subcommand_syntax_error(ctx);
    }
    let mut count = 10usize;
    if ctx.argc() == 3 {
        match rkv_proto::request::parse_i64(ctx.arg(2)) {
            Some(-1) => count = usize::MAX,
            Some(n) if n >= 0 => count = n as usize,
            _ => return ctx.error("ERR count should be greater than or equal to -1"),
        }
    }
    let entries: Vec<_> = ctx.srv.slowlog.entries().take(count).cloned().collect();
    ctx.out.array(entries.len());
    for e in entries {
        ctx.out.array(6);
        ctx.out.int(e.id as i64);
        ctx.out.int(e.time);
        ctx.out.int(e.duration_us as i64);
        ctx.out.array(e.args.len());
        for a in &e.args {
            ctx.out.bulk(a);
        }
        ctx.out.bulk(e.peer.as_bytes());
        ctx.out.bulk(&e.name);
    }
}

/// `SLOWLOG LEN`
fn slowlog_len(ctx: &mut Ctx) {
    let n = ctx.srv.slowlog.len();
    ctx.out.int(n as i64);
}

/// `SLOWLOG RESET`
fn slowlog_reset(ctx: &mut Ctx) {
    ctx.srv.slowlog.reset();
    ctx.out.ok();
}

/// `SLOWLOG HELP`
fn slowlog_help(ctx: &mut Ctx) {
    reply_help(
        ctx,
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    );
}
