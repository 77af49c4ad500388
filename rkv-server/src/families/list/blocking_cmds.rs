//! The blocking list commands: each first tries to run like its
//! non-blocking twin, and otherwise parks the client with a serve function
//! that [`crate::blocking`] calls once one of the keys holds a value.

use super::args::parse_end;
use super::handlers::{
    list_mut, move_generic, moved_events, mpop_args, mpop_first, op_move, op_pop, pop_event,
    propagate_pop, reply_elements,
};
use crate::blocking::{timeout_or_reply, BlockParams, BlockedCall, ServeFn, Served, TimeoutReply};
use crate::command::Ctx;
use crate::keyspace_events::class;
use crate::types::list::End;

/// The end a parked call takes from.
fn from_end(p: &BlockParams) -> End {
    if p.from_head {
        End::Head
    } else {
        End::Tail
    }
}

/// Parks the caller on `keys`; inside EXEC, where nothing may block, it
/// replies `denied` at once instead. A list block that times out always
/// gets a null array (Redis 7.0's `replyToBlockedClientTimedOut`), even
/// BLMOVE, whose immediate null is a null bulk.
fn block_on(
    ctx: &mut Ctx,
    keys: &[&[u8]],
    deadline_ms: i64,
    serve: ServeFn,
    denied: TimeoutReply,
    params: BlockParams,
) {
    if !ctx.may_block() {
        match denied {
            TimeoutReply::NullArray => ctx.out.null_array(),
            TimeoutReply::NullBulk => ctx.out.null(),
        }
        return;
    }
    ctx.block(BlockedCall {
        keys: keys.iter().map(|k| k.to_vec()).collect(),
        deadline_ms,
        serve,
        on_timeout: TimeoutReply::NullArray,
        params,
        serves_deleted_key: false,
    });
}

/// BLPOP / BRPOP key [key ...] timeout.
fn bpop_generic(ctx: &mut Ctx, end: End) {
    let last = ctx.argc() - 1;
    let Some(deadline) = timeout_or_reply(ctx, last) else {
        return;
    };
    let keys = &ctx.argv[1..last];
    let now = ctx.now_ms();
    for key in keys {
        match op_pop(ctx.db(), key, end, 1, now) {
            Err(e) => return ctx.error_op(e),
            Ok(None) => {}
            Ok(Some(items)) => {
                ctx.dirty(1);
                ctx.out.array(2);
                ctx.out.bulk(key);
                ctx.out.bulk(&items[0]);
                ctx.notify_removal(class::LIST, pop_event(end), key);
                propagate_pop(ctx, key, end, None);
                return;
            }
        }
    }
    let params = BlockParams {
        from_head: end == End::Head,
        count: 1,
        ..BlockParams::default()
    };
    block_on(
        ctx,
        keys,
        deadline,
        serve_bpop,
        TimeoutReply::NullArray,
        params,
    );
}

/// Serves a parked BLPOP/BRPOP: `[key, element]`, then its pop event and
/// `del` if emptied; no signal (Redis leaves it to the push that woke it).
fn serve_bpop(ctx: &mut Ctx, key: &[u8], p: &BlockParams) -> Served {
    let now = ctx.now_ms();
    match op_pop(ctx.db(), key, from_end(p), 1, now) {
        Ok(Some(items)) if !items.is_empty() => {
            ctx.dirty(1);
            ctx.out.array(2);
            ctx.out.bulk(key);
            ctx.out.bulk(&items[0]);
            ctx.notify(class::LIST, pop_event(from_end(p)), key);
            ctx.notify_del_if_gone(key);
            propagate_pop(ctx, key, from_end(p), None);
            Served::Done
        }
        _ => Served::NotReady,
    }
}

/// BLPOP key [key ...] timeout
pub fn blpop(ctx: &mut Ctx) {
    bpop_generic(ctx, End::Head);
}

