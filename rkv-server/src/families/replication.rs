//! Replication commands, master side: PSYNC and SYNC (a connection
//! becomes a replica), REPLCONF (the replica's settings and ACKs), WAIT
//! and ROLE. The work is in [`crate::replication`].

use crate::blocking::{BlockParams, BlockedCall, TimeoutReply};
use crate::client::ClientKind;
use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::replication::failover::FailoverState;
use crate::replication::master::{self, Handshake, RdbFilter, ReplicaLink, ReplicaState, Waiter};
use crate::replication::replica;
use crate::replication::{fullsync, master_cron};
use crate::{notice, warning};

/// Longest `REPLCONF ip-address` accepted (Redis's `NET_HOST_STR_LEN`).
const MAX_ANNOUNCED_IP: usize = 256;

/// Parses a signed decimal integer as Redis's `string2ll`.
fn parse_i64(arg: &[u8]) -> Option<i64> {
    rkv_proto::request::parse_i64(arg)
}

/// Flags PSYNC and SYNC share.
const SYNC_FLAGS: u32 = flags::NO_ASYNC_LOADING | flags::ADMIN | flags::NO_MULTI | flags::NOSCRIPT;

/// Declarations of the replication family (master side).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "psync",
        arity: -3,
        flags: SYNC_FLAGS,
        group: "server",
        since: "2.8.0",
        summary: "Internal command used for replication",
        args: &[
            Arg::new("replicationid", ArgKind::String),
            Arg::new("offset", ArgKind::Integer),
        ],
        handler: sync,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "sync",
        arity: 1,
        flags: SYNC_FLAGS,
        group: "server",
        since: "1.0.0",
        summary: "Internal command used for replication",
        handler: sync,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "replconf",
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::ALLOW_BUSY,
        group: "server",
        since: "3.0.0",
        summary: "An internal command for configuring the replication stream",
        complexity: "O(1)",
        doc_flags: &["syscmd"],
        handler: replconf,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "wait",
        arity: 3,
        flags: flags::NOSCRIPT,
        acl: acl::CONNECTION,
        group: "generic",
        since: "3.0.0",
        summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
        complexity: "O(1)",
        tips: &["request_policy:all_shards", "response_policy:agg_min"],
        args: &[
            Arg::new("numreplicas", ArgKind::Integer),
            Arg::new("timeout", ArgKind::Integer),
        ],
        handler: wait,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "role",
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::ADMIN | acl::DANGEROUS,
        group: "server",
        since: "2.8.12",
        summary: "Return the role of the instance in the context of replication",
        complexity: "O(1)",
        handler: role,
        ..CommandSpec::BASE
    },
];

/// PSYNC replid offset / SYNC: continue from the backlog when possible,
/// else attach the connection as a replica waiting for a full sync
/// (Redis's `syncCommand`).
fn sync(ctx: &mut Ctx) {
    // Already a replica (or MONITOR): ignored, as Redis does.
    if ctx.client.kind == ClientKind::Replica || ctx.client.monitor {
        return;
    }
    let psync = ctx.arg(0).eq_ignore_ascii_case(b"psync");
    if psync
        && ctx.argc() > 3
        && ctx.arg(3).eq_ignore_ascii_case(b"failover")
        && !promote_for_failover(ctx)
    {
        return;
    }
    // Replicas may not attach while this server is handing over.
    if ctx.srv.replication.failover.state != FailoverState::None {
        ctx.error("NOMASTERLINK Can't SYNC while failing over");
        return;
    }
    let addr = ctx.client.addr.clone();
    let h = handshake(ctx, ctx.client.id);
    // Filtered snapshots are only ever produced for a socket.
    if h.filter.any() && !h.capa_eof {
        ctx.error("ERR Filtered replica requires EOF capability");
        return;
    }
    let name = h.name(&addr);
    notice!("Replica {name} asks for synchronization");
    if psync {
        let Some(offset) = ctx.i64_or_reply(2) else {
            return;
        };
        let replid = String::from_utf8_lossy(ctx.arg(1)).into_owned();
        if try_partial_resync(ctx, &replid, offset) {
            ctx.srv.stats.sync_partial_ok += 1;
            return;
        }
        if !replid.starts_with('?') {
            ctx.srv.stats.sync_partial_err += 1;
        }
    }
    ctx.srv.stats.sync_full += 1;
    let index = attach(ctx, ReplicaState::WaitBgsaveStart, !psync);
    let srv = &mut *ctx.srv;
    if srv.replication.master.replicas.len() == 1 && srv.replication.master.backlog.is_none() {
        master::change_replid(srv);
        master::clear_replid2(srv);
        master::create_backlog_if_missing(srv);
        notice!(
            "Replication backlog created, my new replication IDs are '{}' and '{}'",
            srv.replication.replid,
            srv.replication.replid2
        );
    }
    if let Some(line) = fullsync::attach(srv, index) {
        ctx.client.push_bytes(line.as_bytes());
    }
}

