//! Handlers of the non-blocking list commands, over pure `op_…` functions
//! on a [`Db`] that the unit tests drive directly.

use super::args::{parse_end, resolve_index, resolve_range};
use crate::command::Ctx;
use crate::db::{Db, SmallBytes, Value};
use crate::errors::{self, OpError};
use crate::keyspace_events::class;
use crate::types::list::{End, ListValue};

/// LPOP/RPOP with a negative count.
use crate::errors::MUST_BE_POSITIVE;
/// LPOS RANK 0.
const RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
/// LSET past the end.
const INDEX_OUT_OF_RANGE: &str = "ERR index out of range";
/// LMPOP/BLMPOP numkeys below 1.
pub(super) const NUMKEYS: &str = "ERR numkeys should be greater than 0";
/// LMPOP/BLMPOP COUNT below 1.
pub(super) const COUNT_POSITIVE: &str = "ERR count should be greater than 0";

/// The list under `key`, if any; `WrongType` when it holds another type.
pub(super) fn list_mut<'a>(
    db: &'a mut Db,
    key: &[u8],
    now_ms: i64,
) -> Result<Option<&'a mut ListValue>, OpError> {
    match db.lookup(key, now_ms) {
        None => Ok(None),
        Some(e) => e.value.as_list_mut().map(Some).ok_or(OpError::WrongType),
    }
}

/// Deletes `key` if its list became empty (Redis keeps no empty lists).
pub(super) fn drop_if_empty(db: &mut Db, key: &[u8], now_ms: i64) {
    if matches!(list_mut(db, key, now_ms), Ok(Some(l)) if l.is_empty()) {
        db.remove(key);
    }
}

/// Pushes `elems` at `end`, creating the list unless `only_existing`;
/// returns the new length (0 when the key is missing and `only_existing`).
pub fn op_push(
    db: &mut Db,
    key: &[u8],
    elems: &[&[u8]],
    end: End,
    only_existing: bool,
    now_ms: i64,
) -> Result<usize, OpError> {
    if let Some(list) = list_mut(db, key, now_ms)? {
        for e in elems {
            list.push(end, e);
        }
        return Ok(list.len());
    }
    if only_existing {
        return Ok(0);
    }
    let mut list = ListValue::new();
    for e in elems {
        list.push(end, e);
    }
    let len = list.len();
    db.set(key, Value::List(Box::new(list)), false, now_ms);
    Ok(len)
}

/// Pops up to `count` elements from `end`; `None` when the key is missing.
pub fn op_pop(
    db: &mut Db,
    key: &[u8],
    end: End,
    count: usize,
    now_ms: i64,
) -> Result<Option<Vec<SmallBytes>>, OpError> {
    let Some(list) = list_mut(db, key, now_ms)? else {
        return Ok(None);
    };
    let n = count.min(list.len());
    let popped: Vec<SmallBytes> = (0..n).filter_map(|_| list.pop(end)).collect();
    if list.is_empty() {
        db.remove(key);
    }
    Ok(Some(popped))
}

/// Pops one element from `end` (LPOP/RPOP without a count, without the
/// vector [`op_pop`] builds); `None` when the key is missing.
pub fn op_pop_one(
    db: &mut Db,
    key: &[u8],
    end: End,
    now_ms: i64,
) -> Result<Option<SmallBytes>, OpError> {
    let Some(list) = list_mut(db, key, now_ms)? else {
        return Ok(None);
    };
    let popped = list.pop(end);
    if list.is_empty() {
        db.remove(key);
    }
    Ok(popped)
}

/// LMOVE: pops from `src` at `from` and pushes onto `dst` at `to`;
/// `None` when `src` is missing. Both keys are type-checked before anything
/// moves.
pub fn op_move(
    db: &mut Db,
    src: &[u8],
    dst: &[u8],
    from: End,
    to: End,
    now_ms: i64,
) -> Result<Option<SmallBytes>, OpError> {
    if list_mut(db, src, now_ms)?.is_none() {
        return Ok(None);
    }
    list_mut(db, dst, now_ms)?;
    let Some(value) = list_mut(db, src, now_ms)?.and_then(|l| l.pop(from)) else {
        return Ok(None);
    };
    match list_mut(db, dst, now_ms)? {
        Some(list) => list.push_item(to, value.clone()),
        None => {
            let mut list = ListValue::new();
            list.push_item(to, value.clone());
            db.set(dst, Value::List(Box::new(list)), false, now_ms);
        }
    }
    drop_if_empty(db, src, now_ms);
    Ok(Some(value))
}

