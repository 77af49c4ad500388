//! ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (Redis's
//! `zunionInterDiffGenericCommand`). Plain sets are accepted as inputs, each
//! member with score 1.

use std::collections::HashMap;

use super::common::{limits, reply_entries, reply_stored, store};
use crate::command::Ctx;
use crate::db::Db;
use crate::errors::OpError;
use crate::types::zset::ZSetLimits;
use crate::types::ZSetValue;

/// A weight that does not parse.
const BAD_WEIGHT: &str = "ERR weight value is not a float";
/// ZINTERCARD LIMIT below zero or not a number.
const LIMIT_NEGATIVE: &str = "ERR LIMIT can't be negative";

/// The set operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    /// Members of any input.
    Union,
    /// Members of every input.
    Inter,
    /// Members of the first input only.
    Diff,
}

/// How scores of a member found in several inputs combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Sum (NaN becomes 0).
    Sum,
    /// Smallest.
    Min,
    /// Largest.
    Max,
}

impl Aggregate {
    fn apply(self, acc: f64, v: f64) -> f64 {
        match self {
            Aggregate::Sum => {
                let s = acc + v;
                if s.is_nan() {
                    0.0
                } else {
                    s
                }
            }
            Aggregate::Min => acc.min(v),
            Aggregate::Max => acc.max(v),
        }
    }
}

/// One input, copied out of the keyspace: members in its own order.
type Input = Vec<(Vec<u8>, f64)>;

/// Reads the inputs (sorted sets or sets; missing keys are empty).
fn read_inputs(db: &mut Db, keys: &[&[u8]], now_ms: i64) -> Result<Vec<Input>, OpError> {
    let mut inputs = Vec::with_capacity(keys.len());
    for key in keys {
        let mut items = Vec::new();
        if let Some(e) = db.lookup(key, now_ms) {
            if let Some(z) = e.value.as_zset() {
                z.for_each(|m, s| items.push((m.to_vec(), s)));
            } else if let Some(s) = e.value.as_set() {
                s.for_each(|m| items.push((m.to_vec(), 1.0)));
            } else {
                return Err(OpError::WrongType);
            }
        }
        inputs.push(items);
    }
    Ok(inputs)
}

/// Computes the operation over `inputs` (`weights` one per input) into a
/// sorted set, encoded as Redis leaves a stored result.
pub fn compute(
    op: SetOp,
    mut inputs: Vec<Input>,
    weights: &[f64],
    aggregate: Aggregate,
    limits: ZSetLimits,
) -> ZSetValue {
    let mut out = ZSetValue::with_hint(usize::MAX, usize::MAX, limits);
    let weighted = |score: f64, w: f64| {
        let s = score * w;
        if s.is_nan() {
            0.0
        } else {
            s
        }
    };
    match op {
        SetOp::Union => {
            let mut acc: HashMap<Vec<u8>, f64> = HashMap::new();
            for (input, w) in inputs.into_iter().zip(weights) {
                for (m, s) in input {
                    let s = weighted(s, *w);
                    acc.entry(m)
                        .and_modify(|a| *a = aggregate.apply(*a, s))
                        .or_insert(s);
                }
            }
            for (m, s) in acc {
                out.insert(&m, s, limits);
            }
        }
        SetOp::Inter => {
            let mut order: Vec<usize> = (0..inputs.len()).collect();
            order.sort_by_key(|&i| inputs[i].len());
            let maps: Vec<HashMap<&[u8], f64>> = inputs
                .iter()
                .map(|i| i.iter().map(|(m, s)| (m.as_slice(), *s)).collect())
                .collect();
            let first = order[0];
            'members: for (m, s) in &inputs[first] {
                let mut score = weighted(*s, weights[first]);
                for &j in &order[1..] {
                    match maps[j].get(m.as_slice()) {
                        Some(v) => score = aggregate.apply(score, v * weights[j]),
                        None => continue 'members,
                    }
                }
                out.insert(m, score, limits);
            }
        }
        SetOp::Diff => {
            let first = std::mem::take(&mut inputs[0]);
            let others: Vec<std::collections::HashSet<&[u8]>> = inputs[1..]
                .iter()
                .map(|i| i.iter().map(|(m, _)| m.as_slice()).collect())
                .collect();
            for (m, s) in &first {
                if !others.iter().any(|o| o.contains(m.as_slice())) {
                    out.insert(m, *s, limits);
                }
            }
        }
    }
    out.shrink_if_fits(limits);
    out
}

/// Size of the intersection of `inputs`, stopping at `limit` (0: none).
pub fn intersection_size(inputs: &[Input], limit: usize) -> usize {
    let Some(smallest) = inputs.iter().min_by_key(|i| i.len()) else {
        return 0;
    };
    let maps: Vec<std::collections::HashSet<&[u8]>> = inputs
        .iter()
        .map(|i| i.iter().map(|(m, _)| m.as_slice()).collect())
        .collect();
    let mut n = 0;
    for (m, _) in smallest {
        if maps.iter().all(|s| s.contains(m.as_slice())) {
            n += 1;
            if limit > 0 && n >= limit {
                break;
            }
        }
    }
    n
}

