//! Handlers of the single-key sorted set commands: ZADD, ZINCRBY, ZREM,
//! ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT and
//! ZREMRANGEBY*. The other handlers live in sibling modules and are
//! re-exported here for the declarations.

pub use super::pop::{zmpop, zpopmax, zpopmin, zrandmember};
pub use super::ranges::{
    zrange, zrangebylex, zrangebyscore, zrangestore, zrevrange, zrevrangebylex, zrevrangebyscore,
};
pub use super::scan::zscan;
pub use super::setops::{zdiff, zdiffstore, zinter, zintercard, zinterstore, zunion, zunionstore};

use super::common::{drop_if_empty, limits, with_zset, zset_mut};
use super::parse::{
    parse_lex_range, parse_score_range, rank_interval, BAD_LEX_RANGE, BAD_SCORE_RANGE,
};
use crate::command::Ctx;
use crate::db::{Db, Value};
use crate::errors::OpError;
use crate::keyspace_events::class;
use crate::types::zset::{AddFlags, AddOutcome, LexRange, NanScore, ScoreRange, ZSetLimits};
use crate::types::ZSetValue;

/// `XX and NX` together.
const XX_NX: &str = "ERR XX and NX options at the same time are not compatible";
/// GT/LT/NX combined.
const GT_LT_NX: &str = "ERR GT, LT, and/or NX options at the same time are not compatible";
/// INCR with several pairs.
const INCR_PAIRS: &str = "ERR INCR option supports a single increment-element pair";

/// Totals of one ZADD call.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ZaddTotals {
    /// New members.
    pub added: usize,
    /// Members whose score changed.
    pub updated: usize,
    /// Elements not ruled out by the flags.
    pub processed: usize,
    /// Final score of the last element processed (INCR's reply).
    pub score: f64,
}