/// The event of a pop or push at `end`.
pub(super) fn pop_event(end: End) -> &'static str {
    match end {
        End::Head => "lpop",
        End::Tail => "rpop",
    }
}

/// The event of a push at `end`.
pub(super) fn push_event(end: End) -> &'static str {
    match end {
        End::Head => "lpush",
        End::Tail => "rpush",
    }
}

/// Writes popped elements as an array.
pub(super) fn reply_elements(ctx: &mut Ctx, items: &[SmallBytes]) {
    ctx.out.array(items.len());
    for v in items {
        ctx.out.bulk(v);
    }
}

/// LPUSH / RPUSH / LPUSHX / RPUSHX.
fn push_generic(ctx: &mut Ctx, end: End, only_existing: bool) {
    let key = ctx.arg(1);
    let elems = &ctx.argv[2..];
    let now = ctx.now_ms();
    match op_push(ctx.db(), key, elems, end, only_existing, now) {
        Ok(len) => {
            // A created key's `new` event precedes the reply, as in Redis.
            ctx.drain_pending();
            ctx.out.int(len as i64);
            if len > 0 {
                ctx.dirty(elems.len() as u64);
                ctx.signal_modified(key);
                ctx.notify(class::LIST, push_event(end), key);
            }
        }
        Err(e) => ctx.error_op(e),
    }
}

/// LPUSH key element [element ...]
pub fn lpush(ctx: &mut Ctx) {
    push_generic(ctx, End::Head, false);
}

/// RPUSH key element [element ...]
pub fn rpush(ctx: &mut Ctx) {
    push_generic(ctx, End::Tail, false);
}

/// LPUSHX key element [element ...]
pub fn lpushx(ctx: &mut Ctx) {
    push_generic(ctx, End::Head, true);
}

/// RPUSHX key element [element ...]
pub fn rpushx(ctx: &mut Ctx) {
    push_generic(ctx, End::Tail, true);
}

/// LPOP / RPOP key [count].
fn pop_generic(ctx: &mut Ctx, end: End) {
    if ctx.argc() > 3 {
        ctx.wrong_arity();
        return;
    }
    let count = if ctx.argc() == 3 {
        // Redis gives the same error for a non-number and a negative count.
        match rkv_proto::request::parse_i64(ctx.arg(2)) {
            Some(n) if n >= 0 => Some(n as usize),
            _ => return ctx.error(MUST_BE_POSITIVE),
        }
    } else {
        None
    };
    let key = ctx.arg(1);
    let now = ctx.now_ms();
    let Some(count) = count else {
        match op_pop_one(ctx.db(), key, end, now) {
            Err(e) => ctx.error_op(e),
            Ok(None) => ctx.out.null(),
            Ok(Some(v)) => {
                ctx.dirty(1);
                ctx.out.bulk(&v);
                ctx.notify_removal(class::LIST, pop_event(end), key);
            }
        }
        return;
    };
    match op_pop(ctx.db(), key, end, count, now) {
        Err(e) => ctx.error_op(e),
        Ok(None) => ctx.out.null_array(),
        Ok(Some(items)) if items.is_empty() => ctx.out.array(0),
        Ok(Some(items)) => {
            ctx.dirty(items.len() as u64);
            reply_elements(ctx, &items);
            ctx.notify_removal(class::LIST, pop_event(end), key);
        }
    }
}

/// LPOP key [count]
pub fn lpop(ctx: &mut Ctx) {
    pop_generic(ctx, End::Head);
}

/// RPOP key [count]
pub fn rpop(ctx: &mut Ctx) {
    pop_generic(ctx, End::Tail);
}

