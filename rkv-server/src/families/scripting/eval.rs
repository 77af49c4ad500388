//! EVAL, EVALSHA, EVAL_RO and EVALSHA_RO (Redis's `evalGenericCommand`).

use super::{
    run_args, split_keys, RO_KEYS, RO_NOTES, RO_WITH_WRITE_FLAG, RUN_FLAGS, RUN_RO_FLAGS, RW_KEYS,
    RW_NOTES,
};
use crate::command::{acl, Arg, CommandSpec, Ctx};
use crate::errors;
use crate::scripting::flags;
use crate::scripting::run::{self, Invocation, ScriptKind};

const SCRIPT_ARGS: [Arg; 4] = run_args("script");
const SHA_ARGS: [Arg; 4] = run_args("sha1");

/// EVAL.
pub const EVAL: CommandSpec = CommandSpec {
    name: "eval",
    arity: -3,
    flags: RUN_FLAGS,
    acl: acl::SCRIPTING,
    keys: RW_KEYS,
    key_spec_notes: &[RW_NOTES],
    group: "scripting",
    since: "2.6.0",
    summary: "Execute a Lua script server side",
    complexity: "Depends on the script that is executed.",
    args: &SCRIPT_ARGS,
    handler: eval,
    ..CommandSpec::BASE
};

/// EVALSHA.
pub const EVALSHA: CommandSpec = CommandSpec {
    name: "evalsha",
    key_spec_notes: &[],
    args: &SHA_ARGS,
    handler: evalsha,
    ..EVAL
};

/// EVAL_RO.
pub const EVAL_RO: CommandSpec = CommandSpec {
    name: "eval_ro",
    flags: RUN_RO_FLAGS,
    keys: RO_KEYS,
    key_spec_notes: &[RO_NOTES],
    since: "7.0.0",
    summary: "Execute a read-only Lua script server side",
    handler: eval_ro,
    ..EVAL
};

/// EVALSHA_RO.
pub const EVALSHA_RO: CommandSpec = CommandSpec {
    name: "evalsha_ro",
    key_spec_notes: &[],
    args: &SHA_ARGS,
    handler: evalsha_ro,
    ..EVAL_RO
};

fn eval(ctx: &mut Ctx) {
    eval_generic(ctx, false, false);
}

fn evalsha(ctx: &mut Ctx) {
    eval_generic(ctx, true, false);
}

fn eval_ro(ctx: &mut Ctx) {
    eval_generic(ctx, false, true);
}

fn evalsha_ro(ctx: &mut Ctx) {
    eval_generic(ctx, true, true);
}

fn eval_generic(ctx: &mut Ctx, by_sha: bool, ro: bool) {
    // A script propagates as the commands it ran (wrapped in MULTI/EXEC).
    ctx.prevent_propagation();
    if by_sha && ctx.arg(1).len() != 40 {
        ctx.error(errors::NOSCRIPT);
        return;
    }
    let Some((keys, args)) = split_keys(ctx, None) else {
        return;
    };
    let engine = &mut ctx.srv.scripting.eval;
    let found = if by_sha {
        engine
            .get(ctx.argv[1])
            .ok_or_else(|| errors::NOSCRIPT.to_string())
    } else {
        engine
            .create(ctx.argv[1])
            .map_err(|msg| format!("ERR {msg}"))
    };
    let script = match found {
        Ok(script) => script,
        Err(msg) => {
            ctx.error(&msg);
            return;
        }
    };
    let script_flags = script.flags;
    let name = script.sha.clone();
    let func = script.func.id();
    let vm = engine.vm.clone();
    let compat = script_flags & flags::EVAL_COMPAT_MODE != 0;
    if !compat && script_flags & flags::NO_WRITES == 0 && ro {
        ctx.error(RO_WITH_WRITE_FLAG);
        return;
    }
    let read_only = ro || (!compat && script_flags & flags::NO_WRITES != 0);
    run::run(
        ctx,
        &vm,
        Invocation {
            kind: ScriptKind::Eval,
            name,
            func,
            keys,
            args,
            read_only,
            allow_oom: !compat && script_flags & flags::ALLOW_OOM != 0,
        },
    );
}
