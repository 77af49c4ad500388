//! MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP.
//!
//! - [`usage`]: Redis's per-key memory model.
//! - [`overhead`]: where memory goes (MEMORY STATS) and MEMORY DOCTOR.

pub mod overhead;
pub mod usage;

use super::server::reply_help;
use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx, KeySpec};
use crate::errors;
use overhead::{doctor_report, MemoryOverhead};

/// Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES.
const DEFAULT_SAMPLES: usize = 5;

const DIAGNOSTIC_TIPS: &[&str] = &[
    "nondeterministic_output",
    "request_policy:all_shards",
    "response_policy:special",
];

/// Declarations of the memory family.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "memory",
    arity: -2,
    group: "server",
    since: "4.0.0",
    summary: "A container for memory diagnostics commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        CommandSpec {
            name: "doctor",
            arity: 2,
            group: "server",
            since: "4.0.0",
            summary: "Outputs memory problems report",
            complexity: "O(1)",
            tips: DIAGNOSTIC_TIPS,
            handler: doctor,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            group: "server",
            since: "4.0.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            handler: help,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "malloc-stats",
            arity: 2,
            group: "server",
            since: "4.0.0",
            summary: "Show allocator internal stats",
            complexity: "Depends on how much memory is allocated, could be slow",
            tips: DIAGNOSTIC_TIPS,
            handler: malloc_stats,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "purge",
            arity: 2,
            group: "server",
            since: "4.0.0",
            summary: "Ask the allocator to release memory",
            complexity: "Depends on how much memory is allocated, could be slow",
            tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
            handler: purge,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "stats",
            arity: 2,
            group: "server",
            since: "4.0.0",
            summary: "Show memory usage details",
            complexity: "O(1)",
            tips: DIAGNOSTIC_TIPS,
            handler: stats,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "usage",
            arity: -3,
            flags: flags::READONLY,
            group: "server",
            since: "4.0.0",
            summary: "Estimate the memory usage of a key",
            complexity: "O(N) where N is the number of samples.",
            keys: &[KeySpec::single(&["RO"], 2)],
            args: &[
                Arg::key("key", 0),
                Arg {
                    token: Some("SAMPLES"),
                    optional: true,
                    ..Arg::new("count", ArgKind::Integer)
                },
            ],
            handler: usage_cmd,
            ..CommandSpec::BASE
        },
    ],
    ..CommandSpec::BASE
}];

/// `MEMORY USAGE key [SAMPLES count]`: no expiry check and no access-time
/// update, as Redis reads the table directly.
fn usage_cmd(ctx: &mut Ctx) {
    let mut samples = Some(DEFAULT_SAMPLES);
    let mut i = 3;
    while i < ctx.argc() {
        if ctx.arg(i).eq_ignore_ascii_case(b"samples") && i + 1 < ctx.argc() {
            let Some(n) = ctx.i64_or_reply(i + 1) else {
                return;
            };
            if n < 0 {
                return ctx.syntax_error();
            }
            samples = (n != 0).then_some(n as usize);
            i += 2;
        } else {
            return ctx.syntax_error();
        }
    }
    let key = ctx.arg(2);
    let fill = ctx.srv.config.list_max_listpack_size;
    match ctx.db().get_mut_raw(key) {
        Some(entry) => {
            let bytes = usage::key_usage(key, entry, samples, fill);
            ctx.out.int(bytes as i64);
        }
        None => ctx.out.null(),
    }
}

/// `MEMORY STATS`: Redis's map of overhead figures, field for field.
fn stats(ctx: &mut Ctx) {
    let own = ctx.client.qbuf + ctx.client.omem;
    let m = MemoryOverhead::collect(ctx.srv, own);
    let out = &mut ctx.out;
    out.map(27 + m.dbs.len());
    let int = |out: &mut rkv_proto::ReplyWriter<'_>, name: &str, n: i64| {
        out.bulk(name.as_bytes());
        out.int(n);
    };
    int(out, "peak.allocated", m.peak_allocated as i64);
    int(out, "total.allocated", m.total_allocated as i64);
    int(out, "startup.allocated", m.startup_allocated as i64);
    int(out, "replication.backlog", 0);
    int(out, "clients.slaves", 0);
    int(out, "clients.normal", m.clients_normal as i64);
    int(out, "cluster.links", 0);
    int(out, "aof.buffer", 0);
    int(out, "lua.caches", 0);
    int(out, "functions.caches", 0);
    for d in &m.dbs {
        out.bulk(format!("db.{}", d.db).as_bytes());
        out.map(3);
        int(out, "overhead.hashtable.main", d.main as i64);
        int(out, "overhead.hashtable.expires", d.expires as i64);
        int(out, "overhead.hashtable.slot-to-keys", 0);
    }
    int(out, "overhead.total", m.overhead_total as i64);
    int(out, "keys.count", m.total_keys as i64);
    int(out, "keys.bytes-per-key", m.bytes_per_key() as i64);
    int(out, "dataset.bytes", m.dataset as i64);
    let double = |out: &mut rkv_proto::ReplyWriter<'_>, name: &str, x: f64| {
        out.bulk(name.as_bytes());
        out.double(x);
    };
    double(out, "dataset.percentage", m.dataset_perc);
    double(out, "peak.percentage", m.peak_perc);
    int(out, "allocator.allocated", m.allocator_allocated as i64);
    int(out, "allocator.active", m.allocator_active as i64);
    int(out, "allocator.resident", m.allocator_resident as i64);
    for (name, (ratio, bytes)) in [
        ("allocator-fragmentation", m.allocator_frag()),
        ("allocator-rss", m.allocator_rss()),
        ("rss-overhead", m.rss_extra()),
    ] {
        double(out, &format!("{name}.ratio"), ratio);
        int(out, &format!("{name}.bytes"), bytes);
    }
    let (frag, frag_bytes) = m.total_frag();
    double(out, "fragmentation", frag);
    int(out, "fragmentation.bytes", frag_bytes);
}

/// `MEMORY DOCTOR`
fn doctor(ctx: &mut Ctx) {
    let own = ctx.client.qbuf + ctx.client.omem;
    let m = MemoryOverhead::collect(ctx.srv, own);
    ctx.out.verbatim("txt", doctor_report(&m).as_bytes());
}

/// `MEMORY MALLOC-STATS`: jemalloc's own report.
fn malloc_stats(ctx: &mut Ctx) {
    let report = crate::memory::allocator_report();
    ctx.out.verbatim("txt", report.as_bytes());
}

/// `MEMORY PURGE`
fn purge(ctx: &mut Ctx) {
    if crate::memory::purge_allocator() {
        ctx.out.ok();
    } else {
        ctx.error(errors::PURGE_FAILED);
    }
}

/// `MEMORY HELP`
fn help(ctx: &mut Ctx) {
    reply_help(
        ctx,
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    );
}
