//! XREAD, with BLOCK served through [`crate::blocking`].

use rkv_proto::reply::Protocol;
use rkv_proto::ReplyWriter;

use super::common::write_entries;
use crate::blocking::{BlockParams, BlockedCall, Served, TimeoutReply};
use crate::command::Ctx;
use crate::db::Value;
use crate::errors;
use crate::types::stream::{StreamId, StreamValue, INVALID_ID};

/// How many entries a blocked XREAD without COUNT gets at most
/// (`XREAD_BLOCKED_DEFAULT_COUNT`).
pub const BLOCKED_DEFAULT_COUNT: usize = 1000;

/// Parsed XREAD / XREADGROUP options.
pub struct ReadArgs<'a> {
    /// Deadline in ms since the epoch (0: forever), when BLOCK was given.
    pub block: Option<i64>,
    /// COUNT (0: all).
    pub count: usize,
    /// Index of the first key.
    pub streams_at: usize,
    /// How many keys.
    pub streams: usize,
    /// GROUP group consumer (XREADGROUP).
    pub group: Option<(&'a [u8], &'a [u8])>,
    /// NOACK (XREADGROUP).
    pub noack: bool,
}

/// Parses the options before the keys as `xreadCommand` does; `None`
/// after replying an error.
pub fn parse_options<'a>(ctx: &mut Ctx<'a>, xreadgroup: bool) -> Option<ReadArgs<'a>> {
    let mut args = ReadArgs {
        block: None,
        count: 0,
        streams_at: 0,
        streams: 0,
        group: None,
        noack: false,
    };
    let argc = ctx.argc();
    let mut i = 1;
    while i < argc {
        let more = argc - i - 1;
        let opt = ctx.arg(i);
        if opt.eq_ignore_ascii_case(b"block") && more > 0 {
            i += 1;
            let Some(ms) = rkv_proto::request::parse_i64(ctx.arg(i)) else {
                ctx.error("ERR timeout is not an integer or out of range");
                return None;
            };
            if ms < 0 {
                ctx.error("ERR timeout is negative");
                return None;
            }
            args.block = Some(if ms > 0 {
                ms.saturating_add(ctx.now_ms())
            } else {
                0
            });
        } else if opt.eq_ignore_ascii_case(b"count") && more > 0 {
            i += 1;
            args.count = ctx.i64_or_reply(i)?.max(0) as usize;
        } else if opt.eq_ignore_ascii_case(b"streams") && more > 0 {
            args.streams_at = i + 1;
            let n = argc - args.streams_at;
            if !n.is_multiple_of(2) {
                ctx.error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
                return None;
            }
            args.streams = n / 2;
            break;
        } else if opt.eq_ignore_ascii_case(b"group") && more >= 2 {
            if !xreadgroup {
                ctx.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
                return None;
            }
            args.group = Some((ctx.arg(i + 1), ctx.arg(i + 2)));
            i += 2;
        } else if opt.eq_ignore_ascii_case(b"noack") {
            if !xreadgroup {
                ctx.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
                return None;
            }
            args.noack = true;
        } else {
            ctx.syntax_error();
            return None;
        }
        i += 1;
    }
    if args.streams_at == 0 {
        ctx.syntax_error();
        return None;
    }
    if xreadgroup && args.group.is_none() {
        ctx.error("ERR Missing GROUP option for XREADGROUP");
        return None;
    }
    Some(args)
}

/// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
pub fn xread(ctx: &mut Ctx) {
    let Some(args) = parse_options(ctx, false) else {
        return;
    };
    let keys = &ctx.argv[args.streams_at..args.streams_at + args.streams];
    let mut after = Vec::with_capacity(args.streams);
    for (n, key) in keys.iter().enumerate() {
        let arg = ctx.arg(args.streams_at + args.streams + n);
        let last = match ctx.lookup_read(key).map(|e| &e.value) {
            None => None,
            Some(Value::Stream(s)) => Some(s.last_id),
            Some(_) => return ctx.error(errors::WRONGTYPE),
        };
        let id = match arg {
            b"$" => last.unwrap_or_default(),
            b">" => {
                return ctx.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
            }
            _ => match StreamId::parse(arg, 0, true, false) {
                Some(p) => p.id,
                None => return ctx.error(INVALID_ID),
            },
        };
        after.push(id);
    }
    let mut served = Vec::new();
    for (key, gt) in keys.iter().zip(&after) {
        if let Some(Value::Stream(s)) = ctx.lookup_read(key).map(|e| &e.value) {
            if has_after(s, *gt) {
                served.push((*key, *gt));
            }
        }
    }
    if !served.is_empty() {
        let now = ctx.now_ms();
        let (db, out) = split(ctx);
        write_header(out, served.len());
        for (key, gt) in served {
            let Some(Value::Stream(s)) = db.peek(key, now).map(|e| &e.value) else {
                continue;
            };
            write_key_entries(out, key, s, gt, args.count);
        }
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
                target: Some(encode_after(keys, &after)),
                ..BlockParams::default()
            };
            ctx.block(BlockedCall {
                keys: keys.iter().map(|k| k.to_vec()).collect(),
                deadline_ms: deadline,
                serve: serve_xread,
                on_timeout: TimeoutReply::NullArray,
                params,
                serves_deleted_key: false,
            });
        }
        _ => ctx.out.null_array(),
    }
}

