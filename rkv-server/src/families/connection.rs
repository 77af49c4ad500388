//! Connection commands: PING, ECHO, QUIT, SELECT.

use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::errors;

/// Declarations of the connection family.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: flags::FAST,
        acl: acl::CONNECTION,
        group: "connection",
        summary: "Returns the server's liveliness response.",
        complexity: "O(1)",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        args: &[Arg::new("message", ArgKind::String).optional()],
        handler: ping,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: flags::FAST,
        acl: acl::CONNECTION,
        group: "connection",
        summary: "Returns the given string.",
        complexity: "O(1)",
        args: &[Arg::new("message", ArgKind::String)],
        handler: echo,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: flags::ALLOW_BUSY
            | flags::NOSCRIPT
            | flags::LOADING
            | flags::STALE
            | flags::FAST
            | flags::NO_AUTH,
        acl: acl::CONNECTION,
        group: "connection",
        summary: "Closes the connection.",
        complexity: "O(1)",
        handler: quit,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "select",
        arity: 2,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::CONNECTION,
        group: "connection",
        summary: "Changes the selected database.",
        complexity: "O(1)",
        args: &[Arg::new("index", ArgKind::Integer)],
        handler: select,
        ..CommandSpec::BASE
    },
];

/// `PING [message]`
fn ping(ctx: &mut Ctx) {
    if ctx.argc() > 2 {
        return ctx.wrong_arity();
    }
    match ctx.argv.get(1) {
        Some(msg) => ctx.out.bulk(msg),
        None => ctx.out.simple("PONG"),
    }
}

/// `ECHO message`
fn echo(ctx: &mut Ctx) {
    let msg = ctx.arg(1);
    ctx.out.bulk(msg);
}

/// `QUIT`
fn quit(ctx: &mut Ctx) {
    ctx.out.ok();
    ctx.client.close_after_reply = true;
}

/// `SELECT index`
fn select(ctx: &mut Ctx) {
    let Some(i) = rkv_proto::request::parse_i64(ctx.arg(1)) else {
        return ctx.error(errors::NOT_INTEGER);
    };
    if i < 0 || i as usize >= ctx.srv.dbs.len() {
        return ctx.error(errors::DB_INDEX);
    }
    ctx.client.db = i as usize;
    ctx.out.ok();
}
