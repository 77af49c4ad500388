//! ZPOPMIN, ZPOPMAX, ZMPOP and ZRANDMEMBER. [`op_pop_first`], [`parse_mpop`]
//! and [`reply_mpop`] are shared with the blocking forms (BZPOPMIN,
//! BZPOPMAX, BZMPOP).

use super::common::{random_u64, reply_entries, with_zset, zset_mut};
use crate::command::Ctx;
use crate::db::Db;
use crate::errors::{self, OpError};
use crate::keyspace_events::class;

/// ZPOPMIN/ZPOPMAX count below zero.
use crate::errors::MUST_BE_POSITIVE;
/// ZMPOP numkeys below one.
const NUMKEYS_POSITIVE: &str = "ERR numkeys should be greater than 0";
/// ZMPOP COUNT below one.
const COUNT_POSITIVE: &str = "ERR count should be greater than 0";
/// ZRANDMEMBER count of `i64::MIN`.
const RANDMEMBER_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
/// ZRANDMEMBER WITHSCORES count whose doubling would overflow.
const OUT_OF_RANGE: &str = "ERR value is out of range";

/// Members popped from one key.
#[derive(Debug, Clone, PartialEq)]
pub struct Popped {
    /// Index in `keys` of the key popped from.
    pub key_index: usize,
    /// Members and scores, in pop order.
    pub items: Vec<(Vec<u8>, f64)>,
}

/// Pops up to `count` members (lowest scores first, or highest if `max`)
/// from the first of `keys` that exists, deleting it if it empties (Redis's
/// `genericZpopCommand`). `Ok(None)` when no key exists; WRONGTYPE for a
/// key of another type met before an existing sorted set.
pub fn op_pop_first(
    db: &mut Db,
    keys: &[&[u8]],
    count: usize,
    max: bool,
    now_ms: i64,
) -> Result<Option<Popped>, OpError> {
    for (key_index, key) in keys.iter().enumerate() {
        let Some(z) = zset_mut(db, key, now_ms)? else {
            continue;
        };
        let items = z.pop(count, max);
        if z.is_empty() {
            db.remove(key);
        }
        return Ok(Some(Popped { key_index, items }));
    }
    Ok(None)
}

/// `ZPOPMIN key [count]`
pub fn zpopmin(ctx: &mut Ctx) {
    zpop_generic(ctx, false);
}

/// `ZPOPMAX key [count]`
pub fn zpopmax(ctx: &mut Ctx) {
    zpop_generic(ctx, true);
}

fn zpop_generic(ctx: &mut Ctx, max: bool) {
    if ctx.argc() > 3 {
        return ctx.syntax_error();
    }
    let mut count = None;
    if ctx.argc() == 3 {
        // Redis sends the same error for a non-number as for a negative one.
        match rkv_proto::request::parse_i64(ctx.arg(2)) {
            Some(n) if n >= 0 => count = Some(n as usize),
            _ => return ctx.error(MUST_BE_POSITIVE),
        }
    }
    let (key, now) = (ctx.arg(1), ctx.now_ms());
    match op_pop_first(ctx.db(), &[key], count.unwrap_or(1), max, now) {
        Err(e) => ctx.error_op(e),
        Ok(None) => ctx.out.array(0),
        Ok(Some(p)) if p.items.is_empty() => ctx.out.array(0),
        Ok(Some(p)) => {
            ctx.dirty(p.items.len() as u64);
            // Only RESP3 with an explicit count nests the pairs.
            let shape = if count.is_some() && ctx.out.is_resp3() {
                PopShape::Nested
            } else {
                PopShape::Flat
            };
            reply_popped(ctx, shape, key, &p.items, max);
        }
    }
}

/// The layouts of a pop reply (Redis's `genericZpopCommand`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopShape {
    /// `[member, score, ...]`: ZPOPMIN/ZPOPMAX (RESP2, or without count).
    Flat,
    /// `[[member, score], ...]`: ZPOPMIN/ZPOPMAX with a count in RESP3.
    Nested,
    /// `[key, member, score]`: BZPOPMIN/BZPOPMAX.
    FlatWithKey,
    /// `[key, [[member, score], ...]]`: ZMPOP/BZMPOP.
    NestedWithKey,
}

