//! Handlers of PFADD, PFCOUNT and PFMERGE: keyspace access, Redis's checks
//! in Redis's order, replies. The HyperLogLog work is in [`super::ops`].

use super::dense::REGISTERS;
use super::header::{self, Encoding};
use super::{ops, Corrupt};
use crate::command::Ctx;
use crate::db::{StrValue, Value};
use crate::errors;
use crate::keyspace_events::class;

/// A string that is not a HyperLogLog.
const NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
/// A HyperLogLog whose sparse opcodes are inconsistent.
const CORRUPT: &str = "INVALIDOBJ Corrupted HLL object detected";

/// Why a HyperLogLog key cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HllError {
    /// Not a string at all.
    WrongType,
    /// A string without a valid header.
    NotHll,
    /// A HyperLogLog with corrupt opcodes.
    Corrupt,
}

impl HllError {
    /// Redis's reply text.
    fn text(self) -> &'static str {
        match self {
            HllError::WrongType => errors::WRONGTYPE,
            HllError::NotHll => NOT_HLL,
            HllError::Corrupt => CORRUPT,
        }
    }
}

impl From<Corrupt> for HllError {
    fn from(_: Corrupt) -> Self {
        HllError::Corrupt
    }
}

/// The bytes of a value that passes Redis's `isHLLObjectOrReply` (an
/// integer-encoded string never does).
fn hll_bytes(value: &Value) -> Result<&[u8], HllError> {
    let bytes: &[u8] = match value.as_str().ok_or(HllError::WrongType)? {
        StrValue::Int(_) => return Err(HllError::NotHll),
        StrValue::Emb(b) => b,
        StrValue::Raw(v) => v,
    };
    header::check(bytes).ok_or(HllError::NotHll)?;
    Ok(bytes)
}

/// The HyperLogLog string of a value, checked, then made `raw` for in-place
/// edits (Redis's `dbUnshareStringValue`).
fn hll_for_write(value: &mut Value) -> Result<&mut Vec<u8>, HllError> {
    hll_bytes(value)?;
    Ok(value
        .as_str_mut()
        .expect("checked to be a string")
        .make_raw())
}

/// Adds every element; how many changed a register.
fn add_all(s: &mut Vec<u8>, elements: &[&[u8]], max_bytes: u64) -> Result<u64, HllError> {
    let mut updated = 0;
    for element in elements {
        if ops::add(s, element, max_bytes)? {
            updated += 1;
        }
    }
    Ok(updated)
}

/// `PFADD key [element ...]`
pub(super) fn pfadd(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (key, elements) = (argv[1], &argv[2..]);
    let max_bytes = ctx.srv.config.hll_sparse_max_bytes;
    let now = ctx.now_ms();
    let result = match ctx.lookup_write(key) {
        Some(entry) => hll_for_write(&mut entry.value).and_then(|s| {
            let updated = add_all(s, elements, max_bytes)?;
            if updated > 0 {
                header::invalidate_cache(s);
            }
            Ok(updated)
        }),
        None => {
            let mut s = header::new_sparse();
            // Creating the key counts as an update.
            let updated = 1 + add_all(&mut s, elements, max_bytes).unwrap_or(0);
            header::invalidate_cache(&mut s);
            ctx.db().set(key, Value::Str(StrValue::Raw(s)), false, now);
            Ok(updated)
        }
    };
    match result {
        Ok(updated) => {
            if updated > 0 {
                ctx.signal_modified(key);
                ctx.notify(class::STRING, "pfadd", key);
                ctx.dirty(updated);
            }
            ctx.out.int(i64::from(updated > 0));
        }
        Err(e) => ctx.error(e.text()),
    }
}

/// `PFCOUNT key [key ...]`
pub(super) fn pfcount(ctx: &mut Ctx) {
    if ctx.argc() > 2 {
        return pfcount_union(ctx);
    }
    let key = ctx.arg(1);
    let result = match ctx.lookup_read(key) {
        None => Ok((0, false)),
        Some(entry) => hll_for_write(&mut entry.value)
            .and_then(|s| ops::count_cached(s).map_err(HllError::from)),
    };
    match result {
        Ok((card, refreshed)) => {
            // The cached estimate is part of the value: a modification,
            // signalled but not published.
            if refreshed {
                ctx.signal_modified(key);
                ctx.dirty(1);
            }
            ctx.out.int(card as i64);
        }
        Err(e) => ctx.error(e.text()),
    }
}

/// Merges the registers of `keys` into `max`; whether any was dense.
/// Missing keys count as empty HyperLogLogs.
fn merge_keys(ctx: &mut Ctx, keys: &[&[u8]], max: &mut [u8; REGISTERS]) -> Result<bool, HllError> {
    let mut any_dense = false;
    for key in keys {
        let Some(entry) = ctx.lookup_read(key) else {
            continue;
        };
        let bytes = hll_bytes(&entry.value)?;
        any_dense |= header::check(bytes) == Some(Encoding::Dense);
        ops::merge_into(max, bytes)?;
    }
    Ok(any_dense)
}

/// PFCOUNT of several keys: the estimate of their union, nothing cached.
fn pfcount_union(ctx: &mut Ctx) {
    let mut max = Box::new([0u8; REGISTERS]);
    let keys = &ctx.argv[1..];
    match merge_keys(ctx, keys, &mut max) {
        Ok(_) => ctx.out.int(ops::estimate_registers(&max) as i64),
        Err(e) => ctx.error(e.text()),
    }
}

/// `PFMERGE destkey sourcekey [sourcekey ...]`: the destination's own
/// registers are part of the union; it turns dense if any input is dense.
pub(super) fn pfmerge(ctx: &mut Ctx) {
    let mut max = Box::new([0u8; REGISTERS]);
    let argv = ctx.argv;
    let dest = argv[1];
    let any_dense = match merge_keys(ctx, &argv[1..], &mut max) {
        Ok(d) => d,
        Err(e) => return ctx.error(e.text()),
    };
    let max_bytes = ctx.srv.config.hll_sparse_max_bytes;
    let now = ctx.now_ms();
    let result = match ctx.lookup_write(dest) {
        Some(entry) => hll_for_write(&mut entry.value)
            .and_then(|s| ops::store_merged(s, &max, any_dense, max_bytes).map_err(HllError::from)),
        None => {
            let mut s = header::new_sparse();
            let stored = ops::store_merged(&mut s, &max, any_dense, max_bytes);
            ctx.db().set(dest, Value::Str(StrValue::Raw(s)), false, now);
            stored.map_err(HllError::from)
        }
    };
    match result {
        Ok(()) => {
            ctx.signal_modified(dest);
            // Redis reports a merge as `pfadd`, a mass add of elements.
            ctx.notify(class::STRING, "pfadd", dest);
            ctx.dirty(1);
            ctx.out.ok();
        }
        Err(e) => ctx.error(e.text()),
    }
}