/// Parsed arguments after `numkeys`.
struct Options {
    weights: Vec<f64>,
    aggregate: Aggregate,
    withscores: bool,
    limit: usize,
}

/// Parses `numkeys key... [WEIGHTS w...] [AGGREGATE x] [WITHSCORES]` (or
/// ZINTERCARD's `[LIMIT n]`) from `numkeys_idx`; returns the keys, or
/// `None` after replying an error.
fn parse<'a>(
    ctx: &mut Ctx<'a>,
    numkeys_idx: usize,
    op: SetOp,
    store_to: bool,
    card_only: bool,
) -> Option<(Vec<&'a [u8]>, Options)> {
    let setnum = ctx.i64_or_reply(numkeys_idx)?;
    if setnum < 1 {
        let name = ctx.srv.commands.entry(ctx.cmd_id).full_name.clone();
        ctx.error(&format!(
            "ERR at least 1 input key is needed for '{name}' command"
        ));
        return None;
    }
    if setnum as u64 > (ctx.argc() - numkeys_idx - 1) as u64 {
        ctx.syntax_error();
        return None;
    }
    let setnum = setnum as usize;
    let keys: Vec<&'a [u8]> = ctx.argv[numkeys_idx + 1..numkeys_idx + 1 + setnum].to_vec();
    let mut opts = Options {
        weights: vec![1.0; setnum],
        aggregate: Aggregate::Sum,
        withscores: false,
        limit: 0,
    };
    let mut j = numkeys_idx + 1 + setnum;
    while j < ctx.argc() {
        let remaining = ctx.argc() - j;
        let opt = ctx.arg(j);
        let set_op = op != SetOp::Diff && !card_only;
        if set_op && remaining > setnum && opt.eq_ignore_ascii_case(b"weights") {
            for i in 0..setnum {
                match crate::command::ctx::parse_f64(ctx.arg(j + 1 + i)) {
                    Some(w) => opts.weights[i] = w,
                    None => {
                        ctx.error(BAD_WEIGHT);
                        return None;
                    }
                }
            }
            j += 1 + setnum;
        } else if set_op && remaining >= 2 && opt.eq_ignore_ascii_case(b"aggregate") {
            let a = ctx.arg(j + 1);
            opts.aggregate = if a.eq_ignore_ascii_case(b"sum") {
                Aggregate::Sum
            } else if a.eq_ignore_ascii_case(b"min") {
                Aggregate::Min
            } else if a.eq_ignore_ascii_case(b"max") {
                Aggregate::Max
            } else {
                ctx.syntax_error();
                return None;
            };
            j += 2;
        } else if !store_to && !card_only && opt.eq_ignore_ascii_case(b"withscores") {
            opts.withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && opt.eq_ignore_ascii_case(b"limit") {
            match rkv_proto::request::parse_i64(ctx.arg(j + 1)) {
                Some(n) if n >= 0 => opts.limit = n as usize,
                _ => {
                    ctx.error(LIMIT_NEGATIVE);
                    return None;
                }
            }
            j += 2;
        } else {
            ctx.syntax_error();
            return None;
        }
    }
    Some((keys, opts))
}

/// Reads the inputs, counting keyspace hits and misses like lookupKeyRead.
fn inputs_or_reply(ctx: &mut Ctx, keys: &[&[u8]]) -> Option<Vec<Input>> {
    for key in keys {
        let _ = ctx.lookup_read(key);
    }
    let now = ctx.now_ms();
    match read_inputs(ctx.db(), keys, now) {
        Ok(i) => Some(i),
        Err(e) => {
            ctx.error_op(e);
            None
        }
    }
}

fn generic(ctx: &mut Ctx, op: SetOp, dst: Option<&[u8]>) {
    let numkeys_idx = if dst.is_some() { 2 } else { 1 };
    let Some((keys, opts)) = parse(ctx, numkeys_idx, op, dst.is_some(), false) else {
        return;
    };
    let Some(inputs) = inputs_or_reply(ctx, &keys) else {
        return;
    };
    let limits = limits(ctx);
    let result = compute(op, inputs, &opts.weights, opts.aggregate, limits);
    match dst {
        Some(dst) => {
            let now = ctx.now_ms();
            let (n, changed) = store(ctx.db(), dst, result, now);
            let event = match op {
                SetOp::Union => "zunionstore",
                SetOp::Inter => "zinterstore",
                SetOp::Diff => "zdiffstore",
            };
            reply_stored(ctx, dst, n, changed, event);
        }
        None => {
            let items = result.collect_ranks(0, usize::MAX, false);
            reply_entries(&mut ctx.out, &items, opts.withscores);
        }
    }
}

/// `ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zunion(ctx: &mut Ctx) {
    generic(ctx, SetOp::Union, None);
}

