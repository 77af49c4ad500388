//! Typed access to hash keys shared by the handlers: read lookups that
//! write straight into the reply, write lookups that create the hash, and
//! deleting a hash a command emptied.

use rkv_proto::ReplyWriter;

use crate::command::Ctx;
use crate::db::Value;
use crate::errors;
use crate::types::hash::{HashLimits, HashValue};

/// Looks `key` up for reading (counting hits and misses) and, if it holds
/// a hash, calls `found` with it and the reply writer; a missing key calls
/// `missing`; another type replies WRONGTYPE.
pub(super) fn read_hash(
    ctx: &mut Ctx,
    key: &[u8],
    missing: impl FnOnce(&mut ReplyWriter),
    found: impl FnOnce(&HashValue, &mut ReplyWriter),
) {
    match ctx.lookup_read_and_reply(key) {
        (None, out) => return missing(out),
        (Some(entry), out) => {
            if let Some(hash) = entry.value.as_hash() {
                return found(hash, out);
            }
        }
    }
    ctx.error(errors::WRONGTYPE);
}

/// What a write lookup of a hash key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WriteProbe {
    /// No such key.
    Missing,
    /// The key holds a hash.
    Hash,
    /// The key holds another type (WRONGTYPE already replied).
    WrongType,
}

/// Looks `key` up for writing; replies WRONGTYPE for another type.
pub(super) fn probe_write(ctx: &mut Ctx, key: &[u8]) -> WriteProbe {
    let probe = match ctx.lookup_write(key) {
        None => WriteProbe::Missing,
        Some(e) if e.value.as_hash().is_some() => WriteProbe::Hash,
        Some(_) => WriteProbe::WrongType,
    };
    if probe == WriteProbe::WrongType {
        ctx.error(errors::WRONGTYPE);
    }
    probe
}

/// The hash at `key` for writing, created empty when missing (as Redis's
/// `hashTypeLookupWriteOrCreate`); `None` after replying WRONGTYPE. The
/// caller must leave it non-empty or call [`delete_if_empty`].
pub(super) fn hash_or_create<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Option<&'c mut HashValue> {
    match probe_write(ctx, key) {
        WriteProbe::WrongType => return None,
        WriteProbe::Missing => {
            let now = ctx.now_ms();
            ctx.db().set(key, Value::Hash(Box::default()), false, now);
            // Redis announces a created key (`new`) at once, before the reply.
            ctx.drain_pending();
        }
        WriteProbe::Hash => {}
    }
    ctx.db()
        .get_mut_raw(key)
        .and_then(|e| e.value.as_hash_mut())
}

/// Deletes `key` if it holds an empty hash (Redis never stores one).
pub(super) fn delete_if_empty(ctx: &mut Ctx, key: &[u8]) {
    let empty = ctx
        .db()
        .get_mut_raw(key)
        .is_some_and(|e| e.value.is_empty_collection());
    if empty {
        ctx.db().remove(key);
    }
}

/// The listpack limits currently configured.
pub(super) fn limits(ctx: &Ctx) -> HashLimits {
    HashLimits::from_config(&ctx.srv.config)
}
