//! HRANDFIELD, following Redis 7.0's strategies: a negative count samples
//! with repetition; a count covering the hash returns it whole; a count
//! close to the size copies the hash and drops random fields; a small
//! count picks random fields until enough distinct ones were found.

use std::cell::Cell;
use std::collections::HashSet;

use rkv_proto::ReplyWriter;

use super::access::read_hash;
use crate::command::Ctx;
use crate::errors;
use crate::types::HashValue;

/// Redis's `HRANDFIELD_SUB_STRATEGY_MUL`: below `count × 3` fields, copying
/// the hash and removing fields beats picking distinct ones.
const SUB_STRATEGY_MUL: usize = 3;
/// Out-of-range count with WITHVALUES.
const COUNT_OUT_OF_RANGE: &str = "ERR value is out of range";

thread_local! {
    static RNG: Cell<u64> = Cell::new(seed());
}

/// A per-thread seed from the standard library's random hasher keys.
fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x5eed);
    h.finish()
}

/// A random index below `n` (wyrand; `n` must be non-zero).
fn random_below(n: usize) -> usize {
    let r = RNG.with(|state| {
        let s = state.get().wrapping_add(0xa076_1d64_78bd_642f);
        state.set(s);
        let wide = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
        ((wide >> 64) ^ wide) as u64
    });
    (r % n as u64) as usize
}

/// How HRANDFIELD replies for a given count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// `count` picks with repetition (negative count, or exactly 1).
    WithRepetition(u64),
    /// The whole hash (count ≥ size).
    Whole,
    /// Copy the hash and remove random fields until `count` are left.
    DropFromCopy(usize),
    /// Pick random fields until `count` distinct ones were found.
    PickDistinct(usize),
}

