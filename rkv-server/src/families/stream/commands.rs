//! Declarations of XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD and
//! XSETID, as Redis 7.0's `src/commands/x*.json` describe them.

use super::{basic, read, setid};
use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, KeySpec};

/// The commands that add, read ranges of, and remove stream entries.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "xadd",
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        key_spec_notes: &[(0, "UPDATE instead of INSERT because of the optional trimming feature")],
        group: "stream",
        since: "5.0.0",
        summary: "Appends a new entry to a stream",
        complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
        tips: &["nondeterministic_output"],
        history: &[("6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."), ("7.0.0", "Added support for the `<ms>-*` explicit ID form.")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "nomkstream",
                kind: ArgKind::PureToken,
                token: Some("NOMKSTREAM"),
                since: Some("6.2.0"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "trim",
                kind: ArgKind::Block,
                optional: true,
                children: &[
                    Arg {
                        name: "strategy",
                        kind: ArgKind::OneOf,
                        children: &[
                            Arg {
                                name: "maxlen",
                                kind: ArgKind::PureToken,
                                token: Some("MAXLEN"),
                                ..Arg::BASE
                            },
                            Arg {
                                name: "minid",
                                kind: ArgKind::PureToken,
                                token: Some("MINID"),
                                since: Some("6.2.0"),
                                ..Arg::BASE
                            },
                        ],
                        ..Arg::BASE
                    },
                    Arg {
                        name: "operator",
                        kind: ArgKind::OneOf,
                        optional: true,
                        children: &[
                            Arg {
                                name: "equal",
                                kind: ArgKind::PureToken,
                                token: Some("="),
                                ..Arg::BASE
                            },
                            Arg {
                                name: "approximately",
                                kind: ArgKind::PureToken,
                                token: Some("~"),
                                ..Arg::BASE
                            },
                        ],
                        ..Arg::BASE
                    },
                    Arg {
                        name: "threshold",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        token: Some("LIMIT"),
                        since: Some("6.2.0"),
                        optional: true,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            Arg {
                name: "id_or_auto",
                kind: ArgKind::OneOf,
                children: &[
                    Arg {
                        name: "auto_id",
                        kind: ArgKind::PureToken,
                        token: Some("*"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "id",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            Arg {
                name: "field_value",
                kind: ArgKind::Block,
                multiple: true,
                children: &[
                    Arg {
                        name: "field",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "value",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: basic::xadd,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xlen",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RO"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Return the number of entries in a stream",
        complexity: "O(1)",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
        ],
        handler: basic::xlen,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xrange",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval",
        complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        history: &[("6.2.0", "Added exclusive ranges.")],
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
                name: "end",
                kind: ArgKind::String,
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
        handler: basic::xrange,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xrevrange",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
        complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        history: &[("6.2.0", "Added exclusive ranges.")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "end",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "start",
                kind: ArgKind::String,
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
        handler: basic::xrevrange,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xdel",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RW", "DELETE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
        complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "id",
                kind: ArgKind::String,
                multiple: true,
                ..Arg::BASE
            },
        ],
        handler: basic::xdel,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xtrim",
        arity: -4,
        flags: flags::WRITE,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RW", "DELETE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Trims the stream to (approximately if '~' is passed) a certain size",
        complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
        tips: &["nondeterministic_output"],
        history: &[("6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option.")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "trim",
                kind: ArgKind::Block,
                children: &[
                    Arg {
                        name: "strategy",
                        kind: ArgKind::OneOf,
                        children: &[
                            Arg {
                                name: "maxlen",
                                kind: ArgKind::PureToken,
                                token: Some("MAXLEN"),
                                ..Arg::BASE
                            },
                            Arg {
                                name: "minid",
                                kind: ArgKind::PureToken,
                                token: Some("MINID"),
                                since: Some("6.2.0"),
                                ..Arg::BASE
                            },
                        ],
                        ..Arg::BASE
                    },
                    Arg {
                        name: "operator",
                        kind: ArgKind::OneOf,
                        optional: true,
                        children: &[
                            Arg {
                                name: "equal",
                                kind: ArgKind::PureToken,
                                token: Some("="),
                                ..Arg::BASE
                            },
                            Arg {
                                name: "approximately",
                                kind: ArgKind::PureToken,
                                token: Some("~"),
                                ..Arg::BASE
                            },
                        ],
                        ..Arg::BASE
                    },
                    Arg {
                        name: "threshold",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        token: Some("LIMIT"),
                        since: Some("6.2.0"),
                        optional: true,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: basic::xtrim,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xread",
        arity: -4,
        flags: flags::BLOCKING | flags::READONLY | flags::BLOCKING,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Keyword { keyword: "STREAMS", startfrom: 1 }, find: FindKeys::Range { lastkey: -1, step: 1, limit: 2 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
        complexity: "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
        args: &[
            Arg {
                name: "count",
                kind: ArgKind::Integer,
                token: Some("COUNT"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "milliseconds",
                kind: ArgKind::Integer,
                token: Some("BLOCK"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "streams",
                kind: ArgKind::Block,
                token: Some("STREAMS"),
                children: &[
                    Arg {
                        name: "key",
                        kind: ArgKind::Key,
                        key_spec_index: 0,
                        multiple: true,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "id",
                        kind: ArgKind::String,
                        multiple: true,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: read::xread,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xsetid",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "An internal command for replicating stream values",
        complexity: "O(1)",
        history: &[("7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments.")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "last-id",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "entries_added",
                kind: ArgKind::Integer,
                token: Some("ENTRIESADDED"),
                since: Some("7.0.0"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "max_deleted_entry_id",
                kind: ArgKind::String,
                token: Some("MAXDELETEDID"),
                since: Some("7.0.0"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: setid::xsetid,
        ..CommandSpec::BASE
    },
];
