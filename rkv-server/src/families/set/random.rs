//! SPOP and SRANDMEMBER, with Redis 7.0's strategies (they decide the reply
//! shapes and, for SPOP, the encoding of what stays).

use std::collections::HashSet;

use super::handlers::{
    holds_for_read, holds_for_write, max_intset, reply_member, stored_set, Holds,
};
use super::ops;
use crate::command::Ctx;
use crate::errors;
use crate::keyspace_events::class;
use crate::types::set::{random_below, Member};
use crate::types::SetValue;

/// SPOP's count is negative or not an integer.
const COUNT_NOT_POSITIVE: &str = "ERR value is out of range, must be positive";
/// SRANDMEMBER's count is `i64::MIN`, whose magnitude does not fit.
const COUNT_OUT_OF_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
/// SPOP keeps popping at random while at least this share (1/N) stays.
const SPOP_MOVE_STRATEGY_MUL: usize = 5;
/// SRANDMEMBER copies the whole set when asking for over 1/N of it.
const SRANDMEMBER_SUB_STRATEGY_MUL: usize = 3;

/// `SPOP key [count]`
pub(super) fn spop(ctx: &mut Ctx) {
    match ctx.argc() {
        2 => spop_one(ctx),
        3 => spop_count(ctx),
        _ => ctx.syntax_error(),
    }
}

/// `SPOP key`: one member as a bulk string, null when there is no key.
fn spop_one(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let (member, emptied) = match ctx.lookup_write(key) {
        None => return ctx.out.null(),
        Some(entry) => match entry.value.as_set_mut() {
            None => return ctx.error(errors::WRONGTYPE),
            Some(set) => {
                let member = set.pop_random().expect("stored sets are never empty");
                (member, set.is_empty())
            }
        },
    };
    if emptied {
        ctx.db().remove(key);
    }
    ctx.dirty(1);
    ctx.notify(class::SET, "spop", key);
    ctx.propagate_as(&[b"SREM", key, &member]);
    ctx.out.bulk(&member);
    ctx.notify_del_if_gone(key);
    ctx.signal_modified(key);
}

/// `SPOP key count`: a RESP3 set of distinct members.
fn spop_count(ctx: &mut Ctx) {
    let count = match rkv_proto::request::parse_i64(ctx.arg(2)) {
        Some(n) if n >= 0 => n as usize,
        _ => return ctx.error(COUNT_NOT_POSITIVE),
    };
    let key = ctx.arg(1);
    match holds_for_write(ctx, key) {
        Holds::Nothing => return ctx.out.set(0),
        Holds::Other => return ctx.error(errors::WRONGTYPE),
        Holds::Set => {}
    }
    if count == 0 {
        return ctx.out.set(0);
    }
    // Redis announces the pop before replying, whatever it takes.
    ctx.notify(class::SET, "spop", key);
    let max = max_intset(ctx);
    let db = &mut ctx.srv.dbs[ctx.client.db];
    let set = db
        .get_mut_raw(key)
        .and_then(|e| e.value.as_set_mut())
        .expect("checked above");
    let size = set.len();
    if count >= size {
        // Redis answers with a SUNION of the key alone, then deletes it.
        let all = ops::union(&[Some(&*set)], max);
        ctx.out.set(all.len());
        for m in all.iter() {
            reply_member(&mut ctx.out, m);
        }
        db.remove(key);
        ctx.srv.dirty += size as u64;
        // The SUNION Redis runs here looks the key up once more, as a read.
        ctx.srv.stats.keyspace_hits += 1;
        ctx.notify(class::GENERIC, "del", key);
        ctx.signal_modified(key);
        ctx.propagate_as(&[b"DEL", key]);
        return;
    }
    let remaining = size - count;
    ctx.out.set(count);
    // Redis 7.0 replays a counted pop as one SREM per member.
    let mut popped: Vec<Vec<u8>> = Vec::with_capacity(count);
    if remaining * SPOP_MOVE_STRATEGY_MUL > count {
        for _ in 0..count {
            let member = set.pop_random().expect("count < size");
            ctx.out.bulk(&member);
            popped.push(member.to_vec());
        }
    } else {
        // Popping almost everything: pick the few that stay into a new set
        // (which may be an intset again) and hand out the rest.
        let mut kept = SetValue::default();
        for _ in 0..remaining {
            let member = set.random().expect("remaining < size").to_vec();
            kept.add(&member, max);
            set.remove(&member);
        }
        for m in set.iter() {
            popped.push(match m {
                Member::Int(n) => itoa::Buffer::new().format(n).as_bytes().to_vec(),
                Member::Bytes(b) => b.to_vec(),
            });
            reply_member(&mut ctx.out, m);
        }
        *set = kept;
    }
    let db = ctx.client.db;
    for member in &popped {
        ctx.also_propagate(db, &[b"SREM", key, member]);
    }
    ctx.prevent_propagation();
    ctx.srv.dirty += count as u64;
    ctx.signal_modified(key);
}

/// `SRANDMEMBER key [count]`
pub(super) fn srandmember(ctx: &mut Ctx) {
    match ctx.argc() {
        2 => srandmember_one(ctx),
        3 => srandmember_count(ctx),
        _ => ctx.syntax_error(),
    }
}

/// `SRANDMEMBER key`: one member as a bulk string, null when there is no key.
fn srandmember_one(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    match holds_for_read(ctx, key) {
        Holds::Nothing => return ctx.out.null(),
        Holds::Other => return ctx.error(errors::WRONGTYPE),
        Holds::Set => {}
    }
    let now = ctx.now_ms();
    let set = stored_set(&ctx.srv.dbs, ctx.client.db, key, now);
    reply_member(
        &mut ctx.out,
        set.random().expect("stored sets are never empty"),
    );
}

/// `SRANDMEMBER key count`: an array (never a RESP3 set); a negative count
/// allows repeats.
fn srandmember_count(ctx: &mut Ctx) {
    let Some(l) = ctx.i64_or_reply(2) else {
        return;
    };
    if l == i64::MIN {
        return ctx.error(COUNT_OUT_OF_RANGE);
    }
    let key = ctx.arg(1);
    match holds_for_read(ctx, key) {
        Holds::Nothing => return ctx.out.array(0),
        Holds::Other => return ctx.error(errors::WRONGTYPE),
        Holds::Set => {}
    }
    if l == 0 {
        return ctx.out.array(0);
    }
    let count = l.unsigned_abs() as usize;
    let now = ctx.now_ms();
    let set = stored_set(&ctx.srv.dbs, ctx.client.db, key, now);
    let out = &mut ctx.out;
    let size = set.len();
    if l < 0 || count == 1 {
        out.array(count);
        for _ in 0..count {
            reply_member(out, set.random().expect("non-empty"));
        }
    } else if count >= size {
        out.array(size);
        set.iter().for_each(|m| reply_member(out, m));
    } else if count * SRANDMEMBER_SUB_STRATEGY_MUL > size {
        // Asking for most of the set: a partial shuffle of all members.
        let mut all: Vec<Member> = set.iter().collect();
        for i in 0..count {
            let j = i + random_below(all.len() - i);
            all.swap(i, j);
        }
        out.array(count);
        all[..count].iter().for_each(|m| reply_member(out, *m));
    } else {
        let mut picked: Vec<Member> = Vec::with_capacity(count);
        let mut seen: HashSet<Member> = HashSet::with_capacity(count);
        while picked.len() < count {
            let m = set.random().expect("non-empty");
            if seen.insert(m) {
                picked.push(m);
            }
        }
        out.array(count);
        picked.into_iter().for_each(|m| reply_member(out, m));
    }
}
