//! Server commands: INFO, CONFIG, COMMAND, TIME, LOLWUT, SHUTDOWN, SLOWLOG,
//! LATENCY and DEBUG, one submodule each.

mod command_cmd;
mod command_encode;
mod config_cmd;
mod debug;
pub mod digest;
pub mod info;
mod latency_cmd;
mod lolwut;
mod shutdown;
mod slowlog_cmd;
mod time;

use crate::command::{CommandSpec, Ctx};

/// Declarations of the server family.
pub const COMMANDS: &[CommandSpec] = &[
    info::SPEC,
    config_cmd::SPEC,
    command_cmd::SPEC,
    time::SPEC,
    lolwut::SPEC,
    shutdown::SPEC,
    slowlog_cmd::SPEC,
    latency_cmd::SPEC,
    debug::SPEC,
];

/// Replies with a HELP text as Redis's `addReplyHelp` does: a header naming
/// the command, the lines, and the standard HELP footer, all simple strings.
pub(crate) fn reply_help(ctx: &mut Ctx, lines: &[&str]) {
    let name = String::from_utf8_lossy(ctx.arg(0)).to_ascii_uppercase();
    ctx.out.array(lines.len() + 3);
    ctx.out.simple(&format!(
        "{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    ));
    for l in lines {
        ctx.out.simple(l);
    }
    ctx.out.simple("HELP");
    ctx.out.simple("    Prints this help.");
}

/// Redis's `addReplySubcommandSyntaxError`.
pub(crate) fn subcommand_syntax_error(ctx: &mut Ctx) {
    let sub = String::from_utf8_lossy(&ctx.arg(1)[..ctx.arg(1).len().min(128)]).into_owned();
    let name = String::from_utf8_lossy(ctx.arg(0)).to_ascii_uppercase();
    ctx.error(&format!(
        "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {name} HELP."
    ));
}