/// `PSYNC <replid> <offset> FAILOVER` from a master handing over to us:
/// with our own replid we become a master (and the PSYNC goes on to
/// continue it partially); false when it was refused.
fn promote_for_failover(ctx: &mut Ctx) -> bool {
    warning!(
        "Failover request received for replid {}.",
        String::from_utf8_lossy(ctx.arg(1))
    );
    if !ctx.srv.replication.is_replica() {
        ctx.error("ERR PSYNC FAILOVER can't be sent to a master.");
        return false;
    }
    if !ctx
        .arg(1)
        .eq_ignore_ascii_case(ctx.srv.replication.replid.as_bytes())
    {
        ctx.error("ERR PSYNC FAILOVER replid must match my replid.");
        return false;
    }
    replica::unset_master(ctx.srv);
    notice!(
        "MASTER MODE enabled (failover request from 'id={} addr={}')",
        ctx.client.id,
        ctx.client.addr
    );
    true
}

/// Makes the calling connection a replica in `state`; returns its index.
fn attach(ctx: &mut Ctx, state: ReplicaState, pre_psync: bool) -> usize {
    let id = ctx.client.id;
    ctx.client.kind = ClientKind::Replica;
    if ctx.srv.config.repl_disable_tcp_nodelay {
        disable_nodelay(ctx.client.fd);
    }
    let client = ctx.srv.clients.get(&id).cloned();
    let m = &mut ctx.srv.replication.master;
    let handshake = m.handshakes.remove(&id).unwrap_or_default();
    let client = client.expect("the calling client is registered");
    m.replicas.push(ReplicaLink {
        id,
        client,
        addr: ctx.client.addr.clone(),
        handshake,
        state,
        pending: Vec::new(),
        initial_offset: 0,
        ack_offset: 0,
        ack_time_ms: ctx.srv.now_ms,
        attached_ms: ctx.srv.now_ms,
        pre_psync,
    });
    m.replicas.len() - 1
}

