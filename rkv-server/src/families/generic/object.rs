//! OBJECT: ENCODING, REFCOUNT, IDLETIME, FREQ, HELP. None of them counts as
//! an access to the key (its idle time is left alone).

use super::lookup_notouch_with;
use crate::command::{acl, flags, Arg, CommandSpec, Ctx, KeySpec};
use crate::db::keyspace::{idle_seconds, lru_clock};
use crate::db::{Entry, StrValue, Value};
use crate::errors;
use crate::evict::lfu::decayed_counter;

/// Redis's `OBJ_SHARED_REFCOUNT`: the refcount reported for shared objects.
pub const SHARED_REFCOUNT: i64 = i32::MAX as i64;
/// Integers in `0..SHARED_INTEGERS` are stored as Redis's shared objects.
pub const SHARED_INTEGERS: i64 = 10_000;

/// The key of OBJECT's subcommands, at argument 2.
const OBJECT_KEY: &[KeySpec] = &[KeySpec::single(&["RO"], 2)];
/// `key`
const KEY_ARG: &[Arg] = &[Arg::key("key", 0)];
/// Tips of the introspection subcommands.
const NONDETERMINISTIC: &[&str] = &["nondeterministic_output"];

/// A key-inspecting OBJECT subcommand.
const fn inspect(
    name: &'static str,
    since: &'static str,
    summary: &'static str,
    handler: fn(&mut Ctx),
) -> CommandSpec {
    CommandSpec {
        name,
        arity: 3,
        flags: flags::READONLY,
        acl: acl::KEYSPACE,
        keys: OBJECT_KEY,
        since,
        summary,
        complexity: "O(1)",
        tips: NONDETERMINISTIC,
        args: KEY_ARG,
        handler,
        ..CommandSpec::BASE
    }
}

/// Declarations of OBJECT and its subcommands.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "object",
    arity: -2,
    since: "2.2.3",
    summary: "A container for object introspection commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        inspect(
            "encoding",
            "2.2.3",
            "Inspect the internal encoding of a Redis object",
            encoding,
        ),
        inspect(
            "freq",
            "4.0.0",
            "Get the logarithmic access frequency counter of a Redis object",
            freq,
        ),
        CommandSpec {
            name: "help",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            acl: acl::KEYSPACE,
            since: "6.2.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            handler: help,
            ..CommandSpec::BASE
        },
        inspect(
            "idletime",
            "2.2.3",
            "Get the time since a Redis object was last accessed",
            idletime,
        ),
        inspect(
            "refcount",
            "2.2.3",
            "Get the number of references to the value of the key",
            refcount,
        ),
    ],
    ..CommandSpec::BASE
}];

/// The lines of `OBJECT HELP`, after the title (Redis's `addReplyHelp`).
const HELP: &[&str] = &[
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

/// The reference count Redis would report: small non-negative integers are
/// shared objects, everything else has one owner.
pub fn refcount_of(value: &Value) -> i64 {
    match value {
        Value::Str(StrValue::Int(n)) if (0..SHARED_INTEGERS).contains(n) => SHARED_REFCOUNT,
        #[allow(unreachable_patterns)]
        _ => 1,
    }
}

/// Applies `f` to the key's entry; replies null (and returns `None`) when
/// the key is missing.
fn inspect_key<R>(ctx: &mut Ctx, f: impl FnOnce(&Entry) -> R) -> Option<R> {
    let key = ctx.arg(2);
    let found = lookup_notouch_with(ctx, key, false).map(f);
    if found.is_none() {
        ctx.out.null();
    }
    found
}

/// `OBJECT ENCODING key`
fn encoding(ctx: &mut Ctx) {
    if let Some(name) = inspect_key(ctx, |e| e.value.encoding()) {
        ctx.out.bulk(name.as_bytes());
    }
}

/// `OBJECT REFCOUNT key`
fn refcount(ctx: &mut Ctx) {
    if let Some(n) = inspect_key(ctx, |e| refcount_of(&e.value)) {
        ctx.out.int(n);
    }
}

/// `OBJECT IDLETIME key`: seconds since the last access; not tracked
/// under an LFU policy, whose stamps hold a counter instead.
fn idletime(ctx: &mut Ctx) {
    let now_ms = ctx.now_ms();
    let lfu = ctx.srv.config.maxmemory_policy.is_lfu();
    if let Some(idle) = inspect_key(ctx, |e| idle_seconds(lru_clock(now_ms), e.lru)) {
        if lfu {
            ctx.error(errors::LRU_NOT_SELECTED);
        } else {
            ctx.out.int(idle as i64);
        }
    }
}

/// `OBJECT FREQ key`: the decayed LFU counter, only under an LFU policy.
fn freq(ctx: &mut Ctx) {
    let now_ms = ctx.now_ms();
    let decay = ctx.srv.config.lfu_decay_time;
    let lfu = ctx.srv.config.maxmemory_policy.is_lfu();
    if let Some(n) = inspect_key(ctx, |e| decayed_counter(e.lru, now_ms, decay)) {
        if lfu {
            ctx.out.int(n.into());
        } else {
            ctx.error(errors::LFU_NOT_SELECTED);
        }
    }
}

/// `OBJECT HELP`
fn help(ctx: &mut Ctx) {
    ctx.out.array(HELP.len() + 1);
    ctx.out
        .simple("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    for line in HELP {
        ctx.out.simple(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_integers_report_the_shared_refcount() {
        assert_eq!(refcount_of(&Value::string(b"100")), SHARED_REFCOUNT);
        assert_eq!(refcount_of(&Value::string(b"0")), SHARED_REFCOUNT);
        assert_eq!(refcount_of(&Value::string(b"9999")), SHARED_REFCOUNT);
        assert_eq!(refcount_of(&Value::string(b"10000")), 1);
        assert_eq!(refcount_of(&Value::string(b"-1")), 1);
        assert_eq!(refcount_of(&Value::string(b"abc")), 1);
    }

    #[test]
    fn help_lists_every_subcommand() {
        let names: Vec<&str> = COMMANDS[0].subcommands.iter().map(|s| s.name).collect();
        for n in names {
            let heading = n.to_ascii_uppercase();
            assert!(HELP.iter().any(|l| l.starts_with(&heading)), "{n}");
        }
    }
}
