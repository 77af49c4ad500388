//! CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: a client's
//! client-side caching settings (the tables live in [`crate::tracking`]).

use crate::command::{acl, Arg, ArgKind, CommandSpec, Ctx};
use crate::errors;
use crate::tracking::{self, Options};

use super::CLIENT_FLAGS;

/// `CLIENT CACHING YES|NO`.
pub const CACHING: CommandSpec = CommandSpec {
    name: "caching",
    arity: 3,
    flags: CLIENT_FLAGS,
    acl: acl::CONNECTION,
    group: "connection",
    since: "6.0.0",
    summary: "Instruct the server about tracking or not keys in the next request",
    complexity: "O(1)",
    args: &[Arg {
        name: "mode",
        kind: ArgKind::OneOf,
        children: &[Arg::token("yes", "YES"), Arg::token("no", "NO")],
        ..Arg::BASE
    }],
    handler: client_caching,
    ..CommandSpec::BASE
};

/// `CLIENT GETREDIR`.
pub const GETREDIR: CommandSpec = CommandSpec {
    name: "getredir",
    arity: 2,
    flags: CLIENT_FLAGS,
    acl: acl::CONNECTION,
    group: "connection",
    since: "6.0.0",
    summary: "Get tracking notifications redirection client ID if any",
    complexity: "O(1)",
    handler: client_getredir,
    ..CommandSpec::BASE
};

/// `CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]`.
pub const TRACKING: CommandSpec = CommandSpec {
    name: "tracking",
    arity: -3,
    flags: CLIENT_FLAGS,
    acl: acl::CONNECTION,
    group: "connection",
    since: "6.0.0",
    summary: "Enable or disable server assisted client side caching support",
    complexity: "O(1). Some options may introduce additional complexity.",
    args: &[
        Arg {
            name: "status",
            kind: ArgKind::OneOf,
            children: &[Arg::token("on", "ON"), Arg::token("off", "OFF")],
            ..Arg::BASE
        },
        Arg {
            token: Some("REDIRECT"),
            ..Arg::new("client-id", ArgKind::Integer).optional()
        },
        Arg {
            token: Some("PREFIX"),
            multiple_token: true,
            ..Arg::new("prefix", ArgKind::String).optional().multiple()
        },
        Arg::token("bcast", "BCAST").optional(),
        Arg::token("optin", "OPTIN").optional(),
        Arg::token("optout", "OPTOUT").optional(),
        Arg::token("noloop", "NOLOOP").optional(),
    ],
    handler: client_tracking,
    ..CommandSpec::BASE
};

/// `CLIENT TRACKINGINFO`.
pub const TRACKINGINFO: CommandSpec = CommandSpec {
    name: "trackinginfo",
    arity: 2,
    flags: CLIENT_FLAGS,
    acl: acl::CONNECTION,
    group: "connection",
    since: "6.2.0",
    summary:
        "Return information about server assisted client side caching for the current connection",
    complexity: "O(1)",
    handler: client_trackinginfo,
    ..CommandSpec::BASE
};

/// Error texts of CLIENT TRACKING and CACHING, as Redis 7.0 words them.
const SINGLE_REDIRECT: &str = "ERR A client can only redirect to a single other client";
const NO_SUCH_REDIRECT: &str = "ERR The client ID you want redirect to does not exist";
const PREFIX_NEEDS_BCAST: &str = "ERR PREFIX option requires BCAST mode to be enabled";
const BCAST_SWITCH: &str = "ERR You can't switch BCAST mode on/off before disabling tracking \
for this client, and then re-enabling it with a different mode.";
const OPT_WITH_BCAST: &str = "ERR OPTIN and OPTOUT are not compatible with BCAST";
const OPTIN_AND_OPTOUT: &str = "ERR You can't specify both OPTIN mode and OPTOUT mode";
const OPT_SWITCH: &str = "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking \
for this client, and then re-enabling it with a different mode.";
const CACHING_NOT_TRACKING: &str = "ERR CLIENT CACHING can be called only when the client is in \
tracking mode with OPTIN or OPTOUT mode enabled";
const CACHING_YES_NEEDS_OPTIN: &str =
    "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
const CACHING_NO_NEEDS_OPTOUT: &str =
    "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";

/// `CLIENT TRACKING ON|OFF [options]`: options are parsed (and REDIRECT
/// checked) first, in argument order, then checked against each other and
/// the client's current mode, as Redis does.
fn client_tracking(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let mut redirect = 0i64;
    let mut options = Options::default();
    let mut prefixes: Vec<&[u8]> = Vec::new();
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        let opt = argv[j];
        if opt.eq_ignore_ascii_case(b"redirect") && more {
            j += 1;
            if redirect != 0 {
                return ctx.error(SINGLE_REDIRECT);
            }
            let Some(id) = rkv_proto::request::parse_i64(argv[j]) else {
                return ctx.error(errors::NOT_INTEGER);
            };
            if id <= 0 || !ctx.srv.clients.contains_key(&(id as u64)) {
                return ctx.error(NO_SUCH_REDIRECT);
            }
            redirect = id;
        } else if opt.eq_ignore_ascii_case(b"bcast") {
            options.bcast = true;
        } else if opt.eq_ignore_ascii_case(b"optin") {
            options.optin = true;
        } else if opt.eq_ignore_ascii_case(b"optout") {
            options.optout = true;
        } else if opt.eq_ignore_ascii_case(b"noloop") {
            options.noloop = true;
        } else if opt.eq_ignore_ascii_case(b"prefix") && more {
            j += 1;
            prefixes.push(argv[j]);
        } else {
            return ctx.syntax_error();
        }
        j += 1;
    }
    let mode = argv[2];
    if mode.eq_ignore_ascii_case(b"on") {
        if let Some(msg) = incompatible_options(&ctx.client.tracking, options, &prefixes) {
            return ctx.error(msg);
        }
        if options.bcast {
            if let Some((msg, stop)) =
                tracking::prefix_overlap_error(&ctx.client.tracking.prefixes, &prefixes)
            {
                ctx.error(&msg);
                if stop {
                    return;
                }
            }
        }
        tracking::enable(ctx.srv, ctx.client, redirect as u64, options, &prefixes);
    } else if mode.eq_ignore_ascii_case(b"off") {
        tracking::disable(ctx.srv, ctx.client);
    } else {
        return ctx.syntax_error();
    }
    ctx.out.ok();
}

