//! SCRIPT LOAD / EXISTS / FLUSH / KILL / HELP.

use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::families::server::reply_help;

/// SCRIPT and its subcommands.
pub const SPEC: CommandSpec = CommandSpec {
    name: "script",
    arity: -2,
    group: "scripting",
    since: "2.6.0",
    summary: "A container for Lua scripts management commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        CommandSpec {
            name: "exists",
            arity: -3,
            flags: flags::NOSCRIPT,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "2.6.0",
            summary: "Check existence of scripts in the script cache.",
            complexity: "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
            tips: &["request_policy:all_shards", "response_policy:agg_logical_and"],
            args: &[Arg::new("sha1", ArgKind::String).multiple()],
            handler: script_exists,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "5.0.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            handler: script_help,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "flush",
            arity: -2,
            flags: flags::NOSCRIPT,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "2.6.0",
            summary: "Remove all the scripts from the script cache.",
            complexity: "O(N) with N being the number of scripts in cache",
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            history: &[("6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers.")],
            args: &[FLUSH_MODE],
            handler: script_flush,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "kill",
            arity: 2,
            flags: flags::NOSCRIPT | flags::ALLOW_BUSY,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "2.6.0",
            summary: "Kill the script currently in execution.",
            complexity: "O(1)",
            tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
            handler: script_kill,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "load",
            arity: 3,
            flags: flags::NOSCRIPT | flags::STALE,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "2.6.0",
            summary: "Load the specified Lua script into the script cache.",
            complexity: "O(N) with N being the length in bytes of the script body.",
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            args: &[Arg::new("script", ArgKind::String)],
            handler: script_load,
            ..CommandSpec::BASE
        },
    ],
    ..CommandSpec::BASE
};

/// `[ASYNC|SYNC]` of SCRIPT FLUSH and FUNCTION FLUSH.
pub(crate) const FLUSH_MODE: Arg = Arg {
    name: "async",
    kind: ArgKind::OneOf,
    optional: true,
    since: Some("6.2.0"),
    children: &[Arg::token("async", "ASYNC"), Arg::token("sync", "SYNC")],
    ..Arg::BASE
};

fn script_exists(ctx: &mut Ctx) {
    ctx.out.array(ctx.argc() - 2);
    for i in 2..ctx.argc() {
        let found = ctx.srv.scripting.eval.contains(ctx.argv[i]);
        ctx.out.int(found as i64);
    }
}

fn script_flush(ctx: &mut Ctx) {
    let ok = match ctx.argc() {
        2 => true,
        3 => ctx.arg(2).eq_ignore_ascii_case(b"sync") || ctx.arg(2).eq_ignore_ascii_case(b"async"),
        _ => false,
    };
    if !ok {
        ctx.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    ctx.srv.scripting.reset_eval();
    ctx.out.ok();
}

fn script_help(ctx: &mut Ctx) {
    reply_help(
        ctx,
        &[
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.",
        ],
    );
}

fn script_kill(ctx: &mut Ctx) {
    match ctx.srv.scripting.kill(true) {
        Ok(()) => ctx.out.ok(),
        Err(msg) => ctx.error(msg),
    }
}

fn script_load(ctx: &mut Ctx) {
    match ctx.srv.scripting.eval.create(ctx.argv[2]) {
        Ok(script) => ctx.out.bulk(script.sha.as_bytes()),
        Err(msg) => ctx.error(&format!("ERR {msg}")),
    }
}
