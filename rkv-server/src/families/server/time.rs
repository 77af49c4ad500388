//! TIME: the server's clock as `[seconds, microseconds]`.

use crate::command::{flags, CommandSpec, Ctx};

/// Declaration of TIME.
pub const SPEC: CommandSpec = CommandSpec {
    name: "time",
    arity: 1,
    flags: flags::LOADING | flags::STALE | flags::FAST,
    group: "server",
    since: "2.6.0",
    summary: "Return the current server time",
    complexity: "O(1)",
    tips: &["nondeterministic_output"],
    handler: time,
    ..CommandSpec::BASE
};

/// `TIME`
fn time(ctx: &mut Ctx) {
    let us = crate::server::unix_us();
    ctx.out.array(2);
    ctx.out.bulk_int(us / 1_000_000);
    ctx.out.bulk_int(us % 1_000_000);
}
