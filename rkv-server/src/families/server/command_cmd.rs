//! COMMAND [COUNT | INFO | DOCS | GETKEYS | GETKEYSANDFLAGS | LIST | HELP]:
//! every reply generated from the command table, in Redis 7.0's shapes.

use rkv_proto::ReplyWriter;

use super::reply_help;
use crate::command::keys::key_positions;
use crate::command::{
    acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, CommandTable, Ctx, FindKeys, KeySpec,
};
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

/// Key-spec flag names in the order Redis prints them, with the spelling
/// used in declarations.
const KEY_FLAGS: &[(&str, &str)] = &[
    ("RO", "RO"),
    ("RW", "RW"),
    ("OW", "OW"),
    ("RM", "RM"),
    ("ACCESS", "access"),
    ("UPDATE", "update"),
    ("INSERT", "insert"),
    ("DELETE", "delete"),
    ("NOT_KEY", "not_key"),
    ("INCOMPLETE", "incomplete"),
    ("VARIABLE_FLAGS", "variable_flags"),
];

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

/// One COMMAND INFO entry: Redis's ten fields.
pub fn write_info(out: &mut ReplyWriter, table: &CommandTable, id: usize) {
    let entry = table.entry(id);
    let spec = entry.spec;
    let (first, last, step) = spec.legacy_range();
    out.array(10);
    out.bulk(entry.full_name.as_bytes());
    out.int(spec.arity as i64);
    let mut bits = spec.flags;
    if spec.movable_keys() {
        bits |= flags::MOVABLE_KEYS;
    }
    let names: Vec<&str> = flags::NAMES
        .iter()
        .filter(|(f, _)| bits & f != 0)
        .map(|(_, n)| *n)
        .collect();
    out.set(names.len());
    for n in names {
        out.simple(n);
    }
    out.int(first as i64);
    out.int(last as i64);
    out.int(step as i64);
    let cats = spec.acl_categories();
    let cat_names: Vec<&str> = acl::NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| cats & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect();
    out.set(cat_names.len());
    for c in cat_names {
        out.simple(&format!("@{c}"));
    }
    out.set(spec.tips.len());
    for t in spec.tips {
        out.bulk(t.as_bytes());
    }
    out.set(spec.keys.len());
    for ks in spec.keys {
        write_key_spec(out, ks);
    }
    if spec.subcommands.is_empty() {
        out.set(0);
    } else {
        let subs = table.subcommands_of(id);
        out.array(subs.len());
        for s in subs {
            write_info(out, table, s);
        }
    }
}

fn write_key_flags(out: &mut ReplyWriter, declared: &[&str]) {
    let names: Vec<&str> = KEY_FLAGS
        .iter()
        .filter(|(d, _)| declared.iter().any(|f| f.eq_ignore_ascii_case(d)))
        .map(|(_, n)| *n)
        .collect();
    out.set(names.len());
    for n in names {
        out.simple(n);
    }
}

