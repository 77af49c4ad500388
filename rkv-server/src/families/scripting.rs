//! Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT, FUNCTION,
//! FCALL and FCALL_RO. The engine is [`crate::scripting`].

pub mod eval;
pub mod fcall;
pub mod function_cmd;
pub mod script_cmd;

use crate::command::{flags, Arg, ArgKind, BeginSearch, CommandSpec, Ctx, FindKeys, KeySpec};

/// Declarations of the scripting family.
pub const COMMANDS: &[CommandSpec] = &[
    eval::EVAL,
    eval::EVALSHA,
    eval::EVAL_RO,
    eval::EVALSHA_RO,
    script_cmd::SPEC,
    function_cmd::SPEC,
    fcall::FCALL,
    fcall::FCALL_RO,
];

/// Flags of EVAL, EVALSHA and FCALL.
const RUN_FLAGS: u32 = flags::NOSCRIPT
    | flags::SKIP_MONITOR
    | flags::MAY_REPLICATE
    | flags::NO_MANDATORY_KEYS
    | flags::STALE;
/// Flags of their read-only variants.
const RUN_RO_FLAGS: u32 = flags::NOSCRIPT
    | flags::SKIP_MONITOR
    | flags::NO_MANDATORY_KEYS
    | flags::STALE
    | flags::READONLY;

/// `numkeys` then the keys, from argument 2.
const fn numkeys_spec(spec_flags: &'static [&'static str]) -> KeySpec {
    KeySpec {
        flags: spec_flags,
        begin: BeginSearch::Index(2),
        find: FindKeys::Keynum {
            keynumidx: 0,
            firstkey: 1,
            step: 1,
        },
    }
}

/// Keys of EVAL, EVALSHA and FCALL.
const RW_KEYS: &[KeySpec] = &[numkeys_spec(&["RW", "ACCESS", "UPDATE"])];
/// Keys of the read-only variants.
const RO_KEYS: &[KeySpec] = &[numkeys_spec(&["RO", "ACCESS"])];
/// Notes on the read-write key spec.
const RW_NOTES: (usize, &str) = (
    0,
    "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
);
/// Notes on the read-only key spec.
const RO_NOTES: (usize, &str) = (
    0,
    "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
);

/// The arguments after the script or function: numkeys, keys, args.
const fn run_args(first: &'static str) -> [Arg; 4] {
    [
        Arg::new(first, ArgKind::String),
        Arg::new("numkeys", ArgKind::Integer),
        Arg::key("key", 0).optional().multiple(),
        Arg::new("arg", ArgKind::String).optional().multiple(),
    ]
}

/// A run of arguments.
type Args<'a> = &'a [&'a [u8]];

/// Parses `numkeys` (argument 2) and splits keys from arguments, replying
/// with Redis's error when it does not fit. `bad_number` is the text for a
/// non-integer (FCALL words it its own way).
fn split_keys<'a>(ctx: &mut Ctx<'a>, bad_number: Option<&str>) -> Option<(Args<'a>, Args<'a>)> {
    let numkeys = match bad_number {
        None => ctx.i64_or_reply(2)?,
        Some(msg) => match rkv_proto::request::parse_i64(ctx.arg(2)) {
            Some(n) => n,
            None => {
                ctx.error(msg);
                return None;
            }
        },
    };
    let rest = &ctx.argv[3..];
    if numkeys > rest.len() as i64 {
        ctx.error("ERR Number of keys can't be greater than number of args");
        return None;
    }
    if numkeys < 0 {
        ctx.error("ERR Number of keys can't be negative");
        return None;
    }
    Some(rest.split_at(numkeys as usize))
}

/// Redis's refusal of a script with the write flag from a `*_RO` command.
const RO_WITH_WRITE_FLAG: &str = "ERR Can not execute a script with write flag using *_ro command.";
