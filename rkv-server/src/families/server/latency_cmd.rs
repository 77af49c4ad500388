//! LATENCY LATEST / HISTORY event / RESET [event ...] / HELP.
//!
//! DOCTOR, GRAPH and HISTOGRAM are not implemented; the dispatcher answers
//! them with Redis's unknown-subcommand error.

use super::reply_help;
use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx};

const ADMIN: u32 = flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE;

/// Declaration of LATENCY and its subcommands.
pub const SPEC: CommandSpec = CommandSpec {
    name: "latency",
    arity: -2,
    group: "server",
    since: "2.8.13",
    summary: "A container for latency diagnostics commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        CommandSpec {
            name: "latest",
            arity: 2,
            flags: ADMIN,
            group: "server",
            since: "2.8.13",
            summary: "Return the latest latency samples for all events.",
            complexity: "O(1)",
            tips: &[
                "nondeterministic_output",
                "request_policy:all_nodes",
                "response_policy:special",
            ],
            handler: latency_latest,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "history",
            arity: 3,
            flags: ADMIN,
            group: "server",
            since: "2.8.13",
            summary: "Return timestamp-latency samples for the event.",
            complexity: "O(1)",
            tips: &[
                "nondeterministic_output",
                "request_policy:all_nodes",
                "response_policy:special",
            ],
            args: &[Arg::new("event", ArgKind::String)],
            handler: latency_history,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "reset",
            arity: -2,
            flags: ADMIN,
            group: "server",
            since: "2.8.13",
            summary: "Reset latency data for one or more events.",
            complexity: "O(1)",
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            args: &[Arg {
                optional: true,
                multiple: true,
                ..Arg::new("event", ArgKind::String)
            }],
            handler: latency_reset,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            group: "server",
            since: "2.8.13",
            summary: "Show helpful text about the different subcommands.",
            complexity: "O(1)",
            handler: latency_help,
            ..CommandSpec::BASE
        },
    ],
    ..CommandSpec::BASE
};

/// `LATENCY LATEST`: `[event, time, latest ms, max ms]` per event.
fn latency_latest(ctx: &mut Ctx) {
    let rows: Vec<(String, i64, u64, u64)> = ctx
        .srv
        .latency
        .events()
        .filter_map(|(name, h)| {
            let last = h.samples.back()?;
            Some((name.clone(), last.time, last.latency_ms, h.max_ms))
        })
        .collect();
    ctx.out.array(rows.len());
    for (name, time, latest, max) in rows {
        ctx.out.array(4);
        ctx.out.bulk(name.as_bytes());
        ctx.out.int(time);
        ctx.out.int(latest as i64);
        ctx.out.int(max as i64);
    }
}

/// `LATENCY HISTORY event`: `[time, ms]` pairs, oldest first.
fn latency_history(ctx: &mut Ctx) {
    let name = String::from_utf8_lossy(ctx.arg(2)).into_owned();
    let samples: Vec<(i64, u64)> = ctx
        .srv
        .latency
        .event(&name)
        .map(|h| h.samples.iter().map(|s| (s.time, s.latency_ms)).collect())
        .unwrap_or_default();
    ctx.out.array(samples.len());
    for (time, ms) in samples {
        ctx.out.array(2);
        ctx.out.int(time);
        ctx.out.int(ms as i64);
    }
}

/// `LATENCY RESET [event ...]`: the number of events cleared.
fn latency_reset(ctx: &mut Ctx) {
    let names: Vec<String> = ctx.argv[2..]
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let n = ctx.srv.latency.reset(&names);
    ctx.out.int(n as i64);
}

/// `LATENCY HELP` (without the subcommands rkv does not have).
fn latency_help(ctx: &mut Ctx) {
    reply_help(
        ctx,
        &[
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
        ],
    );
}
