//! Handlers of the bitmap commands: argument parsing and checks in Redis's
//! order, keyspace access, replies. Bit arithmetic lives in [`super::bits`]
//! and [`super::bitfield`].

use super::bitfield::{self, Action, BAD_OFFSET};
use super::bits::{self, BitOp, Unit};
use crate::command::Ctx;
use crate::db::{StrValue, Value};
use crate::errors::{self, OpError};
use crate::families::generic::key_writes::{delete_with_event, set_key};
use crate::keyspace_events::class;

/// SETBIT's error for a value other than 0 or 1.
const BAD_BIT: &str = "ERR bit is not an integer or out of range";
/// BITPOS's error for a bit other than 0 or 1.
const BAD_BITPOS_BIT: &str = "ERR The bit argument must be 1 or 0.";
/// BITOP NOT with several sources.
const NOT_ONE_SOURCE: &str = "ERR BITOP NOT must be called with a single source key.";
/// BITFIELD_RO with SET or INCRBY.
const RO_GET_ONLY: &str = "ERR BITFIELD_RO only supports the GET subcommand";

/// Parses a bit offset argument or replies with Redis's error.
fn offset_or_reply(ctx: &mut Ctx, i: usize) -> Option<u64> {
    let max = ctx.srv.config.proto_max_bulk_len;
    let offset = bits::parse_bit_offset(ctx.arg(i), None, max);
    if offset.is_none() {
        ctx.error(BAD_OFFSET);
    }
    offset
}

/// Prepares the string at `key` for writing, grown with zero bytes to hold
/// bit `max_bit` (Redis's `lookupStringForBitCommand`): created `raw` when
/// missing, made `raw` otherwise. Returns whether the key was created or
/// grown; [`bits_in_place`] then gives its bytes.
fn string_for_bits(ctx: &mut Ctx, key: &[u8], max_bit: u64) -> Result<bool, OpError> {
    let needed = (max_bit >> 3) as usize + 1;
    let now = ctx.now_ms();
    let exists = match ctx.lookup_write(key) {
        None => false,
        Some(e) => {
            e.value.as_str().ok_or(OpError::WrongType)?;
            true
        }
    };
    if !exists {
        ctx.db()
            .set(key, Value::Str(StrValue::Raw(vec![0; needed])), false, now);
    }
    let buf = bits_in_place(ctx, key);
    let grown = buf.len() < needed;
    if grown {
        buf.resize(needed, 0);
    }
    Ok(grown || !exists)
}

/// The bytes of the string at `key`, made `raw`, after [`string_for_bits`]
/// prepared it.
fn bits_in_place<'c>(ctx: &'c mut Ctx, key: &[u8]) -> &'c mut Vec<u8> {
    ctx.db()
        .get_mut_raw(key)
        .expect("key found or created by string_for_bits")
        .value
        .as_str_mut()
        .expect("type checked by string_for_bits")
        .make_raw()
}

/// `SETBIT key offset value`
pub(super) fn setbit(ctx: &mut Ctx) {
    let Some(offset) = offset_or_reply(ctx, 2) else {
        return;
    };
    let on = match rkv_proto::request::parse_i64(ctx.arg(3)) {
        Some(v @ (0 | 1)) => v == 1,
        _ => return ctx.error(BAD_BIT),
    };
    let key = ctx.arg(1);
    let created_or_grown = match string_for_bits(ctx, key, offset) {
        Ok(b) => b,
        Err(e) => return ctx.error_op(e),
    };
    let old = bits::set_bit(bits_in_place(ctx, key), offset, on);
    let changed = created_or_grown || old != on;
    if changed {
        ctx.signal_modified(key);
        ctx.notify(class::STRING, "setbit", key);
        ctx.dirty(1);
    }
    ctx.out.int(i64::from(old));
}

/// What a read lookup of a string key found.
enum Found {
    /// No such key.
    Missing,
    /// The key holds the string (copied out, integers formatted).
    Bytes(Vec<u8>),
}

