//! Whole-key commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME, RENAMENX,
//! COPY, MOVE, KEYS, RANDOMKEY, DBSIZE.

use super::key_writes::{delete_with_event_freeing, expire_now};
use super::{db_index_or_reply, lookup_notouch, two_dbs};
use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx, KeySpec};
use crate::db::keyspace::lru_clock;
use crate::db::{Db, Entry};
use crate::errors::{self, OpError};
use crate::glob::glob_match;
use crate::keyspace_events::class;

/// DEL/UNLINK/EXISTS/TOUCH: every argument is a key.
const ALL_KEYS_RM: &[KeySpec] = &[KeySpec::range(&["RM", "DELETE"], 1, -1, 1)];
/// EXISTS/TOUCH key spec.
const ALL_KEYS_RO: &[KeySpec] = &[KeySpec::range(&["RO"], 1, -1, 1)];
/// `key [key ...]`
const KEYS_ARG: &[Arg] = &[Arg::key("key", 0).multiple()];
/// Tips of commands a cluster proxy sends to each shard and sums.
const MULTI_SHARD_SUM: &[&str] = &["request_policy:multi_shard", "response_policy:agg_sum"];

/// Declarations of the whole-key commands.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "del",
        arity: -2,
        flags: flags::WRITE,
        acl: acl::KEYSPACE,
        keys: ALL_KEYS_RM,
        summary: "Delete a key",
        complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).",
        tips: MULTI_SHARD_SUM,
        args: KEYS_ARG,
        handler: del,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "unlink",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        keys: ALL_KEYS_RM,
        since: "4.0.0",
        summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
        complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
        tips: MULTI_SHARD_SUM,
        args: KEYS_ARG,
        handler: del,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "exists",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        keys: ALL_KEYS_RO,
        summary: "Determine if a key exists",
        complexity: "O(N) where N is the number of keys to check.",
        tips: MULTI_SHARD_SUM,
        history: &[("3.0.3", "Accepts multiple `key` arguments.")],
        args: KEYS_ARG,
        handler: exists,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "type",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        keys: &[KeySpec::single(&["RO"], 1)],
        summary: "Determine the type stored at key",
        complexity: "O(1)",
        args: &[Arg::key("key", 0)],
        handler: type_of,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "touch",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        keys: ALL_KEYS_RO,
        since: "3.2.1",
        summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.",
        complexity: "O(N) where N is the number of keys that will be touched.",
        tips: MULTI_SHARD_SUM,
        args: KEYS_ARG,
        handler: touch,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "rename",
        arity: 3,
        flags: flags::WRITE,
        acl: acl::KEYSPACE,
        keys: &[
            KeySpec::single(&["RW", "ACCESS", "DELETE"], 1),
            KeySpec::single(&["OW", "UPDATE"], 2),
        ],
        summary: "Rename a key",
        complexity: "O(1)",
        args: &[Arg::key("key", 0), Arg::key("newkey", 1)],
        handler: rename,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "renamenx",
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        keys: &[
            KeySpec::single(&["RW", "ACCESS", "DELETE"], 1),
            KeySpec::single(&["OW", "INSERT"], 2),
        ],
        summary: "Rename a key, only if the new key does not exist",
        complexity: "O(1)",
        history: &[(
            "3.2.0",
            "The command no longer returns an error when source and destination names are the same.",
        )],
        args: &[Arg::key("key", 0), Arg::key("newkey", 1)],
        handler: renamenx,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "copy",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::KEYSPACE,
        keys: &[
            KeySpec::single(&["RO", "ACCESS"], 1),
            KeySpec::single(&["OW", "UPDATE"], 2),
        ],
        since: "6.2.0",
        summary: "Copy a key",
        complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
        args: &[
            Arg::key("source", 0),
            Arg::key("destination", 1),
            Arg {
                token: Some("DB"),
                ..Arg::new("destination-db", ArgKind::Integer).optional()
            },
            Arg::token("replace", "REPLACE").optional(),
        ],
        handler: copy,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "move",
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        keys: &[KeySpec::single(&["RW", "ACCESS", "UPDATE"], 1)],
        summary: "Move a key to another database",
        complexity: "O(1)",
        args: &[Arg::key("key", 0), Arg::new("db", ArgKind::Integer)],
        handler: move_key,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "keys",
        arity: 2,
        flags: flags::READONLY,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        summary: "Find all keys matching the given pattern",
        complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.",
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        args: &[Arg::new("pattern", ArgKind::Pattern)],
        handler: keys,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "randomkey",
        arity: 1,
        flags: flags::READONLY,
        acl: acl::KEYSPACE,
        summary: "Return a random key from the keyspace",
        complexity: "O(1)",
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        handler: randomkey,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "dbsize",
        arity: 1,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        group: "server",
        summary: "Return the number of keys in the selected database",
        complexity: "O(1)",
        tips: &["request_policy:all_shards", "response_policy:agg_sum"],
        handler: dbsize,
        ..CommandSpec::BASE
    },
];

