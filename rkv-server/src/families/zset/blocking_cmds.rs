//! The blocking sorted set pops, BZPOPMIN, BZPOPMAX and BZMPOP (Redis's
//! `blockingGenericZpopCommand`): each pops at once like its non-blocking
//! twin when one of its keys holds a sorted set, and otherwise parks the
//! client with a serve function that [`crate::blocking`] calls once one of
//! the keys holds a sorted set again.

use super::pop::{op_pop_first, parse_mpop, reply_popped, PopShape};
use crate::blocking::{timeout_or_reply, BlockParams, BlockedCall, ServeFn, Served, TimeoutReply};
use crate::command::{flags, Arg, ArgKind, BeginSearch, CommandSpec, Ctx, FindKeys, KeySpec};

/// Pops from the first of `keys` holding a sorted set and replies in
/// `shape` (BZPOPMIN/BZPOPMAX: `[key, member, score]`, flat in both
/// protocols; BZMPOP: `[key, [[member, score] ...]]`); true when it did (or
/// replied an error), false when no key exists and the caller should block.
fn pop_now(ctx: &mut Ctx, keys: &[&[u8]], count: usize, max: bool, shape: PopShape) -> bool {
    let now = ctx.now_ms();
    match op_pop_first(ctx.db(), keys, count, max, now) {
        Err(e) => ctx.error_op(e),
        Ok(None) => return false,
        Ok(Some(p)) => {
            ctx.dirty(p.items.len() as u64);
            reply_popped(ctx, shape, keys[p.key_index], &p.items, max);
            propagate_zpop(ctx, keys[p.key_index], max, shape, p.items.len());
        }
    }
    true
}

/// Makes a blocking pop replay as ZPOPMIN/ZPOPMAX (with the count popped
/// for BZMPOP), as Redis 7.0 propagates it.
fn propagate_zpop(ctx: &mut Ctx, key: &[u8], max: bool, shape: PopShape, popped: usize) {
    let name: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
    if shape == PopShape::NestedWithKey {
        let n = itoa::Buffer::new().format(popped).as_bytes().to_vec();
        ctx.propagate_as(&[name, key, &n]);
    } else {
        ctx.propagate_as(&[name, key]);
    }
}

/// Parks the caller on `keys`; where nothing may block (inside EXEC) it
/// replies a null array at once, as a timeout would.
fn block_on(ctx: &mut Ctx, keys: &[&[u8]], deadline_ms: i64, serve: ServeFn, params: BlockParams) {
    if !ctx.may_block() {
        return ctx.out.null_array();
    }
    ctx.block(BlockedCall {
        keys: keys.iter().map(|k| k.to_vec()).collect(),
        deadline_ms,
        serve,
        on_timeout: TimeoutReply::NullArray,
        params,
        serves_deleted_key: false,
    });
}

/// Serves a parked call against `key`, replying in `shape` with the
/// events of an immediate pop: a key that is missing or holds another type
/// keeps the client waiting (Redis 7.0 serves zset waiters only from a key
/// that holds a sorted set).
fn serve_with(ctx: &mut Ctx, key: &[u8], p: &BlockParams, shape: PopShape) -> Served {
    let now = ctx.now_ms();
    match op_pop_first(ctx.db(), &[key], p.count, !p.from_head, now) {
        Ok(Some(popped)) if !popped.items.is_empty() => {
            ctx.dirty(popped.items.len() as u64);
            reply_popped(ctx, shape, key, &popped.items, !p.from_head);
            propagate_zpop(ctx, key, !p.from_head, shape, popped.items.len());
            Served::Done
        }
        _ => Served::NotReady,
    }
}

/// Serves a parked BZPOPMIN/BZPOPMAX.
fn serve_bzpop(ctx: &mut Ctx, key: &[u8], p: &BlockParams) -> Served {
    serve_with(ctx, key, p, PopShape::FlatWithKey)
}

/// Serves a parked BZMPOP.
fn serve_bzmpop(ctx: &mut Ctx, key: &[u8], p: &BlockParams) -> Served {
    serve_with(ctx, key, p, PopShape::NestedWithKey)
}

/// BZPOPMIN / BZPOPMAX key [key ...] timeout: the timeout is checked
/// before any key.
fn bzpop_generic(ctx: &mut Ctx, max: bool) {
    let last = ctx.argc() - 1;
    let Some(deadline) = timeout_or_reply(ctx, last) else {
        return;
    };
    let keys = &ctx.argv[1..last];
    if pop_now(ctx, keys, 1, max, PopShape::FlatWithKey) {
        return;
    }
    let params = BlockParams {
        from_head: !max,
        count: 1,
        ..BlockParams::default()
    };
    block_on(ctx, keys, deadline, serve_bzpop, params);
}

/// `BZPOPMIN key [key ...] timeout`
pub fn bzpopmin(ctx: &mut Ctx) {
    bzpop_generic(ctx, false);
}

/// `BZPOPMAX key [key ...] timeout`
pub fn bzpopmax(ctx: &mut Ctx) {
    bzpop_generic(ctx, true);
}

