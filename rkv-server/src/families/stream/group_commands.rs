//! Declarations of the consumer group commands (XGROUP and its
//! subcommands, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM), as Redis 7.0's
//! `src/commands/x*.json` describe them.

use super::{claim, groups, readgroup};
use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, KeySpec};

/// XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM.
// XCLAIM's ID list is `id` in Redis's COMMAND DOCS, like its LASTID value;
// the table requires distinct names, so the list keeps the JSON's `ID`.
pub const GROUP_COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "xgroup",
        arity: -2,
        group: "stream",
        since: "5.0.0",
        summary: "A container for consumer groups commands",
        complexity: "Depends on subcommand.",
        subcommands: &[
            CommandSpec {
                name: "delconsumer",
                arity: 5,
                flags: flags::WRITE,
                acl: acl::STREAM,
                keys: &[KeySpec { flags: &["RW", "DELETE"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                group: "stream",
                since: "5.0.0",
                summary: "Delete a consumer from a consumer group.",
                complexity: "O(1)",
                args: &[
                    Arg {
                        name: "key",
                        kind: ArgKind::Key,
                        key_spec_index: 0,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "groupname",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "consumername",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                ],
                handler: groups::delconsumer,
                ..CommandSpec::BASE
            },
            CommandSpec {
                name: "destroy",
                arity: 4,
                flags: flags::WRITE,
                acl: acl::STREAM,
                keys: &[KeySpec { flags: &["RW", "DELETE"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                group: "stream",
                since: "5.0.0",
                summary: "Destroy a consumer group.",
                complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
                args: &[
                    Arg {
                        name: "key",
                        kind: ArgKind::Key,
                        key_spec_index: 0,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "groupname",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                ],
                handler: groups::destroy,
                ..CommandSpec::BASE
            },
            CommandSpec {
                name: "createconsumer",
                arity: 5,
                flags: flags::WRITE | flags::DENYOOM,
                acl: acl::STREAM,
                keys: &[KeySpec { flags: &["RW", "INSERT"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                group: "stream",
                since: "6.2.0",
                summary: "Create a consumer in a consumer group.",
                complexity: "O(1)",
                args: &[
                    Arg {
                        name: "key",
                        kind: ArgKind::Key,
                        key_spec_index: 0,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "groupname",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "consumername",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                ],
                handler: groups::createconsumer,
                ..CommandSpec::BASE
            },
            CommandSpec {
                name: "create",
                arity: -5,
                flags: flags::WRITE | flags::DENYOOM,
                acl: acl::STREAM,
                keys: &[KeySpec { flags: &["RW", "INSERT"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                group: "stream",
                since: "5.0.0",
                summary: "Create a consumer group.",
                complexity: "O(1)",
                history: &[("7.0.0", "Added the `entries_read` named argument.")],
                args: &[
                    Arg {
                        name: "key",
                        kind: ArgKind::Key,
                        key_spec_index: 0,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "groupname",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "id",
                        kind: ArgKind::OneOf,
                        children: &[
                            Arg {
                                name: "id",
                                kind: ArgKind::String,
                                ..Arg::BASE
                            },
                            Arg {
                                name: "new_id",
                                kind: ArgKind::PureToken,
                                token: Some("$"),
                                ..Arg::BASE
                            },
                        ],
                        ..Arg::BASE
                    },
                    Arg {
                        name: "mkstream",
                        kind: ArgKind::PureToken,
                        token: Some("MKSTREAM"),
                        optional: true,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "entries_read",
                        kind: ArgKind::Integer,
                        token: Some("ENTRIESREAD"),
                        optional: true,
                        ..Arg::BASE
                    },
                ],
                handler: groups::create,
                ..CommandSpec::BASE
            },
            CommandSpec {
                name: "setid",
                arity: -5,
                flags: flags::WRITE,
                acl: acl::STREAM,
                keys: &[KeySpec { flags: &["RW", "UPDATE"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                group: "stream",
                since: "5.0.0",
                summary: "Set a consumer group to an arbitrary last delivered ID value.",
                complexity: "O(1)",
                history: &[("7.0.0", "Added the optional `entries_read` argument.")],
                args: &[
                    Arg {
                        name: "key",
                        kind: ArgKind::Key,
                        key_spec_index: 0,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "groupname",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "id",
                        kind: ArgKind::OneOf,
                        children: &[
                            Arg {
                                name: "id",
                                kind: ArgKind::String,
                                ..Arg::BASE
                            },
                            Arg {
                                name: "new_id",
                                kind: ArgKind::PureToken,
                                token: Some("$"),
                                ..Arg::BASE
                            },
                        ],
                        ..Arg::BASE
                    },
                    Arg {
                        name: "entries_read",
                        kind: ArgKind::Integer,
                        token: Some("ENTRIESREAD"),
                        optional: true,
                        ..Arg::BASE
                    },
                ],
                handler: groups::setid,
                ..CommandSpec::BASE
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::STREAM,
                group: "stream",
                since: "5.0.0",
                summary: "Show helpful text about the different subcommands",
                complexity: "O(1)",
                handler: groups::help,
                ..CommandSpec::BASE
            },
        ],
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xreadgroup",
        arity: -7,
        flags: flags::BLOCKING | flags::WRITE,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Keyword { keyword: "STREAMS", startfrom: 4 }, find: FindKeys::Range { lastkey: -1, step: 1, limit: 2 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
        complexity: "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
        args: &[
            Arg {
                name: "group_consumer",
                kind: ArgKind::Block,
                token: Some("GROUP"),
                children: &[
                    Arg {
                        name: "group",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                    Arg {
                        name: "consumer",
                        kind: ArgKind::String,
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
            Arg {
                name: "milliseconds",
                kind: ArgKind::Integer,
                token: Some("BLOCK"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "noack",
                kind: ArgKind::PureToken,
                token: Some("NOACK"),
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
        handler: readgroup::xreadgroup,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xack",
        arity: -4,
        flags: flags::WRITE | flags::FAST,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
        complexity: "O(1) for each message ID processed.",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "group",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "id",
                kind: ArgKind::String,
                multiple: true,
                ..Arg::BASE
            },
        ],
        handler: groups::xack,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xpending",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
        complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
        tips: &["nondeterministic_output"],
        history: &[("6.2.0", "Added the `IDLE` option and exclusive range intervals.")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "group",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "filters",
                kind: ArgKind::Block,
                optional: true,
                children: &[
                    Arg {
                        name: "min-idle-time",
                        kind: ArgKind::Integer,
                        token: Some("IDLE"),
                        since: Some("6.2.0"),
                        optional: true,
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
                        ..Arg::BASE
                    },
                    Arg {
                        name: "consumer",
                        kind: ArgKind::String,
                        optional: true,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: groups::xpending,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xclaim",
        arity: -6,
        flags: flags::WRITE | flags::FAST,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
        complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
        tips: &["nondeterministic_output"],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "group",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "consumer",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "min-idle-time",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "ID",
                kind: ArgKind::String,
                multiple: true,
                ..Arg::BASE
            },
            Arg {
                name: "ms",
                kind: ArgKind::Integer,
                token: Some("IDLE"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "unix-time-milliseconds",
                kind: ArgKind::UnixTime,
                token: Some("TIME"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "count",
                kind: ArgKind::Integer,
                token: Some("RETRYCOUNT"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "force",
                kind: ArgKind::PureToken,
                token: Some("FORCE"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "justid",
                kind: ArgKind::PureToken,
                token: Some("JUSTID"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "id",
                kind: ArgKind::String,
                token: Some("LASTID"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: claim::xclaim,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "xautoclaim",
        arity: -6,
        flags: flags::WRITE | flags::FAST,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RW", "DELETE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "6.2.0",
        summary: "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
        complexity: "O(1) if COUNT is small.",
        tips: &["nondeterministic_output"],
        history: &[("7.0.0", "Added an element to the reply array, containing deleted entries the command cleared from the PEL")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "group",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "consumer",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "min-idle-time",
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
            Arg {
                name: "justid",
                kind: ArgKind::PureToken,
                token: Some("JUSTID"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: claim::xautoclaim,
        ..CommandSpec::BASE
    },
];
