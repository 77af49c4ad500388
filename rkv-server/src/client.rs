//! [`Client`]: the state of one connection that commands and CLIENT LIST see.
//!
//! The socket and buffers belong to the connection task
//! ([`crate::connection`]); this struct is shared through the server's client
//! table so other clients can list, kill or send to it.

use std::cell::Cell;
use std::rc::Rc;

use rkv_proto::Protocol;
use tokio::sync::Notify;

use crate::families::pubsub::ClientSubscriptions;
use crate::tracking::ClientTracking;

/// CLIENT REPLY mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyMode {
    /// Replies are sent.
    #[default]
    On,
    /// Replies are discarded.
    Off,
    /// The next command's reply is discarded.
    SkipNext,
    /// This command's reply is discarded (SKIP takes effect after itself).
    Skip,
}

/// What kind of peer a client is (CLIENT LIST `flags`, CLIENT KILL TYPE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientKind {
    /// An ordinary client.
    #[default]
    Normal,
    /// A client in pub/sub mode.
    Pubsub,
    /// A replica connected to us.
    Replica,
    /// Our master.
    Master,
}

/// One connected client.
#[derive(Debug)]
pub struct Client {
    /// Unique, increasing id (CLIENT ID).
    pub id: u64,
    /// Peer address, `ip:port`.
    pub addr: String,
    /// Local address, `ip:port`.
    pub laddr: String,
    /// File descriptor number of the socket.
    pub fd: i32,
    /// CLIENT SETNAME name.
    pub name: Option<Vec<u8>>,
    /// Selected database.
    pub db: usize,
    /// Negotiated protocol.
    pub protocol: Protocol,
    /// Whether the client has authenticated (or needs not).
    pub authenticated: bool,
    /// ACL user name.
    pub user: String,
    /// Connection time, ms since the epoch.
    pub created_ms: i64,
    /// Time of the last command, ms since the epoch.
    pub last_interaction_ms: i64,
    /// Full name of the last command run (`client|list`), for CLIENT LIST `cmd`.
    pub last_cmd: String,
    /// Peer kind.
    pub kind: ClientKind,
    /// Whether the client is in MONITOR mode.
    pub monitor: bool,
    /// CLIENT NO-EVICT.
    pub no_evict: bool,
    /// CLIENT REPLY mode.
    pub reply_mode: ReplyMode,
    /// Close once pending replies are written (QUIT, protocol errors).
    pub close_after_reply: bool,
    /// Close as soon as possible (CLIENT KILL, output limits).
    pub close_asap: bool,
    /// Query buffer length, for CLIENT LIST.
    pub qbuf: usize,
    /// Free space in the query buffer, for CLIENT LIST.
    pub qbuf_free: usize,
    /// Pending output bytes, for CLIENT LIST `omem`.
    pub omem: usize,
    /// Bytes other clients queued for this one (MONITOR feed, pushes); the
    /// connection task sends them.
    pub pushed: Vec<u8>,
    /// Wakes the connection task when `pushed` grows or the client is killed.
    pub wake: Rc<Notify>,
    /// Waiting in a blocking command (CLIENT LIST flag `b`); the call itself
    /// lives in the server's [`crate::blocking::Blocking`].
    pub blocked: bool,
    /// Blocking commands must not block now: EXEC and scripts set this while
    /// they run commands.
    pub deny_blocking: bool,
    /// Channels, patterns and shard channels this client listens to.
    pub subscriptions: ClientSubscriptions,
    /// When pending output first went over its class's soft limit.
    pub soft_limit_since_ms: Option<i64>,
    /// MULTI state: queued commands, queueing errors.
    pub multi: crate::multi::MultiState,
    /// A watched key changed: EXEC must fail (Redis's `CLIENT_DIRTY_CAS`).
    /// Shared with the server's watch table, which sets it.
    pub dirty_cas: Rc<Cell<bool>>,
    /// Client-side caching settings (CLIENT TRACKING).
    pub tracking: ClientTracking,
    /// Input read from the socket while a busy script served clients
    /// ([`crate::scripting::busy`]) and not consumed there; the connection
    /// task takes it before anything it reads itself.
    pub busy_input: Vec<u8>,
    /// The replication offset after this client's last command: what WAIT
    /// waits for replicas to acknowledge (Redis's `woff`).
    pub repl_write_offset: i64,
}

impl Client {
    /// A new client with default state.
    pub fn new(
        id: u64,
        addr: String,
        laddr: String,
        fd: i32,
        now_ms: i64,
        authenticated: bool,
    ) -> Self {
        Client {
            id,
            addr,
            laddr,
            fd,
            name: None,
            db: 0,
            protocol: Protocol::Resp2,
            authenticated,
            user: "default".into(),
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_cmd: "NULL".into(),
            kind: ClientKind::Normal,
            monitor: false,
            no_evict: false,
            reply_mode: ReplyMode::On,
            close_after_reply: false,
            close_asap: false,
            qbuf: 0,
            qbuf_free: 0,
            omem: 0,
            pushed: Vec::new(),
            wake: Rc::new(Notify::new()),
            blocked: false,
            deny_blocking: false,
            subscriptions: ClientSubscriptions::default(),
            soft_limit_since_ms: None,
            multi: crate::multi::MultiState::default(),
            dirty_cas: Rc::new(Cell::new(false)),
            tracking: ClientTracking::default(),
            busy_input: Vec::new(),
            repl_write_offset: 0,
        }
    }

    /// Queues bytes for this client from elsewhere and wakes its task.
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        self.pushed.extend_from_slice(bytes);
        self.wake.notify_one();
    }

    /// Output waiting for the socket: the unsent part of the reply being
    /// written plus what other clients queued since (CLIENT LIST `omem`,
    /// output buffer limits, client memory).
    pub fn pending_output(&self) -> usize {
        self.omem + self.pushed.len()
    }

    /// Asks the connection task to close this client now.
    pub fn kill(&mut self) {
        self.close_asap = true;
        self.wake.notify_one();
    }
}
