//! The set family (Redis's `t_set.c`): membership, random picks, moves,
//! the set algebra with its STORE forms, and SSCAN.
//!
//! - [`ops`]: pure set algebra (intersection, union, difference).
//! - `handlers`: membership and single-key handlers.
//! - `random`: SPOP and SRANDMEMBER.
//! - `algebra`: SINTER/SUNION/SDIFF, SINTERCARD and the STORE forms.
//! - `scan`: SSCAN.

mod algebra;
mod handlers;
pub mod ops;
mod random;
mod scan;

use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, KeySpec};

/// The single-key spec of most set commands.
const fn key1(flags: &'static [&'static str]) -> KeySpec {
    KeySpec::single(flags, 1)
}

/// `key member [member ...]` of SADD, SREM and SMISMEMBER.
const KEY_MEMBERS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("member", ArgKind::String).multiple(),
];

/// `key [key ...]` of SINTER, SUNION and SDIFF.
const KEYS: &[Arg] = &[Arg::key("key", 0).multiple()];

/// `destination key [key ...]` of the STORE forms.
const DEST_KEYS: &[Arg] = &[Arg::key("destination", 0), Arg::key("key", 1).multiple()];

/// Key specs of the multi-key read commands: every argument from 1 on.
const ALL_KEYS_RO: &[KeySpec] = &[KeySpec::range(&["RO", "ACCESS"], 1, -1, 1)];

/// Key specs of SUNIONSTORE and SDIFFSTORE.
const STORE_KEYS_OW: &[KeySpec] = &[
    key1(&["OW", "UPDATE"]),
    KeySpec::range(&["RO", "ACCESS"], 2, -1, 1),
];

/// Complexity text shared by the intersection commands.
const INTER_COMPLEXITY: &str =
    "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
/// Complexity text shared by the union and difference commands.
const TOTAL_COMPLEXITY: &str = "O(N) where N is the total number of elements in all given sets.";

/// A set command with the fields every one of them shares.
const SET: CommandSpec = CommandSpec {
    acl: acl::SET,
    group: "set",
    ..CommandSpec::BASE
};

