//! SMEMBERS, SINTER, SINTERCARD, SUNION, SDIFF and the STORE forms, on top
//! of [`super::ops`].

use super::handlers::{max_intset, reply_member};
use super::ops;
use crate::command::Ctx;
use crate::db::{Db, Value};
use crate::errors;
use crate::keyspace_events::class;
use crate::types::SetValue;

/// SINTERCARD's `numkeys` is not a positive integer.
const NUMKEYS_NOT_POSITIVE: &str = "ERR numkeys should be greater than 0";
/// SINTERCARD's `numkeys` exceeds the arguments given.
const NUMKEYS_TOO_MANY: &str = "ERR Number of keys can't be greater than number of args";
/// SINTERCARD's LIMIT is not a non-negative integer.
const LIMIT_NEGATIVE: &str = "ERR LIMIT can't be negative";

/// A set operation building its result: [`ops::union`] or [`ops::difference`].
type BuildOp = fn(&[Option<&SetValue>], usize) -> SetValue;

/// Looks every key up for reading as Redis does before any set algebra
/// (hits and misses counted, expired keys dropped); replies WRONGTYPE and
/// returns false if one holds another type, even after a missing key.
fn check_keys(ctx: &mut Ctx, keys: &[&[u8]]) -> bool {
    for key in keys {
        if let Some(e) = ctx.lookup_read(key) {
            if e.value.as_set().is_none() {
                ctx.error(errors::WRONGTYPE);
                return false;
            }
        }
    }
    true
}

/// The sets under `keys` (`None` for missing keys), after [`check_keys`].
fn sets_of<'a>(db: &'a Db, keys: &[&[u8]], now: i64) -> Vec<Option<&'a SetValue>> {
    keys.iter()
        .map(|k| db.peek(k, now).and_then(|e| e.value.as_set()))
        .collect()
}

/// `SMEMBERS key`: Redis runs it as a one-key SINTER.
pub(super) fn smembers(ctx: &mut Ctx) {
    inter_reply(ctx, &ctx.argv[1..2]);
}

/// `SINTER key [key ...]`
pub(super) fn sinter(ctx: &mut Ctx) {
    inter_reply(ctx, &ctx.argv[1..]);
}

/// Replies with the intersection of the sets under `keys`, a RESP3 set.
fn inter_reply(ctx: &mut Ctx, keys: &[&[u8]]) {
    if !check_keys(ctx, keys) {
        return;
    }
    let now = ctx.now_ms();
    let sets = sets_of(&ctx.srv.dbs[ctx.client.db], keys, now);
    let Some(present) = sets.into_iter().collect::<Option<Vec<_>>>() else {
        return ctx.out.set(0);
    };
    let mut common = Vec::new();
    ops::for_each_common(&present, |m| {
        common.push(m);
        true
    });
    ctx.out.set(common.len());
    for m in common {
        reply_member(&mut ctx.out, m);
    }
}

/// `SINTERCARD numkeys key [key ...] [LIMIT limit]`
pub(super) fn sintercard(ctx: &mut Ctx) {
    let numkeys = match rkv_proto::request::parse_i64(ctx.arg(1)) {
        Some(n) if n >= 1 => n as u64,
        _ => return ctx.error(NUMKEYS_NOT_POSITIVE),
    };
    let argc = ctx.argc();
    if numkeys > (argc - 2) as u64 {
        return ctx.error(NUMKEYS_TOO_MANY);
    }
    let keys_end = 2 + numkeys as usize;
    let mut limit = 0;
    let mut i = keys_end;
    while i < argc {
        if ctx.arg(i).eq_ignore_ascii_case(b"limit") && i + 1 < argc {
            match rkv_proto::request::parse_i64(ctx.arg(i + 1)) {
                Some(n) if n >= 0 => limit = usize::try_from(n).unwrap_or(usize::MAX),
                _ => return ctx.error(LIMIT_NEGATIVE),
            }
            i += 2;
        } else {
            return ctx.syntax_error();
        }
    }
    let keys = &ctx.argv[2..keys_end];
    if !check_keys(ctx, keys) {
        return;
    }
    let now = ctx.now_ms();
    let sets = sets_of(&ctx.srv.dbs[ctx.client.db], keys, now);
    let card = ops::intersection_card(&sets, limit);
    ctx.out.int(card as i64);
}

/// `SUNION key [key ...]`
pub(super) fn sunion(ctx: &mut Ctx) {
    build_reply(ctx, &ctx.argv[1..], ops::union);
}

/// `SDIFF key [key ...]`
pub(super) fn sdiff(ctx: &mut Ctx) {
    build_reply(ctx, &ctx.argv[1..], ops::difference);
}

/// Replies with the set `op` builds from the sets under `keys`.
pub(super) fn build_reply(ctx: &mut Ctx, keys: &[&[u8]], op: BuildOp) {
    if !check_keys(ctx, keys) {
        return;
    }
    let (now, max) = (ctx.now_ms(), max_intset(ctx));
    let result = op(&sets_of(&ctx.srv.dbs[ctx.client.db], keys, now), max);
    ctx.out.set(result.len());
    for m in result.iter() {
        reply_member(&mut ctx.out, m);
    }
}

/// `SINTERSTORE destination key [key ...]`
pub(super) fn sinterstore(ctx: &mut Ctx) {
    store(ctx, ops::intersection, "sinterstore");
}

/// `SUNIONSTORE destination key [key ...]`
pub(super) fn sunionstore(ctx: &mut Ctx) {
    store(ctx, ops::union, "sunionstore");
}

/// `SDIFFSTORE destination key [key ...]`
pub(super) fn sdiffstore(ctx: &mut Ctx) {
    store(ctx, ops::difference, "sdiffstore");
}

/// Stores what `op` builds under the destination (dropping its TTL), or
/// deletes the destination when the result is empty; replies the size.
/// `event` is the command's keyspace event.
fn store(ctx: &mut Ctx, op: BuildOp, event: &str) {
    let (dst, keys) = (ctx.arg(1), &ctx.argv[2..]);
    if !check_keys(ctx, keys) {
        return;
    }
    let (now, max) = (ctx.now_ms(), max_intset(ctx));
    let sets = sets_of(&ctx.srv.dbs[ctx.client.db], keys, now);
    // SINTERSTORE with a missing source takes Redis's early exit, which
    // reports the deletion before replying.
    let early_exit = event == "sinterstore" && sets.iter().any(Option::is_none);
    let result = op(&sets, max);
    let len = result.len();
    if len == 0 {
        let deleted = ctx.db().remove(dst).is_some();
        if !early_exit {
            ctx.out.int(0);
        }
        if deleted {
            ctx.dirty(1);
            ctx.signal_modified(dst);
            ctx.notify(class::GENERIC, "del", dst);
        }
        if early_exit {
            ctx.out.int(0);
        }
    } else {
        ctx.db().set(dst, Value::Set(Box::new(result)), false, now);
        ctx.dirty(1);
        ctx.signal_modified(dst);
        ctx.out.int(len as i64);
        ctx.notify(class::SET, event, dst);
    }
}
