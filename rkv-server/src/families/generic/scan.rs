//! SCAN: cursor-based iteration of the keyspace with Redis's reverse-binary
//! cursor, so that keys present for the whole iteration are returned even
//! while the table grows or shrinks.

use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::db::Db;
use crate::errors;
use crate::glob::glob_match;
use crate::keyspace_events::class;

/// Declarations of SCAN.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "scan",
    arity: -2,
    flags: flags::READONLY,
    acl: acl::KEYSPACE,
    since: "2.8.0",
    summary: "Incrementally iterate the keys space",
    complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    tips: &["nondeterministic_output", "request_policy:special"],
    history: &[("6.0.0", "Added the `TYPE` subcommand.")],
    args: &[
        Arg::new("cursor", ArgKind::Integer),
        Arg {
            token: Some("MATCH"),
            ..Arg::new("pattern", ArgKind::Pattern).optional()
        },
        Arg {
            token: Some("COUNT"),
            ..Arg::new("count", ArgKind::Integer).optional()
        },
        Arg {
            token: Some("TYPE"),
            since: Some("6.0.0"),
            ..Arg::new("type", ArgKind::String).optional()
        },
    ],
    handler: scan,
    ..CommandSpec::BASE
}];

/// Parses a cursor as C's `strtoul` does for Redis's `parseScanCursorOrReply`:
/// optional sign (a negative value wraps), decimal digits, nothing after, no
/// leading space, no overflow. An empty string is cursor 0.
pub fn parse_cursor(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return Some(0);
    }
    let (negative, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: u64 = 0;
    for d in digits {
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if negative { n.wrapping_neg() } else { n })
}

/// The options of one SCAN call.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions<'a> {
    /// MATCH pattern; `None` also for a lone `*`, which matches everything.
    pub pattern: Option<&'a [u8]>,
    /// COUNT: roughly how many keys to visit.
    pub count: usize,
    /// TYPE filter, compared case-insensitively with the type names.
    pub type_name: Option<&'a [u8]>,
}

/// One page of a SCAN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanPage {
    /// Cursor for the next call; 0 when the iteration is complete.
    pub cursor: u64,
    /// The keys of this page.
    pub keys: Vec<Vec<u8>>,
    /// Keyspace hits counted by the TYPE filter's lookups.
    pub hits: u64,
    /// Keyspace misses counted by the TYPE filter's lookups.
    pub misses: u64,
}