/// `BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]`: Redis
/// checks numkeys, MIN|MAX and COUNT before the timeout.
pub fn bzmpop(ctx: &mut Ctx) {
    let args = match parse_mpop(ctx.argv, 2) {
        Ok(args) => args,
        Err(msg) => return ctx.error(msg),
    };
    let Some(deadline) = timeout_or_reply(ctx, 1) else {
        return;
    };
    if pop_now(
        ctx,
        &args.keys,
        args.count,
        args.max,
        PopShape::NestedWithKey,
    ) {
        return;
    }
    let params = BlockParams {
        from_head: !args.max,
        count: args.count,
        ..BlockParams::default()
    };
    block_on(ctx, &args.keys, deadline, serve_bzmpop, params);
}

/// Key spec flags of the pops.
const POP_FLAGS: &[&str] = &["RW", "ACCESS", "DELETE"];

/// History line of BZPOPMIN/BZPOPMAX.
const DOUBLE_TIMEOUT_HISTORY: &[(&str, &str)] = &[(
    "6.0.0",
    "`timeout` is interpreted as a double instead of an integer.",
)];

/// `key [key ...] timeout`.
const BZPOP_ARGS: &[Arg] = &[
    Arg::key("key", 0).multiple(),
    Arg::new("timeout", ArgKind::Double),
];

/// The fields BZPOPMIN and BZPOPMAX share.
const BZPOP: CommandSpec = CommandSpec {
    arity: -3,
    flags: flags::WRITE | flags::NOSCRIPT | flags::FAST | flags::BLOCKING,
    acl: crate::command::acl::SORTEDSET,
    keys: &[KeySpec::range(POP_FLAGS, 1, -2, 1)],
    group: "sorted-set",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    history: DOUBLE_TIMEOUT_HISTORY,
    args: BZPOP_ARGS,
    ..CommandSpec::BASE
};

