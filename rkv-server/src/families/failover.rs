//! FAILOVER: a coordinated switch between this master and one of its
//! replicas (Redis 6.2+'s `failoverCommand`). The state machine is in
//! [`crate::replication::failover`].

use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::errors;
use crate::replication::failover::{self, FailoverState};
use crate::replication::master::ReplicaState;

/// Declaration of FAILOVER.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "failover",
    arity: -1,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::STALE,
    group: "server",
    since: "6.2.0",
    summary: "Start a coordinated failover between this server and one of its replicas.",
    complexity: "O(1)",
    args: &[
        Arg {
            name: "target",
            kind: ArgKind::Block,
            token: Some("TO"),
            optional: true,
            children: &[
                Arg::new("host", ArgKind::String),
                Arg::new("port", ArgKind::Integer),
                Arg::token("force", "FORCE").optional(),
            ],
            ..Arg::BASE
        },
        Arg::token("abort", "ABORT").optional(),
        Arg {
            name: "milliseconds",
            kind: ArgKind::Integer,
            token: Some("TIMEOUT"),
            optional: true,
            ..Arg::BASE
        },
    ],
    handler: failover_command,
    ..CommandSpec::BASE
}];

/// What FAILOVER's arguments asked for.
#[derive(Debug, Default, PartialEq, Eq)]
struct Request {
    target: Option<(String, i64)>,
    timeout_ms: i64,
    force: bool,
}

/// Parses `[TO host port] [FORCE] [TIMEOUT ms]` in any order, each once,
/// as Redis's loop does (errors in the order it meets them).
fn parse(argv: &[&[u8]]) -> Result<Request, &'static str> {
    let mut req = Request::default();
    let mut j = 1;
    while j < argv.len() {
        let word = argv[j];
        if word.eq_ignore_ascii_case(b"timeout") && j + 1 < argv.len() && req.timeout_ms == 0 {
            let ms = rkv_proto::request::parse_i64(argv[j + 1]).ok_or(errors::NOT_INTEGER)?;
            if ms <= 0 {
                return Err("ERR FAILOVER timeout must be greater than 0");
            }
            req.timeout_ms = ms;
            j += 2;
        } else if word.eq_ignore_ascii_case(b"to") && j + 2 < argv.len() && req.target.is_none() {
            let port = rkv_proto::request::parse_i64(argv[j + 2]).ok_or(errors::NOT_INTEGER)?;
            req.target = Some((String::from_utf8_lossy(argv[j + 1]).into_owned(), port));
            j += 3;
        } else if word.eq_ignore_ascii_case(b"force") && !req.force {
            req.force = true;
            j += 1;
        } else {
            return Err(errors::SYNTAX);
        }
    }
    Ok(req)
}

/// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms].
fn failover_command(ctx: &mut Ctx) {
    if ctx.argc() == 2 && ctx.arg(1).eq_ignore_ascii_case(b"abort") {
        if ctx.srv.replication.failover.state == FailoverState::None {
            ctx.error("ERR No failover in progress.");
            return;
        }
        failover::abort(ctx.srv, "Failover manually aborted");
        ctx.out.ok();
        return;
    }
    let req = match parse(ctx.argv) {
        Ok(req) => req,
        Err(e) => {
            ctx.error(e);
            return;
        }
    };
    if let Err(e) = check(ctx, &req) {
        ctx.error(e);
        return;
    }
    // A port outside u16 never matched a replica in `check`.
    let target = req.target.map(|(host, port)| (host, port as u16));
    failover::start(ctx.srv, target, req.timeout_ms, req.force);
    ctx.out.ok();
}

/// The state checks of Redis's `failoverCommand`, in its order.
fn check(ctx: &Ctx, req: &Request) -> Result<(), &'static str> {
    let srv = &*ctx.srv;
    if srv.replication.failover.state != FailoverState::None {
        return Err("ERR FAILOVER already in progress.");
    }
    if srv.replication.is_replica() {
        return Err("ERR FAILOVER is not valid when server is a replica.");
    }
    if srv.replication.master.replicas.is_empty() {
        return Err("ERR FAILOVER requires connected replicas.");
    }
    if req.force && (req.timeout_ms == 0 || req.target.is_none()) {
        return Err(
            "ERR FAILOVER with force option requires both a timeout and target HOST and IP.",
        );
    }
    if let Some((host, port)) = &req.target {
        let found = u16::try_from(*port)
            .ok()
            .and_then(|port| failover::find_replica(srv, host, port));
        let Some(i) = found else {
            return Err("ERR FAILOVER target HOST and PORT is not a replica.");
        };
        if !matches!(
            srv.replication.master.replicas[i].state,
            ReplicaState::Online
        ) {
            return Err("ERR FAILOVER target replica is not online.");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<&[u8]> {
        line.split(' ').map(str::as_bytes).collect()
    }

    #[test]
    fn options_come_in_any_order_each_once() {
        let req = parse(&args("FAILOVER TIMEOUT 50 FORCE TO h 7")).unwrap();
        assert_eq!(
            req,
            Request {
                target: Some(("h".into(), 7)),
                timeout_ms: 50,
                force: true
            }
        );
        assert_eq!(
            parse(&args("FAILOVER TIMEOUT 5 TIMEOUT 6")),
            Err(errors::SYNTAX)
        );
        assert_eq!(
            parse(&args("FAILOVER ABORT TIMEOUT 5")),
            Err(errors::SYNTAX)
        );
        assert_eq!(parse(&args("FAILOVER TO h")), Err(errors::SYNTAX));
        assert_eq!(parse(&args("FAILOVER TO h x")), Err(errors::NOT_INTEGER));
        assert_eq!(
            parse(&args("FAILOVER TIMEOUT 0")),
            Err("ERR FAILOVER timeout must be greater than 0")
        );
    }
}
