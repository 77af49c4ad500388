//! ZSCAN: a listpack-encoded set is returned whole with cursor 0; a
//! skiplist one is walked through its member table with Redis's
//! reverse-binary cursor, so members present throughout are all returned
//! even while the table grows.

use super::common::with_zset;
use crate::command::Ctx;
use crate::errors;
use crate::families::generic::scan::parse_cursor;
use crate::glob::glob_match;
use crate::types::ZSetValue;

/// One ZSCAN step over `zset`: the next cursor and the (member, score)
/// pairs visited, before MATCH filtering.
pub fn scan_step(zset: &ZSetValue, cursor: u64, count: usize) -> (u64, Vec<(Vec<u8>, f64)>) {
    match zset {
        ZSetValue::Listpack(_) => (0, zset.collect_ranks(0, usize::MAX, false)),
        ZSetValue::Skiplist(s) => {
            let mut items = Vec::new();
            let mut cursor = cursor;
            // Redis counts member and score as two list entries.
            let mut budget = count.saturating_mul(10);
            loop {
                cursor = s.scores.scan(cursor, |m, sc| items.push((m.to_vec(), *sc)));
                if cursor == 0 || budget == 0 || items.len() * 2 >= count {
                    break;
                }
                budget -= 1;
            }
            (cursor, items)
        }
    }
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`
pub fn zscan(ctx: &mut Ctx) {
    let Some(cursor) = parse_cursor(ctx.arg(2)) else {
        return ctx.error(errors::INVALID_CURSOR);
    };
    let mut pattern = None;
    let mut count = 10usize;
    let mut bad: Option<&str> = None;
    let mut i = 3;
    while i < ctx.argc() {
        let (opt, has_value) = (ctx.arg(i), i + 1 < ctx.argc());
        if opt.eq_ignore_ascii_case(b"count") && has_value {
            match rkv_proto::request::parse_i64(ctx.arg(i + 1)) {
                None => bad = bad.or(Some(errors::NOT_INTEGER)),
                Some(n) if n < 1 => bad = bad.or(Some(errors::SYNTAX)),
                Some(n) => count = n as usize,
            }
        } else if opt.eq_ignore_ascii_case(b"match") && has_value {
            let p = ctx.arg(i + 1);
            pattern = (p != b"*").then_some(p);
        } else {
            bad = bad.or(Some(errors::SYNTAX));
        }
        if bad.is_some() {
            break;
        }
        i += 2;
    }
    // Redis checks the key before the options.
    let mut found = None;
    with_zset(ctx, ctx.arg(1), |z, _| {
        found = Some(z.map(|z| scan_step(z, cursor, count)));
    });
    let Some(page) = found else {
        return;
    };
    // A missing key answers an empty page before options are looked at.
    let Some((next, items)) = page else {
        ctx.out.array(2);
        ctx.out.bulk(b"0");
        return ctx.out.array(0);
    };
    if let Some(msg) = bad {
        return ctx.error(msg);
    }
    let kept: Vec<_> = items
        .into_iter()
        .filter(|(m, _)| pattern.is_none_or(|p| glob_match(p, m, false)))
        .collect();
    ctx.out.array(2);
    ctx.out.bulk(next.to_string().as_bytes());
    ctx.out.array(kept.len() * 2);
    for (m, s) in &kept {
        ctx.out.bulk(m);
        ctx.out.bulk(rkv_proto::reply::format_double(*s).as_bytes());
    }
}