/// Replies the members popped from `key` in `shape` with Redis's events:
/// the `zpopmin`/`zpopmax` event and the modified signal come after the
/// reply's header, before the first member, as Redis writes them; `del`
/// follows the reply when the pop emptied the key. `items` is not empty.
pub fn reply_popped(
    ctx: &mut Ctx,
    shape: PopShape,
    key: &[u8],
    items: &[(Vec<u8>, f64)],
    max: bool,
) {
    let out = &mut ctx.out;
    match shape {
        PopShape::Flat => out.array(items.len() * 2),
        PopShape::Nested => out.array(items.len()),
        PopShape::FlatWithKey => {
            out.array(1 + items.len() * 2);
            out.bulk(key);
        }
        PopShape::NestedWithKey => {
            out.array(2);
            out.bulk(key);
            out.array(items.len());
        }
    }
    ctx.notify(class::ZSET, if max { "zpopmax" } else { "zpopmin" }, key);
    ctx.signal_modified(key);
    let nested = matches!(shape, PopShape::Nested | PopShape::NestedWithKey);
    for (m, s) in items {
        if nested {
            ctx.out.array(2);
        }
        ctx.out.bulk(m);
        ctx.out.double(*s);
    }
    ctx.notify_del_if_gone(key);
}

/// The parsed tail of ZMPOP/BZMPOP: `numkeys key [key ...] MIN|MAX [COUNT count]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpopArgs<'a> {
    /// The keys, in argument order.
    pub keys: Vec<&'a [u8]>,
    /// MAX rather than MIN.
    pub max: bool,
    /// How many members to pop (1 without COUNT).
    pub count: usize,
}

/// Parses the ZMPOP/BZMPOP arguments from `numkeys_at` on, in Redis's order
/// of checks (numkeys, then MIN|MAX, then options), or returns the error.
pub fn parse_mpop<'a>(argv: &[&'a [u8]], numkeys_at: usize) -> Result<MpopArgs<'a>, &'static str> {
    let argc = argv.len();
    let numkeys = match rkv_proto::request::parse_i64(argv[numkeys_at]) {
        Some(n) if n >= 1 => n as usize,
        _ => return Err(NUMKEYS_POSITIVE),
    };
    let where_idx = numkeys_at + 1 + numkeys.min(argc);
    if where_idx >= argc {
        return Err(errors::SYNTAX);
    }
    let max = if argv[where_idx].eq_ignore_ascii_case(b"min") {
        false
    } else if argv[where_idx].eq_ignore_ascii_case(b"max") {
        true
    } else {
        return Err(errors::SYNTAX);
    };
    let mut count = None;
    let mut j = where_idx + 1;
    while j < argc {
        let more = argc - 1 - j;
        if count.is_none() && argv[j].eq_ignore_ascii_case(b"count") && more > 0 {
            j += 1;
            match rkv_proto::request::parse_i64(argv[j]) {
                Some(n) if n >= 1 => count = Some(n as usize),
                _ => return Err(COUNT_POSITIVE),
            }
        } else {
            return Err(errors::SYNTAX);
        }
        j += 1;
    }
    Ok(MpopArgs {
        keys: argv[numkeys_at + 1..where_idx].to_vec(),
        max,
        count: count.unwrap_or(1),
    })
}

