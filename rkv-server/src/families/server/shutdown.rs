//! SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT].
//!
//! A running BGSAVE child is stopped; then the dump is saved when SAVE is
//! given or save points exist (unless NOSAVE). A failed save refuses to
//! shut down unless FORCE is given, as in Redis. Shutdown is never delayed (there are no replicas to wait for), so
//! ABORT always finds nothing to abort.

use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::errors;
use crate::server::ShutdownRequest;

/// Declaration of SHUTDOWN.
pub const SPEC: CommandSpec = CommandSpec {
    name: "shutdown",
    arity: -1,
    flags: flags::ADMIN
        | flags::NOSCRIPT
        | flags::LOADING
        | flags::STALE
        | flags::NO_MULTI
        | flags::ALLOW_BUSY,
    group: "server",
    since: "1.0.0",
    summary: "Synchronously save the dataset to disk and then shut down the server",
    complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
    history: &[("7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers.")],
    args: &[
        Arg {
            optional: true,
            children: &[
                Arg::token("nosave", "NOSAVE"),
                Arg::token("save", "SAVE"),
            ],
            ..Arg::new("nosave_save", ArgKind::OneOf)
        },
        Arg {
            since: Some("7.0.0"),
            ..Arg::token("now", "NOW").optional()
        },
        Arg {
            since: Some("7.0.0"),
            ..Arg::token("force", "FORCE").optional()
        },
        Arg {
            since: Some("7.0.0"),
            ..Arg::token("abort", "ABORT").optional()
        },
    ],
    handler: shutdown,
    ..CommandSpec::BASE
};

/// The parsed modifiers.
#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    nosave: bool,
    save: bool,
    now: bool,
    force: bool,
    abort: bool,
}

/// Parses the modifiers; `None` for Redis's syntax errors (unknown word,
/// ABORT with anything else, SAVE with NOSAVE).
fn parse(args: &[&[u8]]) -> Option<Options> {
    let mut o = Options::default();
    for a in args {
        match a.to_ascii_lowercase().as_slice() {
            b"nosave" => o.nosave = true,
            b"save" => o.save = true,
            b"now" => o.now = true,
            b"force" => o.force = true,
            b"abort" => o.abort = true,
            _ => return None,
        }
    }
    let other = o.nosave || o.save || o.now || o.force;
    if (o.abort && other) || (o.nosave && o.save) {
        return None;
    }
    Some(o)
}

/// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]`
fn shutdown(ctx: &mut Ctx) {
    let Some(opts) = parse(&ctx.argv[1..]) else {
        return ctx.error(errors::SYNTAX);
    };
    if opts.abort {
        return ctx.error("ERR No shutdown in progress.");
    }
    crate::persistence::saving::kill_child(ctx.srv);
    // A half-loaded dataset is never saved (Redis forces NOSAVE too).
    let save = !ctx.srv.rdb.loading
        && (opts.save || (!opts.nosave && !ctx.srv.config.save_points.is_empty()));
    if save {
        crate::warning!("User requested shutdown...");
        crate::warning!("Saving the final RDB snapshot before exiting.");
        if crate::persistence::saving::save_now(ctx.srv).is_err() && !opts.force {
            crate::warning!("Error trying to save the DB, can't exit.");
            return ctx.error("ERR Errors trying to SHUTDOWN. Check logs.");
        }
    }
    // No reply: the connection closes when the server exits, as with Redis;
    // the main task logs "User requested shutdown..." when it wakes.
    ctx.srv.request_shutdown(ShutdownRequest::Prepared);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifiers() {
        assert!(parse(&[b"NOSAVE", b"now"]).is_some());
        assert!(parse(&[b"save", b"nosave"]).is_none());
        assert!(parse(&[b"abort", b"now"]).is_none());
        assert!(parse(&[b"later"]).is_none());
        assert_eq!(
            parse(&[b"abort"]),
            Some(Options {
                abort: true,
                ..Options::default()
            })
        );
    }
}