/// The selected database and the reply writer, borrowed together.
pub fn split<'c, 'a>(ctx: &'c mut Ctx<'a>) -> (&'c mut crate::db::Db, &'c mut ReplyWriter<'a>) {
    (&mut ctx.srv.dbs[ctx.client.db], &mut ctx.out)
}

/// Whether the stream has an entry after `gt` (`streamLastValidID` > gt).
fn has_after(s: &StreamValue, gt: StreamId) -> bool {
    s.last_entry().is_some_and(|(id, _)| id > gt)
}

/// The outer reply: an array of `[key, entries]` pairs in RESP2, a map of
/// key to entries in RESP3.
pub fn write_header(out: &mut ReplyWriter, keys: usize) {
    if out.protocol() == Protocol::Resp3 {
        out.map(keys);
    } else {
        out.array(keys);
    }
}

/// One key's part of the reply: its name and the entries after `gt`.
fn write_key_entries(
    out: &mut ReplyWriter,
    key: &[u8],
    s: &StreamValue,
    gt: StreamId,
    count: usize,
) {
    if out.protocol() == Protocol::Resp2 {
        out.array(2);
    }
    out.bulk(key);
    let entries = match gt.incr() {
        Some(start) => s.range(start, StreamId::MAX, false, count),
        None => Vec::new(),
    };
    write_entries(out, &entries);
}

/// Packs each key with the ID it reads after, for the parked call: per key
/// a 4-byte length, the key, then the ID's ms and seq (big endian).
fn encode_after(keys: &[&[u8]], after: &[StreamId]) -> Vec<u8> {
    let mut buf = Vec::new();
    for (key, id) in keys.iter().zip(after) {
        buf.extend_from_slice(&(key.len() as u32).to_be_bytes());
        buf.extend_from_slice(key);
        buf.extend_from_slice(&id.ms.to_be_bytes());
        buf.extend_from_slice(&id.seq.to_be_bytes());
    }
    buf
}

/// The ID the parked call reads `key` after (its first mention wins).
fn decode_after(buf: &[u8], key: &[u8]) -> Option<StreamId> {
    let mut rest = buf;
    while rest.len() >= 4 {
        let len = u32::from_be_bytes(rest[..4].try_into().ok()?) as usize;
        let (k, tail) = rest[4..].split_at(len);
        let ms = u64::from_be_bytes(tail[..8].try_into().ok()?);
        let seq = u64::from_be_bytes(tail[8..16].try_into().ok()?);
        if k == key {
            return Some(StreamId::new(ms, seq));
        }
        rest = &tail[16..];
    }
    None
}

/// Serves a parked XREAD once `key` has an entry after its ID: a one-key
/// reply.
fn serve_xread(ctx: &mut Ctx, key: &[u8], p: &BlockParams) -> Served {
    let Some(gt) = p.target.as_deref().and_then(|t| decode_after(t, key)) else {
        return Served::NotReady;
    };
    let now = ctx.now_ms();
    let (db, out) = split(ctx);
    let Some(Value::Stream(s)) = db.peek(key, now).map(|e| &e.value) else {
        return Served::NotReady;
    };
    // Redis compares with the last ID ever added, even if since deleted.
    if s.last_id <= gt {
        return Served::NotReady;
    }
    write_header(out, 1);
    write_key_entries(out, key, s, gt, p.count);
    Served::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parked_ids_round_trip() {
        let keys: [&[u8]; 3] = [b"a", b"bb", b"a"];
        let ids = [
            StreamId::new(1, 2),
            StreamId::new(3, 4),
            StreamId::new(5, 6),
        ];
        let buf = encode_after(&keys, &ids);
        assert_eq!(decode_after(&buf, b"a"), Some(StreamId::new(1, 2)));
        assert_eq!(decode_after(&buf, b"bb"), Some(StreamId::new(3, 4)));
        assert_eq!(decode_after(&buf, b"c"), None);
    }
}
