//! CLIENT's subcommands: ID, INFO, LIST, KILL, SETNAME, GETNAME, REPLY,
//! NO-EVICT, PAUSE, UNPAUSE, UNBLOCK, HELP, and the client-side caching
//! ones (TRACKING, CACHING, GETREDIR, TRACKINGINFO) in `tracking.rs`.

pub mod info;
pub mod kill;
mod tracking;
mod unblock;

use info::{info_line, ClientType, CurrentCommand};

use crate::client::ReplyMode;
use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::errors;
use crate::server::Pause;

/// Flags most CLIENT subcommands share.
const CLIENT_FLAGS: u32 = flags::NOSCRIPT | flags::LOADING | flags::STALE;

/// `CLIENT HELP` lines after the header, as Redis 7.0 prints them.
const HELP: &[&str] = &[
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
];

/// Argument tree of CLIENT KILL (Redis's client-kill.json).
const KILL_ARGS: &[Arg] = &[Arg {
    name: "filter",
    kind: ArgKind::OneOf,
    children: &[
        Arg::new("ip:port", ArgKind::String),
        Arg {
            name: "new-format",
            kind: ArgKind::OneOf,
            multiple: true,
            children: &[
                Arg {
                    token: Some("ID"),
                    since: Some("2.8.12"),
                    ..Arg::new("client-id", ArgKind::Integer).optional()
                },
                Arg {
                    name: "normal_master_slave_pubsub",
                    kind: ArgKind::OneOf,
                    token: Some("TYPE"),
                    optional: true,
                    since: Some("2.8.12"),
                    children: &[
                        Arg::token("normal", "normal"),
                        Arg {
                            since: Some("3.2.0"),
                            ..Arg::token("master", "master")
                        },
                        Arg::token("slave", "slave"),
                        Arg {
                            since: Some("5.0.0"),
                            ..Arg::token("replica", "replica")
                        },
                        Arg::token("pubsub", "pubsub"),
                    ],
                    ..Arg::BASE
                },
                Arg {
                    token: Some("USER"),
                    ..Arg::new("username", ArgKind::String).optional()
                },
                Arg {
                    token: Some("ADDR"),
                    ..Arg::new("ip:port", ArgKind::String).optional()
                },
                Arg {
                    token: Some("LADDR"),
                    since: Some("6.2.0"),
                    ..Arg::new("ip:port", ArgKind::String).optional()
                },
                Arg {
                    token: Some("SKIPME"),
                    ..Arg::new("yes/no", ArgKind::String).optional()
                },
            ],
            ..Arg::BASE
        },
    ],
    ..Arg::BASE
}];

/// Argument tree of CLIENT LIST (Redis's client-list.json).
const LIST_ARGS: &[Arg] = &[
    Arg {
        name: "normal_master_replica_pubsub",
        kind: ArgKind::OneOf,
        token: Some("TYPE"),
        optional: true,
        since: Some("5.0.0"),
        children: &[
            Arg::token("normal", "normal"),
            Arg::token("master", "master"),
            Arg::token("replica", "replica"),
            Arg::token("pubsub", "pubsub"),
        ],
        ..Arg::BASE
    },
    Arg {
        name: "id",
        kind: ArgKind::Block,
        token: Some("ID"),
        optional: true,
        since: Some("6.2.0"),
        children: &[Arg::new("client-id", ArgKind::Integer).multiple()],
        ..Arg::BASE
    },
];

