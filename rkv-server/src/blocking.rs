//! Blocking commands (BLPOP, BLMOVE, BLMPOP, BZPOPMIN, BZMPOP...): clients
//! parked on keys until another client's write gives them something, a
//! timeout passes, or CLIENT UNBLOCK releases them (Redis's `blocked.c`).
//!
//! A blocked command is data ([`BlockedCall`]): the keys it waits on, a
//! deadline, and a [`ServeFn`] that tries to complete it against one ready
//! key. Families write the serve function; this module keeps the per-key
//! FIFO queues (Redis's `db->blocking_keys`), finds keys that became ready
//! after a command wrote to the dataset, and runs the serve functions in
//! the order clients blocked.
//!
//! The connection task of a blocked client stops running its pipeline and
//! waits for its `wake` notification (and its deadline); the serve or
//! timeout reply is queued in the client's `pushed` buffer.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use rkv_proto::ReplyWriter;

use crate::client::Client;
use crate::command::{CommandId, Ctx};
use crate::server::Server;
use crate::util::long_double::{LongDouble, Parsed};

/// What serving a blocked client against a ready key achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// The client got its reply (data or an error) and is unblocked.
    Done,
    /// The key cannot serve it (missing, empty, another type): keep waiting.
    NotReady,
}

/// Completes a blocked command against `key`, replying through `ctx.out`.
/// The context is the blocked client's, with its original arguments.
pub type ServeFn = fn(ctx: &mut Ctx, key: &[u8], params: &BlockParams) -> Served;

/// The reply a blocked command gets when its timeout passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutReply {
    /// A null array (`*-1` / `_`): every list and sorted-set block in 7.0.
    NullArray,
    /// A null bulk (`$-1` / `_`).
    NullBulk,
}

/// Parsed options of a blocked command, so serving needs no re-parsing.
/// Their meaning belongs to the family's [`ServeFn`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockParams {
    /// Take from the head / the minimum (LEFT, MIN) rather than the other end.
    pub from_head: bool,
    /// Push at the head of the destination (BLMOVE ... LEFT).
    pub to_head: bool,
    /// How many elements to take (BLMPOP / BZMPOP COUNT).
    pub count: usize,
    /// A destination key (BLMOVE, BRPOPLPUSH).
    pub target: Option<Vec<u8>>,
}

/// A command waiting for one of its keys.
#[derive(Debug, Clone)]
pub struct BlockedCall {
    /// Keys waited on, in argument order.
    pub keys: Vec<Vec<u8>>,
    /// When to give up, ms since the epoch; 0 waits forever.
    pub deadline_ms: i64,
    /// Completes the command against a ready key.
    pub serve: ServeFn,
    /// What to send on timeout (and CLIENT UNBLOCK ... TIMEOUT).
    pub on_timeout: TimeoutReply,
    /// The command's parsed options.
    pub params: BlockParams,
    /// Whether the key's deletion must reach `serve` too (XREADGROUP ends
    /// with UNBLOCKED then); other waiters just go on waiting.
    pub serves_deleted_key: bool,
}

/// A blocked client's call with what is needed to re-enter its command.
#[derive(Debug)]
struct Parked {
    db: usize,
    cmd_id: CommandId,
    argv: Vec<Vec<u8>>,
    call: BlockedCall,
}

/// How CLIENT UNBLOCK releases a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// As if the timeout passed.
    Timeout,
    /// With `-UNBLOCKED client unblocked via CLIENT UNBLOCK`.
    Error,
    /// The server became a replica (Redis's `disconnectAllBlockedClients`):
    /// an error, then the connection closes.
    RoleChange,
}

/// What clients blocked when the server becomes a replica get.
pub const ROLE_CHANGE_ERROR: &str =
    "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)";

/// The error a client released by `CLIENT UNBLOCK ... ERROR` gets.
pub const UNBLOCKED_ERROR: &str = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

/// Every blocked client and the keys they wait on.
#[derive(Debug, Default)]
pub struct Blocking {
    /// Per (db, key), the ids of clients waiting on it, first blocked first.
    by_key: HashMap<(usize, Vec<u8>), VecDeque<u64>>,
    /// The blocked calls, by client id.
    parked: HashMap<u64, Parked>,
}

impl Blocking {
    /// Whether any client is blocked.
    pub fn any(&self) -> bool {
        !self.parked.is_empty()
    }

