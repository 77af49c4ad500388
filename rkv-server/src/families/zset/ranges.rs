//! ZRANGE and its older forms (ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE,
//! ZRANGEBYLEX, ZREVRANGEBYLEX) and ZRANGESTORE, all through one parser and
//! one executor as Redis's `zrangeGenericCommand`.

use super::common::{limits, reply_entries, reply_stored, store, with_zset};
use super::parse::{
    apply_limit, parse_lex_range, parse_score_range, rank_interval, BAD_LEX_RANGE, BAD_SCORE_RANGE,
};
use crate::command::Ctx;
use crate::db::Db;
use crate::types::zset::{LexRange, ScoreRange, ZSetLimits};
use crate::types::ZSetValue;

/// LIMIT with a rank range.
const LIMIT_NEEDS_BY: &str =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
/// WITHSCORES with BYLEX.
const WITHSCORES_BYLEX: &str =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";

/// What a range selects.
#[derive(Debug, Clone, PartialEq)]
pub enum RangeSpec {
    /// By rank: `start`, `end` as given (negative from the end).
    Rank(i64, i64),
    /// By score.
    Score(ScoreRange),
    /// By member.
    Lex(LexRange),
}

/// A parsed range query.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeQuery {
    /// The interval.
    pub spec: RangeSpec,
    /// Highest first.
    pub rev: bool,
    /// LIMIT offset and count (count -1: all).
    pub offset: i64,
    /// LIMIT count.
    pub count: i64,
}

impl RangeQuery {
    /// The ranks to visit in `zset` (ascending interval; walk it backwards
    /// when `rev`).
    pub fn ranks(&self, zset: &ZSetValue) -> Option<(usize, usize)> {
        let len = zset.len();
        match &self.spec {
            RangeSpec::Rank(start, end) => {
                let (a, b) = rank_interval(*start, *end, len)?;
                // A reversed rank range counts from the highest score.
                Some(if self.rev {
                    (len - 1 - b, len - 1 - a)
                } else {
                    (a, b)
                })
            }
            RangeSpec::Score(r) => {
                apply_limit(zset.score_ranks(r)?, self.rev, self.offset, self.count)
            }
            RangeSpec::Lex(r) => apply_limit(zset.lex_ranks(r)?, self.rev, self.offset, self.count),
        }
    }

    /// The selected members and scores, in reply order.
    pub fn collect(&self, zset: &ZSetValue) -> Vec<(Vec<u8>, f64)> {
        if let RangeSpec::Lex(r) = &self.spec {
            // Walked as Redis does, which matters when scores differ.
            if self.offset < 0 {
                return Vec::new();
            }
            let limit = usize::try_from(self.count).ok();
            return zset.lex_range(r, self.rev, self.offset as usize, limit);
        }
        self.ranks(zset)
            .map(|(a, b)| zset.collect_ranks(a, b, self.rev))
            .unwrap_or_default()
    }
}

/// Which forms a command fixes in advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Auto,
    Rank,
    Score,
    Lex,
}

