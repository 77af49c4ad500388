//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP.
//!
//! SET applies side effects after the values are stored: `loglevel` changes
//! the logger, `slowlog-max-len` trims the slow log, `hz` is read by the
//! cron on its next tick. Redis re-binds its listeners when `port` or
//! `bind` change; rkv's listeners cannot be re-bound yet, so such a SET is
//! refused as a whole (nothing is changed) with Redis's CONFIG SET failure
//! shape rather than pretending to succeed.

use super::reply_help;
use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::config::ConfigSetError;

const ADMIN: u32 = flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE;

/// Declaration of CONFIG and its subcommands.
pub const SPEC: CommandSpec = CommandSpec {
    name: "config",
    arity: -2,
    group: "server",
    since: "2.0.0",
    summary: "A container for server configuration commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        CommandSpec {
            name: "get",
            arity: -3,
            flags: ADMIN,
            group: "server",
            since: "2.0.0",
            summary: "Get the values of configuration parameters",
            complexity: "O(N) when N is the number of configuration parameters provided",
            history: &[(
                "7.0.0",
                "Added the ability to pass multiple pattern parameters in one call",
            )],
            args: &[Arg {
                kind: ArgKind::Block,
                multiple: true,
                children: &[Arg::new("parameter", ArgKind::String)],
                ..Arg::new("parameter", ArgKind::Block)
            }],
            handler: config_get,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "set",
            arity: -4,
            flags: ADMIN,
            group: "server",
            since: "2.0.0",
            summary: "Set configuration parameters to the given values",
            complexity: "O(N) when N is the number of configuration parameters provided",
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            history: &[(
                "7.0.0",
                "Added the ability to set multiple parameters in one call.",
            )],
            args: &[Arg {
                multiple: true,
                children: &[
                    Arg::new("parameter", ArgKind::String),
                    Arg::new("value", ArgKind::String),
                ],
                ..Arg::new("parameter_value", ArgKind::Block)
            }],
            handler: config_set,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "resetstat",
            arity: 2,
            flags: ADMIN,
            group: "server",
            since: "2.0.0",
            summary: "Reset the stats returned by INFO",
            complexity: "O(1)",
            handler: config_resetstat,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "rewrite",
            arity: 2,
            flags: ADMIN,
            group: "server",
            since: "2.8.0",
            summary: "Rewrite the configuration file with the in memory configuration",
            complexity: "O(1)",
            handler: config_rewrite,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            group: "server",
            since: "5.0.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            handler: config_help,
            ..CommandSpec::BASE
        },
    ],
    ..CommandSpec::BASE
};

/// `CONFIG GET parameter [parameter ...]`: every match once, first match first.
fn config_get(ctx: &mut Ctx) {
    let mut found: Vec<(String, String)> = Vec::new();
    for pattern in &ctx.argv[2..] {
        for (name, value) in ctx.srv.config.get(pattern) {
            if !found.iter().any(|(n, _)| *n == name) {
                found.push((name, value));
            }
        }
    }
    ctx.out.map(found.len());
    for (name, value) in found {
        ctx.out.bulk(name.as_bytes());
        ctx.out.bulk(value.as_bytes());
    }
}

/// Directives whose change needs listeners re-bound.
const REBIND: &[&str] = &["port", "bind"];

/// `CONFIG SET parameter value [parameter value ...]`
fn config_set(ctx: &mut Ctx) {
    if ctx.argc() % 2 == 1 {
        return ctx.syntax_error();
    }
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = ctx.argv[2..]
        .chunks(2)
        .map(|p| (p[0].to_vec(), p[1].to_vec()))
        .collect();
    for (i, (name, _)) in pairs.iter().enumerate() {
        if crate::config::Config::is_sensitive(&String::from_utf8_lossy(name)) {
            ctx.redact_arg(3 + 2 * i);
        }
    }
    let mut updated = ctx.srv.config.clone();
    let changed = match updated.set_many(&pairs) {
        Ok(changed) => changed,
        Err(e) => return ctx.error(&e.to_string()),
    };
    if let Some(name) = changed.iter().find(|n| REBIND.contains(n)) {
        let e = ConfigSetError::Failed {
            name: name.to_string(),
            reason: "changing the listening address at run time is not supported".into(),
        };
        return ctx.error(&e.to_string());
    }
    ctx.srv.config = updated;
    for name in changed {
        apply(ctx, name);
        if let Err(reason) = crate::aof::config_changed(ctx.srv, name) {
            ctx.srv.config.appendonly = ctx.srv.aof.is_some();
            let e = ConfigSetError::Failed {
                name: name.to_string(),
                reason,
            };
            return ctx.error(&e.to_string());
        }
    }
    ctx.out.ok();
}

/// Side effects of a changed directive.
fn apply(ctx: &mut Ctx, name: &str) {
    match name {
        "loglevel" => crate::log::set_level(ctx.srv.config.loglevel),
        "jemalloc-bg-thread" => {
            crate::memory::set_background_thread(ctx.srv.config.jemalloc_bg_thread);
        }
        "maxmemory" => crate::evict::maxmemory_changed(ctx.srv),
        "repl-backlog-size" => crate::replication::master::resize_backlog(ctx.srv),
        "slowlog-max-len" => {
            let max = ctx.srv.config.slowlog_max_len as usize;
            ctx.srv.slowlog.trim(max);
        }
        _ => {}
    }
}

/// `CONFIG RESETSTAT`: counters, commandstats and errorstats, as Redis
/// resets them (the slow log and latency history are kept).
fn config_resetstat(ctx: &mut Ctx) {
    let expired = ctx.srv.expired_keys();
    ctx.srv.stats.reset();
    ctx.srv.stats.expired_keys_at_reset = expired;
    crate::families::generic::lazyfree::reset_stats();
    ctx.out.ok();
}

/// `CONFIG REWRITE`
fn config_rewrite(ctx: &mut Ctx) {
    match ctx.srv.config.rewrite(&ctx.srv.loaded_config) {
        Ok(()) => {
            crate::warning!("CONFIG REWRITE executed with success.");
            ctx.out.ok();
        }
        Err(e) => {
            if let crate::config::ConfigError::Rewrite(reason) = &e {
                crate::warning!("CONFIG REWRITE failed: {reason}");
            }
            ctx.error(&e.to_string());
        }
    }
}

/// `CONFIG HELP`
fn config_help(ctx: &mut Ctx) {
    reply_help(
        ctx,
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    );
}
