//! XADD, XLEN, XRANGE, XREVRANGE, XDEL and XTRIM (Redis's `t_stream.c`).

use super::common::{id_or_reply, write_entries, write_id, write_lookup, Found};
use super::trim_args;
use crate::command::Ctx;
use crate::db::Value;
use crate::errors;
use crate::keyspace_events::class;
use crate::types::stream::{AppendError, StreamId, StreamValue};

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]]
/// *|id field value [field value ...]
pub fn xadd(ctx: &mut Ctx) {
    let Some(args) = trim_args::parse(ctx, true) else {
        return;
    };
    let field_pos = args.end + 1;
    if field_pos > ctx.argc() || (ctx.argc() - field_pos) < 2 || (ctx.argc() - field_pos) % 2 == 1 {
        return ctx.wrong_arity();
    }
    if let Some(p) = args.id {
        if p.seq_given && p.id == StreamId::MIN {
            return ctx.error("ERR The ID specified in XADD must be greater than 0-0");
        }
    }
    let (key, argv) = (ctx.arg(1), ctx.argv);
    let now = ctx.now_ms();
    let fields = &ctx.argv[field_pos..];
    let propagating = crate::propagate::active(ctx.srv);
    let stream = match write_lookup(ctx, key) {
        None => return,
        Some(Found::Stream(s)) => s,
        Some(Found::Missing) if args.no_mkstream => return ctx.out.null(),
        Some(Found::Missing) => {
            ctx.db().set(key, Value::Stream(Box::default()), false, now);
            // Redis announces a created key (`new`) at once, before the reply.
            ctx.drain_pending();
            match write_lookup(ctx, key) {
                Some(Found::Stream(s)) => s,
                _ => unreachable!("just created"),
            }
        }
    };
    if stream.last_id == StreamId::MAX {
        return ctx
            .error("ERR The stream has exhausted the last possible ID, unable to add more items");
    }
    let added =
        match stream.append(fields, args.id, now.max(0) as u64) {
            Ok(id) => id,
            Err(AppendError::IdTooSmall) => return ctx.error(
                "ERR The ID specified in XADD is equal or smaller than the target stream top item",
            ),
        };
    let trimmed = args.trim.map_or(0, |trim| stream.trim(trim));
    // Replays must add the same ID and trim exactly as much (Redis 7.0).
    if propagating {
        let mut propagated = trim_args::exact_trim_argv(argv, &args, stream)
            .unwrap_or_else(|| argv.iter().map(|a| a.to_vec()).collect());
        if !args.id.is_some_and(|p| p.seq_given) {
            propagated[field_pos - 1] = added.text().as_bytes().to_vec();
        }
        ctx.propagate_as_owned(propagated);
    }
    write_id(&mut ctx.out, added);
    ctx.dirty(1);
    ctx.signal_modified(key);
    ctx.notify(class::STREAM, "xadd", key);
    if trimmed > 0 {
        ctx.notify(class::STREAM, "xtrim", key);
    }
}

/// XLEN key
pub fn xlen(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let len = match ctx.lookup_read(key).map(|e| &e.value) {
        None => 0,
        Some(Value::Stream(s)) => s.len() as i64,
        Some(_) => return ctx.error(errors::WRONGTYPE),
    };
    ctx.out.int(len);
}

/// XRANGE key start end [COUNT count]
pub fn xrange(ctx: &mut Ctx) {
    range_generic(ctx, false);
}

/// XREVRANGE key end start [COUNT count]
pub fn xrevrange(ctx: &mut Ctx) {
    range_generic(ctx, true);
}

/// Parses an interval bound: `(` makes it exclusive (and strict).
fn bound_or_reply(ctx: &mut Ctx, i: usize, missing_seq: u64) -> Option<(StreamId, bool)> {
    let arg = ctx.arg(i);
    if arg.len() > 1 && arg[0] == b'(' {
        let id = super::common::id_arg_or_reply(ctx, &arg[1..], missing_seq, true)?;
        Some((id, true))
    } else {
        Some((id_or_reply(ctx, i, missing_seq, false)?, false))
    }
}

/// XRANGE / XREVRANGE (`xrangeGenericCommand`).
fn range_generic(ctx: &mut Ctx, rev: bool) {
    let (start_at, end_at) = if rev { (3, 2) } else { (2, 3) };
    let Some((mut start, start_ex)) = bound_or_reply(ctx, start_at, 0) else {
        return;
    };
    if start_ex {
        match start.incr() {
            Some(s) => start = s,
            None => return ctx.error("ERR invalid start ID for the interval"),
        }
    }
    let Some((mut end, end_ex)) = bound_or_reply(ctx, end_at, u64::MAX) else {
        return;
    };
    if end_ex {
        match end.decr() {
            Some(e) => end = e,
            None => return ctx.error("ERR invalid end ID for the interval"),
        }
    }
    let mut count: i64 = -1;
    let mut j = 4;
    while j < ctx.argc() {
        if ctx.arg(j).eq_ignore_ascii_case(b"count") && j + 1 < ctx.argc() {
            let Some(n) = ctx.i64_or_reply(j + 1) else {
                return;
            };
            count = n.max(0);
            j += 2;
        } else {
            return ctx.syntax_error();
        }
    }
    let key = ctx.arg(1);
    let (found, out) = ctx.lookup_read_and_reply(key);
    match found.map(|e| &e.value) {
        None => out.array(0),
        Some(Value::Stream(_)) if count == 0 => out.null_array(),
        Some(Value::Stream(s)) => {
            let entries = s.range(start, end, rev, count.max(0) as usize);
            write_entries(out, &entries);
        }
        Some(_) => ctx.error(errors::WRONGTYPE),
    }
}

/// XDEL key id [id ...]
pub fn xdel(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let is_stream = match ctx.lookup_write(key).map(|e| &e.value) {
        None => return ctx.out.int(0),
        Some(v) => matches!(v, Value::Stream(_)),
    };
    if !is_stream {
        return ctx.error(errors::WRONGTYPE);
    }
    let mut ids = Vec::with_capacity(ctx.argc() - 2);
    for i in 2..ctx.argc() {
        let Some(id) = id_or_reply(ctx, i, 0, true) else {
            return;
        };
        ids.push(id);
    }
    let Some(Found::Stream(s)) = write_lookup(ctx, key) else {
        unreachable!("checked above");
    };
    let deleted = op_delete(s, &ids);
    if deleted > 0 {
        ctx.signal_modified(key);
        ctx.notify(class::STREAM, "xdel", key);
    }
    ctx.dirty(deleted as u64);
    ctx.out.int(deleted as i64);
}

/// Deletes `ids` from the stream; how many existed.
pub fn op_delete(s: &mut StreamValue, ids: &[StreamId]) -> usize {
    ids.iter().filter(|id| s.delete(**id)).count()
}

/// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
pub fn xtrim(ctx: &mut Ctx) {
    let Some(args) = trim_args::parse(ctx, false) else {
        return;
    };
    let (key, argv) = (ctx.arg(1), ctx.argv);
    let (removed, exact) = match write_lookup(ctx, key) {
        None => return,
        Some(Found::Missing) => (0, None),
        Some(Found::Stream(s)) => {
            let removed = args.trim.map_or(0, |t| s.trim(t));
            (removed, trim_args::exact_trim_argv(argv, &args, s))
        }
    };
    if let Some(exact) = exact {
        ctx.propagate_as_owned(exact);
    }
    if removed > 0 {
        ctx.notify(class::STREAM, "xtrim", key);
        ctx.signal_modified(key);
    }
    ctx.dirty(removed as u64);
    ctx.out.int(removed as i64);
}