/// CLIENT's subcommands, each a full declaration.
pub const SUBCOMMANDS: &[CommandSpec] = &[
    tracking::CACHING,
    CommandSpec {
        name: "getname",
        arity: 2,
        flags: CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "2.6.9",
        summary: "Get the current connection name",
        complexity: "O(1)",
        handler: client_getname,
        ..CommandSpec::BASE
    },
    tracking::GETREDIR,
    CommandSpec {
        name: "help",
        arity: 2,
        flags: flags::LOADING | flags::STALE,
        acl: acl::CONNECTION,
        group: "connection",
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: client_help,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "id",
        arity: 2,
        flags: CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "5.0.0",
        summary: "Returns the client ID for the current connection",
        complexity: "O(1)",
        handler: client_id,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "info",
        arity: 2,
        flags: CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "6.2.0",
        summary: "Returns information about the current client connection.",
        complexity: "O(1)",
        tips: &["nondeterministic_output"],
        handler: client_info,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "kill",
        arity: -3,
        flags: flags::ADMIN | CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "2.4.0",
        summary: "Kill the connection of a client",
        complexity: "O(N) where N is the number of client connections",
        history: &[
            ("2.8.12", "Added new filter format."),
            ("2.8.12", "`ID` option."),
            ("3.2.0", "Added `master` type in for `TYPE` option."),
            (
                "5.0.0",
                "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility.",
            ),
            ("6.2.0", "`LADDR` option."),
        ],
        args: KILL_ARGS,
        handler: kill::client_kill,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "list",
        arity: -2,
        flags: flags::ADMIN | CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "2.4.0",
        summary: "Get the list of client connections",
        complexity: "O(N) where N is the number of client connections",
        tips: &["nondeterministic_output"],
        history: &[
            ("2.8.12", "Added unique client `id` field."),
            ("5.0.0", "Added optional `TYPE` filter."),
            ("6.0.0", "Added `user` field."),
            (
                "6.2.0",
                "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter.",
            ),
            ("7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."),
            ("7.0.3", "Added `ssub` field."),
        ],
        args: LIST_ARGS,
        handler: client_list,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "no-evict",
        arity: 3,
        flags: flags::ADMIN | CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "7.0.0",
        summary: "Set client eviction mode for the current connection",
        complexity: "O(1)",
        args: &[Arg {
            name: "enabled",
            kind: ArgKind::OneOf,
            children: &[Arg::token("on", "ON"), Arg::token("off", "OFF")],
            ..Arg::BASE
        }],
        handler: client_no_evict,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "pause",
        arity: -3,
        flags: flags::ADMIN | CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "2.9.50",
        summary: "Stop processing commands from clients for some time",
        complexity: "O(1)",
        history: &[(
            "6.2.0",
            "`CLIENT PAUSE WRITE` mode added along with the `mode` option.",
        )],
        args: &[
            Arg::new("timeout", ArgKind::Integer),
            Arg {
                name: "mode",
                kind: ArgKind::OneOf,
                optional: true,
                since: Some("6.2.0"),
                children: &[Arg::token("write", "WRITE"), Arg::token("all", "ALL")],
                ..Arg::BASE
            },
        ],
        handler: client_pause,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "reply",
        arity: 3,
        flags: CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "3.2.0",
        summary: "Instruct the server whether to reply to commands",
        complexity: "O(1)",
        args: &[Arg {
            name: "on_off_skip",
            kind: ArgKind::OneOf,
            children: &[
                Arg::token("on", "ON"),
                Arg::token("off", "OFF"),
                Arg::token("skip", "SKIP"),
            ],
            ..Arg::BASE
        }],
        handler: client_reply,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "setname",
        arity: 3,
        flags: CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "2.6.9",
        summary: "Set the current connection name",
        complexity: "O(1)",
        args: &[Arg::new("connection-name", ArgKind::String)],
        handler: client_setname,
        ..CommandSpec::BASE
    },
    tracking::TRACKING,
    tracking::TRACKINGINFO,
    CommandSpec {
        name: "unblock",
        arity: -3,
        flags: flags::ADMIN | CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "5.0.0",
        summary: "Unblock a client blocked in a blocking command from a different connection",
        complexity: "O(log N) where N is the number of client connections",
        args: unblock::UNBLOCK_ARGS,
        handler: unblock::client_unblock,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "unpause",
        arity: 2,
        flags: flags::ADMIN | CLIENT_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "6.2.0",
        summary: "Resume processing of clients that were paused",
        complexity: "O(N) Where N is the number of paused clients",
        handler: client_unpause,
        ..CommandSpec::BASE
    },
];

