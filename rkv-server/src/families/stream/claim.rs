//! XCLAIM and XAUTOCLAIM: moving pending entries to another consumer.

use rkv_proto::ReplyWriter;

use super::common::{id_arg_or_reply, id_or_reply, write_entry, write_id};
use super::read::split;
use crate::command::Ctx;
use crate::db::Value;
use crate::errors;
use crate::keyspace_events::class;
use crate::types::stream::{ConsumerGroup, PendingEntry, StreamId, StreamValue};

/// Whether `key` holds a stream with group `name`; `false` after replying
/// WRONGTYPE or NOGROUP.
fn check_group(ctx: &mut Ctx, key: &[u8], name: &[u8]) -> bool {
    let has_group = match ctx.lookup_read(key).map(|e| &e.value) {
        None => false,
        Some(Value::Stream(s)) => s.groups.contains_key(name),
        Some(_) => {
            ctx.error(errors::WRONGTYPE);
            return false;
        }
    };
    if !has_group {
        let msg = format!(
            "NOGROUP No such key '{}' or consumer group '{}'",
            String::from_utf8_lossy(key),
            String::from_utf8_lossy(name)
        );
        ctx.error(&msg);
    }
    has_group
}

/// Parses argument `i` as an integer, replying `msg` (with `ERR `) when it
/// is not one.
fn i64_or(ctx: &mut Ctx, i: usize, msg: &str) -> Option<i64> {
    let n = rkv_proto::request::parse_i64(ctx.arg(i));
    if n.is_none() {
        ctx.error(&format!("ERR {msg}"));
    }
    n
}

/// The idempotent XCLAIM Redis 7.0 propagates for a change to pending
/// entry `id` (`streamPropagateXCLAIM`): claimed by `owner` at `nack`'s
/// delivery time and count, the group's last ID carried along.
pub(super) fn xclaim_argv(
    key: &[u8],
    group: &[u8],
    id: &[u8],
    nack: &PendingEntry,
    last_id: StreamId,
) -> Vec<Vec<u8>> {
    let (time, count, last) = (
        nack.delivery_time.to_string(),
        nack.delivery_count.to_string(),
        last_id.to_string(),
    );
    let parts: [&[u8]; 14] = [
        b"XCLAIM",
        key,
        group,
        &nack.consumer,
        b"0",
        id,
        b"TIME",
        time.as_bytes(),
        b"RETRYCOUNT",
        count.as_bytes(),
        b"FORCE",
        b"JUSTID",
        b"LASTID",
        last.as_bytes(),
    ];
    parts.iter().map(|p| p.to_vec()).collect()
}

/// Gives pending entry `id` to `consumer`, creating the consumer on demand.
fn take_over(g: &mut ConsumerGroup, id: StreamId, consumer: &[u8], now: i64) {
    let Some(entry) = g.pel.get_mut(&id) else {
        return;
    };
    if entry.consumer != consumer {
        let old = std::mem::replace(&mut entry.consumer, consumer.to_vec());
        if let Some(c) = g.consumers.get_mut(&old) {
            c.pending.remove(&id);
        }
    }
    let c = g.consumers.entry(consumer.to_vec()).or_default();
    c.seen_time = now;
    c.pending.insert(id);
}

