//! Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with their NX, XX,
//! GT and LT conditions; TTL, PTTL, EXPIRETIME, PEXPIRETIME; PERSIST.

use super::lookup_notouch;
use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx, KeySpec};
use crate::db::Db;
use crate::errors;
use crate::keyspace_events::class;

/// `key` of the expire-setting commands.
const RW_UPDATE_KEY: &[KeySpec] = &[KeySpec::single(&["RW", "UPDATE"], 1)];
/// `key` of the TTL readers.
const RO_ACCESS_KEY: &[KeySpec] = &[KeySpec::single(&["RO", "ACCESS"], 1)];
/// The `NX | XX | GT | LT` argument.
const CONDITION: Arg = Arg {
    name: "condition",
    kind: ArgKind::OneOf,
    optional: true,
    since: Some("7.0.0"),
    children: &[
        Arg::token("nx", "NX"),
        Arg::token("xx", "XX"),
        Arg::token("gt", "GT"),
        Arg::token("lt", "LT"),
    ],
    ..Arg::BASE
};
/// History shared by the four expire-setting commands.
const CONDITION_HISTORY: &[(&str, &str)] =
    &[("7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`.")];
/// History of TTL and PTTL.
const TTL_HISTORY: &[(&str, &str)] = &[("2.8.0", "Added the -2 reply.")];
/// `key`
const KEY_ARG: &[Arg] = &[Arg::key("key", 0)];

/// Declarations of the expiry commands.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "expire",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        keys: RW_UPDATE_KEY,
        summary: "Set a key's time to live in seconds",
        complexity: "O(1)",
        history: CONDITION_HISTORY,
        args: &[
            Arg::key("key", 0),
            Arg::new("seconds", ArgKind::Integer),
            CONDITION,
        ],
        handler: expire,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "pexpire",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        keys: RW_UPDATE_KEY,
        since: "2.6.0",
        summary: "Set a key's time to live in milliseconds",
        complexity: "O(1)",
        history: CONDITION_HISTORY,
        args: &[
            Arg::key("key", 0),
            Arg::new("milliseconds", ArgKind::Integer),
            CONDITION,
        ],
        handler: pexpire,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "expireat",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        keys: RW_UPDATE_KEY,
        since: "1.2.0",
        summary: "Set the expiration for a key as a UNIX timestamp",
        complexity: "O(1)",
        history: CONDITION_HISTORY,
        args: &[
            Arg::key("key", 0),
            Arg::new("unix-time-seconds", ArgKind::UnixTime),
            CONDITION,
        ],
        handler: expireat,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "pexpireat",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        keys: RW_UPDATE_KEY,
        since: "2.6.0",
        summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
        complexity: "O(1)",
        history: CONDITION_HISTORY,
        args: &[
            Arg::key("key", 0),
            Arg::new("unix-time-milliseconds", ArgKind::UnixTime),
            CONDITION,
        ],
        handler: pexpireat,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "ttl",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        keys: RO_ACCESS_KEY,
        summary: "Get the time to live for a key in seconds",
        complexity: "O(1)",
        tips: &["nondeterministic_output"],
        history: TTL_HISTORY,
        args: KEY_ARG,
        handler: ttl,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "pttl",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        keys: RO_ACCESS_KEY,
        since: "2.6.0",
        summary: "Get the time to live for a key in milliseconds",
        complexity: "O(1)",
        tips: &["nondeterministic_output"],
        history: TTL_HISTORY,
        args: KEY_ARG,
        handler: pttl,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "expiretime",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        keys: RO_ACCESS_KEY,
        since: "7.0.0",
        summary: "Get the expiration Unix timestamp for a key",
        complexity: "O(1)",
        args: KEY_ARG,
        handler: expiretime,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "pexpiretime",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE,
        keys: RO_ACCESS_KEY,
        since: "7.0.0",
        summary: "Get the expiration Unix timestamp for a key in milliseconds",
        complexity: "O(1)",
        args: KEY_ARG,
        handler: pexpiretime,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "persist",
        arity: 2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE,
        keys: RW_UPDATE_KEY,
        since: "2.2.0",
        summary: "Remove the expiration from a key",
        complexity: "O(1)",
        args: KEY_ARG,
        handler: persist,
        ..CommandSpec::BASE
    },
];

