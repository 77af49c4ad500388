//! Declarations of the range and multi-key sorted set commands, as Redis
//! 7.0's `src/commands/z*.json` describe them.

use super::handlers;
use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, KeySpec};

/// Arguments shared by ZUNION and ZINTER.
const SETOP_ARGS: &[Arg] = &[
    Arg {
        name: "numkeys",
        kind: ArgKind::Integer,
        ..Arg::BASE
    },
    Arg {
        name: "key",
        kind: ArgKind::Key,
        key_spec_index: 0,
        multiple: true,
        ..Arg::BASE
    },
    Arg {
        name: "weight",
        kind: ArgKind::Integer,
        token: Some("WEIGHTS"),
        optional: true,
        multiple: true,
        ..Arg::BASE
    },
    Arg {
        name: "aggregate",
        kind: ArgKind::OneOf,
        token: Some("AGGREGATE"),
        optional: true,
        children: &[
            Arg {
                name: "sum",
                kind: ArgKind::PureToken,
                token: Some("SUM"),
                ..Arg::BASE
            },
            Arg {
                name: "min",
                kind: ArgKind::PureToken,
                token: Some("MIN"),
                ..Arg::BASE
            },
            Arg {
                name: "max",
                kind: ArgKind::PureToken,
                token: Some("MAX"),
                ..Arg::BASE
            },
        ],
        ..Arg::BASE
    },
    Arg {
        name: "withscores",
        kind: ArgKind::PureToken,
        token: Some("WITHSCORES"),
        optional: true,
        ..Arg::BASE
    },
];

/// Arguments shared by ZUNIONSTORE and ZINTERSTORE.
const STORE_SETOP_ARGS: &[Arg] = &[
    Arg {
        name: "destination",
        kind: ArgKind::Key,
        key_spec_index: 0,
        ..Arg::BASE
    },
    Arg {
        name: "numkeys",
        kind: ArgKind::Integer,
        ..Arg::BASE
    },
    Arg {
        name: "key",
        kind: ArgKind::Key,
        key_spec_index: 1,
        multiple: true,
        ..Arg::BASE
    },
    Arg {
        name: "weight",
        kind: ArgKind::Integer,
        token: Some("WEIGHTS"),
        optional: true,
        multiple: true,
        ..Arg::BASE
    },
    Arg {
        name: "aggregate",
        kind: ArgKind::OneOf,
        token: Some("AGGREGATE"),
        optional: true,
        children: &[
            Arg {
                name: "sum",
                kind: ArgKind::PureToken,
                token: Some("SUM"),
                ..Arg::BASE
            },
            Arg {
                name: "min",
                kind: ArgKind::PureToken,
                token: Some("MIN"),
                ..Arg::BASE
            },
            Arg {
                name: "max",
                kind: ArgKind::PureToken,
                token: Some("MAX"),
                ..Arg::BASE
            },
        ],
        ..Arg::BASE
    },
];

