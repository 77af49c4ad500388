//! The string family (Redis's `t_string.c`): GET/SET and their variants,
//! multi-key forms, APPEND/STRLEN/ranges, counters and LCS.
//!
//! - [`set_options`]: SET/GETEX option lists and expire arithmetic.
//! - [`ops`]: pure operations (counters, INCRBYFLOAT, ranges).
//!   INCRBYFLOAT uses the emulated `long double` of
//!   [`crate::util::long_double`].
//! - [`lcs`]: the LCS computation.
//! - `handlers`: the command handlers.
//!
//! Redis 7.0's `deprecated_since`/`replaced_by` doc fields of GETSET and
//! SUBSTR have no place in [`CommandSpec`] yet and are not declared.

mod handlers;
pub mod lcs;
pub mod ops;
pub mod set_options;

use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, KeySpec};
use handlers::*;

/// Redis's one-liner for GETRANGE and SUBSTR.
const RANGE_COMPLEXITY: &str = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.";

/// The single-key spec most string commands use.
const fn key1(flags: &'static [&'static str]) -> KeySpec {
    KeySpec::single(flags, 1)
}

/// A token argument with the version that introduced it.
const fn since(arg: Arg, version: &'static str) -> Arg {
    Arg {
        since: Some(version),
        ..arg
    }
}

/// An argument introduced by `token` taking a value of `kind`.
const fn with_token(name: &'static str, kind: ArgKind, token: &'static str) -> Arg {
    Arg {
        token: Some(token),
        ..Arg::new(name, kind)
    }
}

/// `key value` pairs of MSET/MSETNX.
const KEY_VALUE_PAIRS: Arg = Arg {
    name: "key_value",
    kind: ArgKind::Block,
    multiple: true,
    children: &[Arg::key("key", 0), Arg::new("value", ArgKind::String)],
    ..Arg::BASE
};

/// The arguments of GETRANGE and SUBSTR.
const RANGE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("start", ArgKind::Integer),
    Arg::new("end", ArgKind::Integer),
];

/// The SET arguments (7.0's set.json).
const SET_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("value", ArgKind::String),
    Arg {
        name: "condition",
        kind: ArgKind::OneOf,
        optional: true,
        since: Some("2.6.12"),
        children: &[Arg::token("nx", "NX"), Arg::token("xx", "XX")],
        ..Arg::BASE
    },
    since(Arg::token("get", "GET"), "6.2.0").optional(),
    Arg {
        name: "expiration",
        kind: ArgKind::OneOf,
        optional: true,
        children: &[
            since(with_token("seconds", ArgKind::Integer, "EX"), "2.6.12"),
            since(with_token("milliseconds", ArgKind::Integer, "PX"), "2.6.12"),
            since(
                with_token("unix-time-seconds", ArgKind::UnixTime, "EXAT"),
                "6.2.0",
            ),
            since(
                with_token("unix-time-milliseconds", ArgKind::UnixTime, "PXAT"),
                "6.2.0",
            ),
            since(Arg::token("keepttl", "KEEPTTL"), "6.0.0"),
        ],
        ..Arg::BASE
    },
];

/// The GETEX arguments (7.0's getex.json).
const GETEX_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg {
        name: "expiration",
        kind: ArgKind::OneOf,
        optional: true,
        children: &[
            with_token("seconds", ArgKind::Integer, "EX"),
            with_token("milliseconds", ArgKind::Integer, "PX"),
            with_token("unix-time-seconds", ArgKind::UnixTime, "EXAT"),
            with_token("unix-time-milliseconds", ArgKind::UnixTime, "PXAT"),
            Arg::token("persist", "PERSIST"),
        ],
        ..Arg::BASE
    },
];

