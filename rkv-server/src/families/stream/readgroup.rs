//! XREADGROUP: reads for a consumer of a group, new entries (`>`) or the
//! consumer's own pending history (an explicit ID), with BLOCK served
//! through [`crate::blocking`].

use rkv_proto::reply::Protocol;
use rkv_proto::ReplyWriter;

use super::common::{write_entry, write_id};
use super::read::{parse_options, split, write_header, BLOCKED_DEFAULT_COUNT};
use crate::blocking::{BlockParams, BlockedCall, Served, TimeoutReply};
use crate::command::Ctx;
use crate::db::Value;
use crate::errors;
use crate::keyspace_events::class;
use crate::types::stream::{StreamId, StreamValue, INVALID_ID};

/// What one key of the call reads.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// `>`: entries never delivered to the group.
    New,
    /// The consumer's pending entries after this ID.
    History(StreamId),
}

/// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds]
/// [NOACK] STREAMS key [key ...] id [id ...]
pub fn xreadgroup(ctx: &mut Ctx) {
    let Some(args) = parse_options(ctx, true) else {
        return;
    };
    let (group, consumer) = args.group.expect("parse_options requires GROUP");
    let keys = &ctx.argv[args.streams_at..args.streams_at + args.streams];
    let mut wants = Vec::with_capacity(keys.len());
    for (n, key) in keys.iter().enumerate() {
        let has_group = match ctx.lookup_read(key).map(|e| &e.value) {
            None => false,
            Some(Value::Stream(s)) => s.groups.contains_key(group),
            Some(_) => return ctx.error(errors::WRONGTYPE),
        };
        if !has_group {
            let msg = format!(
                "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                String::from_utf8_lossy(key),
                String::from_utf8_lossy(group)
            );
            return ctx.error(&msg);
        }
        let want = match ctx.arg(args.streams_at + args.streams + n) {
            b"$" => return ctx.error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."),
            b">" => Want::New,
            arg => match StreamId::parse(arg, 0, true, false) {
                Some(p) if p.id == StreamId::MAX => Want::New,
                Some(p) => Want::History(p.id),
                None => return ctx.error(INVALID_ID),
            },
        };
        wants.push(want);
    }
    let now = ctx.now_ms();
    let (db, out) = split(ctx);
    let mut served = Vec::new();
    for (key, want) in keys.iter().zip(&wants) {
        let Some(Value::Stream(s)) = db.peek(key, now).map(|e| &e.value) else {
            continue;
        };
        let ready = match want {
            Want::History(_) => true,
            Want::New => {
                let last = s.groups.get(group).map(|g| g.last_id).unwrap_or_default();
                s.last_entry().is_some_and(|(id, _)| id > last)
            }
        };
        if ready {
            served.push((*key, *want));
        }
    }
    if !served.is_empty() {
        write_header(out, served.len());
        for (key, want) in &served {
            write_key_name(&mut ctx.out, key);
            // Redis creates the consumer (and says so) between the key's
            // name and its entries.
            let created = notify_if_new_consumer(ctx, key, group, consumer);
            let (db, out) = split(ctx);
            let mut effects = Vec::new();
            if let Some(Value::Stream(s)) = db.lookup(key, now).map(|e| &mut e.value) {
                let delivered =
                    write_key_entries(out, s, group, consumer, *want, args.count, args.noack, now);
                effects =
                    delivery_effects(s, key, group, consumer, &delivered, args.noack, created);
            }
            propagate_all(ctx, effects);
        }
        ctx.dirty(served.len() as u64);
        ctx.prevent_propagation();
        return;
    }
    match args.block {
        Some(deadline) if ctx.may_block() => {
            let params = BlockParams {
                count: if args.count == 0 {
                    BLOCKED_DEFAULT_COUNT
                } else {
                    args.count
                },
                ..BlockParams::default()
            };
            ctx.block(BlockedCall {
                keys: keys.iter().map(|k| k.to_vec()).collect(),
                deadline_ms: deadline,
                serve: serve_xreadgroup,
                on_timeout: TimeoutReply::NullArray,
                params,
                serves_deleted_key: true,
            });
        }
        _ => ctx.out.null_array(),
    }
}

/// Publishes `xgroup-createconsumer` if reading `key` is about to create
/// `consumer` in `group` (Redis's `streamCreateConsumer`).
/// True when it will.
pub(super) fn notify_if_new_consumer(
    ctx: &mut Ctx,
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
) -> bool {
    let now = ctx.now_ms();
    let missing = match ctx.db().peek(key, now).map(|e| &e.value) {
        Some(Value::Stream(s)) => s
            .groups
            .get(group)
            .is_some_and(|g| !g.consumers.contains_key(consumer)),
        _ => false,
    };
    if missing {
        ctx.notify(class::STREAM, "xgroup-createconsumer", key);
    }
    missing
}