    /// Number of blocked clients (INFO `blocked_clients`).
    pub fn blocked_clients(&self) -> usize {
        self.parked.len()
    }

    /// Blocked clients with a deadline (INFO `clients_in_timeout_table`).
    pub fn with_timeout(&self) -> usize {
        self.parked
            .values()
            .filter(|p| p.call.deadline_ms != 0)
            .count()
    }

    /// Whether client `id` is blocked.
    pub fn is_blocked(&self, id: u64) -> bool {
        self.parked.contains_key(&id)
    }

    /// The deadline of a blocked client (0 = none); `None` when not blocked.
    pub fn deadline(&self, id: u64) -> Option<i64> {
        self.parked.get(&id).map(|p| p.call.deadline_ms)
    }

    /// Number of distinct keys clients wait on.
    pub fn blocking_keys(&self) -> usize {
        self.by_key.len()
    }

    fn park(&mut self, id: u64, parked: Parked) {
        for key in &parked.call.keys {
            let queue = self.by_key.entry((parked.db, key.clone())).or_default();
            // BLPOP k k waits once on k, as Redis's dictAdd of the key does.
            if !queue.contains(&id) {
                queue.push_back(id);
            }
        }
        self.parked.insert(id, parked);
    }

    /// The ids of the blocked clients.
    pub fn blocked_ids(&self) -> Vec<u64> {
        self.parked.keys().copied().collect()
    }

    /// Forgets client `id` (unblocked or disconnected); returns its call.
    fn unpark(&mut self, id: u64) -> Option<Parked> {
        let parked = self.parked.remove(&id)?;
        for key in &parked.call.keys {
            let slot = (parked.db, key.clone());
            if let Some(queue) = self.by_key.get_mut(&slot) {
                queue.retain(|c| *c != id);
                if queue.is_empty() {
                    self.by_key.remove(&slot);
                }
            }
        }
        Some(parked)
    }

    /// Whether a client waiting on `key` of `db` wants to hear of its deletion.
    fn serves_deleted(&self, db: usize, key: &[u8]) -> bool {
        self.by_key
            .get(&(db, key.to_vec()))
            .is_some_and(|q| q.iter().any(|id| self.parked_serves_deleted(*id)))
    }

    /// Whether parked client `id` wants to hear of its key's deletion.
    fn parked_serves_deleted(&self, id: u64) -> bool {
        self.parked
            .get(&id)
            .is_some_and(|p| p.call.serves_deleted_key)
    }

    /// Drops a disconnecting client.
    pub fn remove_client(&mut self, id: u64) {
        self.unpark(id);
    }
}

impl Ctx<'_> {
    /// Whether this command may block. EXEC and scripts (not implemented
    /// yet) set `Client::deny_blocking` while they run commands; blocking
    /// commands then reply as if they timed out at once.
    pub fn may_block(&self) -> bool {
        !self.client.deny_blocking
    }

    /// Blocks the calling client on `call`: no reply now; the connection
    /// waits until a serve, the timeout or CLIENT UNBLOCK answers.
    pub fn block(&mut self, call: BlockedCall) {
        let parked = Parked {
            db: self.client.db,
            cmd_id: self.cmd_id,
            argv: self.argv.iter().map(|a| a.to_vec()).collect(),
            call,
        };
        self.srv.blocking.park(self.client.id, parked);
        self.client.blocked = true;
        self.blocked = true;
    }
}

/// Parses a blocking timeout in seconds (fractions allowed) into a deadline
/// (0 = forever), or replies with Redis's error.
pub fn timeout_or_reply(ctx: &mut Ctx, i: usize) -> Option<i64> {
    match parse_timeout(ctx.arg(i), ctx.now_ms()) {
        Ok(deadline) => Some(deadline),
        Err(msg) => {
            ctx.error(msg);
            None
        }
    }
}

/// A timeout argument as a deadline in ms (0 = forever), as Redis 7.0's
/// `getTimeoutFromObjectOrReply` computes it, or the error text.
pub fn parse_timeout(arg: &[u8], now_ms: i64) -> Result<i64, &'static str> {
    // Redis parses a long double and takes `ceill(secs * 1000)`: its range,
    // its rounding and the ceiling all show (0.0001 waits 1 ms, -0.001
    // forever, 1e400 is negative, 1e5000 not a float).
    let ms = match LongDouble::parse(arg).ok_or(TIMEOUT_NOT_FLOAT)? {
        Parsed::Infinite => None,
        Parsed::Finite(secs) => secs.checked_mul_u64(1000).and_then(LongDouble::ceil_i64),
    };
    // C's cast to long long lands out-of-range values on LLONG_MIN.
    let ms = ms.unwrap_or(i64::MIN);
    if ms < 0 {
        return Err(TIMEOUT_NEGATIVE);
    }
    if ms == 0 {
        return Ok(0);
    }
    // Redis 7.0 adds without an overflow check and the wrapped deadline
    // never fires: such a client waits forever (but counts as timed).
    Ok(now_ms.saturating_add(ms))
}

