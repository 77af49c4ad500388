//! CLIENT UNBLOCK id [TIMEOUT|ERROR]: releases a client waiting in a
//! blocking command, as if it timed out or with an `-UNBLOCKED` error.

use crate::blocking::{self, Release};
use crate::command::{Arg, ArgKind, Ctx};

/// The CLIENT UNBLOCK arguments (7.0's client-unblock.json).
pub const UNBLOCK_ARGS: &[Arg] = &[
    Arg::new("client-id", ArgKind::Integer),
    Arg {
        name: "timeout_error",
        kind: ArgKind::OneOf,
        optional: true,
        children: &[
            Arg::token("timeout", "TIMEOUT"),
            Arg::token("error", "ERROR"),
        ],
        ..Arg::BASE
    },
];

/// CLIENT UNBLOCK: `:1` if the client was blocked and is now released.
pub fn client_unblock(ctx: &mut Ctx) {
    if ctx.argc() > 4 {
        super::subcommand_syntax_error(ctx);
        return;
    }
    let Some(id) = ctx.i64_or_reply(2) else {
        return;
    };
    let how = match ctx.argv.get(3) {
        None => Release::Timeout,
        Some(r) if r.eq_ignore_ascii_case(b"timeout") => Release::Timeout,
        Some(r) if r.eq_ignore_ascii_case(b"error") => Release::Error,
        Some(_) => {
            ctx.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    };
    let released = id >= 0 && blocking::release(ctx.srv, id as u64, how);
    ctx.out.int(released as i64);
}