/// Looks `key` up for reading; WRONGTYPE for other types.
fn read_string(ctx: &mut Ctx, key: &[u8]) -> Result<Found, OpError> {
    match ctx.lookup_read(key) {
        None => Ok(Found::Missing),
        Some(e) => {
            let s = e.value.as_str().ok_or(OpError::WrongType)?;
            Ok(Found::Bytes(s.to_vec()))
        }
    }
}

/// Runs `f` on the bytes of the string at `key` (looked up for reading),
/// without copying; `None` when missing, WRONGTYPE for other types.
fn with_string<T>(
    ctx: &mut Ctx,
    key: &[u8],
    f: impl FnOnce(&[u8]) -> T,
) -> Result<Option<T>, OpError> {
    match ctx.lookup_read(key) {
        None => Ok(None),
        Some(e) => {
            let s = e.value.as_str().ok_or(OpError::WrongType)?;
            let mut scratch = itoa::Buffer::new();
            Ok(Some(f(s.as_bytes(&mut scratch))))
        }
    }
}

/// `GETBIT key offset`
pub(super) fn getbit(ctx: &mut Ctx) {
    let Some(offset) = offset_or_reply(ctx, 2) else {
        return;
    };
    match with_string(ctx, ctx.arg(1), |s| bits::get_bit(s, offset)) {
        Ok(bit) => ctx.out.int(i64::from(bit.unwrap_or(false))),
        Err(e) => ctx.error_op(e),
    }
}

/// `BITCOUNT key [start end [BYTE|BIT]]`
pub(super) fn bitcount(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let count = with_string(ctx, argv[1], |s| bitcount_args(s, &argv[2..]));
    match count {
        Ok(None) => ctx.out.int(0),
        Ok(Some(Ok(n))) => ctx.out.int(n as i64),
        Ok(Some(Err(e))) | Err(e) => ctx.error_op(e),
    }
}

/// BITCOUNT's range arguments applied to an existing string.
fn bitcount_args(s: &[u8], args: &[&[u8]]) -> Result<u64, OpError> {
    match args.len() {
        0 => Ok(bits::popcount(s)),
        2 | 3 => {
            let start = rkv_proto::request::parse_i64(args[0]).ok_or(OpError::NotInteger)?;
            let end = rkv_proto::request::parse_i64(args[1]).ok_or(OpError::NotInteger)?;
            // Redis answers 0 here before it looks at the unit.
            if start < 0 && end < 0 && start > end {
                return Ok(0);
            }
            let unit = match args.get(2) {
                None => Unit::Byte,
                Some(u) => bits::parse_unit(u).ok_or(OpError::Syntax)?,
            };
            Ok(bits::count_range(s, start, end, unit))
        }
        _ => Err(OpError::Syntax),
    }
}

/// `BITPOS key bit [start [end [BYTE|BIT]]]`
pub(super) fn bitpos(ctx: &mut Ctx) {
    let bit = match rkv_proto::request::parse_i64(ctx.arg(2)) {
        None => return ctx.error(errors::NOT_INTEGER),
        Some(b @ (0 | 1)) => b == 1,
        Some(_) => return ctx.error(BAD_BITPOS_BIT),
    };
    let argv = ctx.argv;
    match with_string(ctx, argv[1], |s| bitpos_args(s, bit, &argv[3..])) {
        Ok(None) => ctx.out.int(if bit { -1 } else { 0 }),
        Ok(Some(Ok(pos))) => ctx.out.int(pos),
        Ok(Some(Err(e))) | Err(e) => ctx.error_op(e),
    }
}

/// BITPOS's range arguments applied to an existing string.
fn bitpos_args(s: &[u8], bit: bool, args: &[&[u8]]) -> Result<i64, OpError> {
    let int = |a: &[u8]| rkv_proto::request::parse_i64(a).ok_or(OpError::NotInteger);
    match args.len() {
        0 => Ok(bits::position(s, bit, 0, None, Unit::Byte)),
        1..=3 => {
            let start = int(args[0])?;
            let unit = match args.get(2) {
                None => Unit::Byte,
                Some(u) => bits::parse_unit(u).ok_or(OpError::Syntax)?,
            };
            let end = args.get(1).map(|e| int(e)).transpose()?;
            Ok(bits::position(s, bit, start, end, unit))
        }
        _ => Err(OpError::Syntax),
    }
}

