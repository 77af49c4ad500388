//! FLUSHDB, FLUSHALL and SWAPDB: whole-database commands.

use super::lazyfree::free_objects_in_background;
use super::two_dbs;
use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::db::Db;
use crate::errors;

/// Databases with more keys than this are freed on a background thread by
/// `ASYNC` flushes (Redis's `LAZYFREE_THRESHOLD`).
pub const LAZYFREE_THRESHOLD: usize = 64;

/// The `ASYNC | SYNC` argument.
const FLUSH_MODE: &[Arg] = &[Arg {
    name: "async",
    kind: ArgKind::OneOf,
    optional: true,
    children: &[
        Arg {
            since: Some("4.0.0"),
            ..Arg::token("async", "ASYNC")
        },
        Arg {
            since: Some("6.2.0"),
            ..Arg::token("sync", "SYNC")
        },
    ],
    ..Arg::BASE
}];
/// History of FLUSHDB and FLUSHALL.
const FLUSH_HISTORY: &[(&str, &str)] = &[
    ("4.0.0", "Added the `ASYNC` flushing mode modifier."),
    ("6.2.0", "Added the `SYNC` flushing mode modifier."),
];
/// Tips of FLUSHDB and FLUSHALL.
const ALL_SHARDS: &[&str] = &["request_policy:all_shards", "response_policy:all_succeeded"];

/// Declarations of the whole-database commands.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "flushdb",
        arity: -1,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        group: "server",
        summary: "Remove all keys from the current database",
        complexity: "O(N) where N is the number of keys in the selected database",
        tips: ALL_SHARDS,
        history: FLUSH_HISTORY,
        args: FLUSH_MODE,
        handler: flushdb,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "flushall",
        arity: -1,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        group: "server",
        summary: "Remove all keys from all databases",
        complexity: "O(N) where N is the total number of keys in all databases",
        tips: ALL_SHARDS,
        history: FLUSH_HISTORY,
        args: FLUSH_MODE,
        handler: flushall,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "swapdb",
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        group: "server",
        since: "4.0.0",
        summary: "Swaps two Redis databases",
        complexity:
            "O(N) where N is the count of clients watching or blocking on keys from both databases.",
        args: &[
            Arg::new("index1", ArgKind::Integer),
            Arg::new("index2", ArgKind::Integer),
        ],
        handler: swapdb,
        ..CommandSpec::BASE
    },
];

/// Empties `db`; returns how many keys it held. With `lazy`, a big old
/// content is dropped on the lazy-free thread so the server does not stall.
pub fn op_flush(db: &mut Db, lazy: bool) -> usize {
    let removed = db.len();
    db.avg_ttl = 0;
    let contents = db.take_all();
    if lazy && removed > LAZYFREE_THRESHOLD {
        free_objects_in_background(contents, removed);
    }
    removed
}

/// Parses `[ASYNC | SYNC]` as Redis's `getFlushCommandFlags`; `Some(lazy)`,
/// or `None` after replying a syntax error. No option means what
/// `lazyfree-lazy-user-flush` says.
fn flush_mode_or_reply(ctx: &mut Ctx) -> Option<bool> {
    match ctx.argv.get(1..) {
        Some([]) | None => Some(ctx.srv.config.lazyfree_lazy_user_flush),
        Some([m]) if m.eq_ignore_ascii_case(b"sync") => Some(false),
        Some([m]) if m.eq_ignore_ascii_case(b"async") => Some(true),
        _ => {
            ctx.syntax_error();
            None
        }
    }
}

/// `FLUSHDB [ASYNC | SYNC]`
fn flushdb(ctx: &mut Ctx) {
    let Some(lazy) = flush_mode_or_reply(ctx) else {
        return;
    };
    // Before emptying: watchers of keys that exist must notice.
    let db = ctx.client.db;
    crate::keyspace_events::signal_flushed_db(ctx.srv, Some(db));
    let removed = op_flush(ctx.db(), lazy);
    ctx.dirty(removed as u64);
    ctx.out.ok();
}

/// `FLUSHALL [ASYNC | SYNC]`
fn flushall(ctx: &mut Ctx) {
    let Some(lazy) = flush_mode_or_reply(ctx) else {
        return;
    };
    crate::keyspace_events::signal_flushed_db(ctx.srv, None);
    let removed: usize = ctx.srv.dbs.iter_mut().map(|db| op_flush(db, lazy)).sum();
    ctx.dirty(removed as u64);
    // Redis's flushAllDataAndResetRDB: a running snapshot is obsolete, and
    // with save points the empty dataset is saved at once.
    crate::persistence::saving::kill_child(ctx.srv);
    if !ctx.srv.config.save_points.is_empty() {
        let _ = crate::persistence::saving::save_now(ctx.srv);
    }
    ctx.out.ok();
}

/// Parses a SWAPDB index: not a 32-bit integer is `ERR <what>`, an index
/// with no database `ERR DB index is out of range`.
fn swap_index_or_reply(ctx: &mut Ctx, i: usize, what: &str) -> Option<i64> {
    let n = rkv_proto::request::parse_i64(ctx.arg(i)).filter(|n| i32::try_from(*n).is_ok());
    if n.is_none() {
        ctx.error(&format!("ERR {what}"));
    }
    n
}

/// `SWAPDB index1 index2`
fn swapdb(ctx: &mut Ctx) {
    let Some(a) = swap_index_or_reply(ctx, 1, "invalid first DB index") else {
        return;
    };
    let Some(b) = swap_index_or_reply(ctx, 2, "invalid second DB index") else {
        return;
    };
    let n = ctx.srv.dbs.len() as i64;
    if !(0..n).contains(&a) || !(0..n).contains(&b) {
        return ctx.error(errors::DB_INDEX);
    }
    if a != b {
        let (x, y) = two_dbs(&mut ctx.srv.dbs, a as usize, b as usize);
        x.swap_contents(y);
        crate::keyspace_events::signal_swapped_dbs(ctx.srv, a as usize, b as usize);
    }
    ctx.dirty(1);
    ctx.out.ok();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;

    #[test]
    fn flush_empties_and_counts() {
        for lazy in [false, true] {
            let mut db = Db::new();
            for i in 0..200 {
                db.set(format!("k{i}").as_bytes(), Value::string(b"v"), false, 0);
                db.set_expire(format!("k{i}").as_bytes(), 1_000_000);
            }
            assert_eq!(op_flush(&mut db, lazy), 200);
            assert!(db.is_empty());
            assert_eq!(db.expires_len(), 0);
            assert_eq!(op_flush(&mut db, lazy), 0);
        }
    }
}