/// One SCAN step as Redis's `scanGenericCommand`: visit buckets until at
/// least `count` keys were collected (at most `10 × count` buckets), then
/// filter by pattern, by type, and drop (deleting) the expired keys.
pub fn op_scan(db: &mut Db, mut cursor: u64, opts: &ScanOptions, now_ms: i64) -> ScanPage {
    let count = opts.count.max(1);
    let mut collected: Vec<Vec<u8>> = Vec::new();
    let mut budget = count.saturating_mul(10);
    loop {
        cursor = db.scan(cursor, |k, _| collected.push(k.to_vec()));
        if cursor == 0 || budget == 0 || collected.len() >= count {
            break;
        }
        budget -= 1;
    }
    let mut page = ScanPage {
        cursor,
        ..ScanPage::default()
    };
    for key in collected {
        if let Some(p) = opts.pattern {
            if !glob_match(p, &key, false) {
                continue;
            }
        }
        if let Some(wanted) = opts.type_name {
            db.expire_if_needed(&key, now_ms);
            let name = match db.peek(&key, now_ms) {
                Some(e) => {
                    page.hits += 1;
                    e.value.type_name()
                }
                None => {
                    page.misses += 1;
                    "none"
                }
            };
            if !wanted.eq_ignore_ascii_case(name.as_bytes()) {
                continue;
            }
        }
        if db.expire_if_needed(&key, now_ms) {
            continue;
        }
        page.keys.push(key);
    }
    page
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`
fn scan(ctx: &mut Ctx) {
    let Some(cursor) = parse_cursor(ctx.arg(1)) else {
        return ctx.error(errors::INVALID_CURSOR);
    };
    let mut opts = ScanOptions {
        count: 10,
        ..ScanOptions::default()
    };
    let mut i = 2;
    while i < ctx.argc() {
        let (opt, has_value) = (ctx.arg(i), i + 1 < ctx.argc());
        if opt.eq_ignore_ascii_case(b"count") && has_value {
            let Some(n) = ctx.i64_or_reply(i + 1) else {
                return;
            };
            if n < 1 {
                return ctx.syntax_error();
            }
            opts.count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if opt.eq_ignore_ascii_case(b"match") && has_value {
            let p = ctx.arg(i + 1);
            // Redis treats exactly `*` as no pattern at all.
            opts.pattern = (p != b"*").then_some(p);
        } else if opt.eq_ignore_ascii_case(b"type") && has_value {
            opts.type_name = Some(ctx.arg(i + 1));
        } else {
            return ctx.syntax_error();
        }
        i += 2;
    }
    let now = ctx.now_ms();
    // So that only this scan's expiries are queued for `report_expired`.
    ctx.drain_pending();
    let page = op_scan(ctx.db(), cursor, &opts, now);
    ctx.srv.stats.keyspace_hits += page.hits;
    ctx.srv.stats.keyspace_misses += page.misses;
    report_expired(ctx, opts.type_name.is_some());
    ctx.out.array(2);
    ctx.out.bulk_int(page.cursor as i64);
    ctx.out.array(page.keys.len());
    for k in &page.keys {
        ctx.out.bulk(k);
    }
}

/// Publishes, before the reply, the `expired` event of each key the scan
/// found expired; with a TYPE filter each also missed a read lookup, so its
/// `keymiss` follows its `expired` as in Redis.
fn report_expired(ctx: &mut Ctx, type_filter: bool) {
    let wants_misses = ctx.srv.config.notify_keyspace_events & class::KEY_MISS != 0;
    if !(type_filter && wants_misses) {
        return ctx.drain_pending();
    }
    let expired = std::mem::take(&mut ctx.db().expired_pending);
    for key in expired {
        ctx.db().expired_pending.push(key.clone());
        ctx.drain_pending();
        ctx.notify(class::KEY_MISS, "keymiss", &key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;
    use std::collections::HashSet;

    #[test]
    fn cursor_parsing_follows_strtoul() {
        assert_eq!(parse_cursor(b"0"), Some(0));
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"+7"), Some(7));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"18446744073709551616"), None);
        for bad in [&b" 1"[..], b"1 ", b"abc", b"1a", b"-", b"+", b"- 1"] {
            assert_eq!(parse_cursor(bad), None, "{bad:?}");
        }
    }

    fn scan_all(db: &mut Db, opts: &ScanOptions, now: i64) -> Vec<Vec<u8>> {
        let mut seen = Vec::new();
        let mut cursor = 0;
        loop {
            let page = op_scan(db, cursor, opts, now);
            seen.extend(page.keys);
            cursor = page.cursor;
            if cursor == 0 {
                return seen;
            }
        }
    }

    #[test]
    fn scan_returns_every_key_while_the_table_grows() {
        let mut db = Db::new();
        for i in 0..1000 {
            db.set(
                format!("orig:{i}").as_bytes(),
                Value::string(b"v"),
                false,
                0,
            );
        }
        let opts = ScanOptions {
            count: 7,
            ..ScanOptions::default()
        };
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut added = 0;
        loop {
            let page = op_scan(&mut db, cursor, &opts, 0);
            seen.extend(page.keys);
            // Grow the table between calls, forcing rehashes mid-iteration.
            for _ in 0..40 {
                db.set(
                    format!("new:{added}").as_bytes(),
                    Value::string(b"v"),
                    false,
                    0,
                );
                added += 1;
            }
            cursor = page.cursor;
            if cursor == 0 {
                break;
            }
        }
        for i in 0..1000 {
            assert!(
                seen.contains(format!("orig:{i}").as_bytes()),
                "missed orig:{i}"
            );
        }
    }

    #[test]
    fn scan_returns_every_key_while_the_table_shrinks() {
        let mut db = Db::new();
        for i in 0..300 {
            db.set(
                format!("stay:{i}").as_bytes(),
                Value::string(b"v"),
                false,
                0,
            );
        }
        for i in 0..3000 {
            db.set(
                format!("temp:{i}").as_bytes(),
                Value::string(b"v"),
                false,
                0,
            );
        }
        let buckets_before = db.bucket_count();
        let opts = ScanOptions {
            count: 13,
            ..ScanOptions::default()
        };
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut removed = 0;
        loop {
            let page = op_scan(&mut db, cursor, &opts, 0);
            seen.extend(page.keys);
            // Delete the temporary keys as the scan goes, letting the table
            // shrink and rehash under the cursor.
            for _ in 0..100 {
                if removed < 3000 {
                    db.remove(format!("temp:{removed}").as_bytes());
                    removed += 1;
                }
            }
            db.shrink_if_needed();
            db.rehash_for(std::time::Duration::from_micros(50));
            cursor = page.cursor;
            if cursor == 0 {
                break;
            }
        }
        assert!(db.bucket_count() < buckets_before, "the table shrank");
        for i in 0..300 {
            assert!(
                seen.contains(format!("stay:{i}").as_bytes()),
                "missed stay:{i}"
            );
        }
    }

    #[test]
    fn scan_filters_pattern_type_and_expired() {
        let mut db = Db::new();
        for k in ["a1", "a2", "b1", "gone"] {
            db.set(k.as_bytes(), Value::string(b"v"), false, 0);
        }
        db.set_expire(b"gone", 10);
        let all = ScanOptions {
            count: 100,
            ..ScanOptions::default()
        };
        let mut keys = scan_all(&mut db, &all, 100);
        keys.sort();
        assert_eq!(keys, vec![b"a1".to_vec(), b"a2".to_vec(), b"b1".to_vec()]);
        assert_eq!(db.len(), 3, "the expired key was deleted");
        let a = ScanOptions {
            pattern: Some(b"a*"),
            count: 100,
            ..ScanOptions::default()
        };
        assert_eq!(scan_all(&mut db, &a, 100).len(), 2);
        let strings = ScanOptions {
            type_name: Some(b"STRING"),
            count: 100,
            ..ScanOptions::default()
        };
        assert_eq!(scan_all(&mut db, &strings, 100).len(), 3);
        let lists = ScanOptions {
            type_name: Some(b"list"),
            count: 100,
            ..ScanOptions::default()
        };
        assert!(scan_all(&mut db, &lists, 100).is_empty());
    }
}
