//! The HyperLogLog family (Redis's `hyperloglog.c`): PFADD, PFCOUNT and
//! PFMERGE over strings in Redis's own representation, bit for bit, so a
//! HyperLogLog moved between rkv and Redis with GET/SET keeps working.
//!
//! - [`murmur`]: MurmurHash64A, the element hash.
//! - [`header`]: the `HYLL` header and its cached cardinality.
//! - [`dense`]: 16384 packed 6-bit registers.
//! - [`sparse`]: the run-length opcodes and their in-place edits.
//! - [`estimate`]: Redis 7.0's cardinality estimator.
//! - [`ops`]: add, count, merge on whole strings.
//! - `handlers`: the command handlers.
//!
//! PFDEBUG and PFSELFTEST (Redis's internal testing commands) are not
//! implemented.

pub mod dense;
pub mod estimate;
mod handlers;
pub mod header;
pub mod murmur;
pub mod ops;
pub mod sparse;

use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, KeySpec};
use handlers::*;

/// A HyperLogLog string whose sparse opcodes do not describe exactly
/// 16384 registers (`INVALIDOBJ Corrupted HLL object detected`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// A HyperLogLog command with the fields all of them share.
const HLL: CommandSpec = CommandSpec {
    acl: acl::HYPERLOGLOG,
    group: "hyperloglog",
    since: "2.8.9",
    arity: -2,
    ..CommandSpec::BASE
};

/// Declarations of the HyperLogLog family (from Redis 7.0's `commands/*.json`).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "pfadd",
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        keys: &[KeySpec::single(&["RW", "INSERT"], 1)],
        summary: "Adds the specified elements to the specified HyperLogLog.",
        complexity: "O(1) to add every element.",
        args: &[
            Arg::key("key", 0),
            Arg::new("element", ArgKind::String).optional().multiple(),
        ],
        handler: pfadd,
        ..HLL
    },
    CommandSpec {
        name: "pfcount",
        flags: flags::READONLY | flags::MAY_REPLICATE,
        keys: &[KeySpec::range(&["RW", "ACCESS"], 1, -1, 1)],
        summary: "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
        complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
        args: &[Arg::key("key", 0).multiple()],
        handler: pfcount,
        ..HLL
    },
    CommandSpec {
        name: "pfmerge",
        flags: flags::WRITE | flags::DENYOOM,
        keys: &[
            KeySpec::single(&["RW", "ACCESS", "INSERT"], 1),
            KeySpec::range(&["RO", "ACCESS"], 2, -1, 1),
        ],
        summary: "Merge N different HyperLogLogs into a single one.",
        complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
        args: &[
            Arg::key("destkey", 0),
            Arg::key("sourcekey", 1).multiple(),
        ],
        handler: pfmerge,
        ..HLL
    },
];
