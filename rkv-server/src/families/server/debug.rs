//! DEBUG SLEEP / SET-ACTIVE-EXPIRE / OBJECT / DIGEST / DIGEST-VALUE /
//! RELOAD / HELP.
//!
//! DEBUG is `PROTECTED`: the dispatcher enforces `enable-debug-command`.
//! Other Redis subcommands (LOADAOF, JMAP...) get Redis's
//! unknown-subcommand error until they exist.

use super::digest::{dataset_digest, to_hex, value_digest};
use super::{reply_help, subcommand_syntax_error};
use crate::command::{flags, CommandSpec, Ctx};
use crate::db::keyspace::{idle_seconds, lru_clock};
use crate::db::{StrValue, Value};
use crate::errors;

/// Declaration of DEBUG.
pub const SPEC: CommandSpec = CommandSpec {
    name: "debug",
    arity: -2,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::PROTECTED,
    group: "server",
    since: "1.0.0",
    summary: "A container for debugging commands",
    complexity: "Depends on subcommand.",
    doc_flags: &["syscmd"],
    handler: debug,
    ..CommandSpec::BASE
};

/// Integers below this are Redis's shared objects (`OBJ_SHARED_INTEGERS`).
const SHARED_INTEGERS: i64 = 10000;
/// The refcount Redis reports for shared objects (`OBJ_SHARED_REFCOUNT`).
const SHARED_REFCOUNT: i32 = i32::MAX;

/// `DEBUG <subcommand> ...`
fn debug(ctx: &mut Ctx) {
    let sub = ctx.arg(1).to_ascii_lowercase();
    match (sub.as_slice(), ctx.argc()) {
        (b"help", 2) => debug_help(ctx),
        (b"sleep", 3) => {
            let secs = strtod_prefix(ctx.arg(2));
            let us = (secs * 1_000_000.0) as i64;
            if us > 0 {
                std::thread::sleep(std::time::Duration::from_micros(us as u64));
            }
            ctx.out.ok();
        }
        (b"set-active-expire", 3) => {
            ctx.srv.active_expire_enabled = atoi(ctx.arg(2)) != 0;
            ctx.out.ok();
        }
        (b"object", 3) => debug_object(ctx),
        (b"populate", 3..=5) => debug_populate(ctx),
        (b"loadaof", 2) => debug_loadaof(ctx),
        (b"reload", _) => crate::persistence::reload::debug_reload(ctx),
        (b"digest", 2) => {
            let d = dataset_digest(&ctx.srv.dbs);
            ctx.out.simple(&to_hex(&d));
        }
        (b"digest-value", _) => {
            // Like Redis, logically expired keys still count: no expiry check.
            let db = &mut ctx.srv.dbs[ctx.client.db];
            let digests: Vec<String> = ctx.argv[2..]
                .iter()
                .map(|key| {
                    let mut d = [0u8; 20];
                    let has_expire = db.expire_at(key).is_some();
                    if let Some(e) = db.get_mut_raw(key) {
                        value_digest(&mut d, &e.value, has_expire);
                    }
                    to_hex(&d)
                })
                .collect();
            ctx.out.array(digests.len());
            for d in digests {
                ctx.out.simple(&d);
            }
        }
        _ => subcommand_syntax_error(ctx),
    }
}

/// `DEBUG POPULATE count [prefix] [size]`: creates `prefix:N` keys (`key`
/// by default) holding `value:N`, zero-padded or cut to `size` bytes when
/// given; existing keys are left alone. Like Redis it counts no change,
/// so nothing is propagated or saved for it.
fn debug_populate(ctx: &mut Ctx) {
    let Some(count) = non_negative(ctx.arg(2)) else {
        return ctx.error(errors::MUST_BE_POSITIVE);
    };
    let size = match ctx.argc() {
        5 => match non_negative(ctx.arg(4)) {
            Some(n) => n,
            None => return ctx.error(errors::MUST_BE_POSITIVE),
        },
        _ => 0,
    };
    let prefix = match ctx.argc() {
        3 => b"key".to_vec(),
        _ => ctx.arg(3).to_vec(),
    };
    // Redis formats the key into a 128-byte buffer: longer names are cut.
    const KEY_BUFFER: usize = 127;
    let db_index = ctx.client.db;
    ctx.srv.dbs[db_index].reserve(count as usize, 0);
    for j in 0..count {
        let mut key = prefix.clone();
        key.extend_from_slice(format!(":{j}").as_bytes());
        key.truncate(KEY_BUFFER);
        if ctx.lookup_write(&key).is_some() {
            continue;
        }
        let text = format!("value:{j}");
        let value = if size == 0 {
            text.into_bytes()
        } else {
            let mut v = vec![0u8; size as usize];
            let n = text.len().min(v.len());
            v[..n].copy_from_slice(&text.as_bytes()[..n]);
            v
        };
        let now = ctx.now_ms();
        ctx.db().set(&key, Value::string(&value), false, now);
        ctx.signal_modified(&key);
    }
    ctx.out.ok();
}

/// `DEBUG LOADAOF`: replays the append-only set into an emptied dataset.
/// With the AOF off rkv refuses, where Redis would empty the dataset and
/// exit when no files exist.
fn debug_loadaof(ctx: &mut Ctx) {
    if ctx.srv.aof.is_none() {
        return ctx.error("ERR DEBUG LOADAOF needs appendonly yes");
    }
    match crate::aof::reload(ctx.srv) {
        Ok(()) => {
            // Nothing to propagate: the data came from the files.
            ctx.srv.dirty = 0;
            crate::warning!("Append Only File loaded by DEBUG LOADAOF");
            ctx.out.ok();
        }
        Err(e) => {
            crate::warning!("{e}");
            ctx.error(&format!("ERR {e}"));
        }
    }
}

