//! Handlers of the hash commands: argument parsing, keyspace access and
//! replies; the arithmetic and HSCAN paging live in [`super::ops`].

use super::access::{delete_if_empty, hash_or_create, limits, probe_write, read_hash, WriteProbe};
use super::ops;
use crate::command::Ctx;
use crate::errors;
use crate::families::generic::scan::parse_cursor;
use crate::keyspace_events::class;

/// After a hash write replied: the modified signal, then `event`.
fn written(ctx: &mut Ctx, key: &[u8], event: &str) {
    ctx.signal_modified(key);
    ctx.notify(class::HASH, event, key);
}

/// HSET and HMSET: sets every pair; returns the number of new fields, or
/// `None` after replying an error.
fn set_pairs(ctx: &mut Ctx) -> Option<usize> {
    if ctx.argc() % 2 == 1 {
        ctx.wrong_arity();
        return None;
    }
    let key = ctx.arg(1);
    let limits = limits(ctx);
    let args = &ctx.argv[2..];
    let hash = hash_or_create(ctx, key)?;
    hash.convert_if_any_too_long(args.iter().copied(), limits);
    let added = args
        .chunks_exact(2)
        .filter(|pair| hash.set(pair[0], pair[1], limits))
        .count();
    hash.shrink_to_fit();
    ctx.dirty((args.len() / 2) as u64);
    Some(added)
}

/// `HSET key field value [field value ...]`: replies the number of new fields.
pub(super) fn hset(ctx: &mut Ctx) {
    if let Some(added) = set_pairs(ctx) {
        ctx.out.int(added as i64);
        written(ctx, ctx.arg(1), "hset");
    }
}

/// `HMSET key field value [field value ...]`: replies OK.
pub(super) fn hmset(ctx: &mut Ctx) {
    if set_pairs(ctx).is_some() {
        ctx.out.ok();
        written(ctx, ctx.arg(1), "hset");
    }
}

/// `HSETNX key field value`
pub(super) fn hsetnx(ctx: &mut Ctx) {
    let (key, field, value) = (ctx.arg(1), ctx.arg(2), ctx.arg(3));
    let limits = limits(ctx);
    let Some(hash) = hash_or_create(ctx, key) else {
        return;
    };
    if hash.contains(field) {
        return ctx.out.int(0);
    }
    hash.set(field, value, limits);
    hash.shrink_to_fit();
    ctx.dirty(1);
    ctx.out.int(1);
    written(ctx, key, "hset");
}

/// `HGET key field`
pub(super) fn hget(ctx: &mut Ctx) {
    let field = ctx.arg(2);
    read_hash(
        ctx,
        ctx.arg(1),
        |out| out.null(),
        |h, out| match h.get(field) {
            Some(v) => out.bulk(v),
            None => out.null(),
        },
    );
}

/// `HMGET key field [field ...]`
pub(super) fn hmget(ctx: &mut Ctx) {
    let fields = &ctx.argv[2..];
    read_hash(
        ctx,
        ctx.arg(1),
        |out| {
            out.array(fields.len());
            fields.iter().for_each(|_| out.null());
        },
        |h, out| {
            out.array(fields.len());
            for f in fields {
                match h.get(f) {
                    Some(v) => out.bulk(v),
                    None => out.null(),
                }
            }
        },
    );
}

/// What HGETALL, HKEYS and HVALS return.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Listing {
    Fields,
    Values,
    Both,
}

/// HGETALL/HKEYS/HVALS (Redis's `genericHgetallCommand`).
fn list_hash(ctx: &mut Ctx, what: Listing) {
    read_hash(
        ctx,
        ctx.arg(1),
        |out| match what {
            Listing::Both => out.map(0),
            _ => out.array(0),
        },
        |h, out| {
            match what {
                Listing::Both => out.map(h.len()),
                _ => out.array(h.len()),
            }
            h.for_each(|k, v| match what {
                Listing::Fields => out.bulk(k),
                Listing::Values => out.bulk(v),
                Listing::Both => {
                    out.bulk(k);
                    out.bulk(v);
                }
            });
        },
    );
}

/// `HGETALL key` (a map in RESP3)
pub(super) fn hgetall(ctx: &mut Ctx) {
    list_hash(ctx, Listing::Both);
}

/// `HKEYS key`
pub(super) fn hkeys(ctx: &mut Ctx) {
    list_hash(ctx, Listing::Fields);
}

/// `HVALS key`
pub(super) fn hvals(ctx: &mut Ctx) {
    list_hash(ctx, Listing::Values);
}

/// `HLEN key`
pub(super) fn hlen(ctx: &mut Ctx) {
    read_hash(
        ctx,
        ctx.arg(1),
        |out| out.int(0),
        |h, out| out.int(h.len() as i64),
    );
}