fn write_key_spec(out: &mut ReplyWriter, ks: &KeySpec) {
    out.map(3);
    out.bulk(b"flags");
    write_key_flags(out, ks.flags);
    out.bulk(b"begin_search");
    out.map(2);
    out.bulk(b"type");
    match ks.begin {
        BeginSearch::Index(i) => {
            out.bulk(b"index");
            out.bulk(b"spec");
            out.map(1);
            out.bulk(b"index");
            out.int(i as i64);
        }
        BeginSearch::Keyword { keyword, startfrom } => {
            out.bulk(b"keyword");
            out.bulk(b"spec");
            out.map(2);
            out.bulk(b"keyword");
            out.bulk(keyword.as_bytes());
            out.bulk(b"startfrom");
            out.int(startfrom as i64);
        }
    }
    out.bulk(b"find_keys");
    out.map(2);
    out.bulk(b"type");
    match ks.find {
        FindKeys::Range {
            lastkey,
            step,
            limit,
        } => {
            out.bulk(b"range");
            out.bulk(b"spec");
            out.map(3);
            out.bulk(b"lastkey");
            out.int(lastkey as i64);
            out.bulk(b"keystep");
            out.int(step as i64);
            out.bulk(b"limit");
            out.int(limit as i64);
        }
        FindKeys::Keynum {
            keynumidx,
            firstkey,
            step,
        } => {
            out.bulk(b"keynum");
            out.bulk(b"spec");
            out.map(3);
            out.bulk(b"keynumidx");
            out.int(keynumidx as i64);
            out.bulk(b"firstkey");
            out.int(firstkey as i64);
            out.bulk(b"keystep");
            out.int(step as i64);
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

/// One COMMAND DOCS map.
pub fn write_docs(out: &mut ReplyWriter, table: &CommandTable, id: usize) {
    let spec = table.entry(id).spec;
    let fields = 2
        + usize::from(!spec.summary.is_empty())
        + usize::from(!spec.complexity.is_empty())
        + usize::from(!spec.doc_flags.is_empty())
        + usize::from(spec.deprecated_since.is_some())
        + usize::from(spec.replaced_by.is_some())
        + usize::from(!spec.history.is_empty())
        + usize::from(!spec.args.is_empty())
        + usize::from(!spec.subcommands.is_empty());
    out.map(fields);
    if !spec.summary.is_empty() {
        out.bulk(b"summary");
        out.bulk(spec.summary.as_bytes());
    }
    out.bulk(b"since");
    out.bulk(spec.since.as_bytes());
    out.bulk(b"group");
    out.bulk(spec.group.as_bytes());
    if !spec.complexity.is_empty() {
        out.bulk(b"complexity");
        out.bulk(spec.complexity.as_bytes());
    }
    if !spec.doc_flags.is_empty() {
        out.bulk(b"doc_flags");
        out.set(spec.doc_flags.len());
        for f in spec.doc_flags {
            out.simple(f);
        }
    }
    if let Some(v) = spec.deprecated_since {
        out.bulk(b"deprecated_since");
        out.bulk(v.as_bytes());
    }
    if let Some(r) = spec.replaced_by {
        out.bulk(b"replaced_by");
        out.bulk(r.as_bytes());
    }
    if !spec.history.is_empty() {
        out.bulk(b"history");
        out.set(spec.history.len());
        for (version, change) in spec.history {
            out.array(2);
            out.bulk(version.as_bytes());
            out.bulk(change.as_bytes());
        }
    }
    if !spec.args.is_empty() {
        out.bulk(b"arguments");
        write_args(out, spec.args);
    }
    if !spec.subcommands.is_empty() {
        out.bulk(b"subcommands");
        let subs = table.subcommands_of(id);
        out.map(subs.len());
        for s in subs {
            out.bulk(table.entry(s).full_name.as_bytes());
            write_docs(out, table, s);
        }
    }
}

/// An argument list as Redis's `addReplyCommandArgList` prints it.
fn write_args(out: &mut ReplyWriter, args: &[Arg]) {
    out.array(args.len());
    for a in args {
        let container = matches!(a.kind, ArgKind::OneOf | ArgKind::Block);
        let flag_names: Vec<&str> = [
            (a.optional, "optional"),
            (a.multiple, "multiple"),
            (a.multiple_token, "multiple_token"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| n)
        .collect();
        let fields = 2
            + usize::from(a.key_spec_index != -1)
            + usize::from(a.token.is_some())
            + usize::from(a.since.is_some())
            + usize::from(!flag_names.is_empty())
            + usize::from(container);
        out.map(fields);
        out.bulk(b"name");
        out.bulk(a.name.as_bytes());
        out.bulk(b"type");
        out.bulk(a.kind.name().as_bytes());
        if a.key_spec_index != -1 {
            out.bulk(b"key_spec_index");
            out.int(a.key_spec_index as i64);
        }
        if let Some(t) = a.token {
            out.bulk(b"token");
            out.bulk(t.as_bytes());
        }
        if let Some(s) = a.since {
            out.bulk(b"since");
            out.bulk(s.as_bytes());
        }
        if !flag_names.is_empty() {
            out.bulk(b"flags");
            out.set(flag_names.len());
            for n in flag_names {
                out.simple(n);
            }
        }
        if container {
            out.bulk(b"arguments");
            write_args(out, a.children);
        }
    }
}

/// The keys of a call and, for each, the flags of the key spec that found it.
fn keys_with_flags(
    spec: &'static CommandSpec,
    argv: &[&[u8]],
) -> Option<Vec<(usize, &'static [&'static str])>> {
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

#[cfg(test)]
mod tests {
    use rkv_proto::{Protocol, ReplyWriter};

    use super::*;

    fn encode(f: impl FnOnce(&mut ReplyWriter)) -> String {
        let mut buf = Vec::new();
        let mut w = ReplyWriter::new(&mut buf, Protocol::Resp2);
        f(&mut w);
        String::from_utf8(buf).unwrap()
    }

    /// Bytes redis-server 7.0.15 sends for COMMAND INFO get (RESP2).
    #[test]
    fn info_entry_of_get_matches_redis() {
        let t = crate::command::table();
        let id = t.lookup(b"get").unwrap();
        let got = encode(|w| write_info(w, t, id));
        let expected = "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n\
            *3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n\
            +access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n\
            *2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n\
            $4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";
        assert_eq!(got, expected);
    }

    /// Bytes redis-server 7.0.15 sends for COMMAND INFO config|get (RESP2).
    #[test]
    fn info_entry_of_a_subcommand_matches_redis() {
        let t = crate::command::table();
        let id = lookup_full_name(t, b"CONFIG|get").unwrap();
        let got = encode(|w| write_info(w, t, id));
        let expected = "*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n\
            +stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n";
        assert_eq!(got, expected);
        assert!(lookup_full_name(t, b"get|x").is_none());
        assert!(lookup_full_name(t, b"config|get|x").is_none());
    }

    #[test]
    fn key_spec_with_keyword_and_keynum() {
        let ks = KeySpec {
            flags: &["RO", "ACCESS"],
            begin: BeginSearch::Keyword {
                keyword: "STREAMS",
                startfrom: 1,
            },
            find: FindKeys::Keynum {
                keynumidx: 0,
                firstkey: 1,
                step: 1,
            },
        };
        let got = encode(|w| write_key_spec(w, &ks));
        assert!(got.contains("$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n$9\r\nstartfrom\r\n:1\r\n"));
        assert!(got.contains("$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n"));
    }
}