/// The optional condition of the expire-setting commands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpireCondition {
    /// Only if the key has no expiry.
    pub nx: bool,
    /// Only if the key has an expiry.
    pub xx: bool,
    /// Only if the new expiry is later than the current one.
    pub gt: bool,
    /// Only if the new expiry is earlier than the current one.
    pub lt: bool,
}

impl ExpireCondition {
    /// Parses the option words after the time, as Redis's
    /// `parseExtendedExpireArgumentsOrReply`: a repeated word is allowed, an
    /// unknown one or an incompatible pair is an error (with its reply text).
    pub fn parse(words: &[&[u8]]) -> Result<Self, String> {
        let mut c = ExpireCondition::default();
        for w in words {
            let flag = match w.to_ascii_lowercase().as_slice() {
                b"nx" => &mut c.nx,
                b"xx" => &mut c.xx,
                b"gt" => &mut c.gt,
                b"lt" => &mut c.lt,
                _ => {
                    return Err(format!(
                        "ERR Unsupported option {}",
                        String::from_utf8_lossy(w)
                    ))
                }
            };
            *flag = true;
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(errors::EXPIRE_NX_CONFLICT.to_string());
        }
        if c.gt && c.lt {
            return Err(errors::EXPIRE_GT_LT_CONFLICT.to_string());
        }
        Ok(c)
    }

    /// Whether the condition lets a key whose expiry is `current` (`None`:
    /// no expiry, an infinite TTL) take the new expiry `when`.
    pub fn allows(self, current: Option<i64>, when: i64) -> bool {
        if self.nx && current.is_some() {
            return false;
        }
        if self.xx && current.is_none() {
            return false;
        }
        if self.gt && current.is_none_or(|cur| when <= cur) {
            return false;
        }
        if self.lt && current.is_some_and(|cur| when >= cur) {
            return false;
        }
        true
    }
}

/// The absolute expiry in ms for an argument `n` in `unit_ms` milliseconds
/// per unit added to `base_ms` (0 for the `…AT` forms), or `None` when that
/// overflows, as Redis checks it (only upwards for the addition).
pub fn absolute_expire(n: i64, unit_ms: i64, base_ms: i64) -> Option<i64> {
    let when = n.checked_mul(unit_ms)?;
    if when > i64::MAX - base_ms {
        return None;
    }
    Some(when + base_ms)
}

/// What an expire-setting command did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireOutcome {
    /// The key is missing or the condition refused: reply 0.
    Unchanged,
    /// The expiry was set: reply 1.
    Set,
    /// The time was already past, so the key was deleted: reply 1.
    Deleted,
}

/// Sets the expiry of `key` to `when` (absolute ms) under `cond`, as Redis's
/// `expireGenericCommand`: a time not in the future deletes the key.
pub fn op_expire(
    db: &mut Db,
    key: &[u8],
    when: i64,
    cond: ExpireCondition,
    now_ms: i64,
) -> ExpireOutcome {
    if db.lookup(key, now_ms).is_none() {
        return ExpireOutcome::Unchanged;
    }
    if !cond.allows(db.expire_at(key), when) {
        return ExpireOutcome::Unchanged;
    }
    if when <= now_ms && !crate::db::keyspace::expiry_suspended() {
        db.remove(key);
        ExpireOutcome::Deleted
    } else {
        db.set_expire(key, when);
        ExpireOutcome::Set
    }
}

/// `EXPIRE key seconds [NX | XX | GT | LT]`
fn expire(ctx: &mut Ctx) {
    let now = ctx.now_ms();
    expire_generic(ctx, 1000, now);
}

/// `PEXPIRE key milliseconds [NX | XX | GT | LT]`
fn pexpire(ctx: &mut Ctx) {
    let now = ctx.now_ms();
    expire_generic(ctx, 1, now);
}

