//! Handlers of the single-set commands: SADD, SREM, SISMEMBER, SMISMEMBER,
//! SCARD and SMOVE.

use rkv_proto::ReplyWriter;

use crate::command::Ctx;
use crate::db::{Db, Value};
use crate::errors;
use crate::keyspace_events::class;
use crate::types::set::Member;
use crate::types::SetValue;

/// `set-max-intset-entries` as a count.
pub(super) fn max_intset(ctx: &Ctx) -> usize {
    usize::try_from(ctx.srv.config.set_max_intset_entries).unwrap_or(usize::MAX)
}

/// `SADD key member [member ...]`
pub(super) fn sadd(ctx: &mut Ctx) {
    let max = max_intset(ctx);
    let (key, members) = (ctx.arg(1), &ctx.argv[2..]);
    let added = match ctx.lookup_write(key) {
        Some(entry) => match entry.value.as_set_mut() {
            Some(set) => members.iter().filter(|m| set.add(m, max)).count(),
            None => return ctx.error(errors::WRONGTYPE),
        },
        None => {
            let mut set = SetValue::default();
            let added = members.iter().filter(|m| set.add(m, max)).count();
            let now = ctx.now_ms();
            ctx.db().set(key, Value::Set(Box::new(set)), false, now);
            added
        }
    };
    if added > 0 {
        ctx.signal_modified(key);
        ctx.notify(class::SET, "sadd", key);
    }
    ctx.dirty(added as u64);
    ctx.out.int(added as i64);
}

/// `SREM key member [member ...]`
pub(super) fn srem(ctx: &mut Ctx) {
    let (key, members) = (ctx.arg(1), &ctx.argv[2..]);
    let (removed, emptied) = match ctx.lookup_write(key) {
        None => return ctx.out.int(0),
        Some(entry) => match entry.value.as_set_mut() {
            None => return ctx.error(errors::WRONGTYPE),
            Some(set) => {
                let mut removed = 0;
                for m in members {
                    if set.remove(m) {
                        removed += 1;
                        if set.is_empty() {
                            break;
                        }
                    }
                }
                (removed, set.is_empty())
            }
        },
    };
    if emptied {
        ctx.db().remove(key);
    }
    if removed > 0 {
        ctx.signal_modified(key);
        ctx.notify(class::SET, "srem", key);
        ctx.notify_del_if_gone(key);
    }
    ctx.dirty(removed);
    ctx.out.int(removed as i64);
}

/// `SISMEMBER key member`
pub(super) fn sismember(ctx: &mut Ctx) {
    let member = ctx.arg(2);
    let found = match ctx.lookup_read(ctx.arg(1)) {
        None => false,
        Some(entry) => match entry.value.as_set() {
            None => return ctx.error(errors::WRONGTYPE),
            Some(set) => set.contains(member),
        },
    };
    ctx.out.int(i64::from(found));
}

/// `SMISMEMBER key member [member ...]`
pub(super) fn smismember(ctx: &mut Ctx) {
    let (key, members) = (ctx.arg(1), &ctx.argv[2..]);
    let found: Vec<bool> = match ctx.lookup_read(key) {
        None => vec![false; members.len()],
        Some(entry) => match entry.value.as_set() {
            None => return ctx.error(errors::WRONGTYPE),
            Some(set) => members.iter().map(|m| set.contains(m)).collect(),
        },
    };
    ctx.out.array(found.len());
    for f in found {
        ctx.out.int(i64::from(f));
    }
}

/// `SCARD key`
pub(super) fn scard(ctx: &mut Ctx) {
    let len = match ctx.lookup_read(ctx.arg(1)) {
        None => 0,
        Some(entry) => match entry.value.as_set() {
            None => return ctx.error(errors::WRONGTYPE),
            Some(set) => set.len(),
        },
    };
    ctx.out.int(len as i64);
}

/// What a key holds, as far as a set command cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holds {
    /// No such key.
    Nothing,
    /// A set.
    Set,
    /// Another type.
    Other,
}

/// Looks `key` up for writing and says what it holds.
pub(super) fn holds_for_write(ctx: &mut Ctx, key: &[u8]) -> Holds {
    match ctx.lookup_write(key) {
        None => Holds::Nothing,
        Some(e) if e.value.as_set().is_some() => Holds::Set,
        Some(_) => Holds::Other,
    }
}

/// `SMOVE source destination member`
pub(super) fn smove(ctx: &mut Ctx) {
    let (src, dst, member) = (ctx.arg(1), ctx.arg(2), ctx.arg(3));
    let max = max_intset(ctx);
    let src_holds = holds_for_write(ctx, src);
    let dst_holds = holds_for_write(ctx, dst);
    if src_holds == Holds::Nothing {
        return ctx.out.int(0);
    }
    if src_holds == Holds::Other || dst_holds == Holds::Other {
        return ctx.error(errors::WRONGTYPE);
    }
    let db = ctx.db();
    let src_set = db
        .get_mut_raw(src)
        .and_then(|e| e.value.as_set_mut())
        .expect("checked above");
    if src == dst {
        let found = src_set.contains(member);
        return ctx.out.int(i64::from(found));
    }
    if !src_set.remove(member) {
        return ctx.out.int(0);
    }
    if src_set.is_empty() {
        db.remove(src);
    }
    ctx.notify(class::SET, "srem", src);
    ctx.notify_del_if_gone(src);
    ctx.signal_modified(src);
    let mut dirty = 1;
    let db = ctx.db();
    let added = match db.get_mut_raw(dst).and_then(|e| e.value.as_set_mut()) {
        Some(dst_set) => dst_set.add(member, max),
        None => {
            let mut set = SetValue::default();
            set.add(member, max);
            let now = ctx.now_ms();
            ctx.db().set(dst, Value::Set(Box::new(set)), false, now);
            true
        }
    };
    if added {
        dirty += 1;
        ctx.signal_modified(dst);
        ctx.notify(class::SET, "sadd", dst);
    }
    ctx.dirty(dirty);
    ctx.out.int(1);
}

/// Looks `key` up for reading (counting a hit or miss) and says what it holds.
pub(super) fn holds_for_read(ctx: &mut Ctx, key: &[u8]) -> Holds {
    match ctx.lookup_read(key) {
        None => Holds::Nothing,
        Some(e) if e.value.as_set().is_some() => Holds::Set,
        Some(_) => Holds::Other,
    }
}

/// The set stored under `key`, which a lookup has just found.
pub(super) fn stored_set<'a>(dbs: &'a [Db], db: usize, key: &[u8], now: i64) -> &'a SetValue {
    dbs[db]
        .peek(key, now)
        .and_then(|e| e.value.as_set())
        .expect("the lookup found a set")
}

/// Writes one member as a bulk string.
pub(super) fn reply_member(out: &mut ReplyWriter, m: Member<'_>) {
    match m {
        Member::Int(n) => out.bulk_int(n),
        Member::Bytes(b) => out.bulk(b),
    }
}
