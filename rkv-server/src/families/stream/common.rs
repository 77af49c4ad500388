//! Shared pieces of the stream commands: ID arguments, the reply shape of
//! entries, and finding the stream to write to.

use rkv_proto::ReplyWriter;

use crate::command::Ctx;
use crate::db::Value;
use crate::errors;
use crate::types::stream::{StreamId, StreamValue, INVALID_ID};
use crate::types::Listpack;

/// Parses argument `i` as an ID, replying the error on failure. `strict`
/// refuses `-` and `+`.
pub fn id_or_reply(ctx: &mut Ctx, i: usize, missing_seq: u64, strict: bool) -> Option<StreamId> {
    id_arg_or_reply(ctx, ctx.arg(i), missing_seq, strict)
}

/// Parses `arg` as an ID, replying the error on failure.
pub fn id_arg_or_reply(
    ctx: &mut Ctx,
    arg: &[u8],
    missing_seq: u64,
    strict: bool,
) -> Option<StreamId> {
    match StreamId::parse(arg, missing_seq, strict, false) {
        Some(p) => Some(p.id),
        None => {
            ctx.error(INVALID_ID);
            None
        }
    }
}

/// Writes an ID as a bulk string.
pub fn write_id(out: &mut ReplyWriter, id: StreamId) {
    out.bulk(id.text().as_bytes());
}

/// Writes one entry: `[id, [field, value, ...]]`.
pub fn write_entry(out: &mut ReplyWriter, id: StreamId, fields: &Listpack) {
    out.array(2);
    write_id(out, id);
    out.array(fields.len());
    for f in fields.iter() {
        out.bulk(f);
    }
}

/// Writes entries as an array of [`write_entry`] items.
pub fn write_entries(out: &mut ReplyWriter, entries: &[(StreamId, &Listpack)]) {
    out.array(entries.len());
    for (id, fields) in entries {
        write_entry(out, *id, fields);
    }
}

/// What a key holds, for a stream command.
pub enum Found<'e> {
    /// Nothing.
    Missing,
    /// A stream.
    Stream(&'e mut StreamValue),
}

/// Looks `key` up for writing; `None` after replying WRONGTYPE.
pub fn write_lookup<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Option<Found<'c>> {
    let is_other = matches!(ctx.lookup_write(key), Some(e) if !matches!(e.value, Value::Stream(_)));
    if is_other {
        ctx.error(errors::WRONGTYPE);
        return None;
    }
    Some(match ctx.lookup_write(key) {
        Some(e) => match &mut e.value {
            Value::Stream(s) => Found::Stream(s),
            _ => unreachable!("type checked above"),
        },
        None => Found::Missing,
    })
}