/// `EXPIREAT key unix-time-seconds [NX | XX | GT | LT]`
fn expireat(ctx: &mut Ctx) {
    expire_generic(ctx, 1000, 0);
}

/// `PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]`
fn pexpireat(ctx: &mut Ctx) {
    expire_generic(ctx, 1, 0);
}

/// The four expire-setting commands: options first, then the time, as Redis
/// checks them.
fn expire_generic(ctx: &mut Ctx, unit_ms: i64, base_ms: i64) {
    let cond = match ExpireCondition::parse(&ctx.argv[3..]) {
        Ok(c) => c,
        Err(msg) => return ctx.error(&msg),
    };
    let Some(n) = ctx.i64_or_reply(2) else {
        return;
    };
    let Some(when) = absolute_expire(n, unit_ms, base_ms) else {
        let msg = errors::INVALID_EXPIRE.replace("{}", ctx.cmd.name);
        return ctx.error(&msg);
    };
    let (key, now) = (ctx.arg(1), ctx.now_ms());
    let outcome = op_expire(ctx.db(), key, when, cond, now);
    // A key that had already expired is reported before the reply.
    ctx.drain_pending();
    match outcome {
        ExpireOutcome::Unchanged => ctx.out.int(0),
        ExpireOutcome::Deleted => {
            ctx.signal_modified(key);
            ctx.notify(class::GENERIC, "del", key);
            ctx.dirty(1);
            ctx.propagate_as(&[b"DEL", key]);
            ctx.out.int(1);
        }
        // Redis replies before it signals and publishes `expire` here.
        ExpireOutcome::Set => {
            ctx.out.int(1);
            ctx.signal_modified(key);
            ctx.notify(class::GENERIC, "expire", key);
            ctx.dirty(1);
            // Replays as PEXPIREAT at the absolute time, options kept.
            let at = itoa::Buffer::new().format(when).as_bytes().to_vec();
            let mut argv: Vec<&[u8]> = vec![b"PEXPIREAT", key, &at];
            argv.extend_from_slice(&ctx.argv[3..]);
            ctx.propagate_as(&argv);
        }
    }
}

/// The reply of the TTL family for a key whose expiry is `at`: -1 without
/// one; otherwise the remaining time (or the absolute time when `absolute`)
/// in ms, or in seconds rounded to nearest when not `in_ms`.
pub fn ttl_reply(at: Option<i64>, now_ms: i64, in_ms: bool, absolute: bool) -> i64 {
    let Some(at) = at else {
        return -1;
    };
    let ms = if absolute { at } else { at - now_ms }.max(0);
    if in_ms {
        ms
    } else {
        (ms + 500) / 1000
    }
}

/// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 for a missing key.
fn ttl_generic(ctx: &mut Ctx, in_ms: bool, absolute: bool) {
    let key = ctx.arg(1);
    if lookup_notouch(ctx, key).is_none() {
        return ctx.out.int(-2);
    }
    let now = ctx.now_ms();
    let at = ctx.db().expire_at(key);
    ctx.out.int(ttl_reply(at, now, in_ms, absolute));
}

/// `TTL key`
fn ttl(ctx: &mut Ctx) {
    ttl_generic(ctx, false, false);
}

/// `PTTL key`
fn pttl(ctx: &mut Ctx) {
    ttl_generic(ctx, true, false);
}

/// `EXPIRETIME key`
fn expiretime(ctx: &mut Ctx) {
    ttl_generic(ctx, false, true);
}

/// `PEXPIRETIME key`
fn pexpiretime(ctx: &mut Ctx) {
    ttl_generic(ctx, true, true);
}