/// What a read by a group propagates as (Redis 7.0's
/// `streamPropagateXCLAIM`/`streamPropagateGroupID`): an idempotent XCLAIM
/// per new entry delivered into the PEL; with NOACK, the group's new last
/// ID (and the consumer's creation) instead.
fn delivery_effects(
    s: &StreamValue,
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
    delivered: &[StreamId],
    noack: bool,
    created: bool,
) -> Vec<Vec<Vec<u8>>> {
    let Some(g) = s.groups.get(group) else {
        return Vec::new();
    };
    let mut ops = Vec::new();
    let text = |b: &[u8]| b.to_vec();
    if noack {
        if created {
            ops.push(vec![
                text(b"XGROUP"),
                text(b"CREATECONSUMER"),
                text(key),
                text(group),
                text(consumer),
            ]);
        }
        if !delivered.is_empty() {
            ops.push(setid_argv(key, group, g));
        }
        return ops;
    }
    for id in delivered {
        let Some(nack) = g.pel.get(id) else {
            continue;
        };
        // Entries come in order, each one the group's last ID when Redis
        // propagates it.
        let text = id.to_string();
        ops.push(super::claim::xclaim_argv(
            key,
            group,
            text.as_bytes(),
            nack,
            *id,
        ));
    }
    ops
}

/// `XGROUP SETID key group <last id> ENTRIESREAD <n>`: a group's position
/// as Redis 7.0 propagates it (`streamPropagateGroupID`).
pub(super) fn setid_argv(
    key: &[u8],
    group: &[u8],
    g: &crate::types::stream::ConsumerGroup,
) -> Vec<Vec<u8>> {
    vec![
        b"XGROUP".to_vec(),
        b"SETID".to_vec(),
        key.to_vec(),
        group.to_vec(),
        g.last_id.to_string().into_bytes(),
        b"ENTRIESREAD".to_vec(),
        g.entries_read.to_string().into_bytes(),
    ]
}

/// Queues `ops` in the client's database.
fn propagate_all(ctx: &mut Ctx, ops: Vec<Vec<Vec<u8>>>) {
    let db = ctx.client.db;
    for op in ops {
        ctx.also_propagate_owned(db, op);
    }
}

/// The start of one key's part of the reply: its name (inside a pair in
/// RESP2, as a map key in RESP3).
fn write_key_name(out: &mut ReplyWriter, key: &[u8]) {
    if out.protocol() == Protocol::Resp2 {
        out.array(2);
    }
    out.bulk(key);
}

/// The entries of one key's part of the reply, delivering as it goes.
#[allow(clippy::too_many_arguments)]
fn write_key_entries(
    out: &mut ReplyWriter,
    s: &mut StreamValue,
    group: &[u8],
    consumer: &[u8],
    want: Want,
    count: usize,
    noack: bool,
    now: i64,
) -> Vec<StreamId> {
    match want {
        Want::New => {
            let ids = s
                .deliver_new(group, consumer, count, noack, now)
                .unwrap_or_default();
            out.array(ids.len());
            for id in &ids {
                if let Some(fields) = s.get(*id) {
                    write_entry(out, *id, fields);
                }
            }
            ids
        }
        Want::History(after) => {
            let start = after.incr().unwrap_or(StreamId::MIN);
            let rows = s
                .deliver_history(group, consumer, start, count, now)
                .unwrap_or_default();
            out.array(rows.len());
            for (id, exists) in rows {
                match s.get(id).filter(|_| exists) {
                    Some(fields) => write_entry(out, id, fields),
                    None => {
                        out.array(2);
                        write_id(out, id);
                        out.null_array();
                    }
                }
            }
            // Re-reading history propagates nothing, as in Redis 7.0.
            Vec::new()
        }
    }
}

/// Serves a parked XREADGROUP (always `>`) once `key` has entries past the
/// group's last ID; a group destroyed meanwhile ends the wait with NOGROUP,
/// a stream deleted or overwritten by another type with UNBLOCKED.
fn serve_xreadgroup(ctx: &mut Ctx, key: &[u8], p: &BlockParams) -> Served {
    let Some(args) = parse_options(ctx, true) else {
        return Served::Done;
    };
    let (group, consumer) = args.group.expect("parse_options requires GROUP");
    let now = ctx.now_ms();
    let (group_last, stream_last) = match ctx.db().peek(key, now).map(|e| &e.value) {
        Some(Value::Stream(s)) => (s.groups.get(group).map(|g| g.last_id), s.last_id),
        // Deleted, or overwritten by another type: its group is gone.
        _ => {
            ctx.error("UNBLOCKED the stream key no longer exists");
            return Served::Done;
        }
    };
    let Some(group_last) = group_last else {
        ctx.error("NOGROUP the consumer group this client was blocked on no longer exists");
        return Served::Done;
    };
    if stream_last <= group_last {
        return Served::NotReady;
    }
    // Served later, Redis creates the consumer before writing the reply.
    let created = notify_if_new_consumer(ctx, key, group, consumer);
    let (db, out) = split(ctx);
    let Some(Value::Stream(s)) = db.lookup(key, now).map(|e| &mut e.value) else {
        return Served::NotReady;
    };
    write_header(out, 1);
    write_key_name(out, key);
    let delivered = write_key_entries(out, s, group, consumer, Want::New, p.count, args.noack, now);
    let effects = delivery_effects(s, key, group, consumer, &delivered, args.noack, created);
    propagate_all(ctx, effects);
    ctx.dirty(1);
    ctx.prevent_propagation();
    Served::Done
}
