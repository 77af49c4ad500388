//! Handlers of the string commands: argument parsing, keyspace access and
//! replies; the arithmetic lives in [`super::ops`], option parsing in
//! [`super::set_options`], LCS in [`super::lcs`].

use super::lcs::{check_limits, lcs};
use super::ops;
use super::set_options::{
    expire_at_ms, ExpireArg, ExpireError, ExpireUnit, OptionsFor, StringOptions,
};
use crate::command::Ctx;
use crate::db::{StrValue, Value};
use crate::errors::{self, OpError};
use crate::families::generic::key_writes::{delete_with_event, set_key};
use crate::keyspace_events::class;

/// The string inside a value, or `None` for other types.
fn as_string(v: &Value) -> Option<&StrValue> {
    match v {
        Value::Str(s) => Some(s),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// The string inside a value, mutably, or `None` for other types.
fn as_string_mut(v: &mut Value) -> Option<&mut StrValue> {
    match v {
        Value::Str(s) => Some(s),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// What a read lookup of a string key found.
enum Found {
    /// No such key (or expired).
    Missing,
    /// The key holds another type.
    WrongType,
    /// The key's string value (copied out so the reply can be written).
    Bytes(Vec<u8>),
}

/// Looks `key` up for reading (counting hits and misses).
fn read_string(ctx: &mut Ctx, key: &[u8]) -> Found {
    match ctx.lookup_read(key) {
        None => Found::Missing,
        Some(e) => match as_string(&e.value) {
            Some(s) => Found::Bytes(s.to_vec()),
            None => Found::WrongType,
        },
    }
}

/// Looks `key` up for writing and applies `f` to its string (`None` when
/// missing), without copying the value; another type is WRONGTYPE.
fn with_string_for_write<T>(
    ctx: &mut Ctx,
    key: &[u8],
    f: impl FnOnce(Option<&StrValue>) -> Result<T, OpError>,
) -> Result<T, OpError> {
    match ctx.lookup_write(key) {
        None => f(None),
        Some(e) => f(Some(as_string(&e.value).ok_or(OpError::WrongType)?)),
    }
}

/// The length of the string at `key` for a write (`None` when missing).
fn string_len_for_write(ctx: &mut Ctx, key: &[u8]) -> Result<Option<usize>, OpError> {
    with_string_for_write(ctx, key, |s| Ok(s.map(StrValue::len)))
}

/// Redis's `getGenericCommand`: replies with the value (or null); returns
/// false after a WRONGTYPE error.
fn reply_get(ctx: &mut Ctx, key: &[u8]) -> bool {
    let (found, out) = ctx.lookup_read_and_reply(key);
    let Some(entry) = found else {
        out.null();
        return true;
    };
    match as_string(&entry.value) {
        Some(s) => {
            let mut scratch = itoa::Buffer::new();
            out.bulk(s.as_bytes(&mut scratch));
            true
        }
        None => {
            ctx.error(errors::WRONGTYPE);
            false
        }
    }
}

/// Replies with Redis's error for a refused expire argument.
fn reply_expire_error(ctx: &mut Ctx, e: ExpireError) {
    match e {
        ExpireError::NotInteger => ctx.error(errors::NOT_INTEGER),
        ExpireError::Invalid => {
            let msg = errors::INVALID_EXPIRE.replace("{}", ctx.cmd.name);
            ctx.error(&msg)
        }
    }
}

/// `GET key`
pub(super) fn get(ctx: &mut Ctx) {
    reply_get(ctx, ctx.arg(1));
}

/// The replies of a SET variant when it sets, and when NX/XX stops it.
#[derive(Clone, Copy)]
enum SetReplies {
    /// `+OK` / null (SET, SETEX, PSETEX).
    OkOrNull,
    /// `:1` / `:0` (SETNX).
    OneOrZero,
}

/// Redis's `setGenericCommand`, serving SET, SETNX, SETEX and PSETEX.
fn set_generic(ctx: &mut Ctx, opts: StringOptions, value: &[u8], replies: SetReplies) {
    let key = ctx.arg(1);
    let now = ctx.now_ms();
    let mut expire_at = None;
    if let Some(ExpireArg { unit, value }) = opts.expire {
        match expire_at_ms(value, unit, now) {
            Ok(at) => expire_at = Some(at),
            Err(e) => return reply_expire_error(ctx, e),
        }
    }
    if opts.get && !reply_get(ctx, key) {
        return;
    }
    let found = ctx.lookup_write(key).is_some();
    if (opts.nx && found) || (opts.xx && !found) {
        if !opts.get {
            match replies {
                SetReplies::OkOrNull => ctx.out.null(),
                SetReplies::OneOrZero => ctx.out.int(0),
            }
        }
        return;
    }
    ctx.db().set(key, Value::string(value), opts.keep_ttl, now);
    ctx.signal_modified(key);
    ctx.dirty(1);
    ctx.notify(class::STRING, "set", key);
    if let Some(at) = expire_at {
        ctx.db().set_expire(key, at);
        // A relative expiry replays as its absolute time (Redis 7.0).
        let at = itoa::Buffer::new().format(at).as_bytes().to_vec();
        ctx.propagate_as(&[b"SET", key, value, b"PXAT", &at]);
        ctx.notify(class::GENERIC, "expire", key);
    } else if opts.get {
        // GET only shaped the reply: the write replays without it.
        let kept: Vec<&[u8]> = (0..ctx.argc())
            .filter(|&i| i < 3 || !ctx.arg(i).eq_ignore_ascii_case(b"get"))
            .map(|i| ctx.arg(i))
            .collect();
        ctx.propagate_as(&kept);
    }
    if !opts.get {
        match replies {
            SetReplies::OkOrNull => ctx.out.ok(),
            SetReplies::OneOrZero => ctx.out.int(1),
        }
    }
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL]`
pub(super) fn set(ctx: &mut Ctx) {
    let opts = match StringOptions::parse(&ctx.argv[3..], OptionsFor::Set) {
        Ok(o) => o,
        Err(e) => return ctx.error_op(e),
    };
    set_generic(ctx, opts, ctx.arg(2), SetReplies::OkOrNull);
}

/// `SETNX key value`
pub(super) fn setnx(ctx: &mut Ctx) {
    let opts = StringOptions {
        nx: true,
        ..Default::default()
    };
    set_generic(ctx, opts, ctx.arg(2), SetReplies::OneOrZero);
}

/// SETEX and PSETEX: `key time value`.
fn set_with_expire(ctx: &mut Ctx, unit: ExpireUnit) {
    let opts = StringOptions {
        expire: Some(ExpireArg {
            unit,
            value: ctx.arg(2),
        }),
        ..Default::default()
    };
    set_generic(ctx, opts, ctx.arg(3), SetReplies::OkOrNull);
}

/// `SETEX key seconds value`
pub(super) fn setex(ctx: &mut Ctx) {
    set_with_expire(ctx, ExpireUnit::Seconds);
}

/// `PSETEX key milliseconds value`
pub(super) fn psetex(ctx: &mut Ctx) {
    set_with_expire(ctx, ExpireUnit::Millis);
}

/// `GETSET key value`: the old value; the new one is stored without TTL.
pub(super) fn getset(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    if !reply_get(ctx, key) {
        return;
    }
    set_key(ctx, key, Value::string(ctx.arg(2)), false);
    ctx.notify(class::STRING, "set", key);
    ctx.dirty(1);
    ctx.propagate_as(&[b"SET", key, ctx.arg(2)]);
}

/// `GETDEL key`
pub(super) fn getdel(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    if !reply_get(ctx, key) {
        return;
    }
    delete_with_event(ctx, key);
    ctx.propagate_as(&[b"DEL", key]);
}

/// `GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]`
pub(super) fn getex(ctx: &mut Ctx) {
    let opts = match StringOptions::parse(&ctx.argv[2..], OptionsFor::GetEx) {
        Ok(o) => o,
        Err(e) => return ctx.error_op(e),
    };
    let key = ctx.arg(1);
    let value = match read_string(ctx, key) {
        Found::Missing => return ctx.out.null(),
        Found::WrongType => return ctx.error(errors::WRONGTYPE),
        Found::Bytes(b) => b,
    };
    let now = ctx.now_ms();
    let mut expire = None;
    if let Some(ExpireArg { unit, value }) = opts.expire {
        match expire_at_ms(value, unit, now) {
            Ok(at) => expire = Some((unit, at)),
            Err(e) => return reply_expire_error(ctx, e),
        }
    }
    // The reply goes first: the events below follow it, as in Redis.
    ctx.out.bulk(&value);
    match expire {
        // An absolute time already past deletes the key, as Redis does.
        Some((unit, at))
            if unit.is_absolute() && at <= now && !crate::db::keyspace::expiry_suspended() =>
        {
            delete_with_event(ctx, key);
            ctx.propagate_as(&[b"DEL", key]);
        }
        Some((_, at)) => {
            ctx.db().set_expire(key, at);
            let at_text = itoa::Buffer::new().format(at).as_bytes().to_vec();
            ctx.propagate_as(&[b"PEXPIREAT", key, &at_text]);
            ctx.signal_modified(key);
            ctx.notify(class::GENERIC, "expire", key);
            ctx.dirty(1);
        }
        // PERSIST is a change only when there was a TTL to remove.
        None if opts.persist && ctx.db().persist(key) => {
            ctx.propagate_as(&[b"PERSIST", key]);
            ctx.signal_modified(key);
            ctx.notify(class::GENERIC, "persist", key);
            ctx.dirty(1);
        }
        None => {}
    }
}

/// `MGET key [key ...]`: other types read as null.
pub(super) fn mget(ctx: &mut Ctx) {
    let n = ctx.argc() - 1;
    ctx.out.array(n);
    for i in 1..=n {
        let (found, out) = ctx.lookup_read_and_reply(ctx.argv[i]);
        match found.and_then(|e| as_string(&e.value)) {
            Some(s) => out.bulk(s.as_bytes(&mut itoa::Buffer::new())),
            None => out.null(),
        }
    }
}

/// MSET and MSETNX.
fn mset_generic(ctx: &mut Ctx, nx: bool) {
    if ctx.argc().is_multiple_of(2) {
        return ctx.wrong_arity();
    }
    if nx {
        for i in (1..ctx.argc()).step_by(2) {
            if ctx.lookup_write(ctx.arg(i)).is_some() {
                return ctx.out.int(0);
            }
        }
    }
    for i in (1..ctx.argc()).step_by(2) {
        let (key, value) = (ctx.arg(i), ctx.arg(i + 1));
        set_key(ctx, key, Value::string(value), false);
        ctx.notify(class::STRING, "set", key);
    }
    ctx.dirty((ctx.argc() as u64 - 1) / 2);
    if nx {
        ctx.out.int(1);
    } else {
        ctx.out.ok();
    }
}

/// `MSET key value [key value ...]`
pub(super) fn mset(ctx: &mut Ctx) {
    mset_generic(ctx, false);
}

/// `MSETNX key value [key value ...]`
pub(super) fn msetnx(ctx: &mut Ctx) {
    mset_generic(ctx, true);
}

/// `APPEND key value`: the new length; an existing value becomes `raw`.
pub(super) fn append(ctx: &mut Ctx) {
    let (key, suffix) = (ctx.arg(1), ctx.arg(2));
    let now = ctx.now_ms();
    let max = ctx.srv.config.proto_max_bulk_len;
    let total = match string_len_for_write(ctx, key) {
        Err(e) => return ctx.error_op(e),
        Ok(None) => {
            ctx.db().set(key, Value::string(suffix), false, now);
            suffix.len()
        }
        Ok(Some(old_len)) => {
            if let Err(e) = ops::check_string_length(old_len as u64, suffix.len() as u64, max) {
                return ctx.error_op(e);
            }
            let s = string_in_place(ctx, key);
            let buf = s.make_raw();
            buf.extend_from_slice(suffix);
            buf.len()
        }
    };
    // Even an empty suffix counts as an append.
    ctx.signal_modified(key);
    ctx.notify(class::STRING, "append", key);
    ctx.dirty(1);
    ctx.out.int(total as i64);
}

/// The string stored at `key`, for in-place modification after a lookup
/// established that it exists and is a string.
fn string_in_place<'c>(ctx: &'c mut Ctx, key: &[u8]) -> &'c mut StrValue {
    let entry = ctx
        .db()
        .get_mut_raw(key)
        .expect("key found by the preceding lookup");
    as_string_mut(&mut entry.value).expect("type checked by the preceding lookup")
}

/// `STRLEN key`
pub(super) fn strlen(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let len = match ctx.lookup_read(key) {
        None => Ok(0),
        Some(e) => as_string(&e.value)
            .map(|s| s.len())
            .ok_or(OpError::WrongType),
    };
    match len {
        Ok(n) => ctx.out.int(n as i64),
        Err(e) => ctx.error_op(e),
    }
}

/// `GETRANGE key start end` (also `SUBSTR`).
pub(super) fn getrange(ctx: &mut Ctx) {
    let Some(start) = ctx.i64_or_reply(2) else {
        return;
    };
    let Some(end) = ctx.i64_or_reply(3) else {
        return;
    };
    match read_string(ctx, ctx.arg(1)) {
        Found::Missing => ctx.out.bulk(b""),
        Found::WrongType => ctx.error(errors::WRONGTYPE),
        Found::Bytes(b) => ctx.out.bulk(ops::byte_range(&b, start, end)),
    }
}

/// `SETRANGE key offset value`: the new length; zero-pads past the end.
pub(super) fn setrange(ctx: &mut Ctx) {
    let (key, value) = (ctx.arg(1), ctx.arg(3));
    let Some(offset) = ctx.i64_or_reply(2) else {
        return;
    };
    if offset < 0 {
        return ctx.error(errors::OFFSET_OUT_OF_RANGE);
    }
    let max = ctx.srv.config.proto_max_bulk_len;
    let now = ctx.now_ms();
    let old_len = match string_len_for_write(ctx, key) {
        Ok(len) => len,
        Err(e) => return ctx.error_op(e),
    };
    if value.is_empty() {
        // Writing nothing changes nothing, not even the encoding.
        return ctx.out.int(old_len.unwrap_or(0) as i64);
    }
    if let Err(e) = ops::check_string_length(offset as u64, value.len() as u64, max) {
        return ctx.error_op(e);
    }
    if old_len.is_none() {
        ctx.db()
            .set(key, Value::Str(StrValue::Raw(Vec::new())), false, now);
    }
    let buf = string_in_place(ctx, key).make_raw();
    ops::write_at(buf, offset as usize, value);
    let len = buf.len();
    ctx.signal_modified(key);
    ctx.notify(class::STRING, "setrange", key);
    ctx.dirty(1);
    ctx.out.int(len as i64);
}

/// Redis's `incrDecrCommand`: adds `incr`, keeps the TTL, stores an `int`.
fn incr_decr(ctx: &mut Ctx, incr: i64) {
    let key = ctx.arg(1);
    let now = ctx.now_ms();
    let result = with_string_for_write(ctx, key, |old| {
        let current = old.map_or(Ok(0), ops::stored_i64)?;
        ops::add_checked(current, incr)
    });
    match result {
        Ok(n) => {
            ctx.db().set(key, Value::Str(StrValue::Int(n)), true, now);
            ctx.signal_modified(key);
            // INCR, DECR and DECRBY all publish `incrby`.
            ctx.notify(class::STRING, "incrby", key);
            ctx.dirty(1);
            ctx.out.int(n);
        }
        Err(e) => ctx.error_op(e),
    }
}

/// `INCR key`
pub(super) fn incr(ctx: &mut Ctx) {
    incr_decr(ctx, 1);
}

/// `DECR key`
pub(super) fn decr(ctx: &mut Ctx) {
    incr_decr(ctx, -1);
}

/// `INCRBY key increment`
pub(super) fn incrby(ctx: &mut Ctx) {
    if let Some(n) = ctx.i64_or_reply(2) {
        incr_decr(ctx, n);
    }
}

/// `DECRBY key decrement`
pub(super) fn decrby(ctx: &mut Ctx) {
    let Some(n) = ctx.i64_or_reply(2) else {
        return;
    };
    if n == i64::MIN {
        return ctx.error(errors::DECREMENT_OVERFLOW);
    }
    incr_decr(ctx, -n);
}

/// `INCRBYFLOAT key increment`: the result is stored as text (`embstr` or
/// `raw`, never `int`), keeping the TTL.
pub(super) fn incrbyfloat(ctx: &mut Ctx) {
    let (key, incr) = (ctx.arg(1), ctx.arg(2));
    let now = ctx.now_ms();
    let result = with_string_for_write(ctx, key, |old| ops::incr_by_float(old, incr));
    match result {
        Ok(text) => {
            let value = Value::Str(StrValue::from_bytes_no_int(text.as_bytes()));
            ctx.db().set(key, value, true, now);
            ctx.signal_modified(key);
            ctx.notify(class::STRING, "incrbyfloat", key);
            ctx.dirty(1);
            // Float formatting may differ across builds: replay the result.
            ctx.propagate_as(&[b"SET", key, text.as_bytes(), b"KEEPTTL"]);
            ctx.out.bulk(text.as_bytes());
        }
        Err(e) => ctx.error_op(e),
    }
}

/// The options of one LCS call.
#[derive(Default)]
struct LcsOptions {
    len: bool,
    idx: bool,
    with_match_len: bool,
    min_match_len: i64,
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]`
pub(super) fn lcs_command(ctx: &mut Ctx) {
    let a = read_string(ctx, ctx.arg(1));
    let b = read_string(ctx, ctx.arg(2));
    let (a, b) = match (a, b) {
        (Found::WrongType, _) | (_, Found::WrongType) => return ctx.error(errors::LCS_NOT_STRINGS),
        (a, b) => (found_or_empty(a), found_or_empty(b)),
    };
    let mut opts = LcsOptions::default();
    let mut i = 3;
    while i < ctx.argc() {
        let opt = ctx.arg(i);
        let has_more = i + 1 < ctx.argc();
        if opt.eq_ignore_ascii_case(b"IDX") {
            opts.idx = true;
        } else if opt.eq_ignore_ascii_case(b"LEN") {
            opts.len = true;
        } else if opt.eq_ignore_ascii_case(b"WITHMATCHLEN") {
            opts.with_match_len = true;
        } else if opt.eq_ignore_ascii_case(b"MINMATCHLEN") && has_more {
            let Some(n) = ctx.i64_or_reply(i + 1) else {
                return;
            };
            opts.min_match_len = n.max(0);
            i += 1;
        } else {
            return ctx.syntax_error();
        }
        i += 1;
    }
    if opts.len && opts.idx {
        return ctx.error(errors::LCS_LEN_AND_IDX);
    }
    if let Err(e) = check_limits(a.len(), b.len(), ctx.srv.config.proto_max_bulk_len) {
        return ctx.error_op(e);
    }
    let min = usize::try_from(opts.min_match_len).unwrap_or(usize::MAX);
    let result = lcs(&a, &b, min);
    if opts.idx {
        ctx.out.map(2);
        ctx.out.bulk(b"matches");
        ctx.out.array(result.matches.len());
        for m in &result.matches {
            ctx.out.array(if opts.with_match_len { 3 } else { 2 });
            for (start, end) in [m.a, m.b] {
                ctx.out.array(2);
                ctx.out.int(start as i64);
                ctx.out.int(end as i64);
            }
            if opts.with_match_len {
                ctx.out.int(m.len() as i64);
            }
        }
        ctx.out.bulk(b"len");
        ctx.out.int(result.text.len() as i64);
    } else if opts.len {
        ctx.out.int(result.text.len() as i64);
    } else {
        ctx.out.bulk(&result.text);
    }
}

/// A looked-up string, a missing key reading as empty.
fn found_or_empty(f: Found) -> Vec<u8> {
    match f {
        Found::Bytes(b) => b,
        Found::Missing | Found::WrongType => Vec::new(),
    }
}