/// A decimal integer that is not negative.
fn non_negative(arg: &[u8]) -> Option<i64> {
    rkv_proto::request::parse_i64(arg).filter(|n| *n >= 0)
}

/// `DEBUG OBJECT key`: Redis's one-line description of the stored object.
fn debug_object(ctx: &mut Ctx) {
    let key = ctx.arg(2);
    let clock = lru_clock(ctx.now_ms());
    let Some(entry) = ctx.db().get_mut_raw(key) else {
        return ctx.error(errors::NO_SUCH_KEY);
    };
    let address = entry as *const _ as usize;
    let lru = entry.lru;
    let (encoding, length, refcount) = match &entry.value {
        Value::Str(s) => {
            let shared = matches!(s, StrValue::Int(n) if (0..SHARED_INTEGERS).contains(n));
            (
                s.encoding(),
                serialized_string_len(s),
                if shared { SHARED_REFCOUNT } else { 1 },
            )
        }
        other => (other.encoding(), serialized_collection_len(other), 1),
    };
    let line = format!(
        "Value at:{address:#x} refcount:{refcount} encoding:{encoding} serializedlength:{length} lru:{lru} lru_seconds_idle:{}",
        idle_seconds(clock, lru)
    );
    ctx.out.simple(&line);
}

/// An estimate of a collection's RDB size: a length prefix, then each
/// element with its own prefix. Redis saves small collections packed, so its
/// figure is smaller; the exact size comes with the RDB writer.
fn serialized_collection_len(value: &Value) -> usize {
    let item = |n: usize| rdb_len_size(n) + n;
    let mut total = 0;
    let count = match value {
        Value::Str(s) => return serialized_string_len(s),
        Value::List(l) => {
            l.for_each(|e| total += item(e.len()));
            l.len()
        }
        Value::Set(set) => {
            set.for_each(|e| total += item(e.len()));
            set.len()
        }
        Value::Hash(h) => {
            h.for_each(|f, v| total += item(f.len()) + item(v.len()));
            h.len()
        }
        Value::ZSet(z) => {
            z.for_each(|m, _| total += item(m.len()) + 8);
            z.len()
        }
        Value::Stream(s) => {
            s.for_each(|_, fields| fields.iter().for_each(|f| total += item(f.len())));
            s.len()
        }
    };
    rdb_len_size(count) + total
}

/// Bytes an RDB length prefix takes (`rdbSaveLen`).
fn rdb_len_size(len: usize) -> usize {
    match len {
        0..=63 => 1,
        64..=16383 => 2,
        _ if len as u64 <= u32::MAX as u64 => 5,
        _ => 9,
    }
}

/// The RDB size of a string as `rdbSavedObjectLen` computes it, without
/// LZF compression (rkv has no RDB writer yet, so long compressible strings
/// report their uncompressed size where Redis reports the compressed one).
pub fn serialized_string_len(s: &StrValue) -> usize {
    let int = match s {
        StrValue::Int(n) => Some(*n),
        _ if s.len() <= 11 => rkv_proto::request::parse_i64(&s.to_vec()),
        _ => None,
    };
    match int {
        Some(n) if i8::try_from(n).is_ok() => 2,
        Some(n) if i16::try_from(n).is_ok() => 3,
        Some(n) if i32::try_from(n).is_ok() => 5,
        _ => rdb_len_size(s.len()) + s.len(),
    }
}

/// C's `atoi`: optional sign and leading digits, 0 otherwise.
fn atoi(s: &[u8]) -> i64 {
    let text = String::from_utf8_lossy(s);
    let t = text.trim_start();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let n: i64 = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |acc, d| {
            acc.wrapping_mul(10).wrapping_add((d - b'0') as i64)
        });
    if neg {
        -n
    } else {
        n
    }
}

/// C's `strtod` on the longest numeric prefix, 0 when there is none.
fn strtod_prefix(s: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(s);
    let t = text.trim_start();
    (1..=t.len())
        .rev()
        .filter(|&i| t.is_char_boundary(i))
        .find_map(|i| t[..i].parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// `DEBUG HELP` (the subcommands rkv implements, in Redis's words).
fn debug_help(ctx: &mut Ctx) {
    reply_help(
        ctx,
        &[
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from redis-server 7.0.15's DEBUG OBJECT.
    #[test]
    fn serialized_lengths_match_redis() {
        let len = |s: &[u8]| serialized_string_len(&StrValue::from_bytes(s));
        assert_eq!(len(b"bar"), 4);
        assert_eq!(len(b"5"), 2);
        assert_eq!(len(b"12345"), 3);
        assert_eq!(len(b"123456789012"), 13);
        assert_eq!(
            len(b"hello world this is a long string of fifty chars!!"),
            51
        );
    }

    #[test]
    fn c_number_parsing() {
        assert_eq!(atoi(b"1"), 1);
        assert_eq!(atoi(b"0"), 0);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(atoi(b"12abc"), 12);
        assert_eq!(strtod_prefix(b"0.5s"), 0.5);
        assert_eq!(strtod_prefix(b"abc"), 0.0);
    }
}
