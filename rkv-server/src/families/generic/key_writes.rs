//! Writes to the keyspace that come with their keyspace events, shared by
//! the families that store or delete whole keys (Redis's `setKey` and the
//! `dbDelete` + `signalModifiedKey` + `del` event sequence of `db.c`,
//! `t_string.c`, `bitops.c` and `sort.c`).

use crate::command::Ctx;
use crate::db::Value;
use crate::keyspace_events::class;

/// Redis's `setKey`: stores `value` at `key` in the client's database
/// (clearing its TTL unless `keep_ttl`) and signals the key as modified.
/// A key that had expired is reported `expired` first, and a created key
/// `new`, as Redis's own lookup and `dbAdd` do. The caller publishes the
/// command's own event (`set`, `sortstore`...) afterwards.
pub fn set_key(ctx: &mut Ctx, key: &[u8], value: Value, keep_ttl: bool) {
    let now = ctx.now_ms();
    let db = ctx.db();
    db.expire_if_needed(key, now);
    db.set(key, value, keep_ttl, now);
    ctx.signal_modified(key);
}

/// Deletes `key` from the client's database, if present (even logically
/// expired, like Redis's `dbDelete`), then signals it, publishes `del` and
/// counts the change. Returns whether there was a key. The value is freed
/// in the background under `lazyfree-lazy-server-del`.
pub fn delete_with_event(ctx: &mut Ctx, key: &[u8]) -> bool {
    let lazy = ctx.srv.config.lazyfree_lazy_server_del;
    delete_with_event_freeing(ctx, key, lazy)
}

/// [`delete_with_event`] with the freeing mode chosen by the caller (DEL
/// and UNLINK).
pub fn delete_with_event_freeing(ctx: &mut Ctx, key: &[u8], lazy: bool) -> bool {
    let Some(entry) = ctx.db().remove(key) else {
        return false;
    };
    super::lazyfree::free_value(entry.value, lazy);
    ctx.signal_modified(key);
    ctx.notify(class::GENERIC, "del", key);
    ctx.dirty(1);
    true
}

/// Deletes `key` of database `db` if it expired, and reports it (`expired`)
/// at once, so the event precedes what the command writes next (Redis's
/// `expireIfNeeded`). Returns whether it did.
pub fn expire_now(ctx: &mut Ctx, db: usize, key: &[u8]) -> bool {
    let now = ctx.now_ms();
    let expired = ctx.srv.dbs[db].expire_if_needed(key, now);
    if expired {
        ctx.drain_pending();
    }
    expired
}