/// A timeout that does not parse as a float.
pub const TIMEOUT_NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
/// A negative timeout.
pub const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";

/// Serves clients blocked on keys that now hold a value, in the order they
/// blocked; run after every command that changed the dataset. A serve may
/// create another ready key (BLMOVE's destination), so it repeats until
/// nothing more can be served.
pub fn handle_ready_keys(srv: &mut Server) {
    while srv.blocking.any() {
        let now = srv.now_ms;
        let mut ready: Vec<(usize, Vec<u8>)> = srv
            .blocking
            .by_key
            .keys()
            .filter(|(db, key)| {
                srv.dbs[*db].peek(key, now).is_some() || srv.blocking.serves_deleted(*db, key)
            })
            .cloned()
            .collect();
        // Several keys can become ready at once (SWAPDB, serves): a fixed
        // order keeps service deterministic.
        ready.sort_unstable();
        let mut progressed = false;
        for (db, key) in ready {
            let waiting: Vec<u64> = srv
                .blocking
                .by_key
                .get(&(db, key.clone()))
                .map(|q| q.iter().copied().collect())
                .unwrap_or_default();
            // Every waiter gets its turn, first blocked first, as in Redis:
            // one that cannot use the key (a BZPOPMIN on a list) does not
            // hold back those behind it (a BLPOP).
            for id in waiting {
                let gone = srv.dbs[db].peek(&key, now).is_none();
                if gone && !srv.blocking.parked_serves_deleted(id) {
                    continue;
                }
                progressed |= serve_one(srv, id, &key);
            }
        }
        if !progressed {
            break;
        }
    }
}

/// [`handle_ready_keys`] after `caller`'s command, whose reply is `out`.
/// The caller's connection holds it borrowed, so messages published to it
/// while others are served (a RESP3 client subscribed to the keyspace
/// events its push causes) could not reach it: for the duration it stands
/// in the client table by value, and what it was sent then is moved into
/// `out`, after its reply, where Redis writes it.
pub fn handle_ready_keys_after(srv: &mut Server, caller: &mut Client, out: &mut Vec<u8>) {
    if caller.subscriptions.total() == 0 {
        return handle_ready_keys(srv);
    }
    let id = caller.id;
    let placeholder = Client::new(id, String::new(), String::new(), -1, srv.now_ms, false);
    let stand_in = Rc::new(RefCell::new(std::mem::replace(caller, placeholder)));
    let mark = stand_in.borrow().pushed.len();
    let entry = srv.clients.insert(id, Rc::clone(&stand_in));
    handle_ready_keys(srv);
    match entry {
        Some(rc) => srv.clients.insert(id, rc),
        None => srv.clients.remove(&id),
    };
    std::mem::swap(caller, &mut stand_in.borrow_mut());
    let sent = caller.pushed.split_off(mark);
    // CLIENT REPLY OFF silences pushes too.
    if caller.reply_mode != crate::client::ReplyMode::Off {
        out.extend_from_slice(&sent);
    }
}

