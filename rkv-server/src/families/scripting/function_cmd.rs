//! FUNCTION LOAD / LIST / DELETE / FLUSH / DUMP / RESTORE / STATS / KILL /
//! HELP (Redis's `functions.c`).

use super::script_cmd::FLUSH_MODE;
use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::families::server::{reply_help, subcommand_syntax_error};
use crate::scripting::dump::{self, RestoreError};
use crate::scripting::flags as script_flags;
use crate::scripting::functions::{install_into, Library};

const WRITE_ALL_SHARDS: &[&str] = &["request_policy:all_shards", "response_policy:all_succeeded"];

/// FUNCTION and its subcommands.
pub const SPEC: CommandSpec = CommandSpec {
    name: "function",
    arity: -2,
    group: "scripting",
    since: "7.0.0",
    summary: "A container for function commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        CommandSpec {
            name: "flush",
            arity: -2,
            flags: flags::NOSCRIPT | flags::WRITE,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "7.0.0",
            summary: "Deleting all functions",
            complexity: "O(N) where N is the number of functions deleted",
            tips: WRITE_ALL_SHARDS,
            args: &[Arg {
                since: None,
                ..FLUSH_MODE
            }],
            handler: function_flush,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "stats",
            arity: 2,
            flags: flags::NOSCRIPT | flags::ALLOW_BUSY,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "7.0.0",
            summary: "Return information about the function currently running (name, description, duration)",
            complexity: "O(1)",
            tips: &[
                "nondeterministic_output",
                "request_policy:all_shards",
                "response_policy:special",
            ],
            handler: function_stats,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "7.0.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            handler: function_help,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "delete",
            arity: 3,
            flags: flags::NOSCRIPT | flags::WRITE,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "7.0.0",
            summary: "Delete a function by name",
            complexity: "O(1)",
            tips: WRITE_ALL_SHARDS,
            args: &[Arg::new("library-name", ArgKind::String)],
            handler: function_delete,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "dump",
            arity: 2,
            flags: flags::NOSCRIPT,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "7.0.0",
            summary: "Dump all functions into a serialized binary payload",
            complexity: "O(N) where N is the number of functions",
            handler: function_dump,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "kill",
            arity: 2,
            flags: flags::NOSCRIPT | flags::ALLOW_BUSY,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "7.0.0",
            summary: "Kill the function currently in execution.",
            complexity: "O(1)",
            tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
            handler: function_kill,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "load",
            arity: -3,
            flags: flags::NOSCRIPT | flags::WRITE | flags::DENYOOM,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "7.0.0",
            summary: "Create a function with the given arguments (name, code, description)",
            complexity: "O(1) (considering compilation time is redundant)",
            tips: WRITE_ALL_SHARDS,
            args: &[
                Arg::token("replace", "REPLACE").optional(),
                Arg::new("function-code", ArgKind::String),
            ],
            handler: function_load,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "restore",
            arity: -3,
            flags: flags::NOSCRIPT | flags::WRITE | flags::DENYOOM,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "7.0.0",
            summary: "Restore all the functions on the given payload",
            complexity: "O(N) where N is the number of functions on the payload",
            tips: WRITE_ALL_SHARDS,
            args: &[
                Arg::new("serialized-value", ArgKind::String),
                Arg {
                    name: "policy",
                    kind: ArgKind::OneOf,
                    optional: true,
                    children: &[
                        Arg::token("flush", "FLUSH"),
                        Arg::token("append", "APPEND"),
                        Arg::token("replace", "REPLACE"),
                    ],
                    ..Arg::BASE
                },
            ],
            handler: function_restore,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "list",
            arity: -2,
            flags: flags::NOSCRIPT,
            acl: acl::SCRIPTING,
            group: "scripting",
            since: "7.0.0",
            summary: "List information about all the functions",
            complexity: "O(N) where N is the number of functions",
            tips: &["nondeterministic_output_order"],
            args: &[
                Arg {
                    token: Some("LIBRARYNAME"),
                    ..Arg::new("library-name-pattern", ArgKind::String).optional()
                },
                Arg::token("withcode", "WITHCODE").optional(),
            ],
            handler: function_list,
            ..CommandSpec::BASE
        },
    ],
    ..CommandSpec::BASE
};

fn function_load(ctx: &mut Ctx) {
    let mut replace = false;
    let mut pos = 2;
    while pos < ctx.argc() - 1 {
        let arg = ctx.arg(pos);
        pos += 1;
        if arg.eq_ignore_ascii_case(b"replace") {
            replace = true;
            continue;
        }
        let text = String::from_utf8_lossy(arg).into_owned();
        ctx.error(&format!("ERR Unknown option given: {text}"));
        return;
    }
    let code = ctx.argv[pos];
    let engine = &mut ctx.srv.scripting.functions;
    let loaded = engine
        .compile(code, engine.libraries(), replace, true)
        .and_then(|lib| {
            let name = lib.name.clone();
            engine.install(lib, replace).map(|()| name)
        });
    match loaded {
        Ok(name) => {
            ctx.dirty(1);
            ctx.out.bulk(name.as_bytes());
        }
        Err(msg) => ctx.error(&format!("ERR {msg}")),
    }
}

