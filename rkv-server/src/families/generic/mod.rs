//! The generic (keyspace) family, as Redis's `db.c`, `expire.c` and the
//! OBJECT command of `object.c`: commands that work on keys whatever their
//! type. One submodule per concern, each with its own `COMMANDS` table:
//!
//! - [`keys`]: DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME(NX), COPY, MOVE,
//!   KEYS, RANDOMKEY, DBSIZE.
//! - [`expire`]: the EXPIRE family, TTL family and PERSIST.
//! - [`scan`]: the SCAN command.
//! - [`object`]: OBJECT and its subcommands.
//! - [`flush`]: FLUSHDB, FLUSHALL, SWAPDB.
//! - [`lazyfree`]: dropping big data on a background thread.

pub mod expire;
pub mod flush;
pub mod keys;
pub mod lazyfree;
pub mod object;
pub mod scan;

use crate::command::Ctx;
use crate::db::{Db, Entry};
use crate::errors;

/// Looks a key up the way Redis's `lookupKeyReadWithFlags(LOOKUP_NOTOUCH)`
/// does: an expired key is deleted and reported missing, hits and misses are
/// counted, but the access time is left alone (EXISTS, TYPE, TTL, OBJECT).
fn lookup_notouch<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Option<&'c Entry> {
    let now = ctx.now_ms();
    let db = &mut ctx.srv.dbs[ctx.client.db];
    db.expire_if_needed(key, now);
    let found = db.peek(key, now);
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