/// BZPOPMIN, BZPOPMAX and BZMPOP, as Redis 7.0's command JSON declares them.
pub const BLOCKING_COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "bzpopmin",
        summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
        handler: bzpopmin,
        ..BZPOP
    },
    CommandSpec {
        name: "bzpopmax",
        summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
        handler: bzpopmax,
        ..BZPOP
    },
    CommandSpec {
        name: "bzmpop",
        arity: -5,
        flags: flags::WRITE | flags::BLOCKING,
        acl: crate::command::acl::SORTEDSET,
        keys: &[KeySpec {
            flags: POP_FLAGS,
            begin: BeginSearch::Index(2),
            find: FindKeys::Keynum {
                keynumidx: 0,
                firstkey: 1,
                step: 1,
            },
        }],
        group: "sorted-set",
        since: "7.0.0",
        summary: "Remove and return members with scores in a sorted set or block until one is available",
        complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
        args: &[
            Arg::new("timeout", ArgKind::Double),
            Arg::new("numkeys", ArgKind::Integer),
            Arg::key("key", 0).multiple(),
            Arg {
                name: "where",
                kind: ArgKind::OneOf,
                children: &[Arg::token("min", "MIN"), Arg::token("max", "MAX")],
                ..Arg::BASE
            },
            Arg {
                token: Some("COUNT"),
                ..Arg::new("count", ArgKind::Integer).optional()
            },
        ],
        handler: bzmpop,
        ..CommandSpec::BASE
    },
];

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use crate::client::Client;
    use crate::command::dispatch::execute;
    use crate::config::Config;
    use crate::server::Server;

    const WRONGTYPE: &[u8] =
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

    fn server() -> Server {
        Server::new(Config::from_text("", "test").unwrap())
    }

    /// A client registered in the server, as a connection would be.
    fn client(srv: &mut Server, id: u64) -> Rc<RefCell<Client>> {
        let c = Client::new(id, "test".into(), "test".into(), -1, srv.now_ms, true);
        let rc = Rc::new(RefCell::new(c));
        srv.clients.insert(id, rc.clone());
        rc
    }

    /// The reply bytes of one command run by `c`.
    fn run(srv: &mut Server, c: &Rc<RefCell<Client>>, line: &str) -> Vec<u8> {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        let mut out = Vec::new();
        execute(srv, &mut c.borrow_mut(), &argv, &mut out);
        out
    }

    /// What was queued for a blocked client, taken.
    fn pushed(c: &Rc<RefCell<Client>>) -> Vec<u8> {
        std::mem::take(&mut c.borrow_mut().pushed)
    }

    #[test]
    fn data_present_pops_at_once_in_both_shapes() {
        let mut srv = server();
        let c = client(&mut srv, 1);
        assert_eq!(run(&mut srv, &c, "ZADD z 1 a 2.5 b 3 c 4 d"), b":4\r\n");
        assert_eq!(
            run(&mut srv, &c, "BZPOPMIN nokey z 0"),
            b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"
        );
        assert_eq!(
            run(&mut srv, &c, "BZPOPMAX z 0"),
            b"*3\r\n$1\r\nz\r\n$1\r\nd\r\n$1\r\n4\r\n"
        );
        assert_eq!(
            run(&mut srv, &c, "BZMPOP 0 1 z MIN COUNT 5"),
            &b"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nb\r\n$3\r\n2.5\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"[..]
        );
        assert_eq!(run(&mut srv, &c, "EXISTS z"), b":0\r\n");
        c.borrow_mut().protocol = rkv_proto::Protocol::Resp3;
        run(&mut srv, &c, "ZADD z 1 a");
        assert_eq!(
            run(&mut srv, &c, "BZPOPMIN z 0"),
            b"*3\r\n$1\r\nz\r\n$1\r\na\r\n,1\r\n"
        );
        assert!(!srv.blocking.any());
    }

    #[test]
    fn errors_come_in_redis_order() {
        let mut srv = server();
        let c = client(&mut srv, 1);
        run(&mut srv, &c, "SET s v");
        for (line, want) in [
            (
                "BZPOPMIN s x",
                &b"-ERR timeout is not a float or out of range\r\n"[..],
            ),
            ("BZPOPMAX s -1", b"-ERR timeout is negative\r\n"),
            ("BZPOPMIN nokey s 0", WRONGTYPE),
            (
                "BZMPOP x 0 s MIN",
                b"-ERR numkeys should be greater than 0\r\n",
            ),
            ("BZMPOP x 1 s FOO", b"-ERR syntax error\r\n"),
            (
                "BZMPOP x 1 s MIN COUNT 0",
                b"-ERR count should be greater than 0\r\n",
            ),
            (
                "BZMPOP x 1 s MIN",
                b"-ERR timeout is not a float or out of range\r\n",
            ),
            ("BZMPOP 0 2 nokey s MAX", WRONGTYPE),
        ] {
            assert_eq!(run(&mut srv, &c, line), want, "{line}");
        }
        assert!(!srv.blocking.any());
    }

    #[test]
    fn where_blocking_is_denied_they_reply_null_at_once() {
        let mut srv = server();
        let c = client(&mut srv, 1);
        c.borrow_mut().deny_blocking = true;
        assert_eq!(run(&mut srv, &c, "BZPOPMIN k 0"), b"*-1\r\n");
        assert_eq!(run(&mut srv, &c, "BZMPOP 0 1 k MAX"), b"*-1\r\n");
        assert_eq!(
            run(&mut srv, &c, "BZPOPMAX k x"),
            b"-ERR timeout is not a float or out of range\r\n"
        );
        assert!(!srv.blocking.any());
        assert!(!c.borrow().blocked);
    }

    #[test]
    fn a_waiter_of_another_type_does_not_hold_back_those_behind_it() {
        let mut srv = server();
        let writer = client(&mut srv, 1);
        let zset_waiter = client(&mut srv, 2);
        let list_waiter = client(&mut srv, 3);
        run(&mut srv, &zset_waiter, "BZPOPMIN k 0");
        run(&mut srv, &list_waiter, "BLPOP k 0");
        assert_eq!(run(&mut srv, &writer, "RPUSH k v"), b":1\r\n");
        assert_eq!(pushed(&list_waiter), b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
        assert!(pushed(&zset_waiter).is_empty());
        assert_eq!(srv.blocking.blocked_clients(), 1);
        run(&mut srv, &writer, "ZADD k 1 a");
        assert_eq!(
            pushed(&zset_waiter),
            b"*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n"
        );
    }

    #[test]
    fn parked_clients_are_served_in_order_and_only_by_a_sorted_set() {
        let mut srv = server();
        let writer = client(&mut srv, 1);
        let first = client(&mut srv, 2);
        let second = client(&mut srv, 3);
        let third = client(&mut srv, 4);
        assert_eq!(run(&mut srv, &first, "BZPOPMIN other k 0"), b"");
        assert_eq!(run(&mut srv, &second, "BZMPOP 0 1 k MAX COUNT 2"), b"");
        assert_eq!(run(&mut srv, &third, "BZPOPMAX k 0"), b"");
        assert_eq!(srv.blocking.blocked_clients(), 3);
        run(&mut srv, &writer, "SET k v");
        assert_eq!(srv.blocking.blocked_clients(), 3);
        run(&mut srv, &writer, "DEL k");
        assert_eq!(run(&mut srv, &writer, "ZADD k 1 a 2 b 3 c"), b":3\r\n");
        assert_eq!(pushed(&first), b"*3\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\n1\r\n");
        assert_eq!(
            pushed(&second),
            &b"*2\r\n$1\r\nk\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"[..]
        );
        assert!(pushed(&third).is_empty());
        assert_eq!(srv.blocking.blocked_clients(), 1);
        assert_eq!(run(&mut srv, &writer, "EXISTS k"), b":0\r\n");
        run(&mut srv, &writer, "ZADD k 5 e");
        assert_eq!(pushed(&third), b"*3\r\n$1\r\nk\r\n$1\r\ne\r\n$1\r\n5\r\n");
        assert!(!srv.blocking.any());
        assert!(!third.borrow().blocked);
    }
}