fn function_list(ctx: &mut Ctx) {
    let mut with_code = false;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 2;
    while i < ctx.argc() {
        let arg = ctx.arg(i);
        if !with_code && arg.eq_ignore_ascii_case(b"withcode") {
            with_code = true;
        } else if pattern.is_none() && arg.eq_ignore_ascii_case(b"libraryname") {
            if i >= ctx.argc() - 1 {
                ctx.error("ERR library name argument was not given");
                return;
            }
            i += 1;
            pattern = Some(ctx.arg(i));
        } else {
            let text = String::from_utf8_lossy(arg).into_owned();
            ctx.error(&format!("ERR Unknown argument {text}"));
            return;
        }
        i += 1;
    }
    let libs: Vec<&Library> = ctx
        .srv
        .scripting
        .functions
        .libraries()
        .iter()
        .filter(|l| pattern.is_none_or(|p| crate::glob::glob_match(p, l.name.as_bytes(), true)))
        .collect();
    let out = &mut ctx.out;
    out.array(libs.len());
    for lib in libs {
        out.map(if with_code { 4 } else { 3 });
        out.bulk(b"library_name");
        out.bulk(lib.name.as_bytes());
        out.bulk(b"engine");
        out.bulk(lib.engine.as_bytes());
        out.bulk(b"functions");
        out.array(lib.functions.len());
        for f in &lib.functions {
            out.map(3);
            out.bulk(b"name");
            out.bulk(f.name.as_bytes());
            out.bulk(b"description");
            match &f.description {
                Some(d) => out.bulk(d),
                None => out.null(),
            }
            out.bulk(b"flags");
            let names: Vec<&str> = script_flags::NAMES
                .iter()
                .filter(|(bit, _)| f.flags & bit != 0)
                .map(|(_, n)| *n)
                .collect();
            out.set(names.len());
            for n in names {
                out.simple(n);
            }
        }
        if with_code {
            out.bulk(b"library_code");
            out.bulk(&lib.code);
        }
    }
}

fn function_delete(ctx: &mut Ctx) {
    if ctx.srv.scripting.functions.delete(ctx.argv[2]) {
        ctx.dirty(1);
        ctx.out.ok();
    } else {
        ctx.error("ERR Library not found");
    }
}

fn function_flush(ctx: &mut Ctx) {
    if ctx.argc() > 3 {
        subcommand_syntax_error(ctx);
        return;
    }
    let ok = ctx.argc() == 2
        || ctx.arg(2).eq_ignore_ascii_case(b"sync")
        || ctx.arg(2).eq_ignore_ascii_case(b"async");
    if !ok {
        ctx.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        return;
    }
    ctx.srv.scripting.functions.flush();
    ctx.dirty(1);
    ctx.out.ok();
}

fn function_dump(ctx: &mut Ctx) {
    let libs = ctx.srv.scripting.functions.libraries();
    let payload = dump::dump_payload(libs.iter().map(|l| l.code.as_slice()));
    ctx.out.bulk(&payload);
}

fn function_restore(ctx: &mut Ctx) {
    if ctx.argc() > 4 {
        subcommand_syntax_error(ctx);
        return;
    }
    #[derive(PartialEq)]
    enum Policy {
        Flush,
        Append,
        Replace,
    }
    let policy = if ctx.argc() == 4 {
        let p = ctx.arg(3);
        if p.eq_ignore_ascii_case(b"append") {
            Policy::Append
        } else if p.eq_ignore_ascii_case(b"replace") {
            Policy::Replace
        } else if p.eq_ignore_ascii_case(b"flush") {
            Policy::Flush
        } else {
            ctx.error(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
            );
            return;
        }
    } else {
        Policy::Append
    };
    let codes = match dump::parse_payload(ctx.argv[2]) {
        Ok(c) => c,
        Err(RestoreError::Footer) => {
            ctx.error("ERR DUMP payload version or checksum are wrong");
            return;
        }
        Err(RestoreError::Body(msg)) => {
            ctx.error(&format!("ERR {msg}"));
            return;
        }
    };
    let engine = &mut ctx.srv.scripting.functions;
    let mut restored = Vec::new();
    for code in &codes {
        let added = engine
            .compile(code, &restored, false, false)
            .and_then(|lib| install_into(&mut restored, lib, false));
        if let Err(msg) = added {
            ctx.error(&format!("ERR {msg}"));
            return;
        }
    }
    let joined = match policy {
        Policy::Flush => {
            engine.set_libraries(restored);
            Ok(())
        }
        _ => engine.join(restored, policy == Policy::Replace),
    };
    match joined {
        Ok(()) => {
            ctx.dirty(1);
            ctx.out.ok();
        }
        Err(msg) => ctx.error(&format!("ERR {msg}")),
    }
}

fn function_stats(ctx: &mut Ctx) {
    let scripting = &ctx.srv.scripting;
    if scripting.running.as_ref().is_some_and(|r| r.is_eval) {
        ctx.error(crate::errors::BUSY_EVAL);
        return;
    }
    let out = &mut ctx.out;
    out.map(2);
    out.bulk(b"running_script");
    match &scripting.running {
        None => out.null(),
        Some(r) => {
            out.map(3);
            out.bulk(b"name");
            out.bulk(r.name.as_bytes());
            out.bulk(b"command");
            out.array(r.argv.len());
            for a in &r.argv {
                out.bulk(a);
            }
            out.bulk(b"duration_ms");
            out.int(crate::scripting::busy::elapsed_ms(r.started_us) as i64);
        }
    }
    out.bulk(b"engines");
    out.map(1);
    out.bulk(b"LUA");
    out.map(2);
    out.bulk(b"libraries_count");
    out.int(scripting.functions.libraries().len() as i64);
    out.bulk(b"functions_count");
    out.int(scripting.functions.function_count() as i64);
}

fn function_kill(ctx: &mut Ctx) {
    match ctx.srv.scripting.kill(false) {
        Ok(()) => ctx.out.ok(),
        Err(msg) => ctx.error(msg),
    }
}

fn function_help(ctx: &mut Ctx) {
    reply_help(
        ctx,
        &[
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).",
        ],
    );
}
