//! Declaration of XINFO and its subcommands, as Redis 7.0's
//! `src/commands/xinfo*.json` describe them.

use super::info;
use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, KeySpec};

/// XINFO (STREAM, GROUPS, CONSUMERS, HELP).
pub const INFO_COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "xinfo",
    arity: -2,
    group: "stream",
    since: "5.0.0",
    summary: "A container for stream introspection commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
    CommandSpec {
        name: "stream",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "Get information about a stream",
        complexity: "O(1)",
        history: &[("6.0.0", "Added the `FULL` modifier."), ("7.0.0", "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "full",
                kind: ArgKind::Block,
                token: Some("FULL"),
                optional: true,
                children: &[
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        token: Some("COUNT"),
                        optional: true,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: info::stream,
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
        handler: info::help,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "groups",
        arity: 3,
        flags: flags::READONLY,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "List the consumer groups of a stream",
        complexity: "O(1)",
        history: &[("7.0.0", "Added the `entries-read` and `lag` fields")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
        ],
        handler: info::groups,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "consumers",
        arity: 4,
        flags: flags::READONLY,
        acl: acl::STREAM,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "stream",
        since: "5.0.0",
        summary: "List the consumers in a consumer group",
        complexity: "O(1)",
        tips: &["nondeterministic_output"],
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
        handler: info::consumers,
        ..CommandSpec::BASE
    },
    ],
    ..CommandSpec::BASE
}];
