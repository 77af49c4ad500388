//! The bitmap family (Redis's `bitops.c`): bit-level commands over
//! strings — SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
//! BITFIELD_RO.
//!
//! - [`bits`]: offsets, counting, searching and BITOP over byte strings.
//! - [`bitfield`]: BITFIELD's integer fields, overflow rules and parsing.
//! - `handlers`: the command handlers.
//!
//! The key spec `notes` Redis 7.0 attaches to BITFIELD have no place in
//! [`CommandSpec`] and are not declared.

pub mod bitfield;
pub mod bits;
mod handlers;
#[cfg(test)]
mod wrongtype_tests;

use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, KeySpec};
use handlers::*;

/// The `BYTE|BIT` option of BITCOUNT and BITPOS (Redis 7.0).
const INDEX_UNIT: Arg = Arg {
    name: "index_unit",
    kind: ArgKind::OneOf,
    optional: true,
    since: Some("7.0.0"),
    children: &[Arg::token("byte", "BYTE"), Arg::token("bit", "BIT")],
    ..Arg::BASE
};

/// BITCOUNT/BITPOS history.
const UNIT_HISTORY: &[(&str, &str)] = &[("7.0.0", "Added the `BYTE|BIT` option.")];

/// A block argument named `name` introduced by `token`.
const fn token_block(name: &'static str, token: &'static str, children: &'static [Arg]) -> Arg {
    Arg {
        name,
        kind: ArgKind::Block,
        token: Some(token),
        children,
        ..Arg::BASE
    }
}

/// The arguments of a BITFIELD write subcommand.
const fn field_args(last: &'static str) -> [Arg; 3] {
    [
        Arg::new("encoding", ArgKind::String),
        Arg::new("offset", ArgKind::Integer),
        Arg::new(last, ArgKind::Integer),
    ]
}

/// `encoding offset` of BITFIELD GET.
const GET_ARGS: &[Arg] = &[
    Arg::new("encoding", ArgKind::String),
    Arg::new("offset", ArgKind::Integer),
];

/// The BITFIELD arguments (7.0's bitfield.json).
const BITFIELD_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg {
        name: "operation",
        kind: ArgKind::OneOf,
        optional: true,
        multiple: true,
        children: &[
            token_block("encoding_offset", "GET", GET_ARGS),
            Arg {
                name: "write",
                kind: ArgKind::Block,
                children: &[
                    Arg {
                        name: "wrap_sat_fail",
                        kind: ArgKind::OneOf,
                        token: Some("OVERFLOW"),
                        optional: true,
                        children: &[
                            Arg::token("wrap", "WRAP"),
                            Arg::token("sat", "SAT"),
                            Arg::token("fail", "FAIL"),
                        ],
                        ..Arg::BASE
                    },
                    Arg {
                        name: "write_operation",
                        kind: ArgKind::OneOf,
                        children: &[
                            token_block("encoding_offset_value", "SET", &field_args("value")),
                            token_block(
                                "encoding_offset_increment",
                                "INCRBY",
                                &field_args("increment"),
                            ),
                        ],
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        ..Arg::BASE
    },
];

/// A bitmap command with the fields all of them share.
const BITMAP: CommandSpec = CommandSpec {
    acl: acl::BITMAP,
    group: "bitmap",
    ..CommandSpec::BASE
};

/// Declarations of the bitmap family (from Redis 7.0's `commands/*.json`).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "setbit",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[KeySpec::single(&["RW", "ACCESS", "UPDATE"], 1)],
        since: "2.2.0",
        summary: "Sets or clears the bit at offset in the string value stored at key",
        complexity: "O(1)",
        args: &[
            Arg::key("key", 0),
            Arg::new("offset", ArgKind::Integer),
            Arg::new("value", ArgKind::Integer),
        ],
        handler: setbit,
        ..BITMAP
    },
    CommandSpec {
        name: "getbit",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        keys: &[KeySpec::single(&["RO", "ACCESS"], 1)],
        since: "2.2.0",
        summary: "Returns the bit value at offset in the string value stored at key",
        complexity: "O(1)",
        args: &[Arg::key("key", 0), Arg::new("offset", ArgKind::Integer)],
        handler: getbit,
        ..BITMAP
    },
    CommandSpec {
        name: "bitcount",
        arity: -2,
        flags: flags::READONLY,
        keys: &[KeySpec::single(&["RO", "ACCESS"], 1)],
        since: "2.6.0",
        summary: "Count set bits in a string",
        complexity: "O(N)",
        history: UNIT_HISTORY,
        args: &[
            Arg::key("key", 0),
            Arg {
                name: "index",
                kind: ArgKind::Block,
                optional: true,
                children: &[
                    Arg::new("start", ArgKind::Integer),
                    Arg::new("end", ArgKind::Integer),
                    INDEX_UNIT,
                ],
                ..Arg::BASE
            },
        ],
        handler: bitcount,
        ..BITMAP
    },
    CommandSpec {
        name: "bitpos",
        arity: -3,
        flags: flags::READONLY,
        keys: &[KeySpec::single(&["RO", "ACCESS"], 1)],
        since: "2.8.7",
        summary: "Find first bit set or clear in a string",
        complexity: "O(N)",
        history: UNIT_HISTORY,
        args: &[
            Arg::key("key", 0),
            Arg::new("bit", ArgKind::Integer),
            Arg {
                name: "index",
                kind: ArgKind::Block,
                optional: true,
                children: &[
                    Arg::new("start", ArgKind::Integer),
                    Arg {
                        name: "end_index",
                        kind: ArgKind::Block,
                        optional: true,
                        children: &[Arg::new("end", ArgKind::Integer), INDEX_UNIT],
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: bitpos,
        ..BITMAP
    },
    CommandSpec {
        name: "bitop",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[
            KeySpec::single(&["OW", "UPDATE"], 2),
            KeySpec::range(&["RO", "ACCESS"], 3, -1, 1),
        ],
        since: "2.6.0",
        summary: "Perform bitwise operations between strings",
        complexity: "O(N)",
        args: &[
            Arg::new("operation", ArgKind::String),
            Arg::key("destkey", 0),
            Arg::key("key", 1).multiple(),
        ],
        handler: bitop,
        ..BITMAP
    },
    CommandSpec {
        name: "bitfield",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[KeySpec::single(&["RW", "UPDATE", "ACCESS", "VARIABLE_FLAGS"], 1)],
        since: "3.2.0",
        summary: "Perform arbitrary bitfield integer operations on strings",
        complexity: "O(1) for each subcommand specified",
        args: BITFIELD_ARGS,
        handler: bitfield,
        ..BITMAP
    },
    CommandSpec {
        name: "bitfield_ro",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        keys: &[KeySpec::single(&["RO", "ACCESS"], 1)],
        since: "6.0.0",
        summary: "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
        complexity: "O(1) for each subcommand specified",
        args: &[
            Arg::key("key", 0),
            Arg {
                name: "encoding_offset",
                kind: ArgKind::Block,
                token: Some("GET"),
                optional: true,
                multiple: true,
                multiple_token: true,
                children: GET_ARGS,
                ..Arg::BASE
            },
        ],
        handler: bitfield_ro,
        ..BITMAP
    },
];
