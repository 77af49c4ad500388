//! The generic (keyspace) family, as Redis's `db.c`, `expire.c` and the
//! OBJECT command of `object.c`: commands that work on keys whatever their
//! type. One submodule per concern, each with its own `COMMANDS` table:
//!
//! - [`keys`]: DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME(NX), COPY, MOVE,
//!   KEYS, RANDOMKEY, DBSIZE.
//! - [`expire`]: the EXPIRE family, TTL family and PERSIST.
//! - [`scan`]: the SCAN command.
//! - [`object`]: OBJECT and its subcommands.
//! - [`dump_restore`]: DUMP and RESTORE.
//! - [`flush`]: FLUSHDB, FLUSHALL, SWAPDB.
//! - [`lazyfree`]: dropping big data on a background thread.
//! - [`key_writes`]: storing and deleting keys with their keyspace events.

pub mod dump_restore;
pub mod expire;
pub mod flush;
pub mod key_writes;
pub mod keys;
pub mod lazyfree;
pub mod object;
pub mod scan;

use crate::command::Ctx;
use crate::db::{Db, Entry};
use crate::errors;
use crate::keyspace_events;

/// Looks a key up the way Redis's `lookupKeyReadWithFlags(LOOKUP_NOTOUCH)`
/// does: an expired key is deleted (and reported) and the key is missing,
/// hits and misses are counted, a miss publishes `keymiss`, but the access
/// time is left alone (EXISTS, TYPE, the TTL family).
fn lookup_notouch<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Option<&'c Entry> {
    lookup_notouch_with(ctx, key, true)
}

/// [`lookup_notouch`] with `keymiss` published only if `report_miss`
/// (OBJECT looks keys up with Redis's `LOOKUP_NONOTIFY`).
fn lookup_notouch_with<'c>(
    ctx: &'c mut Ctx<'_>,
    key: &[u8],
    report_miss: bool,
) -> Option<&'c Entry> {
    let (db, now) = (ctx.client.db, ctx.now_ms());
    key_writes::expire_now(ctx, db, key);
    let wants_miss_event = report_miss
        && ctx.srv.config.notify_keyspace_events & keyspace_events::class::KEY_MISS != 0;
    if wants_miss_event && !ctx.srv.dbs[db].contains(key, now) {
        ctx.srv.stats.keyspace_misses += 1;
        ctx.notify(keyspace_events::class::KEY_MISS, "keymiss", key);
        return None;
    }
    let found = ctx.srv.dbs[db].peek(key, now);
    if found.is_some() {
        ctx.srv.stats.keyspace_hits += 1;
    } else {
        ctx.srv.stats.keyspace_misses += 1;
    }
    found
}

/// Parses argument `i` as a database index the way Redis's
/// `getIntFromObjectOrReply` + `selectDb` do: not an integer is
/// `ERR value is not an integer or out of range`, one outside 32 bits
/// [`errors::INT_RANGE`], an index with no database `ERR DB index is out of
/// range`.
fn db_index_or_reply(ctx: &mut Ctx<'_>, i: usize) -> Option<usize> {
    let n = ctx.i64_or_reply(i)?;
    if i32::try_from(n).is_err() {
        ctx.error(errors::INT_RANGE);
        return None;
    }
    if n < 0 || n as usize >= ctx.srv.dbs.len() {
        ctx.error(errors::DB_INDEX);
        return None;
    }
    Some(n as usize)
}

/// Two distinct databases of `dbs`, mutably.
fn two_dbs(dbs: &mut [Db], a: usize, b: usize) -> (&mut Db, &mut Db) {
    debug_assert_ne!(a, b);
    if a < b {
        let (lo, hi) = dbs.split_at_mut(b);
        (&mut lo[a], &mut hi[0])
    } else {
        let (lo, hi) = dbs.split_at_mut(a);
        (&mut hi[0], &mut lo[b])
    }
}