/// Lets the kernel batch small writes on socket `fd` (Nagle).
fn disable_nodelay(fd: i32) {
    let off: libc::c_int = 0;
    // SAFETY: setsockopt on the client's own socket with a valid int.
    unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&off as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// Redis's `masterTryPartialResynchronization`: `+CONTINUE` and the
/// backlog from `offset` when `replid` is our history (or our previous
/// one, up to where it is shared) and the backlog still holds `offset`.
fn try_partial_resync(ctx: &mut Ctx, replid: &str, offset: i64) -> bool {
    let client_addr = ctx.client.addr.clone();
    let addr = handshake(ctx, ctx.client.id).name(&client_addr);
    let r = &ctx.srv.replication;
    let ours = replid.eq_ignore_ascii_case(&r.replid);
    let previous = replid.eq_ignore_ascii_case(&r.replid2) && offset <= r.second_repl_offset;
    if !ours && !previous {
        if replid.starts_with('?') {
            notice!("Full resync requested by replica {addr}");
        } else if !replid.eq_ignore_ascii_case(&r.replid2) {
            notice!(
                "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{replid}', my replication IDs are '{}' and '{}')",
                r.replid,
                r.replid2
            );
        } else {
            notice!(
                "Partial resynchronization not accepted: Requested offset for second ID was {offset}, but I can reply up to {}",
                r.second_repl_offset
            );
        }
        return false;
    }
    let Some(tail) = r.master.backlog.as_ref().and_then(|b| b.tail_from(offset)) else {
        notice!("Unable to partial resync with replica {addr} for lack of backlog (Replica request was: {offset}).");
        if offset > r.master_repl_offset {
            crate::warning!(
                "Warning: replica {addr} tried to PSYNC with an offset that is greater than the master replication offset."
            );
        }
        return false;
    };
    let line = if ctx
        .srv
        .replication
        .master
        .handshakes
        .get(&ctx.client.id)
        .is_some_and(|h| h.capa_psync2)
    {
        format!("+CONTINUE {}\r\n", r.replid)
    } else {
        "+CONTINUE\r\n".to_string()
    };
    attach(ctx, ReplicaState::Online, false);
    ctx.client.push_bytes(line.as_bytes());
    ctx.client.push_bytes(&tail);
    notice!(
        "Partial resynchronization request from {addr} accepted. Sending {} bytes of backlog starting from offset {offset}.",
        tail.len()
    );
    true
}

/// REPLCONF option value ...: a replica's listening port, announced ip,
/// capabilities (before PSYNC), its ACKs and GETACK (after).
fn replconf(ctx: &mut Ctx) {
    if ctx.argc().is_multiple_of(2) {
        ctx.syntax_error();
        return;
    }
    let id = ctx.client.id;
    for j in (1..ctx.argc()).step_by(2) {
        let option = ctx.arg(j).to_ascii_lowercase();
        match option.as_slice() {
            b"listening-port" => {
                let Some(port) = ctx.i64_or_reply(j + 1) else {
                    return;
                };
                handshake(ctx, id).listening_port = port as u16;
            }
            b"ip-address" => {
                let ip = ctx.arg(j + 1);
                if ip.len() >= MAX_ANNOUNCED_IP {
                    let msg = format!(
                        "ERR REPLCONF ip-address provided by replica instance is too long: {} bytes",
                        ip.len()
                    );
                    ctx.error(&msg);
                    return;
                }
                let ip = String::from_utf8_lossy(ip).into_owned();
                handshake(ctx, id).announced_ip = Some(ip);
            }
            b"capa" => {
                let capa = ctx.arg(j + 1).to_ascii_lowercase();
                let h = handshake(ctx, id);
                match capa.as_slice() {
                    b"eof" => h.capa_eof = true,
                    b"psync2" => h.capa_psync2 = true,
                    _ => {}
                }
            }
            b"rdb-only" => {
                let Some(value) = ctx.i64_or_reply(j + 1) else {
                    return;
                };
                if !(0..=1).contains(&value) {
                    ctx.error("ERR value is out of range, value must between 0 and 1");
                    return;
                }
                handshake(ctx, id).rdb_only = value == 1;
            }
            b"rdb-filter-only" => {
                let Some(filter) = parse_rdb_filter(ctx, j + 1) else {
                    return;
                };
                handshake(ctx, id).filter = filter;
            }
            b"ack" => {
                record_ack(ctx, j + 1);
                // REPLCONF ACK has no reply.
                return;
            }
            // A replica answers GETACK on its link to its master; a master
            // has nothing to do, and neither replies.
            b"getack" => return,
            _ => {
                let msg = format!(
                    "ERR Unrecognized REPLCONF option: {}",
                    String::from_utf8_lossy(ctx.arg(j))
                );
                ctx.error(&msg);
                return;
            }
        }
    }
    ctx.out.ok();
}

/// `REPLCONF rdb-filter-only "<parts>"`: everything is left out but the
/// parts named (only `functions` exists), or replies with Redis's error.
fn parse_rdb_filter(ctx: &mut Ctx, i: usize) -> Option<RdbFilter> {
    let Some(words) = rkv_proto::split_args(ctx.arg(i)) else {
        ctx.error("ERR Missing rdb-filter-only values");
        return None;
    };
    let mut filter = RdbFilter {
        exclude_data: true,
        exclude_functions: true,
    };
    for word in words {
        if word.eq_ignore_ascii_case(b"functions") {
            filter.exclude_functions = false;
        } else {
            let msg = format!(
                "ERR Unsupported rdb-filter-only option: {}",
                String::from_utf8_lossy(&word)
            );
            ctx.error(&msg);
            return None;
        }
    }
    Some(filter)
}

/// The REPLCONF settings of connection `id`: those of its replica link
/// once attached, else the ones gathered for its PSYNC.
fn handshake<'a>(ctx: &'a mut Ctx, id: u64) -> &'a mut Handshake {
    let m = &mut ctx.srv.replication.master;
    match m.replicas.iter().position(|l| l.id == id) {
        Some(i) => &mut m.replicas[i].handshake,
        None => m.handshakes.entry(id).or_default(),
    }
}