/// `DEL key [key ...]`, `UNLINK key [key ...]`: deletes each key (an
/// expired one is reported `expired` and counts as absent), publishing `del`
/// for each; replies how many existed. UNLINK (and DEL under
/// `lazyfree-lazy-user-del`) frees big values in the background.
fn del(ctx: &mut Ctx) {
    let db = ctx.client.db;
    let lazy = ctx.cmd.name == "unlink" || ctx.srv.config.lazyfree_lazy_user_del;
    let mut deleted = 0;
    for i in 1..ctx.argc() {
        let key = ctx.arg(i);
        expire_now(ctx, db, key);
        if delete_with_event_freeing(ctx, key, lazy) {
            deleted += 1;
        }
    }
    ctx.out.int(deleted);
}

/// `EXISTS key [key ...]`: a key named twice counts twice.
fn exists(ctx: &mut Ctx) {
    let mut count = 0;
    for i in 1..ctx.argc() {
        let key = ctx.arg(i);
        if lookup_notouch(ctx, key).is_some() {
            count += 1;
        }
    }
    ctx.out.int(count);
}

/// `TYPE key`
fn type_of(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let name = lookup_notouch(ctx, key).map_or("none", |e| e.value.type_name());
    ctx.out.simple(name);
}

/// `TOUCH key [key ...]`: a read lookup of each key, which is what updates
/// its access time.
fn touch(ctx: &mut Ctx) {
    let mut count = 0;
    for i in 1..ctx.argc() {
        let key = ctx.arg(i);
        if ctx.lookup_read(key).is_some() {
            count += 1;
        }
    }
    ctx.out.int(count);
}

/// Renames `from` to `to`, carrying the expiry over, as Redis's
/// `renameGenericCommand`. Returns whether the key was renamed: `false` when
/// both names are the same, or when `nx` and `to` exists.
pub fn op_rename(
    db: &mut Db,
    from: &[u8],
    to: &[u8],
    nx: bool,
    now_ms: i64,
) -> Result<bool, OpError> {
    if db.lookup(from, now_ms).is_none() {
        return Err(OpError::NoSuchKey);
    }
    if from == to {
        return Ok(false);
    }
    if db.lookup(to, now_ms).is_some() && nx {
        return Ok(false);
    }
    let (entry, at) = db.take(from).ok_or(OpError::NoSuchKey)?;
    // The old target goes first, so the new one counts as created (`new`).
    db.remove(to);
    db.put(to, entry, at);
    Ok(true)
}

/// `RENAME key newkey`
fn rename(ctx: &mut Ctx) {
    rename_generic(ctx, false);
}

/// `RENAMENX key newkey`
fn renamenx(ctx: &mut Ctx) {
    rename_generic(ctx, true);
}