/// Redis's choice of strategy for `count` (non-zero) on a hash of `size`.
pub fn strategy(count: i64, size: usize) -> Strategy {
    let n = count.unsigned_abs();
    if count < 0 || n == 1 {
        return Strategy::WithRepetition(n);
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if n >= size {
        Strategy::Whole
    } else if n.saturating_mul(SUB_STRATEGY_MUL) > size {
        Strategy::DropFromCopy(n)
    } else {
        Strategy::PickDistinct(n)
    }
}

/// Writes one field (and its value) of an HRANDFIELD reply.
fn reply_pair(out: &mut ReplyWriter, k: &[u8], v: &[u8], with_values: bool) {
    if with_values && out.is_resp3() {
        out.array(2);
    }
    out.bulk(k);
    if with_values {
        out.bulk(v);
    }
}

/// Writes the reply's header for `n` fields.
fn reply_header(out: &mut ReplyWriter, n: usize, with_values: bool) {
    if with_values && !out.is_resp3() {
        out.array(n * 2);
    } else {
        out.array(n);
    }
}

/// Distinct random pairs, `count < len` of them.
fn distinct_pairs(hash: &HashValue, count: usize) -> Vec<(&[u8], &[u8])> {
    match hash {
        HashValue::Listpack(_) => {
            // Selection sampling: one pass, each field kept with the
            // probability that leaves exactly `count`, in listpack order.
            let pairs = hash.pairs();
            let mut chosen = Vec::with_capacity(count);
            for (i, p) in pairs.iter().enumerate() {
                let remaining = pairs.len() - i;
                if random_below(remaining) < count - chosen.len() {
                    chosen.push(*p);
                }
            }
            chosen
        }
        HashValue::Table(_) => {
            let mut seen = HashSet::with_capacity(count);
            let mut chosen = Vec::with_capacity(count);
            while chosen.len() < count {
                if let Some((k, v)) = hash.random_pair(&mut random_below) {
                    if seen.insert(k) {
                        chosen.push((k, v));
                    }
                }
            }
            chosen
        }
    }
}

/// Writes the reply for a non-zero `count` on `hash`.
fn reply_with_count(hash: &HashValue, count: i64, with_values: bool, out: &mut ReplyWriter) {
    match strategy(count, hash.len()) {
        Strategy::WithRepetition(n) => {
            reply_header(out, usize::try_from(n).unwrap_or(usize::MAX), with_values);
            for _ in 0..n {
                if let Some((k, v)) = hash.random_pair(&mut random_below) {
                    reply_pair(out, k, v, with_values);
                }
            }
        }
        Strategy::Whole => {
            reply_header(out, hash.len(), with_values);
            hash.for_each(|k, v| reply_pair(out, k, v, with_values));
        }
        Strategy::DropFromCopy(n) => {
            let mut pairs = hash.pairs();
            while pairs.len() > n {
                pairs.swap_remove(random_below(pairs.len()));
            }
            reply_header(out, n, with_values);
            for (k, v) in pairs {
                reply_pair(out, k, v, with_values);
            }
        }
        Strategy::PickDistinct(n) => {
            reply_header(out, n, with_values);
            for (k, v) in distinct_pairs(hash, n) {
                reply_pair(out, k, v, with_values);
            }
        }
    }
}

/// Parses HRANDFIELD's count as `getRangeLongFromObjectOrReply` with
/// bounds ±`LONG_MAX`.
fn parse_count(ctx: &mut Ctx) -> Option<i64> {
    let n = ctx.i64_or_reply(2)?;
    if n == i64::MIN {
        ctx.error(&format!(
            "ERR value is out of range, value must between {} and {}",
            -i64::MAX,
            i64::MAX
        ));
        return None;
    }
    Some(n)
}

/// `HRANDFIELD key [count [WITHVALUES]]`
pub(super) fn hrandfield(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    if ctx.argc() == 2 {
        return read_hash(
            ctx,
            key,
            |out| out.null(),
            |h, out| match h.random_pair(&mut random_below) {
                Some((k, _)) => out.bulk(k),
                None => out.null(),
            },
        );
    }
    let Some(count) = parse_count(ctx) else {
        return;
    };
    let with_values = match ctx.argc() {
        3 => false,
        4 if ctx.arg(3).eq_ignore_ascii_case(b"withvalues") => true,
        _ => return ctx.error(errors::SYNTAX),
    };
    if with_values && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return ctx.error(COUNT_OUT_OF_RANGE);
    }
    read_hash(
        ctx,
        key,
        |out| out.array(0),
        |h, out| {
            if count == 0 {
                out.array(0);
            } else {
                reply_with_count(h, count, with_values, out);
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::hash::HashLimits;

    fn hash_of(n: usize) -> HashValue {
        let mut h = HashValue::default();
        for i in 0..n {
            h.set(format!("f{i}").as_bytes(), b"v", HashLimits::default());
        }
        h
    }

    #[test]
    fn strategies_follow_redis() {
        assert_eq!(strategy(-5, 3), Strategy::WithRepetition(5));
        assert_eq!(strategy(1, 10), Strategy::WithRepetition(1));
        assert_eq!(strategy(10, 10), Strategy::Whole);
        assert_eq!(strategy(20, 10), Strategy::Whole);
        assert_eq!(strategy(4, 10), Strategy::DropFromCopy(4));
        assert_eq!(strategy(3, 10), Strategy::PickDistinct(3));
        assert_eq!(
            strategy(-i64::MAX, 1),
            Strategy::WithRepetition(i64::MAX as u64)
        );
    }

    #[test]
    fn distinct_picks_are_distinct_members() {
        for h in [hash_of(100), hash_of(1000)] {
            for n in [1, 5, 30] {
                let picks = distinct_pairs(&h, n);
                assert_eq!(picks.len(), n);
                let fields: HashSet<_> = picks.iter().map(|(k, _)| *k).collect();
                assert_eq!(fields.len(), n);
                assert!(fields.iter().all(|f| h.contains(f)));
            }
        }
    }

    #[test]
    fn random_below_stays_in_range() {
        for n in 1..50 {
            assert!(random_below(n) < n);
        }
    }
}