/// `BITOP AND|OR|XOR|NOT destkey key [key ...]`
pub(super) fn bitop(ctx: &mut Ctx) {
    let Some(op) = BitOp::parse(ctx.arg(1)) else {
        return ctx.syntax_error();
    };
    if op == BitOp::Not && ctx.argc() != 4 {
        return ctx.error(NOT_ONE_SOURCE);
    }
    let argv = ctx.argv;
    let mut sources = Vec::with_capacity(argv.len() - 3);
    for key in &argv[3..] {
        match read_string(ctx, key) {
            Ok(Found::Missing) => sources.push(Vec::new()),
            Ok(Found::Bytes(b)) => sources.push(b),
            Err(e) => return ctx.error_op(e),
        }
    }
    let result = bits::bitop(op, &sources);
    let len = result.len();
    let dest = argv[2];
    if len > 0 {
        set_key(ctx, dest, Value::Str(StrValue::Raw(result)), false);
        ctx.notify(class::STRING, "set", dest);
        ctx.dirty(1);
    } else {
        delete_with_event(ctx, dest);
    }
    ctx.out.int(len as i64);
}

/// `BITFIELD key [GET type offset | [OVERFLOW WRAP|SAT|FAIL]
/// SET type offset value | INCRBY type offset increment ...]`
pub(super) fn bitfield(ctx: &mut Ctx) {
    bitfield_generic(ctx, false);
}

/// `BITFIELD_RO key [GET type offset ...]`
pub(super) fn bitfield_ro(ctx: &mut Ctx) {
    bitfield_generic(ctx, true);
}

/// Redis's `bitfieldGeneric`: every subcommand is parsed before any runs.
fn bitfield_generic(ctx: &mut Ctx, read_only: bool) {
    let max = ctx.srv.config.proto_max_bulk_len;
    let ops = match bitfield::parse_ops(&ctx.argv[2..], max) {
        Ok(ops) => ops,
        Err(e) => return ctx.error_op(e),
    };
    let key = ctx.arg(1);
    let highest_write = ops
        .iter()
        .filter(|op| op.action != Action::Get)
        .map(|op| op.offset + u64::from(op.ty.bits) - 1)
        .max();
    let Some(highest_write) = highest_write else {
        let found = with_string(ctx, key, |s| {
            ops.iter()
                .map(|op| bitfield::apply_get(s, op))
                .collect::<Vec<_>>()
        });
        return match found {
            Ok(values) => {
                ctx.out.array(ops.len());
                for v in values.unwrap_or_else(|| vec![0; ops.len()]) {
                    ctx.out.int(v);
                }
            }
            Err(e) => ctx.error_op(e),
        };
    };
    if read_only {
        return ctx.error(RO_GET_ONLY);
    }
    let grown = match string_for_bits(ctx, key, highest_write) {
        Ok(grown) => grown,
        Err(e) => return ctx.error_op(e),
    };
    // A created key is reported (`new`) before the reply, as Redis does.
    ctx.drain_pending();
    let buf = bits_in_place(ctx, key);
    let mut replies = Vec::with_capacity(ops.len());
    let mut changes = 0;
    for op in &ops {
        if op.action == Action::Get {
            replies.push(Some(bitfield::apply_get(buf, op)));
        } else {
            let (reply, changed) = bitfield::apply_write(buf, op);
            if reply.is_some() && (grown || changed) {
                changes += 1;
            }
            replies.push(reply);
        }
    }
    ctx.out.array(replies.len());
    for reply in replies {
        match reply {
            Some(v) => ctx.out.int(v),
            None => ctx.out.null(),
        }
    }
    // After the reply, as in Redis.
    if changes > 0 {
        ctx.signal_modified(key);
        ctx.notify(class::STRING, "setbit", key);
        ctx.dirty(changes);
    }
}