/// The ZRANGE forms, ZRANGESTORE and the set operations.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "zdiff",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        group: "sorted-set",
        since: "6.2.0",
        summary: "Subtract multiple sorted sets",
        complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        args: &[
            Arg {
                name: "numkeys",
                kind: ArgKind::Integer,
                ..Arg::BASE
            },
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                multiple: true,
                ..Arg::BASE
            },
            Arg {
                name: "withscores",
                kind: ArgKind::PureToken,
                token: Some("WITHSCORES"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zdiff,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zdiffstore",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["OW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        group: "sorted-set",
        since: "6.2.0",
        summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key",
        complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
        args: &[
            Arg {
                name: "destination",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "numkeys",
                kind: ArgKind::Integer,
                ..Arg::BASE
            },
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 1,
                multiple: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zdiffstore,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zinter",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        group: "sorted-set",
        since: "6.2.0",
        summary: "Intersect multiple sorted sets",
        complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        args: SETOP_ARGS,
        handler: handlers::zinter,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zintercard",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        group: "sorted-set",
        since: "7.0.0",
        summary: "Intersect multiple sorted sets and return the cardinality of the result",
        complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
        args: &[
            Arg {
                name: "numkeys",
                kind: ArgKind::Integer,
                ..Arg::BASE
            },
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                multiple: true,
                ..Arg::BASE
            },
            Arg {
                name: "limit",
                kind: ArgKind::Integer,
                token: Some("LIMIT"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zintercard,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zinterstore",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["OW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        group: "sorted-set",
        since: "2.0.0",
        summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key",
        complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
        args: STORE_SETOP_ARGS,
        handler: handlers::zinterstore,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrange",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "1.2.0",
        summary: "Return a range of members in a sorted set",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
        history: &[("6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options.")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "start",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "stop",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "sortby",
                kind: ArgKind::OneOf,
                since: Some("6.2.0"),
                optional: true,
                children: &[
                    Arg {
                        name: "byscore",
                        kind: ArgKind::PureToken,
                        token: Some("BYSCORE"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "bylex",
                        kind: ArgKind::PureToken,
                        token: Some("BYLEX"),
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            Arg {
                name: "rev",
                kind: ArgKind::PureToken,
                token: Some("REV"),
                since: Some("6.2.0"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "offset_count",
                kind: ArgKind::Block,
                token: Some("LIMIT"),
                since: Some("6.2.0"),
                optional: true,
                children: &[
                    Arg {
                        name: "offset",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            Arg {
                name: "withscores",
                kind: ArgKind::PureToken,
                token: Some("WITHSCORES"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zrange,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrangebylex",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "2.8.9",
        summary: "Return a range of members in a sorted set, by lexicographical range",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `BYLEX` argument"),
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "min",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "max",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "offset_count",
                kind: ArgKind::Block,
                token: Some("LIMIT"),
                optional: true,
                children: &[
                    Arg {
                        name: "offset",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: handlers::zrangebylex,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrangebyscore",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "1.0.5",
        summary: "Return a range of members in a sorted set, by score",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        history: &[("2.0.0", "Added the `WITHSCORES` modifier.")],
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `BYSCORE` argument"),
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "min",
                kind: ArgKind::Double,
                ..Arg::BASE
            },
            Arg {
                name: "max",
                kind: ArgKind::Double,
                ..Arg::BASE
            },
            Arg {
                name: "withscores",
                kind: ArgKind::PureToken,
                token: Some("WITHSCORES"),
                since: Some("2.0.0"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "offset_count",
                kind: ArgKind::Block,
                token: Some("LIMIT"),
                optional: true,
                children: &[
                    Arg {
                        name: "offset",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: handlers::zrangebyscore,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrangestore",
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["OW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "6.2.0",
        summary: "Store a range of members from sorted set into another key",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
        args: &[
            Arg {
                name: "dst",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "src",
                kind: ArgKind::Key,
                key_spec_index: 1,
                ..Arg::BASE
            },
            Arg {
                name: "min",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "max",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "sortby",
                kind: ArgKind::OneOf,
                optional: true,
                children: &[
                    Arg {
                        name: "byscore",
                        kind: ArgKind::PureToken,
                        token: Some("BYSCORE"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "bylex",
                        kind: ArgKind::PureToken,
                        token: Some("BYLEX"),
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            Arg {
                name: "rev",
                kind: ArgKind::PureToken,
                token: Some("REV"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "offset_count",
                kind: ArgKind::Block,
                token: Some("LIMIT"),
                optional: true,
                children: &[
                    Arg {
                        name: "offset",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: handlers::zrangestore,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrevrange",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "1.2.0",
        summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `REV` argument"),
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "start",
                kind: ArgKind::Integer,
                ..Arg::BASE
            },
            Arg {
                name: "stop",
                kind: ArgKind::Integer,
                ..Arg::BASE
            },
            Arg {
                name: "withscores",
                kind: ArgKind::PureToken,
                token: Some("WITHSCORES"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zrevrange,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrevrangebylex",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "2.8.9",
        summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `REV` and `BYLEX` arguments"),
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "max",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "min",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "offset_count",
                kind: ArgKind::Block,
                token: Some("LIMIT"),
                optional: true,
                children: &[
                    Arg {
                        name: "offset",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: handlers::zrevrangebylex,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrevrangebyscore",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "2.2.0",
        summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).",
        history: &[("2.1.6", "`min` and `max` can be exclusive.")],
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `REV` and `BYSCORE` arguments"),
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "max",
                kind: ArgKind::Double,
                ..Arg::BASE
            },
            Arg {
                name: "min",
                kind: ArgKind::Double,
                ..Arg::BASE
            },
            Arg {
                name: "withscores",
                kind: ArgKind::PureToken,
                token: Some("WITHSCORES"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "offset_count",
                kind: ArgKind::Block,
                token: Some("LIMIT"),
                optional: true,
                children: &[
                    Arg {
                        name: "offset",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: handlers::zrevrangebyscore,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zunion",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        group: "sorted-set",
        since: "6.2.0",
        summary: "Add multiple sorted sets",
        complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        args: SETOP_ARGS,
        handler: handlers::zunion,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zunionstore",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["OW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        group: "sorted-set",
        since: "2.0.0",
        summary: "Add multiple sorted sets and store the resulting sorted set in a new key",
        complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        args: STORE_SETOP_ARGS,
        handler: handlers::zunionstore,
        ..CommandSpec::BASE
    },
];
