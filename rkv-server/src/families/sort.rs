//! SORT and SORT_RO (Redis's `sort.c`): sort the elements of a list, set or
//! sorted set numerically or as strings, optionally by weights read from
//! other keys (`BY`), returning other keys' values (`GET`), and storing the
//! result as a list (`STORE`).
//!
//! - `options`: argument parsing and LIMIT clamping.
//! - `pattern`: BY/GET pattern substitution (`*`, `#`, `key->field`).
//! - `order`: weights as `strtod` reads them and Redis's comparator.
//! - `partial`: Redis's partial quicksort (BY with LIMIT), ties included.
//! - `keys`: COMMAND GETKEYS for both (their key specs are `unknown`).
//! - `handler`: the commands.
//!
//! Like Redis, sorting a `listpack` sorted set turns it into a `skiplist`.
//!
//! Known differences from Redis 7.0:
//! - `sort.c` never clears `errno` before `strtod`, so once some weight
//!   overflowed or underflowed (ERANGE), Redis fails later numeric sorts of
//!   non-integer-encoded values too; rkv judges each weight on its own.
//! - Sets (hash table encoding) and sorted sets are loaded in Redis in its
//!   table's order, so items whose weights tie (BY, or BY nosort on a set)
//!   may come out in another order than rkv's table or score order gives.
//! - Not yet applicable: keyspace notifications (`sortstore`), WATCH, the
//!   ACL and cluster refusals of BY/GET, and the forced ALPHA sort of
//!   `BY nosort` sets inside scripts.

mod handler;
pub mod keys;
pub mod options;
pub mod order;
pub mod partial;
pub mod pattern;

use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, KeySpec};

/// The sorted key.
const SOURCE_KEY: KeySpec = KeySpec::single(&["RO", "ACCESS"], 1);

/// The keys BY and GET patterns name: they depend on the sorted values.
const PATTERN_KEYS: KeySpec = KeySpec {
    flags: &["RO", "ACCESS"],
    begin: BeginSearch::Unknown,
    find: FindKeys::Unknown,
};

/// STORE's destination: the keyword may appear anywhere.
const STORE_KEY: KeySpec = KeySpec {
    flags: &["OW", "UPDATE"],
    begin: BeginSearch::Unknown,
    find: FindKeys::Unknown,
};

/// Notes of the pattern and STORE key specs (COMMAND INFO).
const PATTERN_NOTES: (usize, &str) = (1, "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort");
/// Notes of the STORE key spec.
const STORE_NOTES: (usize, &str) = (2, "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array");

/// `BY pattern`.
const BY: Arg = Arg {
    token: Some("BY"),
    key_spec_index: 1,
    ..Arg::new("pattern", ArgKind::Pattern).optional()
};

/// `LIMIT offset count`.
const LIMIT: Arg = Arg {
    name: "offset_count",
    kind: ArgKind::Block,
    token: Some("LIMIT"),
    optional: true,
    children: &[
        Arg::new("offset", ArgKind::Integer),
        Arg::new("count", ArgKind::Integer),
    ],
    ..Arg::BASE
};

/// `GET pattern [GET pattern ...]`.
const GET: Arg = Arg {
    token: Some("GET"),
    key_spec_index: 1,
    multiple_token: true,
    ..Arg::new("pattern", ArgKind::Pattern).optional().multiple()
};

/// `ASC|DESC`.
const ORDER: Arg = Arg {
    name: "order",
    kind: ArgKind::OneOf,
    optional: true,
    children: &[Arg::token("asc", "ASC"), Arg::token("desc", "DESC")],
    ..Arg::BASE
};

/// `ALPHA`.
const ALPHA: Arg = Arg::token("sorting", "ALPHA").optional();

/// `STORE destination`.
const STORE: Arg = Arg {
    token: Some("STORE"),
    ..Arg::key("destination", 2).optional()
};

/// Complexity text of both commands.
const COMPLEXITY: &str = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";

/// Declarations of SORT and SORT_RO (from Redis 7.0's `commands/*.json`).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "sort",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SET | acl::SORTEDSET | acl::LIST | acl::DANGEROUS,
        keys: &[SOURCE_KEY, PATTERN_KEYS, STORE_KEY],
        group: "generic",
        since: "1.0.0",
        summary: "Sort the elements in a list, set or sorted set",
        complexity: COMPLEXITY,
        args: &[Arg::key("key", 0), BY, LIMIT, GET, ORDER, ALPHA, STORE],
        get_keys: Some(keys::sort_keys),
        key_spec_notes: &[PATTERN_NOTES, STORE_NOTES],
        handler: handler::sort,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "sort_ro",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::SET | acl::SORTEDSET | acl::LIST | acl::DANGEROUS,
        keys: &[SOURCE_KEY, PATTERN_KEYS],
        group: "generic",
        since: "7.0.0",
        summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
        complexity: COMPLEXITY,
        args: &[Arg::key("key", 0), BY, LIMIT, GET, ORDER, ALPHA],
        get_keys: Some(keys::sort_ro_keys),
        key_spec_notes: &[PATTERN_NOTES],
        handler: handler::sort_ro,
        ..CommandSpec::BASE
    },
];