/// Why a ZADD failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZaddError {
    /// Key of another type.
    #[error(transparent)]
    Op(#[from] OpError),
    /// A NaN score (elements before it stay applied, as in Redis).
    #[error(transparent)]
    Nan(#[from] NanScore),
}

/// ZADD/ZINCRBY on `key` (Redis's `zaddGenericCommand` after parsing).
pub fn op_zadd(
    db: &mut Db,
    key: &[u8],
    flags: AddFlags,
    pairs: &[(f64, &[u8])],
    limits: ZSetLimits,
    now_ms: i64,
) -> Result<ZaddTotals, ZaddError> {
    let mut totals = ZaddTotals::default();
    if zset_mut(db, key, now_ms)?.is_none() {
        if flags.xx {
            return Ok(totals);
        }
        let first_len = pairs.first().map_or(0, |(_, m)| m.len());
        let fresh = ZSetValue::with_hint(1, first_len, limits);
        db.set(key, Value::ZSet(Box::new(fresh)), false, now_ms);
    }
    let zset = zset_mut(db, key, now_ms)?.ok_or(OpError::NoSuchKey)?;
    for (score, member) in pairs {
        match zset.add(member, *score, flags, limits)? {
            AddOutcome::Added(s) => {
                totals.added += 1;
                totals.processed += 1;
                totals.score = s;
            }
            AddOutcome::Updated(s) => {
                totals.updated += 1;
                totals.processed += 1;
                totals.score = s;
            }
            AddOutcome::Unchanged(s) => {
                totals.processed += 1;
                totals.score = s;
            }
            AddOutcome::Skipped => {}
        }
    }
    Ok(totals)
}

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`
pub fn zadd(ctx: &mut Ctx) {
    zadd_generic(ctx, AddFlags::default(), false);
}

/// `ZINCRBY key increment member`
pub fn zincrby(ctx: &mut Ctx) {
    let flags = AddFlags {
        incr: true,
        ..AddFlags::default()
    };
    zadd_generic(ctx, flags, true);
}

fn zadd_generic(ctx: &mut Ctx, mut flags: AddFlags, zincrby: bool) {
    let mut ch = false;
    let mut idx = 2;
    if !zincrby {
        while idx < ctx.argc() {
            let opt = ctx.arg(idx).to_ascii_lowercase();
            match opt.as_slice() {
                b"nx" => flags.nx = true,
                b"xx" => flags.xx = true,
                b"ch" => ch = true,
                b"incr" => flags.incr = true,
                b"gt" => flags.gt = true,
                b"lt" => flags.lt = true,
                _ => break,
            }
            idx += 1;
        }
    }
    let rest = ctx.argc() - idx;
    if rest == 0 || rest % 2 == 1 {
        return ctx.syntax_error();
    }
    if flags.nx && flags.xx {
        return ctx.error(XX_NX);
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return ctx.error(GT_LT_NX);
    }
    if flags.incr && rest > 2 {
        return ctx.error(INCR_PAIRS);
    }
    let mut pairs = Vec::with_capacity(rest / 2);
    for i in (idx..ctx.argc()).step_by(2) {
        let Some(score) = ctx.f64_or_reply(i) else {
            return;
        };
        pairs.push((score, ctx.arg(i + 1)));
    }
    let (key, limits, now) = (ctx.arg(1), limits(ctx), ctx.now_ms());
    match op_zadd(ctx.db(), key, flags, &pairs, limits, now) {
        Err(e) => {
            drop_if_empty(ctx.db(), key);
            ctx.error(&e.to_string());
        }
        Ok(t) => {
            // A created key's `new` event precedes the reply, as in Redis.
            ctx.drain_pending();
            ctx.dirty((t.added + t.updated) as u64);
            if flags.incr {
                if t.processed > 0 {
                    ctx.out.double(t.score);
                } else {
                    ctx.out.null();
                }
            } else {
                ctx.out
                    .int(if ch { t.added + t.updated } else { t.added } as i64);
            }
            if t.added + t.updated > 0 {
                ctx.signal_modified(key);
                let event = if flags.incr { "zincr" } else { "zadd" };
                ctx.notify(class::ZSET, event, key);
            }
        }
    }
}

/// `ZREM key member [member ...]`
pub fn zrem(ctx: &mut Ctx) {
    let (key, now) = (ctx.arg(1), ctx.now_ms());
    let members = &ctx.argv[2..];
    let db = ctx.db();
    let removed = match zset_mut(db, key, now) {
        Err(e) => return ctx.error_op(e),
        Ok(None) => 0,
        Ok(Some(z)) => members.iter().filter(|m| z.remove(m)).count(),
    };
    drop_if_empty(ctx.db(), key);
    if removed > 0 {
        ctx.notify_removal(class::ZSET, "zrem", key);
    }
    ctx.dirty(removed as u64);
    ctx.out.int(removed as i64);
}

/// `ZCARD key`
pub fn zcard(ctx: &mut Ctx) {
    with_zset(ctx, ctx.arg(1), |z, out| {
        out.int(z.map_or(0, |z| z.len()) as i64)
    });
}

/// `ZSCORE key member`
pub fn zscore(ctx: &mut Ctx) {
    let member = ctx.arg(2);
    with_zset(ctx, ctx.arg(1), |z, out| {
        match z.and_then(|z| z.score(member)) {
            Some(s) => out.double(s),
            None => out.null(),
        }
    });
}

/// `ZMSCORE key member [member ...]`
pub fn zmscore(ctx: &mut Ctx) {
    let members = &ctx.argv[2..];
    with_zset(ctx, ctx.arg(1), |z, out| {
        out.array(members.len());
        for m in members {
            match z.and_then(|z| z.score(m)) {
                Some(s) => out.double(s),
                None => out.null(),
            }
        }
    });
}

/// `ZRANK key member`
pub fn zrank(ctx: &mut Ctx) {
    rank_generic(ctx, false);
}

/// `ZREVRANK key member`
pub fn zrevrank(ctx: &mut Ctx) {
    rank_generic(ctx, true);
}

fn rank_generic(ctx: &mut Ctx, rev: bool) {
    let member = ctx.arg(2);
    with_zset(ctx, ctx.arg(1), |z, out| {
        match z.and_then(|z| z.rank(member, rev)) {
            Some(r) => out.int(r as i64),
            None => out.null(),
        }
    });
}

/// `ZCOUNT key min max`
pub fn zcount(ctx: &mut Ctx) {
    let Some(range) = parse_score_range(ctx.arg(2), ctx.arg(3)) else {
        return ctx.error(BAD_SCORE_RANGE);
    };
    with_zset(ctx, ctx.arg(1), |z, out| {
        let n = z
            .and_then(|z| z.score_ranks(&range))
            .map_or(0, |(a, b)| b - a + 1);
        out.int(n as i64);
    });
}

/// `ZLEXCOUNT key min max`
pub fn zlexcount(ctx: &mut Ctx) {
    let Some(range) = parse_lex_range(ctx.arg(2), ctx.arg(3)) else {
        return ctx.error(BAD_LEX_RANGE);
    };
    with_zset(ctx, ctx.arg(1), |z, out| {
        let n = z
            .and_then(|z| z.lex_ranks(&range))
            .map_or(0, |(a, b)| b - a + 1);
        out.int(n as i64);
    });
}

/// The interval a ZREMRANGEBY* command removes.
#[derive(Debug, Clone, PartialEq)]
pub enum RemoveRange {
    /// ZREMRANGEBYRANK's `start stop`.
    Rank(i64, i64),
    /// ZREMRANGEBYSCORE.
    Score(ScoreRange),
    /// ZREMRANGEBYLEX.
    Lex(LexRange),
}

/// Removes the members of `range` from the sorted set at `key`; returns
/// how many went (deleting the key if it empties).
pub fn op_zremrange(
    db: &mut Db,
    key: &[u8],
    range: &RemoveRange,
    now_ms: i64,
) -> Result<usize, OpError> {
    let Some(z) = zset_mut(db, key, now_ms)? else {
        return Ok(0);
    };
    let ranks = match range {
        RemoveRange::Rank(start, end) => rank_interval(*start, *end, z.len()),
        RemoveRange::Score(r) => z.score_ranks(r),
        RemoveRange::Lex(r) => z.lex_removal_ranks(r),
    };
    let removed = ranks.map_or(0, |(a, b)| z.remove_ranks(a, b));
    drop_if_empty(db, key);
    Ok(removed)
}

/// `ZREMRANGEBYRANK key start stop`
pub fn zremrangebyrank(ctx: &mut Ctx) {
    let Some(start) = ctx.i64_or_reply(2) else {
        return;
    };
    let Some(end) = ctx.i64_or_reply(3) else {
        return;
    };
    zremrange_generic(ctx, RemoveRange::Rank(start, end), "zremrangebyrank");
}

/// `ZREMRANGEBYSCORE key min max`
pub fn zremrangebyscore(ctx: &mut Ctx) {
    match parse_score_range(ctx.arg(2), ctx.arg(3)) {
        Some(r) => zremrange_generic(ctx, RemoveRange::Score(r), "zremrangebyscore"),
        None => ctx.error(BAD_SCORE_RANGE),
    }
}

/// `ZREMRANGEBYLEX key min max`
pub fn zremrangebylex(ctx: &mut Ctx) {
    match parse_lex_range(ctx.arg(2), ctx.arg(3)) {
        Some(r) => zremrange_generic(ctx, RemoveRange::Lex(r), "zremrangebylex"),
        None => ctx.error(BAD_LEX_RANGE),
    }
}

/// ZREMRANGEBY*: removes `range`, reporting `event` when anything went.
fn zremrange_generic(ctx: &mut Ctx, range: RemoveRange, event: &str) {
    let (key, now) = (ctx.arg(1), ctx.now_ms());
    match op_zremrange(ctx.db(), key, &range, now) {
        Ok(n) => {
            if n > 0 {
                ctx.signal_modified(key);
                ctx.notify(class::ZSET, event, key);
                ctx.notify_del_if_gone(key);
            }
            ctx.dirty(n as u64);
            ctx.out.int(n as i64);
        }
        Err(e) => ctx.error_op(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zadd_then_remove_ranges() {
        let mut db = Db::new();
        let l = ZSetLimits::default();
        let pairs: Vec<(f64, &[u8])> = vec![(1.0, b"a"), (2.0, b"b"), (3.0, b"c")];
        let t = op_zadd(&mut db, b"z", AddFlags::default(), &pairs, l, 0).unwrap();
        assert_eq!((t.added, t.updated, t.processed), (3, 0, 3));
        let xx = AddFlags {
            xx: true,
            ..AddFlags::default()
        };
        let t = op_zadd(&mut db, b"nokey", xx, &pairs, l, 0).unwrap();
        assert_eq!(t.processed, 0);
        assert!(db.peek(b"nokey", 0).is_none());
        let r = RemoveRange::Score(ScoreRange::inclusive(2.0, 10.0));
        assert_eq!(op_zremrange(&mut db, b"z", &r, 0), Ok(2));
        assert_eq!(
            op_zremrange(&mut db, b"z", &RemoveRange::Rank(0, -1), 0),
            Ok(1)
        );
        assert!(db.peek(b"z", 0).is_none(), "an emptied set is deleted");
        db.set(b"s", Value::string(b"x"), false, 0);
        assert_eq!(
            op_zadd(&mut db, b"s", AddFlags::default(), &pairs, l, 0),
            Err(ZaddError::Op(OpError::WrongType))
        );
    }
}
