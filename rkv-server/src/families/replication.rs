//! Replication commands: REPLICAOF and its old name SLAVEOF (the replica
//! side; the master side's commands join this family).

use crate::client::ClientKind;
use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::notice;
use crate::replication::replica;

/// `host port | NO ONE`, shared by REPLICAOF and SLAVEOF.
const REPLICAOF_ARGS: &[Arg] = &[Arg {
    name: "args",
    kind: ArgKind::OneOf,
    children: &[
        Arg {
            name: "host-port",
            kind: ArgKind::Block,
            children: &[
                Arg::new("host", ArgKind::String),
                Arg::new("port", ArgKind::Integer),
            ],
            ..Arg::BASE
        },
        Arg {
            name: "no-one",
            kind: ArgKind::Block,
            children: &[Arg::token("no", "NO"), Arg::token("one", "ONE")],
            ..Arg::BASE
        },
    ],
    ..Arg::BASE
}];

/// Declarations of the replication commands.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "replicaof",
        arity: 3,
        flags: flags::NO_ASYNC_LOADING | flags::ADMIN | flags::NOSCRIPT | flags::STALE,
        group: "server",
        since: "5.0.0",
        summary: "Make the server a replica of another instance, or promote it as master.",
        complexity: "O(1)",
        args: REPLICAOF_ARGS,
        handler: replicaof,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "slaveof",
        arity: 3,
        flags: flags::NO_ASYNC_LOADING | flags::ADMIN | flags::NOSCRIPT | flags::STALE,
        group: "server",
        since: "1.0.0",
        summary: "Make the server a replica of another instance, or promote it as master.",
        complexity: "O(1)",
        doc_flags: &["deprecated"],
        deprecated_since: Some("5.0.0"),
        replaced_by: Some("`REPLICAOF`"),
        args: REPLICAOF_ARGS,
        handler: replicaof,
        ..CommandSpec::BASE
    },
];

/// REPLICAOF host port | NO ONE (Redis's `replicaofCommand`).
fn replicaof(ctx: &mut Ctx) {
    if ctx.arg(1).eq_ignore_ascii_case(b"no") && ctx.arg(2).eq_ignore_ascii_case(b"one") {
        if ctx.srv.replication.is_replica() {
            replica::unset_master(ctx.srv);
            notice!(
                "MASTER MODE enabled (user request from '{}')",
                requester(ctx)
            );
        }
        ctx.out.ok();
        return;
    }
    if ctx.client.kind == ClientKind::Replica {
        ctx.error("ERR Command is not valid when client is a replica.");
        return;
    }
    let port = match rkv_proto::request::parse_i64(ctx.arg(2)) {
        Some(p) if (0..=65535).contains(&p) => p as u16,
        _ => {
            ctx.error("ERR Invalid master port");
            return;
        }
    };
    let host = String::from_utf8_lossy(ctx.arg(1)).into_owned();
    let same = ctx
        .srv
        .replication
        .link
        .as_ref()
        .is_some_and(|l| l.host.eq_ignore_ascii_case(&host) && l.port == port);
    if same {
        notice!(
            "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed."
        );
        ctx.out.simple("OK Already connected to specified master");
        return;
    }
    replica::set_master(ctx.srv, &host, port);
    notice!(
        "REPLICAOF {host}:{port} enabled (user request from '{}')",
        requester(ctx)
    );
    ctx.out.ok();
}

/// The calling client as the log names it.
fn requester(ctx: &Ctx) -> String {
    format!("id={} addr={}", ctx.client.id, ctx.client.addr)
}