/// `ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`
pub fn zinter(ctx: &mut Ctx) {
    generic(ctx, SetOp::Inter, None);
}

/// `ZDIFF numkeys key [key ...] [WITHSCORES]`
pub fn zdiff(ctx: &mut Ctx) {
    generic(ctx, SetOp::Diff, None);
}

/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...]`
pub fn zunionstore(ctx: &mut Ctx) {
    let dst = ctx.arg(1);
    generic(ctx, SetOp::Union, Some(dst));
}

/// `ZINTERSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE ...]`
pub fn zinterstore(ctx: &mut Ctx) {
    let dst = ctx.arg(1);
    generic(ctx, SetOp::Inter, Some(dst));
}

/// `ZDIFFSTORE destination numkeys key [key ...]`
pub fn zdiffstore(ctx: &mut Ctx) {
    let dst = ctx.arg(1);
    generic(ctx, SetOp::Diff, Some(dst));
}

/// `ZINTERCARD numkeys key [key ...] [LIMIT limit]`
pub fn zintercard(ctx: &mut Ctx) {
    let Some((keys, opts)) = parse(ctx, 1, SetOp::Inter, false, true) else {
        return;
    };
    let Some(inputs) = inputs_or_reply(ctx, &keys) else {
        return;
    };
    ctx.out.int(intersection_size(&inputs, opts.limit) as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(items: &[(&str, f64)]) -> Input {
        items
            .iter()
            .map(|(m, s)| (m.as_bytes().to_vec(), *s))
            .collect()
    }

    #[test]
    fn sets_are_inputs_with_score_one() {
        use crate::db::Value;
        use crate::types::SetValue;
        let mut db = Db::new();
        let mut members = SetValue::default();
        members.add(b"y", 512);
        members.add(b"v", 512);
        db.set(b"s", Value::Set(Box::new(members)), false, 0);
        let mut ints = SetValue::default();
        ints.add(b"7", 512);
        db.set(b"i", Value::Set(Box::new(ints)), false, 0);
        let mut z = ZSetValue::default();
        z.insert(b"y", 5.0, ZSetLimits::default());
        db.set(b"z", Value::ZSet(Box::new(z)), false, 0);
        let inputs = read_inputs(&mut db, &[b"z", b"s", b"i", b"missing"], 0).unwrap();
        let l = ZSetLimits::default();
        let u = compute(SetOp::Union, inputs.clone(), &[1.0; 4], Aggregate::Sum, l);
        assert_eq!(
            u.collect_ranks(0, 9, false),
            [
                (b"7".to_vec(), 1.0),
                (b"v".to_vec(), 1.0),
                (b"y".to_vec(), 6.0)
            ]
        );
        let i = compute(
            SetOp::Inter,
            inputs[..2].to_vec(),
            &[1.0, 2.0],
            Aggregate::Sum,
            l,
        );
        assert_eq!(i.collect_ranks(0, 9, false), [(b"y".to_vec(), 7.0)]);
        db.set(b"str", Value::string(b"x"), false, 0);
        assert_eq!(
            read_inputs(&mut db, &[b"z", b"str"], 0),
            Err(OpError::WrongType)
        );
    }

    #[test]
    fn union_inter_diff() {
        let a = input(&[("x", 1.0), ("y", 2.0)]);
        let b = input(&[("y", 10.0), ("z", 3.0)]);
        let l = ZSetLimits::default();
        let u = compute(
            SetOp::Union,
            vec![a.clone(), b.clone()],
            &[1.0, 2.0],
            Aggregate::Sum,
            l,
        );
        assert_eq!(
            u.collect_ranks(0, 9, false),
            [
                (b"x".to_vec(), 1.0),
                (b"z".to_vec(), 6.0),
                (b"y".to_vec(), 22.0)
            ]
        );
        let i = compute(
            SetOp::Inter,
            vec![a.clone(), b.clone()],
            &[1.0, 1.0],
            Aggregate::Max,
            l,
        );
        assert_eq!(i.collect_ranks(0, 9, false), [(b"y".to_vec(), 10.0)]);
        let d = compute(
            SetOp::Diff,
            vec![a.clone(), b.clone()],
            &[1.0, 1.0],
            Aggregate::Sum,
            l,
        );
        assert_eq!(d.collect_ranks(0, 9, false), [(b"x".to_vec(), 1.0)]);
        assert_eq!(intersection_size(&[a.clone(), b], 0), 1);
        assert_eq!(intersection_size(&[a.clone(), a], 1), 1);
        let inf = input(&[("m", f64::INFINITY)]);
        let ninf = input(&[("m", f64::NEG_INFINITY)]);
        let s = compute(
            SetOp::Union,
            vec![inf, ninf],
            &[1.0, 1.0],
            Aggregate::Sum,
            l,
        );
        assert_eq!(s.score(b"m"), Some(0.0));
    }
}
