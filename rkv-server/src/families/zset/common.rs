//! Helpers shared by the sorted set handlers: finding a sorted set in the
//! keyspace, the encoding limits from the config, and reply shapes.

use rkv_proto::ReplyWriter;

use crate::command::Ctx;
use crate::db::{Db, Value};
use crate::errors::{self, OpError};
use crate::keyspace_events::class;
use crate::types::zset::ZSetLimits;
use crate::types::ZSetValue;

/// The `zset-max-listpack-*` limits currently configured.
pub fn limits(ctx: &Ctx) -> ZSetLimits {
    let c = &ctx.srv.config;
    ZSetLimits {
        max_entries: usize::try_from(c.zset_max_listpack_entries).unwrap_or(usize::MAX),
        max_value: usize::try_from(c.zset_max_listpack_value).unwrap_or(usize::MAX),
    }
}

/// Looks `key` up for reading (counting a hit or miss) and runs `f` with the
/// sorted set (`None` when missing) and the reply writer; replies WRONGTYPE
/// when the key holds another type.
pub fn with_zset(ctx: &mut Ctx, key: &[u8], f: impl FnOnce(Option<&ZSetValue>, &mut ReplyWriter)) {
    let (entry, out) = ctx.lookup_read_and_reply(key);
    let zset = match entry {
        None => None,
        Some(e) => match e.value.as_zset() {
            Some(z) => Some(z),
            None => return ctx.error(errors::WRONGTYPE),
        },
    };
    f(zset, out);
}

/// The sorted set at `key` for writing: `Ok(None)` when missing.
pub fn zset_mut<'d>(
    db: &'d mut Db,
    key: &[u8],
    now_ms: i64,
) -> Result<Option<&'d mut ZSetValue>, OpError> {
    match db.lookup(key, now_ms) {
        None => Ok(None),
        Some(e) => e.value.as_zset_mut().map(Some).ok_or(OpError::WrongType),
    }
}

/// Whether `key` holds something other than a sorted set.
pub fn is_other_type(db: &mut Db, key: &[u8], now_ms: i64) -> bool {
    db.lookup(key, now_ms)
        .is_some_and(|e| e.value.as_zset().is_none())
}

/// Deletes `key` if its sorted set became empty (Redis never keeps one).
pub fn drop_if_empty(db: &mut Db, key: &[u8]) {
    if db
        .get_mut_raw(key)
        .is_some_and(|e| e.value.is_empty_collection())
    {
        db.remove(key);
    }
}

/// Stores `zset` at `dst` (replacing any value and its TTL), or deletes
/// `dst` when `zset` is empty; returns the stored length and whether the
/// keyspace changed.
pub fn store(db: &mut Db, dst: &[u8], zset: ZSetValue, now_ms: i64) -> (usize, bool) {
    let len = zset.len();
    if len == 0 {
        let existed = db.remove(dst).is_some();
        return (0, existed);
    }
    db.set(dst, Value::ZSet(Box::new(zset)), false, now_ms);
    (len, true)
}

/// Replies to a STORE form that [`store`]d `n` members at `dst` (`changed`
/// as `store` returned), with Redis's events: a stored result is signalled
/// (by Redis's `setKey`), replied, then announced as `event`; an empty
/// result is replied, then, if it deleted `dst`, signalled and `del`.
pub fn reply_stored(ctx: &mut Ctx, dst: &[u8], n: usize, changed: bool, event: &str) {
    if changed {
        ctx.dirty(1);
    }
    if n > 0 {
        ctx.signal_modified(dst);
        ctx.out.int(n as i64);
        ctx.notify(class::ZSET, event, dst);
    } else {
        ctx.out.int(0);
        if changed {
            ctx.signal_modified(dst);
            ctx.notify(class::GENERIC, "del", dst);
        }
    }
}

/// Writes members, with their scores if asked: flat pairs in RESP2, one
/// `[member, score]` array per member in RESP3.
pub fn reply_entries(out: &mut ReplyWriter, items: &[(Vec<u8>, f64)], withscores: bool) {
    if !withscores {
        out.array(items.len());
        items.iter().for_each(|(m, _)| out.bulk(m));
        return;
    }
    let nested = out.is_resp3();
    out.array(if nested { items.len() } else { items.len() * 2 });
    for (m, s) in items {
        if nested {
            out.array(2);
        }
        out.bulk(m);
        out.double(*s);
    }
}

/// A cheap pseudo-random generator (xorshift), seeded per thread from the
/// clock: ZRANDMEMBER needs no better.
pub fn random_u64() -> u64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
                | 1,
        );
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x
    })
}