/// Runs `f` on the list under `key` looked up for reading (counting a hit
/// or miss), with the reply writer; replies `missing` when there is no key
/// and WRONGTYPE when it is not a list.
fn with_list_read(
    ctx: &mut Ctx,
    key: &[u8],
    missing: fn(&mut rkv_proto::ReplyWriter<'_>),
    f: impl FnOnce(&ListValue, &mut rkv_proto::ReplyWriter<'_>),
) {
    let wrong_type = {
        let (entry, out) = ctx.lookup_read_and_reply(key);
        match entry {
            None => {
                missing(out);
                false
            }
            Some(e) => match e.value.as_list() {
                Some(list) => {
                    f(list, out);
                    false
                }
                None => true,
            },
        }
    };
    if wrong_type {
        ctx.error(errors::WRONGTYPE);
    }
}

/// LLEN key
pub fn llen(ctx: &mut Ctx) {
    with_list_read(ctx, ctx.arg(1), |o| o.int(0), |l, o| o.int(l.len() as i64));
}

/// LRANGE key start stop
pub fn lrange(ctx: &mut Ctx) {
    let Some(start) = ctx.i64_or_reply(2) else {
        return;
    };
    let Some(stop) = ctx.i64_or_reply(3) else {
        return;
    };
    with_list_read(
        ctx,
        ctx.arg(1),
        |o| o.array(0),
        |l, o| match resolve_range(start, stop, l.len()) {
            None => o.array(0),
            Some((a, b)) => {
                o.array(b - a + 1);
                for v in l.range(a, b) {
                    o.bulk(v);
                }
            }
        },
    );
}

/// LINDEX key index
pub fn lindex(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    // Redis looks the key up before parsing the index.
    let exists_as_list = {
        let (entry, _) = ctx.lookup_read_and_reply(key);
        entry.map(|e| e.value.as_list().is_some())
    };
    match exists_as_list {
        None => return ctx.out.null(),
        Some(false) => return ctx.error(errors::WRONGTYPE),
        Some(true) => {}
    }
    let Some(index) = ctx.i64_or_reply(2) else {
        return;
    };
    let now = ctx.now_ms();
    let db = &mut ctx.srv.dbs[ctx.client.db];
    let item = db
        .peek(key, now)
        .and_then(|e| e.value.as_list())
        .and_then(|l| resolve_index(index, l.len()).and_then(|i| l.get(i)));
    ctx.out.bulk_opt(item);
}

/// LSET key index element
pub fn lset(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let now = ctx.now_ms();
    match list_mut(ctx.db(), key, now) {
        Err(e) => return ctx.error_op(e),
        Ok(None) => return ctx.error(errors::NO_SUCH_KEY),
        Ok(Some(_)) => {}
    }
    let Some(index) = ctx.i64_or_reply(2) else {
        return;
    };
    let value = ctx.arg(3);
    let set = match list_mut(ctx.db(), key, now) {
        Ok(Some(l)) => resolve_index(index, l.len()).is_some_and(|i| l.set(i, value)),
        _ => false,
    };
    if set {
        ctx.dirty(1);
        ctx.out.ok();
        ctx.signal_modified(key);
        ctx.notify(class::LIST, "lset", key);
    } else {
        ctx.error(INDEX_OUT_OF_RANGE);
    }
}

/// LINSERT key BEFORE|AFTER pivot element
pub fn linsert(ctx: &mut Ctx) {
    let after = if ctx.arg(2).eq_ignore_ascii_case(b"after") {
        true
    } else if ctx.arg(2).eq_ignore_ascii_case(b"before") {
        false
    } else {
        return ctx.syntax_error();
    };
    let (key, pivot, value) = (ctx.arg(1), ctx.arg(3), ctx.arg(4));
    let now = ctx.now_ms();
    let inserted = match list_mut(ctx.db(), key, now) {
        Err(e) => return ctx.error_op(e),
        Ok(None) => return ctx.out.int(0),
        Ok(Some(list)) => {
            let at = list.iter().position(|e| e == pivot);
            at.map(|i| {
                list.insert(if after { i + 1 } else { i }, value);
                list.len()
            })
        }
    };
    match inserted {
        None => ctx.out.int(-1),
        Some(len) => {
            ctx.dirty(1);
            ctx.signal_modified(key);
            ctx.notify(class::LIST, "linsert", key);
            ctx.out.int(len as i64);
        }
    }
}

/// LREM key count element
pub fn lrem(ctx: &mut Ctx) {
    let Some(count) = ctx.i64_or_reply(2) else {
        return;
    };
    let (key, value) = (ctx.arg(1), ctx.arg(3));
    let now = ctx.now_ms();
    let db = ctx.db();
    let removed = match list_mut(db, key, now) {
        Err(e) => return ctx.error_op(e),
        Ok(None) => 0,
        Ok(Some(list)) => {
            let from = if count < 0 { End::Tail } else { End::Head };
            let limit = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
            list.remove_matching(value, limit, from)
        }
    };
    drop_if_empty(db, key, now);
    if removed > 0 {
        ctx.dirty(removed as u64);
        ctx.signal_modified(key);
        ctx.notify(class::LIST, "lrem", key);
        ctx.notify_del_if_gone(key);
    }
    ctx.out.int(removed as i64);
}

/// LTRIM key start stop
pub fn ltrim(ctx: &mut Ctx) {
    let Some(start) = ctx.i64_or_reply(2) else {
        return;
    };
    let Some(stop) = ctx.i64_or_reply(3) else {
        return;
    };
    let key = ctx.arg(1);
    let now = ctx.now_ms();
    let db = ctx.db();
    match list_mut(db, key, now) {
        Err(e) => return ctx.error_op(e),
        Ok(None) => {}
        Ok(Some(list)) => {
            let before = list.len();
            match resolve_range(start, stop, before) {
                Some((a, b)) => list.retain_range(a, b),
                None => list.retain_range(1, 0),
            }
            let removed = before - list.len();
            drop_if_empty(db, key, now);
            ctx.dirty(removed as u64);
            ctx.notify_removal(class::LIST, "ltrim", key);
        }
    }
    ctx.out.ok();
}

/// LPOS options after parsing.
struct LposOptions {
    rank: i64,
    count: Option<usize>,
    maxlen: usize,
}

/// Parses the LPOS options, replying with Redis's error on failure.
fn lpos_options(ctx: &mut Ctx) -> Option<LposOptions> {
    let mut o = LposOptions {
        rank: 1,
        count: None,
        maxlen: 0,
    };
    let mut j = 3;
    while j < ctx.argc() {
        let opt = ctx.arg(j);
        let more = j + 1 < ctx.argc();
        if opt.eq_ignore_ascii_case(b"rank") && more {
            j += 1;
            let rank = ctx.i64_or_reply(j)?;
            if rank == 0 {
                ctx.error(RANK_ZERO);
                return None;
            }
            o.rank = rank;
        } else if opt.eq_ignore_ascii_case(b"count") && more {
            j += 1;
            o.count = Some(non_negative(ctx, j, "ERR COUNT can't be negative")?);
        } else if opt.eq_ignore_ascii_case(b"maxlen") && more {
            j += 1;
            o.maxlen = non_negative(ctx, j, "ERR MAXLEN can't be negative")?;
        } else {
            ctx.syntax_error();
            return None;
        }
        j += 1;
    }
    Some(o)
}

/// Argument `i` as a non-negative integer, or `msg` (also for non-numbers).
fn non_negative(ctx: &mut Ctx, i: usize, msg: &str) -> Option<usize> {
    match rkv_proto::request::parse_i64(ctx.arg(i)) {
        Some(n) if n >= 0 => Some(n as usize),
        _ => {
            ctx.error(msg);
            None
        }
    }
}

/// Indexes of the matches LPOS reports: from the head for a positive rank,
/// from the tail for a negative one, skipping `|rank| - 1` matches, at most
/// `limit` of them (0 = all), looking at no more than `maxlen` elements.
pub fn op_lpos(
    list: &ListValue,
    elem: &[u8],
    rank: i64,
    limit: usize,
    maxlen: usize,
) -> Vec<usize> {
    let len = list.len();
    // Redis negates the rank in a C long: i64::MIN stays negative there,
    // so every match counts (nothing is skipped).
    let skip = if rank == i64::MIN {
        0
    } else {
        (rank.unsigned_abs() - 1) as usize
    };
    let scan = if maxlen == 0 { len } else { maxlen.min(len) };
    let mut found = Vec::new();
    let mut matches = 0usize;
    for n in 0..scan {
        let i = if rank > 0 { n } else { len - 1 - n };
        if list.get(i) == Some(elem) {
            matches += 1;
            if matches > skip {
                found.push(i);
                if limit != 0 && found.len() >= limit {
                    break;
                }
            }
        }
    }
    found
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
pub fn lpos(ctx: &mut Ctx) {
    let Some(o) = lpos_options(ctx) else {
        return;
    };
    let elem = ctx.arg(2);
    let missing: fn(&mut rkv_proto::ReplyWriter<'_>) = if o.count.is_some() {
        |out| out.array(0)
    } else {
        |out| out.null()
    };
    with_list_read(ctx, ctx.arg(1), missing, |l, out| match o.count {
        Some(c) => {
            let found = op_lpos(l, elem, o.rank, c, o.maxlen);
            out.array(found.len());
            for i in found {
                out.int(i as i64);
            }
        }
        None => match op_lpos(l, elem, o.rank, 1, o.maxlen).first() {
            Some(i) => out.int(*i as i64),
            None => out.null(),
        },
    });
}

/// LMOVE / RPOPLPUSH after parsing.
pub(super) fn move_generic(ctx: &mut Ctx, from: End, to: End) {
    let (src, dst) = (ctx.arg(1), ctx.arg(2));
    let now = ctx.now_ms();
    match op_move(ctx.db(), src, dst, from, to, now) {
        Err(e) => ctx.error_op(e),
        Ok(None) => ctx.out.null(),
        Ok(Some(v)) => {
            ctx.dirty(1);
            moved_events(ctx, src, dst, from, to, &v);
            ctx.signal_modified(src);
        }
    }
}

/// What LMOVE reports once `value` moved, in Redis's order (also for a
/// served BLMOVE): the destination's signal and push event, the reply, then
/// the source's pop event and its `del` if emptied. LMOVE then signals the
/// source; a served BLMOVE does not (the push that woke it did).
pub(super) fn moved_events(
    ctx: &mut Ctx,
    src: &[u8],
    dst: &[u8],
    from: End,
    to: End,
    value: &[u8],
) {
    ctx.signal_modified(dst);
    ctx.notify(class::LIST, push_event(to), dst);
    ctx.out.bulk(value);
    ctx.notify(class::LIST, pop_event(from), src);
    ctx.notify_del_if_gone(src);
}

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
pub fn lmove(ctx: &mut Ctx) {
    let (Some(from), Some(to)) = (parse_end(ctx.arg(3)), parse_end(ctx.arg(4))) else {
        return ctx.syntax_error();
    };
    move_generic(ctx, from, to);
}

/// RPOPLPUSH source destination
pub fn rpoplpush(ctx: &mut Ctx) {
    move_generic(ctx, End::Tail, End::Head);
}

/// LMPOP/BLMPOP arguments from `numkeys` at `at`: the keys, the end and
/// the count; replies with Redis's error when they do not parse.
pub(super) fn mpop_args<'a>(ctx: &mut Ctx<'a>, at: usize) -> Option<(Vec<&'a [u8]>, End, usize)> {
    let numkeys = match rkv_proto::request::parse_i64(ctx.arg(at)) {
        Some(n) if n > 0 => n as usize,
        _ => {
            ctx.error(NUMKEYS);
            return None;
        }
    };
    let where_at = at.saturating_add(numkeys).saturating_add(1);
    if where_at >= ctx.argc() {
        ctx.syntax_error();
        return None;
    }
    let Some(end) = parse_end(ctx.arg(where_at)) else {
        ctx.syntax_error();
        return None;
    };
    let mut count = None;
    let mut j = where_at + 1;
    while j < ctx.argc() {
        if count.is_none() && ctx.arg(j).eq_ignore_ascii_case(b"count") && j + 1 < ctx.argc() {
            j += 1;
            match rkv_proto::request::parse_i64(ctx.arg(j)) {
                Some(n) if n > 0 => count = Some(n as usize),
                _ => {
                    ctx.error(COUNT_POSITIVE);
                    return None;
                }
            }
        } else {
            ctx.syntax_error();
            return None;
        }
        j += 1;
    }
    Some((ctx.argv[at + 1..where_at].to_vec(), end, count.unwrap_or(1)))
}

/// Pops up to `count` from the first non-empty list among `keys` and
/// replies `[key, [elements]]`; false when every key is missing (nothing
/// replied). Replies WRONGTYPE (and returns true) at a non-list key.
pub(super) fn mpop_first(ctx: &mut Ctx, keys: &[&[u8]], end: End, count: usize) -> bool {
    let now = ctx.now_ms();
    for key in keys {
        match op_pop(ctx.db(), key, end, count, now) {
            Err(e) => {
                ctx.error_op(e);
                return true;
            }
            Ok(None) => {}
            Ok(Some(items)) => {
                ctx.dirty(items.len() as u64);
                ctx.out.array(2);
                ctx.out.bulk(key);
                reply_elements(ctx, &items);
                ctx.notify_removal(class::LIST, pop_event(end), key);
                propagate_pop(ctx, key, end, Some(items.len()));
                return true;
            }
        }
    }
    false
}

/// Makes a (blocking or multi-key) pop replay as `LPOP|RPOP key [count]`,
/// as Redis 7.0 propagates it.
pub(super) fn propagate_pop(ctx: &mut Ctx, key: &[u8], end: End, count: Option<usize>) {
    let name: &[u8] = if end == End::Head { b"LPOP" } else { b"RPOP" };
    match count {
        Some(n) => {
            let n = itoa::Buffer::new().format(n).as_bytes().to_vec();
            ctx.propagate_as(&[name, key, &n]);
        }
        None => ctx.propagate_as(&[name, key]),
    }
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
pub fn lmpop(ctx: &mut Ctx) {
    let Some((keys, end, count)) = mpop_args(ctx, 1) else {
        return;
    };
    if !mpop_first(ctx, &keys, end, count) {
        ctx.out.null_array();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_with(key: &[u8], items: &[&str]) -> Db {
        let mut db = Db::new();
        let elems: Vec<&[u8]> = items.iter().map(|s| s.as_bytes()).collect();
        op_push(&mut db, key, &elems, End::Tail, false, 0).unwrap();
        db
    }

    fn contents(db: &mut Db, key: &[u8]) -> Option<Vec<String>> {
        list_mut(db, key, 0).unwrap().map(|l| {
            l.iter()
                .map(|b| String::from_utf8(b.to_vec()).unwrap())
                .collect()
        })
    }

    #[test]
    fn push_creates_and_pushx_does_not() {
        let mut db = Db::new();
        assert_eq!(op_push(&mut db, b"k", &[b"a"], End::Head, true, 0), Ok(0));
        assert!(!db.contains(b"k", 0));
        assert_eq!(
            op_push(&mut db, b"k", &[b"a", b"b"], End::Head, false, 0),
            Ok(2)
        );
        assert_eq!(contents(&mut db, b"k").unwrap(), ["b", "a"]);
        db.set(b"s", Value::string(b"x"), false, 0);
        assert_eq!(
            op_push(&mut db, b"s", &[b"a"], End::Head, false, 0),
            Err(OpError::WrongType)
        );
    }

    #[test]
    fn pop_deletes_emptied_key() {
        let mut db = db_with(b"k", &["a", "b", "c"]);
        let got = op_pop(&mut db, b"k", End::Tail, 2, 0).unwrap().unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(&*got[0], b"c");
        let got = op_pop(&mut db, b"k", End::Head, 10, 0).unwrap().unwrap();
        assert_eq!(got.len(), 1);
        assert!(!db.contains(b"k", 0));
        assert_eq!(op_pop(&mut db, b"k", End::Head, 1, 0), Ok(None));
        let mut db = db_with(b"k", &["a"]);
        assert_eq!(
            op_pop_one(&mut db, b"k", End::Tail, 0).unwrap().as_deref(),
            Some(&b"a"[..])
        );
        assert!(!db.contains(b"k", 0));
        assert_eq!(op_pop_one(&mut db, b"k", End::Tail, 0), Ok(None));
    }

    #[test]
    fn move_rotates_same_key_and_checks_destination_type() {
        let mut db = db_with(b"k", &["a", "b", "c"]);
        let v = op_move(&mut db, b"k", b"k", End::Head, End::Tail, 0).unwrap();
        assert_eq!(v.as_deref(), Some(&b"a"[..]));
        assert_eq!(contents(&mut db, b"k").unwrap(), ["b", "c", "a"]);
        db.set(b"s", Value::string(b"x"), false, 0);
        assert_eq!(
            op_move(&mut db, b"k", b"s", End::Head, End::Tail, 0),
            Err(OpError::WrongType)
        );
        assert_eq!(contents(&mut db, b"k").unwrap().len(), 3);
        let mut one = db_with(b"o", &["x"]);
        op_move(&mut one, b"o", b"d", End::Tail, End::Head, 0).unwrap();
        assert!(!one.contains(b"o", 0));
        assert_eq!(contents(&mut one, b"d").unwrap(), ["x"]);
    }

    #[test]
    fn lpos_ranks_counts_and_maxlen() {
        let mut list = ListValue::new();
        for e in ["a", "b", "c", "1", "2", "3", "c", "c"] {
            list.push_back(e.as_bytes());
        }
        assert_eq!(op_lpos(&list, b"c", 1, 1, 0), [2]);
        assert_eq!(op_lpos(&list, b"c", 2, 1, 0), [6]);
        assert_eq!(op_lpos(&list, b"c", -1, 1, 0), [7]);
        assert_eq!(op_lpos(&list, b"c", 1, 0, 0), [2, 6, 7]);
        assert_eq!(op_lpos(&list, b"c", -2, 0, 0), [6, 2]);
        assert_eq!(op_lpos(&list, b"c", 1, 0, 3), [2]);
        assert!(op_lpos(&list, b"z", 1, 0, 0).is_empty());
        assert_eq!(op_lpos(&list, b"c", i64::MIN, 1, 0), [7]);
    }
}