/// RENAME and RENAMENX: the same operation, replies differ.
fn rename_generic(ctx: &mut Ctx, nx: bool) {
    let (from, to) = (ctx.arg(1), ctx.arg(2));
    let now = ctx.now_ms();
    let result = op_rename(ctx.db(), from, to, nx, now);
    // Names that turned out expired are reported before the reply.
    ctx.drain_pending();
    match result {
        Err(e) => ctx.error_op(e),
        Ok(renamed) => {
            if renamed {
                ctx.signal_modified(from);
                ctx.signal_modified(to);
                ctx.notify(class::GENERIC, "rename_from", from);
                ctx.notify(class::GENERIC, "rename_to", to);
                ctx.dirty(1);
            }
            match (nx, renamed) {
                (false, _) => ctx.out.ok(),
                (true, r) => ctx.out.int(r as i64),
            }
        }
    }
}

/// What COPY did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyOutcome {
    /// The source key does not exist: reply 0.
    NoSource,
    /// The destination exists and REPLACE was not given: reply 0.
    TargetExists,
    /// The key was copied: reply 1.
    Copied,
}

/// Copies `key` of database `src` to `newkey` of database `dst` with its
/// expiry, as Redis's `copyCommand` (the source lookup is a read access).
pub fn op_copy(
    dbs: &mut [Db],
    src: usize,
    dst: usize,
    key: &[u8],
    newkey: &[u8],
    replace: bool,
    now_ms: i64,
) -> Result<CopyOutcome, OpError> {
    if src == dst && key == newkey {
        return Err(OpError::Other(errors::SAME_OBJECT.to_string()));
    }
    let Some(entry) = dbs[src].lookup(key, now_ms) else {
        return Ok(CopyOutcome::NoSource);
    };
    // The copy is a new object: it starts with a fresh access time.
    let copy = Entry {
        value: entry.value.clone(),
        lru: lru_clock(now_ms),
    };
    let at = dbs[src].expire_at(key);
    let target = &mut dbs[dst];
    if target.lookup(newkey, now_ms).is_some() && !replace {
        return Ok(CopyOutcome::TargetExists);
    }
    // A replaced target is deleted first: the copy counts as created.
    target.remove(newkey);
    target.put(newkey, copy, at);
    Ok(CopyOutcome::Copied)
}

/// `COPY source destination [DB destination-db] [REPLACE]`
fn copy(ctx: &mut Ctx) {
    let src = ctx.client.db;
    let mut dst = src;
    let mut replace = false;
    let mut i = 3;
    while i < ctx.argc() {
        let opt = ctx.arg(i);
        if opt.eq_ignore_ascii_case(b"replace") {
            replace = true;
        } else if opt.eq_ignore_ascii_case(b"db") && i + 1 < ctx.argc() {
            let Some(n) = db_index_or_reply(ctx, i + 1) else {
                return;
            };
            dst = n;
            i += 1;
        } else {
            return ctx.syntax_error();
        }
        i += 1;
    }
    let (key, newkey) = (ctx.arg(1), ctx.arg(2));
    if src == dst && key == newkey {
        return ctx.error(errors::SAME_OBJECT);
    }
    // The source lookup is a keyspace read (hits, misses, `keymiss`).
    if ctx.lookup_read(key).is_none() {
        return ctx.out.int(0);
    }
    let now = ctx.now_ms();
    let result = op_copy(&mut ctx.srv.dbs, src, dst, key, newkey, replace, now);
    // A target that turned out expired is reported before the reply.
    ctx.drain_pending();
    match result {
        Err(e) => ctx.error_op(e),
        Ok(outcome) => {
            if outcome == CopyOutcome::Copied {
                ctx.signal_modified_in(dst, newkey);
                ctx.notify_in(dst, class::GENERIC, "copy_to", newkey);
                ctx.dirty(1);
            }
            ctx.out.int((outcome == CopyOutcome::Copied) as i64);
        }
    }
}