/// Declarations of the set family (from Redis 7.0's `commands/*.json`).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "sadd",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[key1(&["RW", "INSERT"])],
        summary: "Add one or more members to a set",
        complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        history: &[("2.4.0", "Accepts multiple `member` arguments.")],
        args: KEY_MEMBERS,
        handler: handlers::sadd,
        ..SET
    },
    CommandSpec {
        name: "srem",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        keys: &[key1(&["RW", "DELETE"])],
        summary: "Remove one or more members from a set",
        complexity: "O(N) where N is the number of members to be removed.",
        history: &[("2.4.0", "Accepts multiple `member` arguments.")],
        args: KEY_MEMBERS,
        handler: handlers::srem,
        ..SET
    },
    CommandSpec {
        name: "smembers",
        arity: 2,
        flags: flags::READONLY,
        keys: &[key1(&["RO", "ACCESS"])],
        summary: "Get all the members in a set",
        complexity: "O(N) where N is the set cardinality.",
        tips: &["nondeterministic_output_order"],
        args: &[Arg::key("key", 0)],
        handler: algebra::smembers,
        ..SET
    },
    CommandSpec {
        name: "sismember",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        keys: &[key1(&["RO"])],
        summary: "Determine if a given value is a member of a set",
        complexity: "O(1)",
        args: &[Arg::key("key", 0), Arg::new("member", ArgKind::String)],
        handler: handlers::sismember,
        ..SET
    },
    CommandSpec {
        name: "smismember",
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        keys: &[key1(&["RO", "ACCESS"])],
        since: "6.2.0",
        summary: "Returns the membership associated with the given elements for a set",
        complexity: "O(N) where N is the number of elements being checked for membership",
        args: KEY_MEMBERS,
        handler: handlers::smismember,
        ..SET
    },
    CommandSpec {
        name: "scard",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        keys: &[key1(&["RO"])],
        summary: "Get the number of members in a set",
        complexity: "O(1)",
        args: &[Arg::key("key", 0)],
        handler: handlers::scard,
        ..SET
    },
    CommandSpec {
        name: "spop",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        keys: &[key1(&["RW", "ACCESS", "DELETE"])],
        summary: "Remove and return one or multiple random members from a set",
        complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
        tips: &["nondeterministic_output"],
        history: &[("3.2.0", "Added the `count` argument.")],
        args: &[
            Arg::key("key", 0),
            Arg {
                since: Some("3.2.0"),
                ..Arg::new("count", ArgKind::Integer).optional()
            },
        ],
        handler: random::spop,
        ..SET
    },
    CommandSpec {
        name: "srandmember",
        arity: -2,
        flags: flags::READONLY,
        keys: &[key1(&["RO", "ACCESS"])],
        summary: "Get one or multiple random members from a set",
        complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
        tips: &["nondeterministic_output"],
        history: &[("2.6.0", "Added the optional `count` argument.")],
        args: &[
            Arg::key("key", 0),
            Arg {
                since: Some("2.6.0"),
                ..Arg::new("count", ArgKind::Integer).optional()
            },
        ],
        handler: random::srandmember,
        ..SET
    },
    CommandSpec {
        name: "smove",
        arity: 4,
        flags: flags::WRITE | flags::FAST,
        keys: &[
            key1(&["RW", "ACCESS", "DELETE"]),
            KeySpec::single(&["RW", "INSERT"], 2),
        ],
        summary: "Move a member from one set to another",
        complexity: "O(1)",
        args: &[
            Arg::key("source", 0),
            Arg::key("destination", 1),
            Arg::new("member", ArgKind::String),
        ],
        handler: handlers::smove,
        ..SET
    },
    CommandSpec {
        name: "sinter",
        arity: -2,
        flags: flags::READONLY,
        keys: ALL_KEYS_RO,
        summary: "Intersect multiple sets",
        complexity: INTER_COMPLEXITY,
        tips: &["nondeterministic_output_order"],
        args: KEYS,
        handler: algebra::sinter,
        ..SET
    },
    CommandSpec {
        name: "sintercard",
        arity: -3,
        flags: flags::READONLY,
        keys: &[KeySpec {
            flags: &["RO", "ACCESS"],
            begin: BeginSearch::Index(1),
            find: FindKeys::Keynum {
                keynumidx: 0,
                firstkey: 1,
                step: 1,
            },
        }],
        since: "7.0.0",
        summary: "Intersect multiple sets and return the cardinality of the result",
        complexity: INTER_COMPLEXITY,
        args: &[
            Arg::new("numkeys", ArgKind::Integer),
            Arg::key("key", 0).multiple(),
            Arg {
                token: Some("LIMIT"),
                ..Arg::new("limit", ArgKind::Integer).optional()
            },
        ],
        handler: algebra::sintercard,
        ..SET
    },
    CommandSpec {
        name: "sunion",
        arity: -2,
        flags: flags::READONLY,
        keys: ALL_KEYS_RO,
        summary: "Add multiple sets",
        complexity: TOTAL_COMPLEXITY,
        tips: &["nondeterministic_output_order"],
        args: KEYS,
        handler: algebra::sunion,
        ..SET
    },
    CommandSpec {
        name: "sdiff",
        arity: -2,
        flags: flags::READONLY,
        keys: ALL_KEYS_RO,
        summary: "Subtract multiple sets",
        complexity: TOTAL_COMPLEXITY,
        tips: &["nondeterministic_output_order"],
        args: KEYS,
        handler: algebra::sdiff,
        ..SET
    },
    CommandSpec {
        name: "sinterstore",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[
            key1(&["RW", "UPDATE"]),
            KeySpec::range(&["RO", "ACCESS"], 2, -1, 1),
        ],
        summary: "Intersect multiple sets and store the resulting set in a key",
        complexity: INTER_COMPLEXITY,
        args: DEST_KEYS,
        handler: algebra::sinterstore,
        ..SET
    },
    CommandSpec {
        name: "sunionstore",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        keys: STORE_KEYS_OW,
        summary: "Add multiple sets and store the resulting set in a key",
        complexity: TOTAL_COMPLEXITY,
        args: DEST_KEYS,
        handler: algebra::sunionstore,
        ..SET
    },
    CommandSpec {
        name: "sdiffstore",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        keys: STORE_KEYS_OW,
        summary: "Subtract multiple sets and store the resulting set in a key",
        complexity: TOTAL_COMPLEXITY,
        args: DEST_KEYS,
        handler: algebra::sdiffstore,
        ..SET
    },
    CommandSpec {
        name: "sscan",
        arity: -3,
        flags: flags::READONLY,
        keys: &[key1(&["RO", "ACCESS"])],
        since: "2.8.0",
        summary: "Incrementally iterate Set elements",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
        tips: &["nondeterministic_output"],
        args: &[
            Arg::key("key", 0),
            Arg::new("cursor", ArgKind::Integer),
            Arg {
                token: Some("MATCH"),
                ..Arg::new("pattern", ArgKind::Pattern).optional()
            },
            Arg {
                token: Some("COUNT"),
                ..Arg::new("count", ArgKind::Integer).optional()
            },
        ],
        handler: scan::sscan,
        ..SET
    },
];