/// Writes a claimed entry, or only its ID with JUSTID.
fn write_claimed(out: &mut ReplyWriter, s: &StreamValue, id: StreamId, justid: bool) {
    match s.get(id) {
        Some(fields) if !justid => write_entry(out, id, fields),
        _ => write_id(out, id),
    }
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms]
/// [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID]
/// [LASTID lastid]
pub fn xclaim(ctx: &mut Ctx) {
    let (key, name, consumer) = (ctx.arg(1), ctx.arg(2), ctx.arg(3));
    if !check_group(ctx, key, name) {
        return;
    }
    let Some(min_idle) = i64_or(ctx, 4, "Invalid min-idle-time argument for XCLAIM") else {
        return;
    };
    let min_idle = min_idle.max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while j < ctx.argc() {
        match StreamId::parse(ctx.arg(j), 0, true, false) {
            Some(p) => ids.push(p.id),
            None => break,
        }
        j += 1;
    }
    let now = ctx.now_ms();
    let (mut force, mut justid) = (false, false);
    let mut retry_count: Option<i64> = None;
    let mut delivery_time: Option<i64> = None;
    let mut last_id = StreamId::MIN;
    while j < ctx.argc() {
        let more = ctx.argc() - 1 - j;
        let opt = ctx.arg(j);
        if opt.eq_ignore_ascii_case(b"force") {
            force = true;
        } else if opt.eq_ignore_ascii_case(b"justid") {
            justid = true;
        } else if opt.eq_ignore_ascii_case(b"idle") && more > 0 {
            j += 1;
            let Some(idle) = i64_or(ctx, j, "Invalid IDLE option argument for XCLAIM") else {
                return;
            };
            delivery_time = Some(now.wrapping_sub(idle));
        } else if opt.eq_ignore_ascii_case(b"time") && more > 0 {
            j += 1;
            let Some(at) = i64_or(ctx, j, "Invalid TIME option argument for XCLAIM") else {
                return;
            };
            delivery_time = Some(at);
        } else if opt.eq_ignore_ascii_case(b"retrycount") && more > 0 {
            j += 1;
            let Some(n) = i64_or(ctx, j, "Invalid RETRYCOUNT option argument for XCLAIM") else {
                return;
            };
            retry_count = Some(n);
        } else if opt.eq_ignore_ascii_case(b"lastid") && more > 0 {
            j += 1;
            let Some(id) = id_or_reply(ctx, j, 0, true) else {
                return;
            };
            last_id = id;
        } else {
            let msg = format!(
                "ERR Unrecognized XCLAIM option '{}'",
                String::from_utf8_lossy(opt)
            );
            return ctx.error(&msg);
        }
        j += 1;
    }
    // -1 means "not given" in Redis, so an explicit -1 behaves like none.
    let delivery_time = match delivery_time {
        Some(t) if t != -1 && (t < 0 || t > now) => now,
        Some(t) if t != -1 => t,
        _ => now,
    };
    let retry_count = retry_count.filter(|n| *n >= 0);
    let argv = ctx.argv;
    let (db, _) = split(ctx);
    let Some(Value::Stream(s)) = db.lookup(key, now).map(|e| &mut e.value) else {
        return;
    };
    let mut g = s.groups.remove(name).expect("checked above");
    let consumer_is_new = !g.consumers.contains_key(consumer);
    let mut propagate_last_id = last_id > g.last_id;
    if last_id > g.last_id {
        g.last_id = last_id;
    }
    let mut claimed = Vec::new();
    let mut changed = 0u64;
    // Redis 7.0 propagates each change as an idempotent XCLAIM (the
    // group's last ID rides along), or only the new last ID.
    let mut effects: Vec<Vec<Vec<u8>>> = Vec::new();
    for (n, id) in ids.into_iter().enumerate() {
        let id_text = argv[5 + n];
        if s.get(id).is_none() {
            if let Some(nack) = g.pel.get(&id) {
                effects.push(xclaim_argv(key, name, id_text, nack, g.last_id));
                propagate_last_id = false;
            }
            if g.ack(id) {
                changed += 1;
            }
            continue;
        }
        let mut fresh = false;
        if force && !g.pel.contains_key(&id) {
            g.pel.insert(
                id,
                PendingEntry {
                    delivery_time: now,
                    delivery_count: 1,
                    consumer: Vec::new(),
                },
            );
            fresh = true;
        }
        let Some(entry) = g.pel.get(&id) else {
            continue;
        };
        if !fresh && min_idle > 0 && now - entry.delivery_time < min_idle {
            continue;
        }
        take_over(&mut g, id, consumer, now);
        let entry = g.pel.get_mut(&id).expect("present");
        entry.delivery_time = delivery_time;
        match retry_count {
            Some(n) => entry.delivery_count = n as u64,
            None if !justid => entry.delivery_count += 1,
            None => {}
        }
        effects.push(xclaim_argv(key, name, id_text, entry, g.last_id));
        propagate_last_id = false;
        claimed.push(id);
        changed += 1;
    }
    if propagate_last_id {
        effects.push(super::readgroup::setid_argv(key, name, &g));
        changed += 1;
    }
    s.groups.insert(name.to_vec(), g);
    let db_index = ctx.client.db;
    for op in effects {
        ctx.also_propagate_owned(db_index, op);
    }
    ctx.prevent_propagation();
    ctx.out.array(claimed.len());
    announce_new_consumer(ctx, key, consumer_is_new && !claimed.is_empty());
    write_claimed_entries(ctx, key, &claimed, justid);
    ctx.dirty(changed);
}