/// The error for options that cannot go together, or with the mode the
/// client already tracks in, checked in Redis's order.
fn incompatible_options(
    current: &tracking::ClientTracking,
    options: Options,
    prefixes: &[&[u8]],
) -> Option<&'static str> {
    if !options.bcast && !prefixes.is_empty() {
        return Some(PREFIX_NEEDS_BCAST);
    }
    if current.on && current.bcast != options.bcast {
        return Some(BCAST_SWITCH);
    }
    if options.bcast && (options.optin || options.optout) {
        return Some(OPT_WITH_BCAST);
    }
    if options.optin && options.optout {
        return Some(OPTIN_AND_OPTOUT);
    }
    if (options.optin && current.optout) || (options.optout && current.optin) {
        return Some(OPT_SWITCH);
    }
    None
}

/// `CLIENT CACHING YES|NO`: applies to the next command (or transaction).
fn client_caching(ctx: &mut Ctx) {
    let t = &ctx.client.tracking;
    if !t.on {
        return ctx.error(CACHING_NOT_TRACKING);
    }
    let opt = ctx.arg(2);
    if opt.eq_ignore_ascii_case(b"yes") {
        if !t.optin {
            return ctx.error(CACHING_YES_NEEDS_OPTIN);
        }
    } else if opt.eq_ignore_ascii_case(b"no") {
        if !t.optout {
            return ctx.error(CACHING_NO_NEEDS_OPTOUT);
        }
    } else {
        return ctx.syntax_error();
    }
    ctx.client.tracking.caching = true;
    ctx.out.ok();
}

/// `CLIENT GETREDIR`: the redirection id, 0 for none, -1 when not tracking.
fn client_getredir(ctx: &mut Ctx) {
    let redir = ctx.client.tracking.redir_field();
    ctx.out.int(redir);
}

/// `CLIENT TRACKINGINFO`: flags, redirect and prefixes as a map.
fn client_trackinginfo(ctx: &mut Ctx) {
    let t = &ctx.client.tracking;
    let mut flags = vec![if t.on { "on" } else { "off" }];
    if t.bcast {
        flags.push("bcast");
    }
    if t.optin {
        flags.push("optin");
        if t.caching {
            flags.push("caching-yes");
        }
    }
    if t.optout {
        flags.push("optout");
        if t.caching {
            flags.push("caching-no");
        }
    }
    if t.noloop {
        flags.push("noloop");
    }
    if t.broken_redirect {
        flags.push("broken_redirect");
    }
    let redirect = t.redir_field();
    let prefixes: Vec<Vec<u8>> = t.prefixes.iter().cloned().collect();
    let out = &mut ctx.out;
    out.map(3);
    out.bulk(b"flags");
    out.set(flags.len());
    for f in flags {
        out.bulk(f.as_bytes());
    }
    out.bulk(b"redirect");
    out.int(redirect);
    out.bulk(b"prefixes");
    out.array(prefixes.len());
    for p in &prefixes {
        out.bulk(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracking::ClientTracking;

    #[test]
    fn option_checks_follow_redis_order() {
        let off = ClientTracking::default();
        let bcast = Options {
            bcast: true,
            ..Options::default()
        };
        let optin = Options {
            optin: true,
            ..Options::default()
        };
        let both = Options {
            optin: true,
            optout: true,
            bcast: true,
            ..Options::default()
        };
        assert_eq!(
            incompatible_options(&off, Options::default(), &[b"a"]),
            Some(PREFIX_NEEDS_BCAST)
        );
        assert_eq!(incompatible_options(&off, both, &[]), Some(OPT_WITH_BCAST));
        assert_eq!(
            incompatible_options(
                &off,
                Options {
                    bcast: false,
                    ..both
                },
                &[]
            ),
            Some(OPTIN_AND_OPTOUT)
        );
        let on_bcast = ClientTracking {
            on: true,
            bcast: true,
            ..ClientTracking::default()
        };
        assert_eq!(
            incompatible_options(&on_bcast, optin, &[]),
            Some(BCAST_SWITCH)
        );
        assert_eq!(incompatible_options(&on_bcast, bcast, &[b"x"]), None);
        let on_optout = ClientTracking {
            on: true,
            optout: true,
            ..ClientTracking::default()
        };
        assert_eq!(
            incompatible_options(&on_optout, optin, &[]),
            Some(OPT_SWITCH)
        );
    }
}