/// Moves `key` from database `src` to `dst` with its expiry, as Redis's
/// `moveCommand`: `false` when the key is missing or already in `dst`.
pub fn op_move(
    dbs: &mut [Db],
    src: usize,
    dst: usize,
    key: &[u8],
    now_ms: i64,
) -> Result<bool, OpError> {
    if src == dst {
        return Err(OpError::Other(errors::SAME_OBJECT.to_string()));
    }
    let (from, to) = two_dbs(dbs, src, dst);
    if from.lookup(key, now_ms).is_none() || to.lookup(key, now_ms).is_some() {
        return Ok(false);
    }
    let (entry, at) = from.take(key).ok_or(OpError::NoSuchKey)?;
    to.put(key, entry, at);
    Ok(true)
}

/// `MOVE key db`
fn move_key(ctx: &mut Ctx) {
    let Some(dst) = db_index_or_reply(ctx, 2) else {
        return;
    };
    let (src, key, now) = (ctx.client.db, ctx.arg(1), ctx.now_ms());
    let result = op_move(&mut ctx.srv.dbs, src, dst, key, now);
    // Either side turning out expired is reported before the reply.
    ctx.drain_pending();
    match result {
        Err(e) => ctx.error_op(e),
        Ok(moved) => {
            if moved {
                ctx.signal_modified_in(src, key);
                ctx.signal_modified_in(dst, key);
                ctx.notify_in(src, class::GENERIC, "move_from", key);
                ctx.notify_in(dst, class::GENERIC, "move_to", key);
                ctx.dirty(1);
            }
            ctx.out.int(moved as i64);
        }
    }
}

/// Names of the live keys matching `pattern` (a lone `*` matches every key,
/// even the empty one, which the glob matcher alone would not).
pub fn op_keys(db: &Db, pattern: &[u8], now_ms: i64) -> Vec<Vec<u8>> {
    let all = pattern == b"*";
    db.iter()
        .filter(|(k, _)| all || glob_match(pattern, k, false))
        .filter(|(k, _)| !db.is_expired(k, now_ms))
        .map(|(k, _)| k.to_vec())
        .collect()
}

/// `KEYS pattern`
fn keys(ctx: &mut Ctx) {
    let (pattern, now) = (ctx.arg(1), ctx.now_ms());
    let found = op_keys(ctx.db(), pattern, now);
    ctx.out.array(found.len());
    for k in &found {
        ctx.out.bulk(k);
    }
}

/// A random live key. Expired keys drawn on the way are deleted, as Redis's
/// `dbRandomKey` does on a master; each retry removes one, so it ends.
pub fn op_random_key(db: &mut Db, now_ms: i64) -> Option<Vec<u8>> {
    loop {
        let key = db.random_key()?.to_vec();
        if !db.expire_if_needed(&key, now_ms) {
            return Some(key);
        }
    }
}

/// `RANDOMKEY`
fn randomkey(ctx: &mut Ctx) {
    let now = ctx.now_ms();
    let found = op_random_key(ctx.db(), now);
    // Keys found expired on the way are reported before the reply.
    ctx.drain_pending();
    match found {
        Some(k) => ctx.out.bulk(&k),
        None => ctx.out.null(),
    }
}

