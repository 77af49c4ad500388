//! DUMP and RESTORE (Redis's `cluster.c`): a value serialized in RDB form
//! with the RDB version and a CRC64, so values move between rkv and Redis.

use rkv_rdb::dump_payload::{self, WRITE_VERSION};

use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx, KeySpec};
use crate::db::keyspace::{lru_clock, LRU_CLOCK_MAX};
use crate::keyspace_events::class;
use crate::persistence::convert::{self, Limits};

/// A payload whose footer is wrong (`verifyDumpPayload` failed).
pub const BAD_PAYLOAD: &str = "ERR DUMP payload version or checksum are wrong";
/// A payload whose body does not decode.
pub const BAD_DATA: &str = "ERR Bad data format";
/// RESTORE without REPLACE onto an existing key.
pub const BUSY_KEY: &str = "BUSYKEY Target key name already exists.";
/// A negative TTL.
pub const INVALID_TTL: &str = "ERR Invalid TTL value, must be >= 0";
/// A negative IDLETIME.
pub const INVALID_IDLETIME: &str = "ERR Invalid IDLETIME value, must be >= 0";
/// A FREQ outside 0..=255.
pub const INVALID_FREQ: &str = "ERR Invalid FREQ value, must be >= 0 and <= 255";

/// DUMP and RESTORE.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "dump",
        arity: 2,
        flags: flags::READONLY,
        acl: acl::KEYSPACE,
        keys: &[KeySpec::single(&["RO", "ACCESS"], 1)],
        since: "2.6.0",
        summary: "Return a serialized version of the value stored at the specified key.",
        complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
        tips: &["nondeterministic_output"],
        args: &[Arg::key("key", 0)],
        handler: dump,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "restore",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::KEYSPACE | acl::DANGEROUS,
        keys: &[KeySpec::single(&["OW", "UPDATE"], 1)],
        since: "2.6.0",
        summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
        complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
        history: &[
            ("3.0.0", "Added the `REPLACE` modifier."),
            ("5.0.0", "Added the `ABSTTL` modifier."),
            ("5.0.0", "Added the `IDLETIME` and `FREQ` options."),
        ],
        args: &[
            Arg::key("key", 0),
            Arg::new("ttl", ArgKind::Integer),
            Arg::new("serialized-value", ArgKind::String),
            Arg {
                since: Some("3.0.0"),
                ..Arg::token("replace", "REPLACE").optional()
            },
            Arg {
                since: Some("5.0.0"),
                ..Arg::token("absttl", "ABSTTL").optional()
            },
            Arg {
                token: Some("IDLETIME"),
                since: Some("5.0.0"),
                ..Arg::new("seconds", ArgKind::Integer).optional()
            },
            Arg {
                token: Some("FREQ"),
                since: Some("5.0.0"),
                ..Arg::new("frequency", ArgKind::Integer).optional()
            },
        ],
        handler: restore,
        ..CommandSpec::BASE
    },
];

/// `DUMP key`: the payload, or a null bulk when the key is missing.
fn dump(ctx: &mut Ctx) {
    let compression = ctx.srv.config.rdbcompression;
    let key = ctx.arg(1);
    let (entry, out) = ctx.lookup_read_and_reply(key);
    match entry {
        None => out.null(),
        Some(entry) => {
            let payload = dump_payload::encode(&convert::to_rdb(&entry.value), compression);
            out.bulk(&payload);
        }
    }
}

/// RESTORE's options after the payload.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct RestoreOptions {
    replace: bool,
    absttl: bool,
    idle: Option<i64>,
    freq: Option<i64>,
}

