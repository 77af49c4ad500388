//! COMMAND [COUNT | INFO | DOCS | GETKEYS | GETKEYSANDFLAGS | LIST | HELP]:
//! every reply generated from the command table, in Redis 7.0's shapes.

use super::command_encode::{write_docs, write_info, write_key_flags};
use super::reply_help;
use crate::command::keys::{key_positions, uses_get_keys};
use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, CommandTable, Ctx};
use crate::errors;

const META: u32 = flags::LOADING | flags::STALE;

/// A COMMAND subcommand declaration with the fields they all share.
const fn sub(
    name: &'static str,
    arity: i32,
    since: &'static str,
    summary: &'static str,
    complexity: &'static str,
    handler: crate::command::spec::Handler,
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags: META,
        acl: acl::CONNECTION,
        group: "server",
        since,
        summary,
        complexity,
        handler,
        ..CommandSpec::BASE
    }
}

const COMMAND_NAMES: &[Arg] = &[Arg {
    optional: true,
    multiple: true,
    ..Arg::new("command-name", ArgKind::String)
}];

/// Declaration of COMMAND and its subcommands.
pub const SPEC: CommandSpec = CommandSpec {
    name: "command",
    arity: -1,
    flags: META,
    acl: acl::CONNECTION,
    group: "server",
    since: "2.8.13",
    summary: "Get array of Redis command details",
    complexity: "O(N) where N is the total number of Redis commands",
    tips: &["nondeterministic_output_order"],
    handler: command_all,
    subcommands: &[
        sub(
            "count",
            2,
            "2.8.13",
            "Get total number of Redis commands",
            "O(1)",
            command_count,
        ),
        CommandSpec {
            tips: &["nondeterministic_output_order"],
            history: &[(
                "7.0.0",
                "Allowed to be called with no argument to get info on all commands.",
            )],
            args: COMMAND_NAMES,
            ..sub(
                "info",
                -2,
                "2.8.13",
                "Get array of specific Redis command details, or all when no argument is given.",
                "O(N) where N is the number of commands to look up",
                command_info,
            )
        },
        CommandSpec {
            tips: &["nondeterministic_output_order"],
            args: COMMAND_NAMES,
            ..sub(
                "docs",
                -2,
                "7.0.0",
                "Get array of specific Redis command documentation",
                "O(N) where N is the number of commands to look up",
                command_docs,
            )
        },
        sub(
            "getkeys",
            -4,
            "2.8.13",
            "Extract keys given a full Redis command",
            "O(N) where N is the number of arguments to the command",
            command_getkeys,
        ),
        sub(
            "getkeysandflags",
            -4,
            "7.0.0",
            "Extract keys and access flags given a full Redis command",
            "O(N) where N is the number of arguments to the command",
            command_getkeysandflags,
        ),
        CommandSpec {
            tips: &["nondeterministic_output_order"],
            args: &[Arg {
                token: Some("FILTERBY"),
                optional: true,
                children: &[
                    Arg {
                        token: Some("MODULE"),
                        ..Arg::new("module-name", ArgKind::String)
                    },
                    Arg {
                        token: Some("ACLCAT"),
                        ..Arg::new("category", ArgKind::String)
                    },
                    Arg {
                        token: Some("PATTERN"),
                        ..Arg::new("pattern", ArgKind::Pattern)
                    },
                ],
                ..Arg::new("filterby", ArgKind::OneOf)
            }],
            ..sub(
                "list",
                -2,
                "7.0.0",
                "Get an array of Redis command names",
                "O(N) where N is the total number of Redis commands",
                command_list,
            )
        },
        sub(
            "help",
            2,
            "5.0.0",
            "Show helpful text about the different subcommands",
            "O(1)",
            command_help,
        ),
    ],
    ..CommandSpec::BASE
};

/// Looks a command up by its full name (`get`, `config|get`), any case, as
/// Redis's `lookupCommandBySds` does.
pub fn lookup_full_name(table: &CommandTable, name: &[u8]) -> Option<usize> {
    let mut parts = name.split(|b| *b == b'|');
    let top = table.lookup(parts.next()?)?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(top),
        (Some(sub), None) => table.lookup_sub(top, sub),
        _ => None,
    }
}

/// `COMMAND`
fn command_all(ctx: &mut Ctx) {
    let table = ctx.srv.commands;
    let ids: Vec<usize> = table.top_level().map(|(id, _)| id).collect();
    ctx.out.array(ids.len());
    for id in ids {
        write_info(&mut ctx.out, table, id);
    }
}

/// `COMMAND COUNT`
fn command_count(ctx: &mut Ctx) {
    let n = ctx.srv.commands.top_level().count();
    ctx.out.int(n as i64);
}

/// `COMMAND INFO [name ...]`
fn command_info(ctx: &mut Ctx) {
    if ctx.argc() == 2 {
        return command_all(ctx);
    }
    let table = ctx.srv.commands;
    ctx.out.array(ctx.argc() - 2);
    for name in &ctx.argv[2..] {
        match lookup_full_name(table, name) {
            Some(id) => write_info(&mut ctx.out, table, id),
            None => ctx.out.null(),
        }
    }
}

