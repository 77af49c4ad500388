//! The hash family (Redis's `t_hash.c`): HSET/HGET and friends, counters,
//! HRANDFIELD and HSCAN, over [`crate::types::HashValue`].
//!
//! - `access`: typed lookups shared by the handlers (WRONGTYPE, creation,
//!   deleting emptied hashes).
//! - `handlers`: field reads and writes, counters.
//! - [`ops`]: pure operations (HINCRBY/HINCRBYFLOAT arithmetic, HSCAN).
//! - `random`: HRANDFIELD.

mod access;
mod handlers;
pub mod ops;
mod random;

use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, KeySpec};
use handlers::*;

/// The single-key spec every hash command uses.
const fn key1(flags: &'static [&'static str]) -> KeySpec {
    KeySpec::single(flags, 1)
}

/// `key`
const KEY: Arg = Arg::key("key", 0);

/// `field value [field value ...]` of HSET/HMSET.
const FIELD_VALUE_PAIRS: Arg = Arg {
    name: "field_value",
    kind: ArgKind::Block,
    multiple: true,
    children: &[
        Arg::new("field", ArgKind::String),
        Arg::new("value", ArgKind::String),
    ],
    ..Arg::BASE
};

/// `key field`
const KEY_FIELD: &[Arg] = &[KEY, Arg::new("field", ArgKind::String)];

/// A hash command with the fields every one of them shares.
const HASH: CommandSpec = CommandSpec {
    acl: acl::HASH,
    group: "hash",
    since: "2.0.0",
    ..CommandSpec::BASE
};

/// Redis's complexity text for HGETALL, HKEYS and HVALS.
const WHOLE_HASH: &str = "O(N) where N is the size of the hash.";