/// Tries to complete client `id`'s call against `key`; true when served.
fn serve_one(srv: &mut Server, id: u64, key: &[u8]) -> bool {
    let Some(rc) = srv.clients.get(&id).cloned() else {
        srv.blocking.unpark(id);
        return true;
    };
    let Ok(mut client) = rc.try_borrow_mut() else {
        return false;
    };
    let Some(parked) = srv.blocking.parked.get(&id) else {
        return false;
    };
    let argv_owned = parked.argv.clone();
    let cmd_id = parked.cmd_id;
    let call = parked.call.clone();
    let argv: Vec<&[u8]> = argv_owned.iter().map(Vec::as_slice).collect();
    let mut reply = Vec::new();
    let protocol = client.protocol;
    let mut ctx = Ctx {
        cmd: srv.commands.entry(cmd_id).spec,
        srv,
        client: &mut client,
        argv: &argv,
        out: ReplyWriter::new(&mut reply, protocol),
        cmd_id,
        failed: false,
        redacted: 0,
        blocked: false,
        own_propagation: Default::default(),
        started_us: crate::server::unix_us(),
    };
    let dirty_before = ctx.srv.dirty;
    if (call.serve)(&mut ctx, key, &call.params) == Served::NotReady {
        return false;
    }
    // Redis propagates a served pop as its non-blocking effect, alone.
    let dirty_moved = ctx.srv.dirty != dirty_before;
    let own = std::mem::take(&mut ctx.own_propagation);
    let db = ctx.client.db;
    let failed = ctx.failed;
    crate::propagate::after_handler(srv, db, &argv, dirty_moved, own, false);
    crate::propagate::flush(srv, true);
    if failed {
        srv.stats.commands[cmd_id].failed_calls += 1;
    }
    srv.blocking.unpark(id);
    finish(&mut client, &reply);
    true
}

/// Hands a blocked client its reply and lets its connection go on.
fn finish(client: &mut Client, reply: &[u8]) {
    client.blocked = false;
    client.push_bytes(reply);
}

/// Releases client `id` if it is blocked, with its timeout reply or the
/// CLIENT UNBLOCK error; true if it was blocked.
pub fn release(srv: &mut Server, id: u64, how: Release) -> bool {
    let Some(parked) = srv.blocking.unpark(id) else {
        return false;
    };
    let Some(rc) = srv.clients.get(&id).cloned() else {
        return true;
    };
    let Ok(mut client) = rc.try_borrow_mut() else {
        return true;
    };
    let mut reply = Vec::new();
    let mut out = ReplyWriter::new(&mut reply, client.protocol);
    // WAIT answers how many replicas acknowledged by then.
    let wait_acks = crate::replication::master::finish_wait(srv, id);
    match how {
        Release::Timeout if wait_acks.is_some() => out.int(wait_acks.unwrap_or(0) as i64),
        Release::Error => {
            out.error(UNBLOCKED_ERROR);
            srv.stats.count_error("UNBLOCKED");
            srv.stats.commands[parked.cmd_id].failed_calls += 1;
        }
        Release::RoleChange => {
            out.error(ROLE_CHANGE_ERROR);
            srv.stats.count_error("UNBLOCKED");
            srv.stats.commands[parked.cmd_id].failed_calls += 1;
            client.close_after_reply = true;
        }
        Release::Timeout => match parked.call.on_timeout {
            TimeoutReply::NullArray => out.null_array(),
            TimeoutReply::NullBulk => out.null(),
        },
    }
    finish(&mut client, &reply);
    true
}

