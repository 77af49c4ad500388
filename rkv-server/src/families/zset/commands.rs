//! Declarations of the single-key sorted set commands, as Redis 7.0's
//! `src/commands/z*.json` describe them (the blocking ones excepted).

use super::handlers;
use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, KeySpec};

/// ZADD, ZREM, ZSCORE, ZPOP*, ZSCAN and the other single-key commands.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "zadd",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "1.2.0",
        summary: "Add one or more members to a sorted set, or update its score if it already exists",
        complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        history: &[("2.4.0", "Accepts multiple elements."), ("3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."), ("6.2.0", "Added the `GT` and `LT` options.")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "condition",
                kind: ArgKind::OneOf,
                since: Some("3.0.2"),
                optional: true,
                children: &[
                    Arg {
                        name: "nx",
                        kind: ArgKind::PureToken,
                        token: Some("NX"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "xx",
                        kind: ArgKind::PureToken,
                        token: Some("XX"),
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            Arg {
                name: "comparison",
                kind: ArgKind::OneOf,
                since: Some("6.2.0"),
                optional: true,
                children: &[
                    Arg {
                        name: "gt",
                        kind: ArgKind::PureToken,
                        token: Some("GT"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "lt",
                        kind: ArgKind::PureToken,
                        token: Some("LT"),
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            Arg {
                name: "change",
                kind: ArgKind::PureToken,
                token: Some("CH"),
                since: Some("3.0.2"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "increment",
                kind: ArgKind::PureToken,
                token: Some("INCR"),
                since: Some("3.0.2"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "score_member",
                kind: ArgKind::Block,
                multiple: true,
                children: &[
                    Arg {
                        name: "score",
                        kind: ArgKind::Double,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "member",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: handlers::zadd,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zcard",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "1.2.0",
        summary: "Get the number of members in a sorted set",
        complexity: "O(1)",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
        ],
        handler: handlers::zcard,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zcount",
        arity: 4,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "2.0.0",
        summary: "Count the members in a sorted set with scores within the given values",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
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
        ],
        handler: handlers::zcount,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zincrby",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RW", "ACCESS", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "1.2.0",
        summary: "Increment the score of a member in a sorted set",
        complexity: "O(log(N)) where N is the number of elements in the sorted set.",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "increment",
                kind: ArgKind::Integer,
                ..Arg::BASE
            },
            Arg {
                name: "member",
                kind: ArgKind::String,
                ..Arg::BASE
            },
        ],
        handler: handlers::zincrby,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zlexcount",
        arity: 4,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "2.8.9",
        summary: "Count the number of members in a sorted set between a given lexicographical range",
        complexity: "O(log(N)) with N being the number of elements in the sorted set.",
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
        ],
        handler: handlers::zlexcount,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zmpop",
        arity: -4,
        flags: flags::WRITE,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RW", "ACCESS", "DELETE"], begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        group: "sorted-set",
        since: "7.0.0",
        summary: "Remove and return members with scores in a sorted set",
        complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
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
                name: "where",
                kind: ArgKind::OneOf,
                children: &[
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
                name: "count",
                kind: ArgKind::Integer,
                token: Some("COUNT"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zmpop,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zmscore",
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "6.2.0",
        summary: "Get the score associated with the given members in a sorted set",
        complexity: "O(N) where N is the number of members being requested.",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "member",
                kind: ArgKind::String,
                multiple: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zmscore,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zpopmax",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RW", "ACCESS", "DELETE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "5.0.0",
        summary: "Remove and return members with the highest scores in a sorted set",
        complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "count",
                kind: ArgKind::Integer,
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zpopmax,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zpopmin",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RW", "ACCESS", "DELETE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "5.0.0",
        summary: "Remove and return members with the lowest scores in a sorted set",
        complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "count",
                kind: ArgKind::Integer,
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zpopmin,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrandmember",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "6.2.0",
        summary: "Get one or multiple random elements from a sorted set",
        complexity: "O(N) where N is the number of elements returned",
        tips: &["nondeterministic_output"],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "options",
                kind: ArgKind::Block,
                optional: true,
                children: &[
                    Arg {
                        name: "count",
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
                ..Arg::BASE
            },
        ],
        handler: handlers::zrandmember,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrank",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "2.0.0",
        summary: "Determine the index of a member in a sorted set",
        complexity: "O(log(N))",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "member",
                kind: ArgKind::String,
                ..Arg::BASE
            },
        ],
        handler: handlers::zrank,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrem",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RW", "DELETE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "1.2.0",
        summary: "Remove one or more members from a sorted set",
        complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
        history: &[("2.4.0", "Accepts multiple elements.")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "member",
                kind: ArgKind::String,
                multiple: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zrem,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zremrangebylex",
        arity: 4,
        flags: flags::WRITE,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RW", "DELETE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "2.8.9",
        summary: "Remove all members in a sorted set between the given lexicographical range",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
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
        ],
        handler: handlers::zremrangebylex,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zremrangebyrank",
        arity: 4,
        flags: flags::WRITE,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RW", "DELETE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "2.0.0",
        summary: "Remove all members in a sorted set within the given indexes",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
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
        ],
        handler: handlers::zremrangebyrank,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zremrangebyscore",
        arity: 4,
        flags: flags::WRITE,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RW", "DELETE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "1.2.0",
        summary: "Remove all members in a sorted set within the given scores",
        complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
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
        ],
        handler: handlers::zremrangebyscore,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zrevrank",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "2.0.0",
        summary: "Determine the index of a member in a sorted set, with scores ordered from high to low",
        complexity: "O(log(N))",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "member",
                kind: ArgKind::String,
                ..Arg::BASE
            },
        ],
        handler: handlers::zrevrank,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zscan",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "2.8.0",
        summary: "Incrementally iterate sorted sets elements and associated scores",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
        tips: &["nondeterministic_output"],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "cursor",
                kind: ArgKind::Integer,
                ..Arg::BASE
            },
            Arg {
                name: "pattern",
                kind: ArgKind::Pattern,
                token: Some("MATCH"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "count",
                kind: ArgKind::Integer,
                token: Some("COUNT"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::zscan,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "zscore",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::SORTEDSET,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "sorted-set",
        since: "1.2.0",
        summary: "Get the score associated with the given member in a sorted set",
        complexity: "O(1)",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "member",
                kind: ArgKind::String,
                ..Arg::BASE
            },
        ],
        handler: handlers::zscore,
        ..CommandSpec::BASE
    },
];