/// Redis creates the claiming consumer at the first entry it claims: its
/// `xgroup-createconsumer` event lands after the reply's headers, before
/// the claimed entries.
fn announce_new_consumer(ctx: &mut Ctx, key: &[u8], created: bool) {
    if created {
        ctx.notify(class::STREAM, "xgroup-createconsumer", key);
    }
}

/// Writes the claimed entries of the stream at `key` (IDs only if `justid`).
fn write_claimed_entries(ctx: &mut Ctx, key: &[u8], claimed: &[StreamId], justid: bool) {
    let now = ctx.now_ms();
    let (db, out) = split(ctx);
    let Some(Value::Stream(s)) = db.peek(key, now).map(|e| &e.value) else {
        return;
    };
    for id in claimed {
        write_claimed(out, s, *id, justid);
    }
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
pub fn xautoclaim(ctx: &mut Ctx) {
    let (key, name, consumer) = (ctx.arg(1), ctx.arg(2), ctx.arg(3));
    let Some(min_idle) = i64_or(ctx, 4, "Invalid min-idle-time argument for XAUTOCLAIM") else {
        return;
    };
    let min_idle = min_idle.max(0);
    let arg = ctx.arg(5);
    let start = if arg.len() > 1 && arg[0] == b'(' {
        let Some(id) = id_arg_or_reply(ctx, &arg[1..], 0, true) else {
            return;
        };
        match id.incr() {
            Some(next) => next,
            None => return ctx.error("ERR invalid start ID for the interval"),
        }
    } else {
        match id_or_reply(ctx, 5, 0, false) {
            Some(id) => id,
            None => return,
        }
    };
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < ctx.argc() {
        let more = ctx.argc() - 1 - j;
        let opt = ctx.arg(j);
        if opt.eq_ignore_ascii_case(b"count") && more > 0 {
            let max = i64::MAX / 16;
            match rkv_proto::request::parse_i64(ctx.arg(j + 1)) {
                Some(n) if (1..=max).contains(&n) => count = n,
                _ => return ctx.error("ERR COUNT must be > 0"),
            }
            j += 1;
        } else if opt.eq_ignore_ascii_case(b"justid") {
            justid = true;
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    if !check_group(ctx, key, name) {
        return;
    }
    let now = ctx.now_ms();
    let (db, _) = split(ctx);
    let Some(Value::Stream(s)) = db.lookup(key, now).map(|e| &mut e.value) else {
        return;
    };
    let mut g = s.groups.remove(name).expect("checked above");
    let consumer_is_new = !g.consumers.contains_key(consumer);
    let mut attempts = count.saturating_mul(10);
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut cursor = StreamId::MIN;
    let mut effects: Vec<Vec<Vec<u8>>> = Vec::new();
    let pending: Vec<StreamId> = g.pel.range(start..).map(|(k, _)| *k).collect();
    let mut next = pending.into_iter().peekable();
    while attempts > 0 && count > 0 {
        attempts -= 1;
        let Some(id) = next.next() else {
            break;
        };
        if s.get(id).is_none() {
            if let Some(nack) = g.pel.get(&id) {
                let text = id.to_string();
                effects.push(xclaim_argv(key, name, text.as_bytes(), nack, g.last_id));
            }
            g.ack(id);
            deleted.push(id);
            count -= 1;
            continue;
        }
        let idle = now - g.pel[&id].delivery_time;
        if min_idle > 0 && idle < min_idle {
            continue;
        }
        take_over(&mut g, id, consumer, now);
        let entry = g.pel.get_mut(&id).expect("present");
        entry.delivery_time = now;
        if !justid {
            entry.delivery_count += 1;
        }
        let text = id.to_string();
        effects.push(xclaim_argv(key, name, text.as_bytes(), entry, g.last_id));
        claimed.push(id);
        count -= 1;
    }
    if let Some(id) = next.peek() {
        cursor = *id;
    }
    s.groups.insert(name.to_vec(), g);
    let db_index = ctx.client.db;
    for op in effects {
        ctx.also_propagate_owned(db_index, op);
    }
    ctx.prevent_propagation();
    ctx.out.array(3);
    write_id(&mut ctx.out, cursor);
    ctx.out.array(claimed.len());
    announce_new_consumer(ctx, key, consumer_is_new && !claimed.is_empty());
    write_claimed_entries(ctx, key, &claimed, justid);
    ctx.out.array(deleted.len());
    for id in &deleted {
        write_id(&mut ctx.out, *id);
    }
    ctx.dirty((claimed.len() + deleted.len()) as u64);
}