/// Parses the arguments after the source key (at `key_idx`) and runs the
/// query; `store` is ZRANGESTORE's destination.
fn zrange_generic(
    ctx: &mut Ctx,
    key_idx: usize,
    store_to: Option<&[u8]>,
    preset: Kind,
    rev: Option<bool>,
) {
    let mut kind = preset;
    let mut reverse = rev;
    let mut withscores = false;
    let (mut offset, mut count) = (0i64, -1i64);
    let mut j = key_idx + 3;
    while j < ctx.argc() {
        let left = ctx.argc() - j - 1;
        let opt = ctx.arg(j);
        if store_to.is_none() && opt.eq_ignore_ascii_case(b"withscores") {
            withscores = true;
        } else if opt.eq_ignore_ascii_case(b"limit") && left >= 2 {
            let Some(o) = ctx.i64_or_reply(j + 1) else {
                return;
            };
            let Some(c) = ctx.i64_or_reply(j + 2) else {
                return;
            };
            (offset, count) = (o, c);
            j += 2;
        } else if reverse.is_none() && opt.eq_ignore_ascii_case(b"rev") {
            reverse = Some(true);
        } else if kind == Kind::Auto && opt.eq_ignore_ascii_case(b"bylex") {
            kind = Kind::Lex;
        } else if kind == Kind::Auto && opt.eq_ignore_ascii_case(b"byscore") {
            kind = Kind::Score;
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    let rev = reverse.unwrap_or(false);
    if kind == Kind::Auto {
        kind = Kind::Rank;
    }
    if count != -1 && kind == Kind::Rank {
        return ctx.error(LIMIT_NEEDS_BY);
    }
    if withscores && kind == Kind::Lex {
        return ctx.error(WITHSCORES_BYLEX);
    }
    let (mut lo, mut hi) = (ctx.arg(key_idx + 1), ctx.arg(key_idx + 2));
    if rev && kind != Kind::Rank {
        // These forms take the range as `max min`.
        std::mem::swap(&mut lo, &mut hi);
    }
    let spec = match kind {
        Kind::Score => match parse_score_range(lo, hi) {
            Some(r) => RangeSpec::Score(r),
            None => return ctx.error(BAD_SCORE_RANGE),
        },
        Kind::Lex => match parse_lex_range(lo, hi) {
            Some(r) => RangeSpec::Lex(r),
            None => return ctx.error(BAD_LEX_RANGE),
        },
        _ => {
            let Some(start) = ctx.i64_or_reply(key_idx + 1) else {
                return;
            };
            let Some(end) = ctx.i64_or_reply(key_idx + 2) else {
                return;
            };
            RangeSpec::Rank(start, end)
        }
    };
    let query = RangeQuery {
        spec,
        rev,
        offset,
        count,
    };
    let src = ctx.arg(key_idx);
    match store_to {
        None => with_zset(ctx, src, |z, out| {
            let items = z.map(|z| query.collect(z)).unwrap_or_default();
            reply_entries(out, &items, withscores);
        }),
        Some(dst) => {
            let mut found = None;
            with_zset(ctx, src, |z, _| {
                found = Some(z.map(|z| query.collect(z)).unwrap_or_default());
            });
            // No result: WRONGTYPE was replied.
            let Some(items) = found else {
                return;
            };
            let (limits, now) = (limits(ctx), ctx.now_ms());
            let (n, changed) = op_store_items(ctx.db(), dst, &items, limits, now);
            reply_stored(ctx, dst, n, changed, "zrangestore");
        }
    }
}

/// Stores `items` as a new sorted set at `dst` (ZRANGESTORE's result),
/// deleting `dst` when there are none.
pub fn op_store_items(
    db: &mut Db,
    dst: &[u8],
    items: &[(Vec<u8>, f64)],
    limits: ZSetLimits,
    now_ms: i64,
) -> (usize, bool) {
    let mut zset = ZSetValue::with_hint(items.len(), 0, limits);
    for (m, s) in items {
        zset.insert(m, *s, limits);
    }
    store(db, dst, zset, now_ms)
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`
pub fn zrange(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, Kind::Auto, None);
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`
pub fn zrangestore(ctx: &mut Ctx) {
    let dst = ctx.arg(1);
    zrange_generic(ctx, 2, Some(dst), Kind::Auto, None);
}

/// `ZREVRANGE key start stop [WITHSCORES]`
pub fn zrevrange(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, Kind::Rank, Some(true));
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`
pub fn zrangebyscore(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, Kind::Score, Some(false));
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`
pub fn zrevrangebyscore(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, Kind::Score, Some(true));
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`
pub fn zrangebylex(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, Kind::Lex, Some(false));
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`
pub fn zrevrangebylex(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, Kind::Lex, Some(true));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_select_in_reply_order() {
        let mut z = ZSetValue::default();
        for (i, m) in ["a", "b", "c", "d"].iter().enumerate() {
            z.insert(m.as_bytes(), i as f64, ZSetLimits::default());
        }
        let names = |q: &RangeQuery| -> Vec<Vec<u8>> {
            q.collect(&z).into_iter().map(|(m, _)| m).collect()
        };
        let rev_rank = RangeQuery {
            spec: RangeSpec::Rank(0, 1),
            rev: true,
            offset: 0,
            count: -1,
        };
        assert_eq!(names(&rev_rank), [b"d".to_vec(), b"c".to_vec()]);
        let by_score = RangeQuery {
            spec: RangeSpec::Score(ScoreRange::inclusive(1.0, 3.0)),
            rev: true,
            offset: 1,
            count: 1,
        };
        assert_eq!(names(&by_score), [b"c".to_vec()]);
    }
}