/// `DBSIZE`: every stored key, logically expired ones included, like Redis.
fn dbsize(ctx: &mut Ctx) {
    let n = ctx.db().len();
    ctx.out.int(n as i64);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;

    fn db_with(keys: &[&str]) -> Db {
        let mut db = Db::new();
        for k in keys {
            db.set(k.as_bytes(), Value::string(b"v"), false, 0);
        }
        db
    }

    #[test]
    fn rename_moves_value_and_ttl() {
        let mut db = db_with(&["a", "b"]);
        db.set_expire(b"a", 5000);
        assert_eq!(op_rename(&mut db, b"a", b"b", false, 0), Ok(true));
        assert_eq!(db.expire_at(b"b"), Some(5000));
        assert!(!db.contains(b"a", 0));
        assert_eq!(
            op_rename(&mut db, b"a", b"b", false, 0),
            Err(OpError::NoSuchKey)
        );
        assert_eq!(op_rename(&mut db, b"b", b"b", false, 0), Ok(false));
        assert_eq!(db.expire_at(b"b"), Some(5000), "same-key rename is a no-op");
    }

    #[test]
    fn renamenx_refuses_existing_target() {
        let mut db = db_with(&["a", "b"]);
        assert_eq!(op_rename(&mut db, b"a", b"b", true, 0), Ok(false));
        assert_eq!(db.len(), 2);
        assert_eq!(op_rename(&mut db, b"a", b"c", true, 0), Ok(true));
        db.set_expire(b"b", 10);
        assert_eq!(
            op_rename(&mut db, b"c", b"b", true, 100),
            Ok(true),
            "an expired target counts as absent"
        );
    }

    #[test]
    fn rename_drops_the_target_ttl() {
        let mut db = db_with(&["a", "b"]);
        db.set_expire(b"b", 5000);
        assert_eq!(op_rename(&mut db, b"a", b"b", false, 0), Ok(true));
        assert_eq!(db.expire_at(b"b"), None);
    }

    #[test]
    fn copy_within_and_across_dbs() {
        let mut dbs = vec![db_with(&["a", "b"]), Db::new()];
        dbs[0].set_expire(b"a", 7000);
        assert_eq!(
            op_copy(&mut dbs, 0, 0, b"a", b"a", false, 0),
            Err(OpError::Other(errors::SAME_OBJECT.into()))
        );
        assert_eq!(
            op_copy(&mut dbs, 0, 0, b"a", b"b", false, 0),
            Ok(CopyOutcome::TargetExists)
        );
        assert_eq!(
            op_copy(&mut dbs, 0, 0, b"a", b"b", true, 0),
            Ok(CopyOutcome::Copied)
        );
        assert_eq!(dbs[0].expire_at(b"b"), Some(7000));
        assert_eq!(
            op_copy(&mut dbs, 0, 1, b"a", b"a", false, 0),
            Ok(CopyOutcome::Copied)
        );
        assert_eq!(dbs[1].expire_at(b"a"), Some(7000));
        assert_eq!(dbs[0].len(), 2, "the source stays");
        assert_eq!(
            op_copy(&mut dbs, 0, 1, b"zz", b"x", false, 0),
            Ok(CopyOutcome::NoSource)
        );
    }

    #[test]
    fn move_between_dbs() {
        let mut dbs = vec![db_with(&["a", "b"]), db_with(&["b"])];
        dbs[0].set_expire(b"a", 9000);
        assert_eq!(
            op_move(&mut dbs, 0, 0, b"a", 0),
            Err(OpError::Other(errors::SAME_OBJECT.into()))
        );
        assert_eq!(op_move(&mut dbs, 0, 1, b"b", 0), Ok(false));
        assert_eq!(op_move(&mut dbs, 0, 1, b"a", 0), Ok(true));
        assert_eq!(dbs[1].expire_at(b"a"), Some(9000));
        assert!(!dbs[0].contains(b"a", 0));
        assert_eq!(op_move(&mut dbs, 1, 0, b"a", 0), Ok(true));
        assert_eq!(op_move(&mut dbs, 1, 0, b"zz", 0), Ok(false));
    }

    #[test]
    fn keys_skips_expired_and_star_matches_empty_name() {
        let mut db = db_with(&["", "ab", "ac", "old"]);
        db.set_expire(b"old", 10);
        let mut all = op_keys(&db, b"*", 100);
        all.sort();
        assert_eq!(all, vec![b"".to_vec(), b"ab".to_vec(), b"ac".to_vec()]);
        assert_eq!(op_keys(&db, b"a?", 100).len(), 2);
        assert_eq!(db.len(), 4, "KEYS deletes nothing");
    }

    #[test]
    fn random_key_skips_and_deletes_expired() {
        let mut db = db_with(&["live", "x1", "x2", "x3"]);
        for k in ["x1", "x2", "x3"] {
            db.set_expire(k.as_bytes(), 10);
        }
        assert_eq!(op_random_key(&mut db, 100), Some(b"live".to_vec()));
        let mut only_expired = db_with(&["x"]);
        only_expired.set_expire(b"x", 10);
        assert_eq!(op_random_key(&mut only_expired, 100), None);
        assert!(only_expired.is_empty());
    }
}