/// Parses the options as Redis's `restoreCommand`: IDLETIME and FREQ
/// exclude each other (the second is a syntax error); values are checked
/// as they are met.
fn parse_options(ctx: &mut Ctx) -> Option<RestoreOptions> {
    let mut opts = RestoreOptions::default();
    let mut i = 4;
    while i < ctx.argc() {
        let word = ctx.arg(i);
        let has_value = i + 1 < ctx.argc();
        if word.eq_ignore_ascii_case(b"replace") {
            opts.replace = true;
        } else if word.eq_ignore_ascii_case(b"absttl") {
            opts.absttl = true;
        } else if word.eq_ignore_ascii_case(b"idletime") && has_value && opts.freq.is_none() {
            let idle = ctx.i64_or_reply(i + 1)?;
            if idle < 0 {
                ctx.error(INVALID_IDLETIME);
                return None;
            }
            opts.idle = Some(idle);
            i += 1;
        } else if word.eq_ignore_ascii_case(b"freq") && has_value && opts.idle.is_none() {
            let freq = ctx.i64_or_reply(i + 1)?;
            if !(0..=255).contains(&freq) {
                ctx.error(INVALID_FREQ);
                return None;
            }
            opts.freq = Some(freq);
            i += 1;
        } else {
            ctx.syntax_error();
            return None;
        }
        i += 1;
    }
    Some(opts)
}

/// `RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]`.
fn restore(ctx: &mut Ctx) {
    let Some(opts) = parse_options(ctx) else {
        return;
    };
    let key = ctx.arg(1);
    if !opts.replace && ctx.lookup_write(key).is_some() {
        return ctx.error(BUSY_KEY);
    }
    let Some(ttl) = ctx.i64_or_reply(2) else {
        return;
    };
    if ttl < 0 {
        return ctx.error(INVALID_TTL);
    }
    let payload = ctx.arg(3);
    if dump_payload::verify(payload, WRITE_VERSION).is_err() {
        return ctx.error(BAD_PAYLOAD);
    }
    let Ok((value, _)) = dump_payload::decode(payload, WRITE_VERSION) else {
        return ctx.error(BAD_DATA);
    };
    let limits = Limits::from_config(&ctx.srv.config);
    let Ok(value) = convert::from_rdb(value, &limits) else {
        return ctx.error(BAD_DATA);
    };
    let now = ctx.now_ms();
    let deleted = opts.replace && ctx.db().remove(key).is_some();
    let expire_at = match ttl {
        0 => None,
        t if opts.absttl => Some(t),
        t => Some(t.saturating_add(now)),
    };
    if expire_at.is_some_and(|at| at <= now) {
        // Already expired: the key is not created (an old one is deleted).
        if deleted {
            let verb = crate::propagate::deletion_verb(ctx.srv.config.lazyfree_lazy_server_del);
            ctx.propagate_as(&[verb, key]);
            ctx.signal_modified(key);
            ctx.notify(class::GENERIC, "del", key);
            ctx.dirty(1);
        }
        return ctx.out.ok();
    }
    let db = ctx.db();
    db.set(key, value, false, now);
    if let Some(at) = expire_at {
        db.set_expire(key, at);
    }
    if let (Some(idle), Some(entry)) = (opts.idle, db.get_mut_raw(key)) {
        entry.lru = idle_lru(lru_clock(now), idle);
    }
    if let (Some(at), false) = (expire_at, opts.absttl) {
        // Replayed later, a relative TTL would mean another moment.
        let at = at.to_string();
        let mut argv: Vec<&[u8]> = ctx.argv.to_vec();
        argv[2] = at.as_bytes();
        argv.push(b"ABSTTL");
        ctx.propagate_as(&argv);
    }
    ctx.signal_modified(key);
    ctx.notify(class::GENERIC, "restore", key);
    ctx.out.ok();
    ctx.dirty(1);
}

/// The LRU clock value of a key idle for `idle` seconds (Redis's
/// `objectSetLRUOrLFU`, resolution 1 s), wrapping as the 24-bit clock does.
fn idle_lru(clock: u32, idle: i64) -> u32 {
    let span = i64::from(LRU_CLOCK_MAX) + 1;
    (i64::from(clock) - idle).rem_euclid(span) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::keyspace::idle_seconds;

    #[test]
    fn idle_time_wraps_with_the_clock() {
        assert_eq!(idle_seconds(100, idle_lru(100, 30)), 30);
        assert_eq!(idle_seconds(5, idle_lru(5, 30)), 30);
    }
}