/// `COMMAND DOCS [name ...]`
fn command_docs(ctx: &mut Ctx) {
    let table = ctx.srv.commands;
    let ids: Vec<usize> = if ctx.argc() == 2 {
        table.top_level().map(|(id, _)| id).collect()
    } else {
        ctx.argv[2..]
            .iter()
            .filter_map(|n| lookup_full_name(table, n))
            .collect()
    };
    ctx.out.map(ids.len());
    for id in ids {
        ctx.out.bulk(table.entry(id).full_name.as_bytes());
        write_docs(&mut ctx.out, table, id);
    }
}

/// The keys of a call and, for each, the flags of the key spec that found it.
fn keys_with_flags(
    spec: &'static CommandSpec,
    argv: &[&[u8]],
) -> Option<Vec<(usize, &'static [&'static str])>> {
    if let (true, Some(get_keys)) = (uses_get_keys(spec), spec.get_keys) {
        return Some(get_keys(argv));
    }
    let mut out = Vec::new();
    for i in 0..spec.keys.len() {
        let one = CommandSpec {
            keys: &spec.keys[i..=i],
            ..*spec
        };
        for pos in key_positions(&one, argv)? {
            out.push((pos, spec.keys[i].flags));
        }
    }
    Some(out)
}

/// COMMAND GETKEYS / GETKEYSANDFLAGS.
fn getkeys(ctx: &mut Ctx, with_flags: bool) {
    let table = ctx.srv.commands;
    let call = &ctx.argv[2..];
    let id = match table.resolve(call) {
        Ok(id) => id,
        Err(_) => return ctx.error("ERR Invalid command specified"),
    };
    let spec = table.entry(id).spec;
    let has_keys = spec
        .keys
        .iter()
        .any(|k| !k.flags.iter().any(|f| f.eq_ignore_ascii_case("NOT_KEY")));
    if !has_keys {
        return ctx.error("ERR The command has no key arguments");
    }
    let argc = call.len() as i64;
    if (spec.arity > 0 && spec.arity as i64 != argc) || argc < -(spec.arity as i64) {
        return ctx.error("ERR Invalid number of arguments specified for command");
    }
    let Some(keys) = keys_with_flags(spec, call) else {
        if spec.has(flags::NO_MANDATORY_KEYS) {
            return ctx.out.array(0);
        }
        return ctx.error("ERR Invalid arguments specified for command");
    };
    ctx.out.array(keys.len());
    for (pos, key_flags) in keys {
        if with_flags {
            ctx.out.array(2);
            ctx.out.bulk(call[pos]);
            write_key_flags(&mut ctx.out, key_flags);
        } else {
            ctx.out.bulk(call[pos]);
        }
    }
}

/// `COMMAND GETKEYS command [arg ...]`
fn command_getkeys(ctx: &mut Ctx) {
    getkeys(ctx, false);
}

/// `COMMAND GETKEYSANDFLAGS command [arg ...]`
fn command_getkeysandflags(ctx: &mut Ctx) {
    getkeys(ctx, true);
}

/// How COMMAND LIST filters.
enum Filter {
    All,
    Module,
    AclCat(u64),
    Pattern(Vec<u8>),
}

/// `COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]`
fn command_list(ctx: &mut Ctx) {
    let mut filter = Filter::All;
    let mut i = 2;
    while i < ctx.argc() {
        let more = ctx.argc() - 1 - i;
        if !ctx.arg(i).eq_ignore_ascii_case(b"filterby") || more != 2 {
            return ctx.error(errors::SYNTAX);
        }
        let value = ctx.arg(i + 2);
        let kind = ctx.arg(i + 1).to_ascii_lowercase();
        filter = match kind.as_slice() {
            b"module" => Filter::Module,
            b"aclcat" => Filter::AclCat(
                acl::NAMES
                    .iter()
                    .position(|n| n.as_bytes().eq_ignore_ascii_case(value))
                    .map_or(0, |p| 1 << p),
            ),
            b"pattern" => Filter::Pattern(value.to_vec()),
            _ => return ctx.error(errors::SYNTAX),
        };
        i += 3;
    }
    let table = ctx.srv.commands;
    let names: Vec<&str> = table
        .iter()
        .filter(|(_, e)| match &filter {
            Filter::All => true,
            Filter::Module => false,
            Filter::AclCat(bit) => e.spec.acl_categories() & bit != 0,
            Filter::Pattern(p) => crate::glob::glob_match(p, e.full_name.as_bytes(), true),
        })
        .map(|(_, e)| e.full_name.as_str())
        .collect();
    ctx.out.array(names.len());
    for n in names {
        ctx.out.bulk(n.as_bytes());
    }
}

/// `COMMAND HELP`
fn command_help(ctx: &mut Ctx) {
    reply_help(
        ctx,
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    );
}