/// `HEXISTS key field`
pub(super) fn hexists(ctx: &mut Ctx) {
    let field = ctx.arg(2);
    read_hash(
        ctx,
        ctx.arg(1),
        |out| out.int(0),
        |h, out| out.int(i64::from(h.contains(field))),
    );
}

/// `HSTRLEN key field`
pub(super) fn hstrlen(ctx: &mut Ctx) {
    let field = ctx.arg(2);
    read_hash(
        ctx,
        ctx.arg(1),
        |out| out.int(0),
        |h, out| out.int(h.get(field).map_or(0, |v| v.len() as i64)),
    );
}

/// `HDEL key field [field ...]`: deletes the key once the hash is empty.
pub(super) fn hdel(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    match probe_write(ctx, key) {
        WriteProbe::WrongType => return,
        WriteProbe::Missing => return ctx.out.int(0),
        WriteProbe::Hash => {}
    }
    let fields = &ctx.argv[2..];
    let Some(hash) = ctx
        .db()
        .get_mut_raw(key)
        .and_then(|e| e.value.as_hash_mut())
    else {
        return ctx.out.int(0);
    };
    let mut deleted = 0;
    for f in fields {
        if hash.remove(f) {
            deleted += 1;
            if hash.is_empty() {
                break;
            }
        }
    }
    hash.shrink_to_fit();
    delete_if_empty(ctx, key);
    if deleted > 0 {
        ctx.signal_modified(key);
        ctx.notify(class::HASH, "hdel", key);
        ctx.notify_del_if_gone(key);
    }
    ctx.dirty(deleted);
    ctx.out.int(deleted as i64);
}

/// `HINCRBY key field increment`
pub(super) fn hincrby(ctx: &mut Ctx) {
    let Some(incr) = ctx.i64_or_reply(3) else {
        return;
    };
    let (key, field) = (ctx.arg(1), ctx.arg(2));
    let limits = limits(ctx);
    let Some(hash) = hash_or_create(ctx, key) else {
        return;
    };
    match ops::incr_by(hash.get(field), incr) {
        Ok(n) => {
            let mut buf = itoa::Buffer::new();
            hash.set(field, buf.format(n).as_bytes(), limits);
            hash.shrink_to_fit();
            ctx.dirty(1);
            ctx.out.int(n);
            written(ctx, key, "hincrby");
        }
        Err(e) => {
            delete_if_empty(ctx, key);
            ctx.error_op(e);
        }
    }
}

/// `HINCRBYFLOAT key field increment`
pub(super) fn hincrbyfloat(ctx: &mut Ctx) {
    let incr = match ops::parse_float_increment(ctx.arg(3)) {
        Ok(v) => v,
        Err(e) => return ctx.error_op(e),
    };
    let (key, field) = (ctx.arg(1), ctx.arg(2));
    let limits = limits(ctx);
    let Some(hash) = hash_or_create(ctx, key) else {
        return;
    };
    match ops::incr_by_float(hash.get(field), incr) {
        Ok(text) => {
            hash.set(field, text.as_bytes(), limits);
            hash.shrink_to_fit();
            ctx.dirty(1);
            ctx.out.bulk(text.as_bytes());
            // Float formatting may differ across builds: replay the result.
            ctx.propagate_as(&[b"HSET", key, field, text.as_bytes()]);
            written(ctx, key, "hincrbyfloat");
        }
        Err(e) => {
            delete_if_empty(ctx, key);
            ctx.error_op(e);
        }
    }
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`
pub(super) fn hscan(ctx: &mut Ctx) {
    let Some(cursor) = parse_cursor(ctx.arg(2)) else {
        return ctx.error(errors::INVALID_CURSOR);
    };
    let key = ctx.arg(1);
    let mut missing = false;
    read_hash(
        ctx,
        key,
        |out| {
            missing = true;
            out.array(2);
            out.bulk(b"0");
            out.array(0);
        },
        |_, _| {},
    );
    if missing || ctx.failed {
        return;
    }
    let mut pattern = None;
    let mut count = 10usize;
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
    let Some(hash) = ctx.db().peek(key, now).and_then(|e| e.value.as_hash()) else {
        return;
    };
    let page = ops::op_hscan(hash, cursor, pattern, count);
    ctx.out.array(2);
    let mut buf = itoa::Buffer::new();
    ctx.out.bulk(buf.format(page.cursor).as_bytes());
    ctx.out.array(page.pairs.len() * 2);
    for (k, v) in &page.pairs {
        ctx.out.bulk(k);
        ctx.out.bulk(v);
    }
}