/// BRPOP key [key ...] timeout
pub fn brpop(ctx: &mut Ctx) {
    bpop_generic(ctx, End::Tail);
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
pub fn blmpop(ctx: &mut Ctx) {
    let Some(deadline) = timeout_or_reply(ctx, 1) else {
        return;
    };
    let Some((keys, end, count)) = mpop_args(ctx, 2) else {
        return;
    };
    if mpop_first(ctx, &keys, end, count) {
        return;
    }
    let params = BlockParams {
        from_head: end == End::Head,
        count,
        ..BlockParams::default()
    };
    block_on(
        ctx,
        &keys,
        deadline,
        serve_bmpop,
        TimeoutReply::NullArray,
        params,
    );
}

/// Serves a parked BLMPOP: `[key, [elements]]`, with LMPOP's events.
fn serve_bmpop(ctx: &mut Ctx, key: &[u8], p: &BlockParams) -> Served {
    let now = ctx.now_ms();
    match op_pop(ctx.db(), key, from_end(p), p.count, now) {
        Ok(Some(items)) if !items.is_empty() => {
            ctx.dirty(items.len() as u64);
            ctx.out.array(2);
            ctx.out.bulk(key);
            reply_elements(ctx, &items);
            ctx.notify_removal(class::LIST, pop_event(from_end(p)), key);
            propagate_pop(ctx, key, from_end(p), Some(items.len()));
            Served::Done
        }
        _ => Served::NotReady,
    }
}

/// BLMOVE / BRPOPLPUSH once parsed: move now if the source exists,
/// otherwise block.
fn blmove_generic(ctx: &mut Ctx, from: End, to: End, timeout_at: usize) {
    let Some(deadline) = timeout_or_reply(ctx, timeout_at) else {
        return;
    };
    let (src, dst) = (ctx.arg(1), ctx.arg(2));
    let now = ctx.now_ms();
    match list_mut(ctx.db(), src, now) {
        Err(e) => ctx.error_op(e),
        Ok(Some(_)) => {
            move_generic(ctx, from, to);
            propagate_move(ctx, ctx.arg(1), ctx.arg(2), from, to);
        }
        Ok(None) => {
            let params = BlockParams {
                from_head: from == End::Head,
                to_head: to == End::Head,
                count: 1,
                target: Some(dst.to_vec()),
            };
            block_on(
                ctx,
                &[src],
                deadline,
                serve_blmove,
                TimeoutReply::NullBulk,
                params,
            );
        }
    }
}

/// Serves a parked BLMOVE/BRPOPLPUSH: the moved element. A destination of
/// another type unblocks the client with WRONGTYPE and moves nothing, as
/// Redis 7.0 does.
fn serve_blmove(ctx: &mut Ctx, key: &[u8], p: &BlockParams) -> Served {
    let now = ctx.now_ms();
    if !matches!(list_mut(ctx.db(), key, now), Ok(Some(_))) {
        return Served::NotReady;
    }
    let to = if p.to_head { End::Head } else { End::Tail };
    let dst = p.target.as_deref().unwrap_or(key);
    match op_move(ctx.db(), key, dst, from_end(p), to, now) {
        Ok(Some(v)) => {
            ctx.dirty(1);
            moved_events(ctx, key, dst, from_end(p), to, &v);
            let dst = dst.to_vec();
            propagate_move(ctx, key, &dst, from_end(p), to);
            Served::Done
        }
        Ok(None) => Served::NotReady,
        Err(e) => {
            ctx.error_op(e);
            Served::Done
        }
    }
}

/// A blocking move replays as its non-blocking twin: BRPOPLPUSH as
/// RPOPLPUSH, BLMOVE as LMOVE.
fn propagate_move(ctx: &mut Ctx, src: &[u8], dst: &[u8], from: End, to: End) {
    let side = |e: End| -> &'static [u8] {
        if e == End::Head {
            b"LEFT"
        } else {
            b"RIGHT"
        }
    };
    if ctx.cmd.name == "brpoplpush" {
        ctx.propagate_as(&[b"RPOPLPUSH", src, dst]);
    } else {
        ctx.propagate_as(&[b"LMOVE", src, dst, side(from), side(to)]);
    }
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
pub fn blmove(ctx: &mut Ctx) {
    let (Some(from), Some(to)) = (parse_end(ctx.arg(3)), parse_end(ctx.arg(4))) else {
        return ctx.syntax_error();
    };
    blmove_generic(ctx, from, to, 5);
}

/// BRPOPLPUSH source destination timeout
pub fn brpoplpush(ctx: &mut Ctx) {
    blmove_generic(ctx, End::Tail, End::Head, 3);
}