/// `PERSIST key`
fn persist(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    let removed = ctx.lookup_write(key).is_some() && ctx.db().persist(key);
    if removed {
        ctx.signal_modified(key);
        ctx.notify(class::GENERIC, "persist", key);
        ctx.dirty(1);
    }
    ctx.out.int(removed as i64);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;

    fn cond(words: &[&str]) -> Result<ExpireCondition, String> {
        let w: Vec<&[u8]> = words.iter().map(|s| s.as_bytes()).collect();
        ExpireCondition::parse(&w)
    }

    #[test]
    fn condition_parsing_and_conflicts() {
        assert_eq!(
            cond(&["nx", "NX"]),
            Ok(ExpireCondition {
                nx: true,
                ..Default::default()
            })
        );
        assert_eq!(cond(&["xx", "gt"]).map(|c| c.xx && c.gt), Ok(true));
        assert_eq!(cond(&["nx", "xx"]), Err(errors::EXPIRE_NX_CONFLICT.into()));
        assert_eq!(cond(&["lt", "nx"]), Err(errors::EXPIRE_NX_CONFLICT.into()));
        assert_eq!(
            cond(&["gt", "lt"]),
            Err(errors::EXPIRE_GT_LT_CONFLICT.into())
        );
        assert_eq!(cond(&["Foo"]), Err("ERR Unsupported option Foo".into()));
    }

    #[test]
    fn condition_semantics() {
        let c = |w: &[&str]| cond(w).expect("valid");
        assert!(c(&["nx"]).allows(None, 5));
        assert!(!c(&["nx"]).allows(Some(1), 5));
        assert!(!c(&["xx"]).allows(None, 5));
        assert!(c(&["xx"]).allows(Some(1), 5));
        assert!(
            !c(&["gt"]).allows(None, 5),
            "no TTL is infinite: never greater"
        );
        assert!(c(&["gt"]).allows(Some(4), 5));
        assert!(!c(&["gt"]).allows(Some(5), 5));
        assert!(c(&["lt"]).allows(None, 5), "anything is less than infinite");
        assert!(c(&["lt"]).allows(Some(6), 5));
        assert!(!c(&["lt"]).allows(Some(5), 5));
        assert!(!c(&["xx", "lt"]).allows(None, 5));
    }

    #[test]
    fn overflow_checks() {
        assert_eq!(absolute_expire(10, 1000, 5), Some(10_005));
        assert_eq!(absolute_expire(i64::MAX / 1000 + 1, 1000, 0), None);
        assert_eq!(absolute_expire(i64::MIN, 1000, 0), None);
        assert_eq!(absolute_expire(i64::MAX, 1, 1), None);
        assert_eq!(absolute_expire(i64::MIN, 1, 1000), Some(i64::MIN + 1000));
    }

    #[test]
    fn expire_sets_or_deletes() {
        let mut db = Db::new();
        db.set(b"k", Value::string(b"v"), false, 0);
        let none = ExpireCondition::default();
        assert_eq!(
            op_expire(&mut db, b"k", 5000, none, 1000),
            ExpireOutcome::Set
        );
        assert_eq!(db.expire_at(b"k"), Some(5000));
        let gt = cond(&["gt"]).expect("valid");
        assert_eq!(
            op_expire(&mut db, b"k", 4000, gt, 1000),
            ExpireOutcome::Unchanged
        );
        assert_eq!(op_expire(&mut db, b"k", 6000, gt, 1000), ExpireOutcome::Set);
        assert_eq!(
            op_expire(&mut db, b"k", 1000, none, 1000),
            ExpireOutcome::Deleted
        );
        assert!(db.is_empty());
        assert_eq!(
            op_expire(&mut db, b"k", 9000, none, 1000),
            ExpireOutcome::Unchanged
        );
    }

    #[test]
    fn ttl_rounding() {
        assert_eq!(ttl_reply(None, 0, false, false), -1);
        assert_eq!(ttl_reply(Some(10_499), 0, false, false), 10);
        assert_eq!(ttl_reply(Some(10_500), 0, false, false), 11);
        assert_eq!(ttl_reply(Some(10_500), 0, true, false), 10_500);
        assert_eq!(ttl_reply(Some(5), 10, true, false), 0);
        assert_eq!(ttl_reply(Some(10_500), 7, true, true), 10_500);
        assert_eq!(ttl_reply(Some(10_500), 7, false, true), 11);
    }
}