/// REPLCONF ACK offset: the replica processed the stream up to there.
fn record_ack(ctx: &mut Ctx, i: usize) {
    let Some(index) = master::replica_index(ctx.srv, ctx.client.id) else {
        return;
    };
    let Some(offset) = parse_i64(ctx.arg(i)) else {
        return;
    };
    let now = ctx.srv.now_ms;
    let link = &mut ctx.srv.replication.master.replicas[index];
    link.ack_offset = link.ack_offset.max(offset);
    link.ack_time_ms = now;
    master_cron::serve_waiters(ctx.srv);
    // The failover check runs in the replication task, outside this
    // command: the switch drops connections, this one among them.
    if ctx.srv.replication.failover.state == FailoverState::WaitForSync {
        ctx.srv.replication.master.wake.notify_one();
    }
}

/// WAIT numreplicas timeout: how many replicas acknowledged this client's
/// writes, waiting up to `timeout` ms for `numreplicas` of them.
fn wait(ctx: &mut Ctx) {
    if ctx.srv.replication.is_replica() {
        ctx.error(
            "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a \
             replica is configured to be writable (which is not the default) writes to replicas are just \
             local and are not propagated.",
        );
        return;
    }
    let Some(wanted) = ctx.i64_or_reply(1) else {
        return;
    };
    let Some(timeout) = parse_i64(ctx.arg(2)) else {
        ctx.error("ERR timeout is not an integer or out of range");
        return;
    };
    if timeout < 0 {
        ctx.error("ERR timeout is negative");
        return;
    }
    let offset = ctx.client.repl_write_offset;
    let acked = master::count_acks(ctx.srv, offset);
    if acked as i64 >= wanted || !ctx.may_block() {
        ctx.out.int(acked as i64);
        return;
    }
    let deadline_ms = if timeout > 0 {
        ctx.now_ms().saturating_add(timeout)
    } else {
        0
    };
    ctx.block(BlockedCall {
        keys: Vec::new(),
        deadline_ms,
        serve: |_, _, _| crate::blocking::Served::NotReady,
        on_timeout: TimeoutReply::NullArray,
        params: BlockParams::default(),
        serves_deleted_key: false,
    });
    let m = &mut ctx.srv.replication.master;
    m.waiters.push(Waiter {
        id: ctx.client.id,
        offset,
        replicas: wanted.max(0) as usize,
    });
    m.ack_requested = true;
    m.wake.notify_one();
}