/// `ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]`
pub fn zmpop(ctx: &mut Ctx) {
    let args = match parse_mpop(ctx.argv, 1) {
        Ok(args) => args,
        Err(msg) => return ctx.error(msg),
    };
    let now = ctx.now_ms();
    match op_pop_first(ctx.db(), &args.keys, args.count, args.max, now) {
        Err(e) => ctx.error_op(e),
        Ok(None) => ctx.out.null_array(),
        Ok(Some(p)) => {
            ctx.dirty(p.items.len() as u64);
            let key = args.keys[p.key_index];
            reply_popped(ctx, PopShape::NestedWithKey, key, &p.items, args.max);
            // Replays as ZPOPMIN/ZPOPMAX with the count popped (Redis 7.0).
            let name: &[u8] = if args.max { b"ZPOPMAX" } else { b"ZPOPMIN" };
            let n = itoa::Buffer::new()
                .format(p.items.len())
                .as_bytes()
                .to_vec();
            ctx.propagate_as(&[name, key, &n]);
        }
    }
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`
pub fn zrandmember(ctx: &mut Ctx) {
    if ctx.argc() == 2 {
        return with_zset(ctx, ctx.arg(1), |z, out| {
            match z.and_then(|z| z.member_at(random_u64() as usize % z.len())) {
                Some((m, _)) => out.bulk(&m),
                None => out.null(),
            }
        });
    }
    let Some(n) = ctx.i64_or_reply(2) else {
        return;
    };
    if n == i64::MIN {
        return ctx.error(RANDMEMBER_RANGE);
    }
    if ctx.argc() > 4 || (ctx.argc() == 4 && !ctx.arg(3).eq_ignore_ascii_case(b"withscores")) {
        return ctx.syntax_error();
    }
    let withscores = ctx.argc() == 4;
    if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&n) {
        return ctx.error(OUT_OF_RANGE);
    }
    with_zset(ctx, ctx.arg(1), |z, out| {
        let Some(z) = z else {
            return out.array(0);
        };
        let len = z.len();
        let items: Vec<(Vec<u8>, f64)> = if n < 0 {
            (0..n.unsigned_abs())
                .filter_map(|_| z.member_at(random_u64() as usize % len))
                .collect()
        } else if n as u64 >= len as u64 {
            // Redis walks a whole set from its highest score down.
            z.collect_ranks(0, len - 1, true)
        } else {
            distinct_random(z.collect_ranks(0, len - 1, false), n as usize)
        };
        reply_entries(out, &items, withscores);
    });
}

/// `want` distinct entries of `all`, in random order (a partial shuffle).
fn distinct_random<T>(mut all: Vec<T>, want: usize) -> Vec<T> {
    let len = all.len();
    for i in 0..want.min(len) {
        let j = i + random_u64() as usize % (len - i);
        all.swap(i, j);
    }
    all.truncate(want);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;
    use crate::types::zset::ZSetLimits;
    use crate::types::ZSetValue;

    #[test]
    fn pops_from_the_first_existing_key() {
        let mut db = Db::new();
        let mut z = ZSetValue::default();
        for (m, s) in [("a", 1.0), ("b", 2.0), ("c", 3.0)] {
            z.insert(m.as_bytes(), s, ZSetLimits::default());
        }
        db.set(b"z", Value::ZSet(Box::new(z)), false, 0);
        let p = op_pop_first(&mut db, &[b"none", b"z"], 2, true, 0)
            .unwrap()
            .unwrap();
        assert_eq!(p.key_index, 1);
        assert_eq!(p.items, [(b"c".to_vec(), 3.0), (b"b".to_vec(), 2.0)]);
        let p = op_pop_first(&mut db, &[b"z"], 5, false, 0)
            .unwrap()
            .unwrap();
        assert_eq!(p.items, [(b"a".to_vec(), 1.0)]);
        assert!(db.peek(b"z", 0).is_none());
        assert_eq!(op_pop_first(&mut db, &[b"z"], 1, false, 0), Ok(None));
        db.set(b"s", Value::string(b"x"), false, 0);
        assert_eq!(
            op_pop_first(&mut db, &[b"s", b"z"], 1, false, 0),
            Err(OpError::WrongType)
        );
    }

    fn argv(line: &str) -> Vec<&[u8]> {
        line.split(' ').map(str::as_bytes).collect()
    }

    #[test]
    fn mpop_arguments_parse_in_redis_order() {
        let a = argv("BZMPOP 0 2 a b MAX COUNT 3");
        let got = parse_mpop(&a, 2).unwrap();
        assert_eq!(got.keys, [b"a", b"b"]);
        assert!(got.max);
        assert_eq!(got.count, 3);
        let a = argv("ZMPOP 1 k min");
        assert_eq!(
            parse_mpop(&a, 1),
            Ok(MpopArgs {
                keys: vec![b"k".as_slice()],
                max: false,
                count: 1
            })
        );
        for (line, err) in [
            ("ZMPOP 0 k MIN", NUMKEYS_POSITIVE),
            ("ZMPOP x k FOO", NUMKEYS_POSITIVE),
            ("ZMPOP 2 k MIN", errors::SYNTAX),
            ("ZMPOP 9223372036854775807 k MIN", errors::SYNTAX),
            ("ZMPOP 1 k FOO COUNT 0", errors::SYNTAX),
            ("ZMPOP 1 k MIN COUNT 0", COUNT_POSITIVE),
            ("ZMPOP 1 k MIN COUNT", errors::SYNTAX),
            ("ZMPOP 1 k MIN COUNT 1 COUNT 1", errors::SYNTAX),
            ("ZMPOP 1 k MIN FOO", errors::SYNTAX),
        ] {
            assert_eq!(parse_mpop(&argv(line), 1), Err(err), "{line}");
        }
    }

    #[test]
    fn distinct_picks_are_distinct() {
        let mut got = distinct_random((0..50).collect::<Vec<_>>(), 20);
        got.sort_unstable();
        got.dedup();
        assert_eq!(got.len(), 20);
    }
}