/// Whether `name` may be a client name: printable ASCII without spaces
/// (CLIENT LIST must stay splittable on spaces). Empty clears the name.
pub fn valid_client_name(name: &[u8]) -> bool {
    name.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

/// Sets the caller's name (empty removes it), or replies with Redis's
/// error and returns false. Shared with HELLO SETNAME.
pub fn set_name_or_reply(ctx: &mut Ctx, name: &[u8]) -> bool {
    if !valid_client_name(name) {
        ctx.error(errors::CLIENT_NAME);
        return false;
    }
    ctx.client.name = (!name.is_empty()).then(|| name.to_vec());
    true
}

/// `ERR unknown subcommand or wrong number of arguments for 'x'. Try CLIENT HELP.`
pub(crate) fn subcommand_syntax_error(ctx: &mut Ctx) {
    let sub = String::from_utf8_lossy(&ctx.arg(1)[..ctx.arg(1).len().min(128)]).into_owned();
    let container = String::from_utf8_lossy(ctx.arg(0)).to_ascii_uppercase();
    ctx.error(&format!(
        "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {container} HELP."
    ));
}

/// What CLIENT LIST/INFO show for the calling client's running command.
fn current_command(ctx: &Ctx) -> CurrentCommand {
    CurrentCommand {
        argc: ctx.argc(),
        argv_bytes: ctx.argv.iter().map(|a| a.len()).sum(),
        pending_reply: ctx.out.len(),
    }
}

/// `CLIENT HELP`
fn client_help(ctx: &mut Ctx) {
    let container = String::from_utf8_lossy(ctx.arg(0)).to_ascii_uppercase();
    ctx.out.array(HELP.len() + 3);
    ctx.out.simple(&format!(
        "{container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    ));
    for line in HELP {
        ctx.out.simple(line);
    }
    ctx.out.simple("HELP");
    ctx.out.simple("    Prints this help.");
}

/// `CLIENT ID`
fn client_id(ctx: &mut Ctx) {
    let id = ctx.client.id as i64;
    ctx.out.int(id);
}

/// `CLIENT INFO`
fn client_info(ctx: &mut Ctx) {
    let current = current_command(ctx);
    let mut text = info_line(ctx.client, ctx.now_ms(), Some(current));
    text.push('\n');
    ctx.out.verbatim("txt", text.as_bytes());
}

/// `CLIENT LIST [TYPE type] [ID id ...]`
fn client_list(ctx: &mut Ctx) {
    let argc = ctx.argc();
    let mut kind = None;
    let mut ids = None;
    if argc == 4 && ctx.arg(2).eq_ignore_ascii_case(b"type") {
        match ClientType::parse(ctx.arg(3)) {
            Some(k) => kind = Some(k),
            None => {
                let msg = format!(
                    "ERR Unknown client type '{}'",
                    String::from_utf8_lossy(ctx.arg(3))
                );
                return ctx.error(&msg);
            }
        }
    } else if argc > 3 && ctx.arg(2).eq_ignore_ascii_case(b"id") {
        let mut wanted = Vec::with_capacity(argc - 3);
        for a in &ctx.argv[3..] {
            match rkv_proto::request::parse_i64(a) {
                Some(id) => wanted.push(id),
                None => return ctx.error("ERR Invalid client ID"),
            }
        }
        ids = Some(wanted);
    } else if argc != 2 {
        return ctx.syntax_error();
    }

    let current = current_command(ctx);
    let now = ctx.now_ms();
    let me = ctx.client.id;
    let line_of = |ctx: &Ctx, id: u64| -> Option<String> {
        if id == me {
            return Some(info_line(ctx.client, now, Some(current)));
        }
        let other = ctx.srv.clients.get(&id)?.try_borrow().ok()?;
        Some(info_line(&other, now, None))
    };
    let mut text = String::new();
    match ids {
        Some(ids) => {
            // Redis lists the given ids in argument order, repeats included.
            for id in ids {
                if let Some(line) = u64::try_from(id).ok().and_then(|id| line_of(ctx, id)) {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        }
        None => {
            for (&id, entry) in &ctx.srv.clients {
                let selected = if id == me {
                    kind.is_none_or(|k| ClientType::of(ctx.client) == k)
                } else {
                    let Ok(other) = entry.try_borrow() else {
                        continue;
                    };
                    kind.is_none_or(|k| ClientType::of(&other) == k)
                };
                if selected {
                    if let Some(line) = line_of(ctx, id) {
                        text.push_str(&line);
                        text.push('\n');
                    }
                }
            }
        }
    }
    ctx.out.verbatim("txt", text.as_bytes());
}

/// `CLIENT REPLY ON|OFF|SKIP` (the dispatcher drops the replies).
fn client_reply(ctx: &mut Ctx) {
    let mode = ctx.arg(2);
    if mode.eq_ignore_ascii_case(b"on") {
        ctx.client.reply_mode = ReplyMode::On;
        ctx.out.ok();
    } else if mode.eq_ignore_ascii_case(b"off") {
        ctx.client.reply_mode = ReplyMode::Off;
    } else if mode.eq_ignore_ascii_case(b"skip") {
        if ctx.client.reply_mode != ReplyMode::Off {
            ctx.client.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        ctx.syntax_error();
    }
}

/// `CLIENT NO-EVICT ON|OFF`
fn client_no_evict(ctx: &mut Ctx) {
    let mode = ctx.arg(2);
    if mode.eq_ignore_ascii_case(b"on") {
        ctx.client.no_evict = true;
    } else if mode.eq_ignore_ascii_case(b"off") {
        ctx.client.no_evict = false;
    } else {
        return ctx.syntax_error();
    }
    ctx.out.ok();
}

/// `CLIENT SETNAME name`
fn client_setname(ctx: &mut Ctx) {
    let name = ctx.arg(2);
    if set_name_or_reply(ctx, name) {
        ctx.out.ok();
    }
}

/// `CLIENT GETNAME`
fn client_getname(ctx: &mut Ctx) {
    match &ctx.client.name {
        Some(name) => ctx.out.bulk(name),
        None => ctx.out.null(),
    }
}

/// `CLIENT PAUSE timeout [WRITE|ALL]`
fn client_pause(ctx: &mut Ctx) {
    let argc = ctx.argc();
    if argc > 4 {
        return subcommand_syntax_error(ctx);
    }
    let mut writes_only = false;
    if argc == 4 {
        let mode = ctx.arg(3);
        if mode.eq_ignore_ascii_case(b"write") {
            writes_only = true;
        } else if !mode.eq_ignore_ascii_case(b"all") {
            return ctx.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
        }
    }
    let Some(timeout) = rkv_proto::request::parse_i64(ctx.arg(2)) else {
        return ctx.error("ERR timeout is not an integer or out of range");
    };
    if timeout < 0 {
        return ctx.error("ERR timeout is negative");
    }
    let until_ms = if timeout > 0 {
        timeout.saturating_add(crate::server::unix_ms())
    } else {
        0
    };
    ctx.srv.pause = Some(merge_pause(
        ctx.srv.pause,
        until_ms,
        writes_only,
        ctx.now_ms(),
    ));
    ctx.out.ok();
}

/// A new pause combined with the one in force, as Redis's `pauseClients`
/// does: the later end and the stricter mode win.
fn merge_pause(current: Option<Pause>, until_ms: i64, writes_only: bool, now_ms: i64) -> Pause {
    match current {
        Some(p) if p.until_ms > now_ms => Pause {
            until_ms: p.until_ms.max(until_ms),
            writes_only: p.writes_only && writes_only,
        },
        _ => Pause {
            until_ms,
            writes_only,
        },
    }
}

/// `CLIENT UNPAUSE`
fn client_unpause(ctx: &mut Ctx) {
    if ctx.srv.pause.take().is_some() {
        for c in ctx.srv.clients.values() {
            if let Ok(c) = c.try_borrow() {
                c.wake.notify_one();
            }
        }
    }
    ctx.out.ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_names_are_printable_without_spaces() {
        assert!(valid_client_name(b"worker-1"));
        assert!(valid_client_name(b"!~"));
        assert!(valid_client_name(b""));
        for bad in [&b"a b"[..], b"a\nb", b"\x7f", b"caf\xc3\xa9", b"\t"] {
            assert!(!valid_client_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn pauses_merge_to_the_later_end_and_stricter_mode() {
        let all = Pause {
            until_ms: 5_000,
            writes_only: false,
        };
        assert_eq!(
            merge_pause(Some(all), 2_000, true, 1_000),
            Pause {
                until_ms: 5_000,
                writes_only: false
            }
        );
        let expired = Pause {
            until_ms: 500,
            writes_only: false,
        };
        assert_eq!(
            merge_pause(Some(expired), 2_000, true, 1_000),
            Pause {
                until_ms: 2_000,
                writes_only: true
            }
        );
    }

    #[test]
    fn help_has_redis_line_count() {
        // `redis-cli client help | wc -l` on Redis 7.0.15.
        assert_eq!(HELP.len() + 3, 48);
    }
}