/// ROLE: `master`, the offset, and each online replica's ip, port and
/// acknowledged offset; a replica describes its link instead.
fn role(ctx: &mut Ctx) {
    if ctx.srv.replication.is_replica() {
        crate::replication::replica::role_reply(ctx);
        return;
    }
    let r = &ctx.srv.replication;
    let online: Vec<(String, u16, i64)> = r
        .master
        .replicas
        .iter()
        .filter(|l| matches!(l.state, ReplicaState::Online))
        .map(|l| (l.ip(), l.handshake.listening_port, l.ack_offset))
        .collect();
    let offset = r.master_repl_offset;
    ctx.out.array(3);
    ctx.out.bulk(b"master");
    ctx.out.int(offset);
    ctx.out.array(online.len());
    for (ip, port, acked) in online {
        ctx.out.array(3);
        ctx.out.bulk(ip.as_bytes());
        ctx.out.bulk_int(port as i64);
        ctx.out.bulk_int(acked);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use crate::client::Client;
    use crate::server::Server;

    fn server() -> Server {
        let config = crate::config::Config::from_text("", "test").unwrap();
        Server::new(config)
    }

    fn registered(srv: &mut Server, id: u64) -> Rc<RefCell<Client>> {
        let c = Client::new(id, "127.0.0.1:9".into(), "x".into(), -1, srv.now_ms, true);
        let rc = Rc::new(RefCell::new(c));
        srv.clients.insert(id, rc.clone());
        rc
    }

    /// Runs `argv` as client `c`; returns its reply and what was queued
    /// for it.
    fn run(srv: &mut Server, c: &Rc<RefCell<Client>>, argv: &[&str]) -> (Vec<u8>, Vec<u8>) {
        let argv: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
        let mut out = Vec::new();
        crate::command::dispatch::execute(srv, &mut c.borrow_mut(), &argv, &mut out);
        let pushed = std::mem::take(&mut c.borrow_mut().pushed);
        (out, pushed)
    }

    /// A master whose backlog holds 100 bytes of stream, then promoted
    /// history: its old id stays valid up to offset 101.
    fn promoted_master() -> (Server, String) {
        let mut srv = server();
        crate::replication::master::create_backlog_if_missing(&mut srv);
        crate::replication::master::feed_raw(&mut srv, &[b'x'; 100]);
        let old = srv.replication.replid.clone();
        crate::replication::master::shift_replid(&mut srv);
        (srv, old)
    }

    #[test]
    fn the_previous_id_resyncs_partially_up_to_where_it_is_shared() {
        let (mut srv, old) = promoted_master();
        let c = registered(&mut srv, 1);
        assert_eq!(
            run(&mut srv, &c, &["REPLCONF", "capa", "psync2"]).0,
            b"+OK\r\n"
        );
        let (reply, pushed) = run(&mut srv, &c, &["PSYNC", &old, "91"]);
        assert!(reply.is_empty());
        let expected = format!("+CONTINUE {}\r\nxxxxxxxxxx", srv.replication.replid);
        assert_eq!(String::from_utf8(pushed).unwrap(), expected);
        assert_eq!(srv.stats.sync_partial_ok, 1);
        assert_eq!(c.borrow().kind, crate::client::ClientKind::Replica);
        // Replies to a replica are dropped by its connection; ACKs count.
        run(&mut srv, &c, &["REPLCONF", "ACK", "101"]);
        assert_eq!(crate::replication::master::count_acks(&srv, 101), 1);
    }

    #[test]
    fn past_the_shared_offset_or_out_of_the_backlog_a_full_sync_is_needed() {
        let (mut srv, old) = promoted_master();
        let c = registered(&mut srv, 1);
        run(&mut srv, &c, &["PSYNC", &old, "102"]);
        assert_eq!(srv.stats.sync_partial_err, 1);
        assert_eq!(srv.stats.sync_full, 1);
        let d = registered(&mut srv, 2);
        let replid = srv.replication.replid.clone();
        run(&mut srv, &d, &["PSYNC", &replid, "0"]);
        assert_eq!(srv.stats.sync_partial_err, 2);
        let e = registered(&mut srv, 3);
        run(&mut srv, &e, &["PSYNC", "?", "-1"]);
        assert_eq!(srv.stats.sync_partial_err, 2);
        assert_eq!(srv.stats.sync_full, 3);
        let states: Vec<&str> = srv
            .replication
            .master
            .replicas
            .iter()
            .map(|l| l.state.name())
            .collect();
        assert_eq!(states, ["wait_bgsave"; 3]);
    }

    #[test]
    fn without_psync2_the_continue_line_has_no_id() {
        let (mut srv, _) = promoted_master();
        let c = registered(&mut srv, 1);
        let replid = srv.replication.replid.clone();
        let (_, pushed) = run(&mut srv, &c, &["PSYNC", &replid, "101"]);
        assert_eq!(pushed, b"+CONTINUE\r\n");
    }
}
