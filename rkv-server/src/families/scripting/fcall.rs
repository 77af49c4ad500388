//! FCALL and FCALL_RO (Redis's `fcallCommandGeneric`).

use super::{
    run_args, split_keys, RO_KEYS, RO_NOTES, RO_WITH_WRITE_FLAG, RUN_FLAGS, RUN_RO_FLAGS, RW_KEYS,
    RW_NOTES,
};
use crate::command::{acl, Arg, CommandSpec, Ctx};
use crate::scripting::flags;
use crate::scripting::run::{self, Invocation, ScriptKind};

const FUNCTION_ARGS: [Arg; 4] = run_args("function");

/// FCALL.
pub const FCALL: CommandSpec = CommandSpec {
    name: "fcall",
    arity: -3,
    flags: RUN_FLAGS,
    acl: acl::SCRIPTING,
    keys: RW_KEYS,
    key_spec_notes: &[RW_NOTES],
    group: "scripting",
    since: "7.0.0",
    summary: "Invoke a function",
    complexity: "Depends on the function that is executed.",
    args: &FUNCTION_ARGS,
    handler: fcall,
    ..CommandSpec::BASE
};

/// FCALL_RO.
pub const FCALL_RO: CommandSpec = CommandSpec {
    name: "fcall_ro",
    flags: RUN_RO_FLAGS,
    keys: RO_KEYS,
    key_spec_notes: &[RO_NOTES],
    summary: "Invoke a read-only function",
    handler: fcall_ro,
    ..FCALL
};

fn fcall(ctx: &mut Ctx) {
    fcall_generic(ctx, false);
}

fn fcall_ro(ctx: &mut Ctx) {
    fcall_generic(ctx, true);
}

fn fcall_generic(ctx: &mut Ctx, ro: bool) {
    // A function propagates as the commands it ran (wrapped in MULTI/EXEC).
    ctx.prevent_propagation();
    let engine = &ctx.srv.scripting.functions;
    let Some(f) = engine.function(ctx.arg(1)) else {
        ctx.error("ERR Function not found");
        return;
    };
    let (name, fn_flags, func) = (f.name.as_str().into(), f.flags, f.func.id());
    let vm = engine.vm.clone();
    let Some((keys, args)) = split_keys(ctx, Some("ERR Bad number of keys provided")) else {
        return;
    };
    if fn_flags & flags::NO_WRITES == 0 && ro {
        ctx.error(RO_WITH_WRITE_FLAG);
        return;
    }
    run::run(
        ctx,
        &vm,
        Invocation {
            kind: ScriptKind::Function,
            name,
            func,
            keys,
            args,
            read_only: ro || fn_flags & flags::NO_WRITES != 0,
            allow_oom: fn_flags & flags::ALLOW_OOM != 0,
        },
    );
}
