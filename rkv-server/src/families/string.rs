//! String commands: GET, SET (the rest of the family is being written).

use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx, KeySpec};
use crate::db::Value;
use crate::errors;

/// Declarations of the string family.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::STRING,
        keys: &[KeySpec::single(&["RO", "ACCESS"], 1)],
        group: "string",
        summary: "Returns the string value of a key.",
        complexity: "O(1)",
        args: &[Arg::key("key", 0)],
        handler: get,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "set",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::STRING,
        keys: &[KeySpec::single(&["RW", "ACCESS", "UPDATE", "VARIABLE_FLAGS"], 1)],
        group: "string",
        summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
        complexity: "O(1)",
        args: &[Arg::key("key", 0), Arg::new("value", ArgKind::String)],
        handler: set,
        ..CommandSpec::BASE
    },
];

/// `GET key`
fn get(ctx: &mut Ctx) {
    let key = ctx.arg(1);
    match ctx.lookup_read(key) {
        None => ctx.out.null(),
        Some(e) => match &e.value {
            Value::Str(s) => {
                let mut scratch = itoa::Buffer::new();
                let bytes = s.as_bytes(&mut scratch).to_vec();
                ctx.out.bulk(&bytes)
            }
            #[allow(unreachable_patterns)]
            _ => ctx.error(errors::WRONGTYPE),
        },
    }
}

/// `SET key value`
fn set(ctx: &mut Ctx) {
    let (key, value) = (ctx.arg(1), ctx.arg(2));
    let now = ctx.now_ms();
    ctx.db().set(key, Value::string(value), false, now);
    ctx.dirty(1);
    ctx.out.ok();
}