/// Declarations of the hash family (from Redis 7.0's `commands/*.json`).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "hset",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "UPDATE"])],
        summary: "Set the string value of a hash field",
        complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
        history: &[("4.0.0", "Accepts multiple `field` and `value` arguments.")],
        args: &[KEY, FIELD_VALUE_PAIRS],
        handler: hset,
        ..HASH
    },
    CommandSpec {
        name: "hsetnx",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "INSERT"])],
        summary: "Set the value of a hash field, only if the field does not exist",
        complexity: "O(1)",
        args: &[
            KEY,
            Arg::new("field", ArgKind::String),
            Arg::new("value", ArgKind::String),
        ],
        handler: hsetnx,
        ..HASH
    },
    CommandSpec {
        name: "hget",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        keys: &[key1(&["RO", "ACCESS"])],
        summary: "Get the value of a hash field",
        complexity: "O(1)",
        args: KEY_FIELD,
        handler: hget,
        ..HASH
    },
    CommandSpec {
        name: "hmget",
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        keys: &[key1(&["RO", "ACCESS"])],
        summary: "Get the values of all the given hash fields",
        complexity: "O(N) where N is the number of fields being requested.",
        args: &[KEY, Arg::new("field", ArgKind::String).multiple()],
        handler: hmget,
        ..HASH
    },
    CommandSpec {
        name: "hmset",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "UPDATE"])],
        summary: "Set multiple hash fields to multiple values",
        complexity: "O(N) where N is the number of fields being set.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("4.0.0"),
        replaced_by: Some("`HSET` with multiple field-value pairs"),
        args: &[KEY, FIELD_VALUE_PAIRS],
        handler: hmset,
        ..HASH
    },
    CommandSpec {
        name: "hgetall",
        arity: 2,
        flags: flags::READONLY,
        keys: &[key1(&["RO", "ACCESS"])],
        summary: "Get all the fields and values in a hash",
        complexity: WHOLE_HASH,
        tips: &["nondeterministic_output_order"],
        args: &[KEY],
        handler: hgetall,
        ..HASH
    },
    CommandSpec {
        name: "hkeys",
        arity: 2,
        flags: flags::READONLY,
        keys: &[key1(&["RO", "ACCESS"])],
        summary: "Get all the fields in a hash",
        complexity: WHOLE_HASH,
        tips: &["nondeterministic_output_order"],
        args: &[KEY],
        handler: hkeys,
        ..HASH
    },
    CommandSpec {
        name: "hvals",
        arity: 2,
        flags: flags::READONLY,
        keys: &[key1(&["RO", "ACCESS"])],
        summary: "Get all the values in a hash",
        complexity: WHOLE_HASH,
        tips: &["nondeterministic_output_order"],
        args: &[KEY],
        handler: hvals,
        ..HASH
    },
    CommandSpec {
        name: "hlen",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        keys: &[key1(&["RO"])],
        summary: "Get the number of fields in a hash",
        complexity: "O(1)",
        args: &[KEY],
        handler: hlen,
        ..HASH
    },
    CommandSpec {
        name: "hexists",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        keys: &[key1(&["RO"])],
        summary: "Determine if a hash field exists",
        complexity: "O(1)",
        args: KEY_FIELD,
        handler: hexists,
        ..HASH
    },
    CommandSpec {
        name: "hdel",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        keys: &[key1(&["RW", "DELETE"])],
        summary: "Delete one or more hash fields",
        complexity: "O(N) where N is the number of fields to be removed.",
        history: &[("2.4.0", "Accepts multiple `field` arguments.")],
        args: &[KEY, Arg::new("field", ArgKind::String).multiple()],
        handler: hdel,
        ..HASH
    },
    CommandSpec {
        name: "hincrby",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "UPDATE"])],
        summary: "Increment the integer value of a hash field by the given number",
        complexity: "O(1)",
        args: &[
            KEY,
            Arg::new("field", ArgKind::String),
            Arg::new("increment", ArgKind::Integer),
        ],
        handler: hincrby,
        ..HASH
    },
    CommandSpec {
        name: "hincrbyfloat",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "UPDATE"])],
        since: "2.6.0",
        summary: "Increment the float value of a hash field by the given amount",
        complexity: "O(1)",
        args: &[
            KEY,
            Arg::new("field", ArgKind::String),
            Arg::new("increment", ArgKind::Double),
        ],
        handler: hincrbyfloat,
        ..HASH
    },
    CommandSpec {
        name: "hstrlen",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        keys: &[key1(&["RO"])],
        since: "3.2.0",
        summary: "Get the length of the value of a hash field",
        complexity: "O(1)",
        args: KEY_FIELD,
        handler: hstrlen,
        ..HASH
    },
    CommandSpec {
        name: "hrandfield",
        arity: -2,
        flags: flags::READONLY,
        keys: &[key1(&["RO", "ACCESS"])],
        since: "6.2.0",
        summary: "Get one or multiple random fields from a hash",
        complexity: "O(N) where N is the number of fields returned",
        tips: &["nondeterministic_output"],
        args: &[
            KEY,
            Arg {
                name: "options",
                kind: ArgKind::Block,
                optional: true,
                children: &[
                    Arg::new("count", ArgKind::Integer),
                    Arg::token("withvalues", "WITHVALUES").optional(),
                ],
                ..Arg::BASE
            },
        ],
        handler: random::hrandfield,
        ..HASH
    },
    CommandSpec {
        name: "hscan",
        arity: -3,
        flags: flags::READONLY,
        keys: &[key1(&["RO", "ACCESS"])],
        since: "2.8.0",
        summary: "Incrementally iterate hash fields and associated values",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
        tips: &["nondeterministic_output"],
        args: &[
            KEY,
            Arg::new("cursor", ArgKind::Integer),
            Arg {
                token: Some("MATCH"),
                optional: true,
                ..Arg::new("pattern", ArgKind::Pattern)
            },
            Arg {
                token: Some("COUNT"),
                optional: true,
                ..Arg::new("count", ArgKind::Integer)
            },
        ],
        handler: hscan,
        ..HASH
    },
];
