//! REPLICAOF and its old name SLAVEOF: making this server a replica of
//! another, or promoting it (the replica side of replication; the master
//! side's commands are in [`super::replication`]).

use crate::client::ClientKind;
use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::notice;
use crate::replication::failover::FailoverState;
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
    if ctx.srv.replication.failover.state != FailoverState::None {
        ctx.error("ERR REPLICAOF not allowed while failing over.");
        return;
    }
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

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use crate::client::{Client, ClientKind};
    use crate::command::dispatch::execute;
    use crate::config::{Config, LoadedConfig};
    use crate::server::Server;

    fn server() -> Server {
        let mut srv = Server::new(LoadedConfig {
            config: Config {
                save_points: Vec::new(),
                ..Config::default()
            },
            config_file: None,
            applied: Vec::new(),
        });
        for (id, kind) in [(1, ClientKind::Normal), (2, ClientKind::Master)] {
            let mut c = Client::new(id, "test".into(), "test".into(), -1, srv.now_ms, true);
            c.kind = kind;
            srv.clients.insert(id, Rc::new(RefCell::new(c)));
        }
        srv
    }

    fn run(srv: &mut Server, id: u64, line: &str) -> String {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        let rc = srv.clients[&id].clone();
        let mut c = rc.borrow_mut();
        let mut out = Vec::new();
        execute(srv, &mut c, &argv, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn replicaof_attaches_refuses_writes_and_promotes() {
        let mut srv = server();
        assert_eq!(run(&mut srv, 1, "REPLICAOF NO ONE"), "+OK\r\n");
        assert_eq!(
            run(&mut srv, 1, "REPLICAOF host nope"),
            "-ERR Invalid master port\r\n"
        );
        assert_eq!(
            run(&mut srv, 1, "REPLICAOF host 70000"),
            "-ERR Invalid master port\r\n"
        );
        let replid = srv.replication.replid.clone();
        assert_eq!(run(&mut srv, 1, "SLAVEOF host 7"), "+OK\r\n");
        assert_eq!(
            run(&mut srv, 1, "REPLICAOF HOST 7"),
            "+OK Already connected to specified master\r\n"
        );
        assert_eq!(srv.config.replicaof, vec!["host", "7"]);
        let cached = srv
            .replication
            .link
            .as_ref()
            .unwrap()
            .cached
            .clone()
            .unwrap();
        assert_eq!((cached.replid, cached.reploff), (replid.clone(), 0));
        assert_eq!(
            run(&mut srv, 1, "SET k v"),
            "-READONLY You can't write against a read only replica.\r\n"
        );
        assert_eq!(run(&mut srv, 2, "SET k v"), "+OK\r\n");
        assert_eq!(run(&mut srv, 1, "GET k"), "$1\r\nv\r\n");
        srv.config.replica_serve_stale_data = false;
        assert_eq!(
            run(&mut srv, 1, "GET k"),
            "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n"
        );
        assert!(run(&mut srv, 1, "INFO replication").contains("master_link_status:down"));
        srv.config.replica_serve_stale_data = true;
        assert_eq!(run(&mut srv, 1, "REPLICAOF no one"), "+OK\r\n");
        assert!(srv.replication.link.is_none());
        assert!(srv.config.replicaof.is_empty());
        assert_eq!(srv.replication.replid2, replid);
        assert_eq!(srv.replication.second_repl_offset, 1);
        assert_eq!(run(&mut srv, 1, "SET k w"), "+OK\r\n");
    }

    #[test]
    fn a_replica_hides_expired_keys_but_keeps_them_for_its_master() {
        let mut srv = server();
        run(&mut srv, 1, "SET gone v");
        srv.dbs[0].set_expire(b"gone", 1);
        run(&mut srv, 1, "REPLICAOF host 7");
        assert_eq!(run(&mut srv, 1, "GET gone"), "$-1\r\n");
        assert_eq!(run(&mut srv, 1, "DBSIZE"), ":1\r\n");
        run(&mut srv, 1, "REPLICAOF NO ONE");
        assert_eq!(run(&mut srv, 1, "GET gone"), "$-1\r\n");
        assert_eq!(run(&mut srv, 1, "DBSIZE"), ":0\r\n");
    }

    #[test]
    fn info_and_role_describe_the_link() {
        let mut srv = server();
        run(&mut srv, 1, "REPLICAOF 10.0.0.1 6380");
        let info = run(&mut srv, 1, "INFO replication");
        let fields: Vec<&str> = info
            .lines()
            .filter_map(|l| l.split_once(':').map(|(k, _)| k))
            .take_while(|k| *k != "connected_slaves")
            .collect();
        assert_eq!(
            fields,
            [
                "role",
                "master_host",
                "master_port",
                "master_link_status",
                "master_last_io_seconds_ago",
                "master_sync_in_progress",
                "slave_read_repl_offset",
                "slave_repl_offset",
                "master_link_down_since_seconds",
                "slave_priority",
                "slave_read_only",
                "replica_announced",
            ]
        );
        assert!(info.contains("role:slave\r\nmaster_host:10.0.0.1\r\nmaster_port:6380\r\n"));
        assert!(info.contains("master_last_io_seconds_ago:-1\r\n"));
        assert!(info.contains("master_link_down_since_seconds:-1\r\n"));
        let rc = srv.clients[&1].clone();
        let mut c = rc.borrow_mut();
        let mut out = Vec::new();
        let id = srv.commands.resolve(&[b"replicaof".as_slice()]).unwrap();
        let mut ctx = crate::command::Ctx {
            srv: &mut srv,
            client: &mut c,
            argv: &[],
            out: rkv_proto::ReplyWriter::new(&mut out, rkv_proto::Protocol::Resp2),
            cmd: &super::COMMANDS[0],
            cmd_id: id,
            failed: false,
            redacted: 0,
            blocked: false,
            own_propagation: Default::default(),
            started_us: crate::server::unix_us(),
        };
        crate::replication::replica::role_reply(&mut ctx);
        drop(ctx);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "*5\r\n$5\r\nslave\r\n$8\r\n10.0.0.1\r\n:6380\r\n$7\r\nconnect\r\n:-1\r\n"
        );
    }
}
