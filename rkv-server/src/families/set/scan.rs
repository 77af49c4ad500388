//! SSCAN: an intset is returned whole with cursor 0, a table is walked with
//! the reverse-binary cursor of [`crate::db::dict::Dict::scan`].

use super::handlers::{holds_for_read, stored_set, Holds};
use crate::command::Ctx;
use crate::errors;
use crate::families::generic::scan::parse_cursor;
use crate::glob::glob_match;
use crate::types::SetValue;

/// Redis's default COUNT.
const DEFAULT_COUNT: usize = 10;

/// One SSCAN step as Redis's `scanGenericCommand`: visit buckets until at
/// least `count` members were collected or `10 × count` more buckets were
/// tried, then keep those matching `pattern`. Returns the next cursor.
pub fn scan_step(
    set: &SetValue,
    mut cursor: u64,
    count: usize,
    pattern: Option<&[u8]>,
) -> (u64, Vec<Vec<u8>>) {
    let mut found = Vec::new();
    let mut budget = count.saturating_mul(10);
    loop {
        cursor = set.scan(cursor, |m| found.push(m.to_vec()));
        if cursor == 0 || budget == 0 || found.len() >= count {
            break;
        }
        budget -= 1;
    }
    if let Some(p) = pattern {
        found.retain(|m| glob_match(p, m, false));
    }
    (cursor, found)
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`
pub(super) fn sscan(ctx: &mut Ctx) {
    let Some(cursor) = parse_cursor(ctx.arg(2)) else {
        return ctx.error(errors::INVALID_CURSOR);
    };
    let key = ctx.arg(1);
    match holds_for_read(ctx, key) {
        Holds::Nothing => {
            ctx.out.array(2);
            ctx.out.bulk(b"0");
            return ctx.out.array(0);
        }
        Holds::Other => return ctx.error(errors::WRONGTYPE),
        Holds::Set => {}
    }
    let (mut count, mut pattern) = (DEFAULT_COUNT, None);
    let mut i = 3;
    while i < ctx.argc() {
        let (opt, has_value) = (ctx.arg(i), i + 1 < ctx.argc());
        if opt.eq_ignore_ascii_case(b"count") && has_value {
            let Some(n) = ctx.i64_or_reply(i + 1) else {
                return;
            };
            if n < 1 {
                return ctx.syntax_error();
            }
            count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if opt.eq_ignore_ascii_case(b"match") && has_value {
            let p = ctx.arg(i + 1);
            // Redis treats exactly `*` as no pattern at all.
            pattern = (p != b"*").then_some(p);
        } else {
            return ctx.syntax_error();
        }
        i += 2;
    }
    let now = ctx.now_ms();
    let set = stored_set(&ctx.srv.dbs, ctx.client.db, key, now);
    let (next, members) = scan_step(set, cursor, count, pattern);
    ctx.out.array(2);
    ctx.out.bulk(itoa::Buffer::new().format(next).as_bytes());
    ctx.out.array(members.len());
    for m in &members {
        ctx.out.bulk(m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intsets_come_back_whole_and_filtered() {
        let mut s = SetValue::default();
        for m in ["10", "2", "11"] {
            s.add(m.as_bytes(), 512);
        }
        let (next, got) = scan_step(&s, 0, 1, Some(b"1*"));
        assert_eq!(next, 0);
        assert_eq!(got, vec![b"10".to_vec(), b"11".to_vec()]);
    }

    #[test]
    fn tables_are_walked_to_completion() {
        let mut s = SetValue::default();
        for n in 0..500 {
            s.add(format!("m{n}").as_bytes(), 512);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            let (next, got) = scan_step(&s, cursor, 7, None);
            assert!(got.len() <= 500);
            seen.extend(got);
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 500);
    }
}