/// The LCS arguments. Redis 7.0 names both the `LEN` token and the
/// `MINMATCHLEN` value `len`; argument names must be unique here, so the
/// latter takes the name Redis 7.2 gave it, `min-match-len`.
const LCS_ARGS: &[Arg] = &[
    Arg::key("key1", 0),
    Arg::key("key2", 0),
    Arg::token("len", "LEN").optional(),
    Arg::token("idx", "IDX").optional(),
    with_token("min-match-len", ArgKind::Integer, "MINMATCHLEN").optional(),
    Arg::token("withmatchlen", "WITHMATCHLEN").optional(),
];

/// A string command with the fields every one of them shares.
const STRING: CommandSpec = CommandSpec {
    acl: acl::STRING,
    group: "string",
    ..CommandSpec::BASE
};

/// Declarations of the string family (from Redis 7.0's `commands/*.json`).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        keys: &[key1(&["RO", "ACCESS"])],
        summary: "Get the value of a key",
        complexity: "O(1)",
        args: &[Arg::key("key", 0)],
        handler: get,
        ..STRING
    },
    CommandSpec {
        name: "set",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[key1(&["RW", "ACCESS", "UPDATE", "VARIABLE_FLAGS"])],
        summary: "Set the string value of a key",
        complexity: "O(1)",
        history: &[
            ("2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."),
            ("6.0.0", "Added the `KEEPTTL` option."),
            ("6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."),
            ("7.0.0", "Allowed the `NX` and `GET` options to be used together."),
        ],
        args: SET_ARGS,
        handler: set,
        ..STRING
    },
    CommandSpec {
        name: "setnx",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["OW", "INSERT"])],
        summary: "Set the value of a key, only if the key does not exist",
        complexity: "O(1)",
        args: &[Arg::key("key", 0), Arg::new("value", ArgKind::String)],
        handler: setnx,
        ..STRING
    },
    CommandSpec {
        name: "setex",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[key1(&["OW", "UPDATE"])],
        since: "2.0.0",
        summary: "Set the value and expiration of a key",
        complexity: "O(1)",
        args: &[
            Arg::key("key", 0),
            Arg::new("seconds", ArgKind::Integer),
            Arg::new("value", ArgKind::String),
        ],
        handler: setex,
        ..STRING
    },
    CommandSpec {
        name: "psetex",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[key1(&["OW", "UPDATE"])],
        since: "2.6.0",
        summary: "Set the value and expiration in milliseconds of a key",
        complexity: "O(1)",
        args: &[
            Arg::key("key", 0),
            Arg::new("milliseconds", ArgKind::Integer),
            Arg::new("value", ArgKind::String),
        ],
        handler: psetex,
        ..STRING
    },
    CommandSpec {
        name: "getset",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "UPDATE"])],
        summary: "Set the string value of a key and return its old value",
        complexity: "O(1)",
        args: &[Arg::key("key", 0), Arg::new("value", ArgKind::String)],
        handler: getset,
        ..STRING
    },
    CommandSpec {
        name: "getdel",
        arity: 2,
        flags: flags::WRITE | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "DELETE"])],
        since: "6.2.0",
        summary: "Get the value of a key and delete the key",
        complexity: "O(1)",
        args: &[Arg::key("key", 0)],
        handler: getdel,
        ..STRING
    },
    CommandSpec {
        name: "getex",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "UPDATE"])],
        since: "6.2.0",
        summary: "Get the value of a key and optionally set its expiration",
        complexity: "O(1)",
        args: GETEX_ARGS,
        handler: getex,
        ..STRING
    },
    CommandSpec {
        name: "mget",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        keys: &[KeySpec::range(&["RO", "ACCESS"], 1, -1, 1)],
        summary: "Get the values of all the given keys",
        complexity: "O(N) where N is the number of keys to retrieve.",
        tips: &["request_policy:multi_shard"],
        args: &[Arg::key("key", 0).multiple()],
        handler: mget,
        ..STRING
    },
    CommandSpec {
        name: "mset",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[KeySpec::range(&["OW", "UPDATE"], 1, -1, 2)],
        since: "1.0.1",
        summary: "Set multiple keys to multiple values",
        complexity: "O(N) where N is the number of keys to set.",
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        args: &[KEY_VALUE_PAIRS],
        handler: mset,
        ..STRING
    },
    CommandSpec {
        name: "msetnx",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[KeySpec::range(&["OW", "INSERT"], 1, -1, 2)],
        since: "1.0.1",
        summary: "Set multiple keys to multiple values, only if none of the keys exist",
        complexity: "O(N) where N is the number of keys to set.",
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        args: &[KEY_VALUE_PAIRS],
        handler: msetnx,
        ..STRING
    },
    CommandSpec {
        name: "append",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "INSERT"])],
        since: "2.0.0",
        summary: "Append a value to a key",
        complexity: "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
        args: &[Arg::key("key", 0), Arg::new("value", ArgKind::String)],
        handler: append,
        ..STRING
    },
    CommandSpec {
        name: "strlen",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        keys: &[key1(&["RO"])],
        since: "2.2.0",
        summary: "Get the length of the value stored in a key",
        complexity: "O(1)",
        args: &[Arg::key("key", 0)],
        handler: strlen,
        ..STRING
    },
    CommandSpec {
        name: "getrange",
        arity: 4,
        flags: flags::READONLY,
        keys: &[key1(&["RO", "ACCESS"])],
        since: "2.4.0",
        summary: "Get a substring of the string stored at a key",
        complexity: RANGE_COMPLEXITY,
        args: RANGE_ARGS,
        handler: getrange,
        ..STRING
    },
    CommandSpec {
        name: "substr",
        arity: 4,
        flags: flags::READONLY,
        keys: &[key1(&["RO", "ACCESS"])],
        summary: "Get a substring of the string stored at a key",
        complexity: RANGE_COMPLEXITY,
        args: RANGE_ARGS,
        handler: getrange,
        ..STRING
    },
    CommandSpec {
        name: "setrange",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[key1(&["RW", "UPDATE"])],
        since: "2.2.0",
        summary: "Overwrite part of a string at key starting at the specified offset",
        complexity: "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
        args: &[
            Arg::key("key", 0),
            Arg::new("offset", ArgKind::Integer),
            Arg::new("value", ArgKind::String),
        ],
        handler: setrange,
        ..STRING
    },
    CommandSpec {
        name: "incr",
        arity: 2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "UPDATE"])],
        summary: "Increment the integer value of a key by one",
        complexity: "O(1)",
        args: &[Arg::key("key", 0)],
        handler: incr,
        ..STRING
    },
    CommandSpec {
        name: "incrby",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "UPDATE"])],
        summary: "Increment the integer value of a key by the given amount",
        complexity: "O(1)",
        args: &[Arg::key("key", 0), Arg::new("increment", ArgKind::Integer)],
        handler: incrby,
        ..STRING
    },
    CommandSpec {
        name: "decr",
        arity: 2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "UPDATE"])],
        summary: "Decrement the integer value of a key by one",
        complexity: "O(1)",
        args: &[Arg::key("key", 0)],
        handler: decr,
        ..STRING
    },
    CommandSpec {
        name: "decrby",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "UPDATE"])],
        summary: "Decrement the integer value of a key by the given number",
        complexity: "O(1)",
        args: &[Arg::key("key", 0), Arg::new("decrement", ArgKind::Integer)],
        handler: decrby,
        ..STRING
    },
    CommandSpec {
        name: "incrbyfloat",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "UPDATE"])],
        since: "2.6.0",
        summary: "Increment the float value of a key by the given amount",
        complexity: "O(1)",
        args: &[Arg::key("key", 0), Arg::new("increment", ArgKind::Double)],
        handler: incrbyfloat,
        ..STRING
    },
    CommandSpec {
        name: "lcs",
        arity: -3,
        flags: flags::READONLY,
        keys: &[KeySpec::range(&["RO", "ACCESS"], 1, 1, 1)],
        since: "7.0.0",
        summary: "Find longest common substring",
        complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
        args: LCS_ARGS,
        handler: lcs_command,
        ..STRING
    },
];