/// Times client `id` out if its deadline has passed (called by its
/// connection task's timer); true if it was released.
pub fn expire_if_due(srv: &mut Server, id: u64) -> bool {
    match srv.blocking.deadline(id) {
        Some(d) if d != 0 && d <= srv.now_ms => release(srv, id, Release::Timeout),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(_: &mut Ctx, _: &[u8], _: &BlockParams) -> Served {
        Served::NotReady
    }

    fn parked(db: usize, keys: &[&str], deadline_ms: i64) -> Parked {
        Parked {
            db,
            cmd_id: 0,
            argv: Vec::new(),
            call: BlockedCall {
                keys: keys.iter().map(|k| k.as_bytes().to_vec()).collect(),
                deadline_ms,
                serve: never,
                on_timeout: TimeoutReply::NullArray,
                params: BlockParams::default(),
                serves_deleted_key: false,
            },
        }
    }

    /// A client registered in the server, as a connection would be.
    fn registered(srv: &mut Server, id: u64) -> Rc<RefCell<Client>> {
        let c = Client::new(id, "test".into(), "test".into(), -1, srv.now_ms, true);
        let rc = Rc::new(RefCell::new(c));
        srv.clients.insert(id, rc.clone());
        rc
    }

    /// The reply bytes of one command run by `c` (borrowed, as by its
    /// connection, while it runs).
    fn run(srv: &mut Server, c: &Rc<RefCell<Client>>, line: &str) -> Vec<u8> {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        let mut out = Vec::new();
        crate::command::dispatch::execute(srv, &mut c.borrow_mut(), &argv, &mut out);
        out
    }

    #[test]
    fn a_subscribed_pusher_gets_the_events_of_the_clients_it_serves_after_its_reply() {
        let config = crate::config::Config::from_text("", "test").unwrap();
        let mut srv = Server::new(config);
        let (waiter, pusher) = (registered(&mut srv, 1), registered(&mut srv, 2));
        run(&mut srv, &pusher, "HELLO 3");
        run(&mut srv, &pusher, "CONFIG SET notify-keyspace-events El");
        run(&mut srv, &pusher, "SUBSCRIBE __keyevent@0__:lpop");
        assert!(run(&mut srv, &waiter, "BLPOP k 0").is_empty());
        let got = run(&mut srv, &pusher, "RPUSH k a");
        let event = b">3\r\n$7\r\nmessage\r\n$19\r\n__keyevent@0__:lpop\r\n$1\r\nk\r\n";
        assert_eq!(got, [&b":1\r\n"[..], event].concat());
        let served = std::mem::take(&mut waiter.borrow_mut().pushed);
        assert_eq!(served, b"*2\r\n$1\r\nk\r\n$1\r\na\r\n");
        assert!(pusher.borrow().pushed.is_empty());
        assert!(Rc::ptr_eq(&srv.clients[&2], &pusher));
    }

    #[test]
    fn timeouts_parse_as_redis_does() {
        assert_eq!(parse_timeout(b"0", 1000), Ok(0));
        assert_eq!(parse_timeout(b"0.25", 1000), Ok(1250));
        assert_eq!(parse_timeout(b"1e1", 0), Ok(10_000));
        assert_eq!(parse_timeout(b"-0.0001", 1000), Ok(0));
        assert_eq!(parse_timeout(b"0.0001", 1000), Ok(1001));
        assert_eq!(parse_timeout(b"-0.001", 1000), Ok(0));
        assert_eq!(parse_timeout(b"-0.0011", 0), Err(TIMEOUT_NEGATIVE));
        assert_eq!(parse_timeout(b"8.1", 0), Ok(8101));
        assert_eq!(parse_timeout(b"1e-400", 0), Ok(1));
        assert_eq!(parse_timeout(b"-1e-400", 0), Ok(0));
        assert_eq!(parse_timeout(b"1e400", 0), Err(TIMEOUT_NEGATIVE));
        assert_eq!(parse_timeout(b"-inf", 0), Err(TIMEOUT_NEGATIVE));
        assert_eq!(parse_timeout(b"1e5000", 0), Err(TIMEOUT_NOT_FLOAT));
        assert_eq!(parse_timeout(b"nan", 0), Err(TIMEOUT_NOT_FLOAT));
        assert_eq!(parse_timeout(b"1 ", 0), Err(TIMEOUT_NOT_FLOAT));
        assert_eq!(parse_timeout(b"-1", 0), Err(TIMEOUT_NEGATIVE));
        assert_eq!(parse_timeout(b"inf", 0), Err(TIMEOUT_NEGATIVE));
        assert_eq!(parse_timeout(b"1e20", 0), Err(TIMEOUT_NEGATIVE));
        assert_eq!(parse_timeout(b"abc", 0), Err(TIMEOUT_NOT_FLOAT));
        assert_eq!(parse_timeout(b" 1", 0), Err(TIMEOUT_NOT_FLOAT));
        assert_eq!(
            parse_timeout(b"9223372036000000", 1_700_000_000_000),
            Ok(i64::MAX)
        );
    }

    #[test]
    fn queues_are_fifo_per_key_and_cleaned_up() {
        let mut b = Blocking::default();
        b.park(1, parked(0, &["a", "b"], 0));
        b.park(2, parked(0, &["a"], 500));
        b.park(3, parked(1, &["a", "a"], 0));
        assert_eq!(b.blocked_clients(), 3);
        assert_eq!(b.with_timeout(), 1);
        let q: Vec<u64> = b.by_key[&(0, b"a".to_vec())].iter().copied().collect();
        assert_eq!(q, [1, 2]);
        assert_eq!(b.by_key[&(1, b"a".to_vec())].len(), 1);
        b.remove_client(1);
        let q: Vec<u64> = b.by_key[&(0, b"a".to_vec())].iter().copied().collect();
        assert_eq!(q, [2]);
        assert!(!b.by_key.contains_key(&(0, b"b".to_vec())));
        assert_eq!(b.deadline(2), Some(500));
        assert_eq!(b.deadline(1), None);
        b.remove_client(2);
        b.remove_client(3);
        assert!(!b.any());
        assert_eq!(b.blocking_keys(), 0);
    }
}
