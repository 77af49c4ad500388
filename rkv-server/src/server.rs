//! [`Server`]: all state the keyspace thread owns, and its clock.
//!
//! Exactly one thread touches a `Server`: connection tasks and the cron run on
//! one current-thread runtime and reach it through `Rc<RefCell<Server>>`, so a
//! command is a plain function call on this struct, with no locks.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Instant;

use tokio::sync::Notify;

use crate::blocking::Blocking;
use crate::client::Client;
use crate::command::CommandTable;
use crate::config::{Config, LoadedConfig};
use crate::db::Db;
use crate::families::pubsub::Registry as PubSubRegistry;
use crate::latency::LatencyMonitor;
use crate::scripting::ScriptingState;
use crate::slowlog::SlowLog;
use crate::stats::{CommandStats, Stats};
use crate::tracking::Tracking;

/// The server version clients see in INFO and HELLO (clients gate features on it).
pub const REDIS_VERSION: &str = "7.0.15";
/// rkv's own version.
pub const RKV_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How SHUTDOWN was asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownRequest {
    /// SIGTERM or SIGINT: save first when save points exist.
    Normal,
    /// SHUTDOWN, which already saved (or was told not to).
    Prepared,
}

/// A CLIENT PAUSE in effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    /// When it ends, ms since the epoch.
    pub until_ms: i64,
    /// Pause only writes (`WRITE`) rather than every command (`ALL`).
    pub writes_only: bool,
}

/// The clients table, by id (ascending, as CLIENT LIST prints them).
pub type Clients = BTreeMap<u64, Rc<RefCell<Client>>>;

/// Everything the keyspace thread owns.
#[derive(Debug)]
pub struct Server {
    /// Current configuration.
    pub config: Config,
    /// Where the configuration came from (CONFIG REWRITE).
    pub loaded_config: LoadedConfig,
    /// The databases.
    pub dbs: Vec<Db>,
    /// How many command calls are running (a script's or a transaction's
    /// commands run inside their caller's); only the outermost sets the
    /// cached clock.
    pub call_depth: u32,
    /// The expired-key generation (`db::keyspace::expired_queued_generation`)
    /// `propagate::collect_expired` last caught up with.
    pub expired_collected: u64,
    /// Connected clients.
    pub clients: Clients,
    /// Id for the next client.
    pub next_client_id: u64,
    /// The command table.
    pub commands: &'static CommandTable,
    /// Counters.
    pub stats: Stats,
    /// SLOWLOG.
    pub slowlog: SlowLog,
    /// LATENCY.
    pub latency: LatencyMonitor,
    /// Changes since the last save (`rdb_changes_since_last_save`).
    pub dirty: u64,
    /// Start time.
    pub started: Instant,
    /// Start time, ms since the epoch.
    pub started_ms: i64,
    /// Random 40-hex-digit run id.
    pub run_id: String,
    /// Cached wall clock (ms), refreshed before each command and cron tick.
    pub now_ms: i64,
    /// TCP port actually bound.
    pub port: u16,
    /// Highest memory use seen (INFO used_memory_peak).
    pub peak_memory: usize,
    /// Allocator bytes in use once start-up finished (INFO used_memory_startup).
    pub used_memory_startup: usize,
    /// Set when the server should exit.
    pub shutdown: Option<ShutdownRequest>,
    /// Wakes the main task to act on `shutdown`.
    pub shutdown_notify: Rc<Notify>,
    /// An active CLIENT PAUSE.
    pub pause: Option<Pause>,
    /// Ids of clients in MONITOR mode.
    pub monitors: Vec<u64>,
    /// Whether the active expiry cycle runs (DEBUG SET-ACTIVE-EXPIRE).
    pub active_expire_enabled: bool,
    /// Cron iterations so far.
    pub cron_loops: u64,
    /// Path of the running executable (INFO executable).
    pub executable: String,
    /// Clients blocked on keys (BLPOP...).
    pub blocking: Blocking,
    /// Pub/sub subscriptions, by channel, pattern and shard channel.
    pub pubsub: PubSubRegistry,
    /// WATCHed keys and their watchers.
    pub watches: crate::watch::Watches,
    /// Client-side caching: tracked keys and BCAST prefixes.
    pub tracking: Tracking,
    /// Lua scripting: the EVAL script cache and FUNCTION libraries.
    pub scripting: ScriptingState,
    /// maxmemory eviction: the candidate pool and pass state.
    pub eviction: crate::evict::EvictionState,
    /// RDB snapshots: last save, background child, loading.
    pub rdb: crate::persistence::RdbState,
    /// Commands waiting to be propagated (see [`crate::propagate`]).
    pub propagation: crate::propagate::Propagation,
    /// The append-only file, when `appendonly yes`.
    pub aof: Option<Box<crate::aof::Aof>>,
    /// BGREWRITEAOF: the rewrite child and its bookkeeping.
    pub aof_rewrite: crate::aof::rewrite::RewriteState,
    /// `appendfsync always`: one fsync for the writes of one loop turn.
    pub aof_group_commit: Rc<crate::aof::group_commit::GroupCommit>,
    /// Replication: ids, offsets, replicas and the link to a master.
    pub replication: crate::replication::ReplicationState,
}

impl Server {
    /// A server with empty databases, not yet listening.
    pub fn new(loaded: LoadedConfig) -> Self {
        let config = loaded.config.clone();
        let commands = crate::command::table();
        let now = unix_ms();
        let stats = Stats {
            commands: vec![CommandStats::default(); commands.len()],
            ..Stats::default()
        };
        Server {
            dbs: (0..config.databases.max(1)).map(|_| Db::new()).collect(),
            expired_collected: 0,
            call_depth: 0,
            port: config.port,
            config,
            loaded_config: loaded,
            clients: BTreeMap::new(),
            next_client_id: 1,
            commands,
            stats,
            slowlog: SlowLog::default(),
            latency: LatencyMonitor::default(),
            dirty: 0,
            started: Instant::now(),
            started_ms: now,
            run_id: random_hex(40),
            now_ms: now,
            peak_memory: 0,
            used_memory_startup: crate::memory::used_memory(),
            shutdown: None,
            shutdown_notify: Rc::new(Notify::new()),
            pause: None,
            monitors: Vec::new(),
            active_expire_enabled: true,
            cron_loops: 0,
            executable: std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            blocking: Blocking::default(),
            pubsub: PubSubRegistry::default(),
            watches: crate::watch::Watches::default(),
            tracking: Tracking::default(),
            scripting: ScriptingState::new(),
            eviction: crate::evict::EvictionState::default(),
            rdb: crate::persistence::RdbState::new(now / 1000),
            propagation: crate::propagate::Propagation::default(),
            aof: None,
            aof_rewrite: crate::aof::rewrite::RewriteState::default(),
            replication: crate::replication::ReplicationState::new(),
            aof_group_commit: Rc::default(),
        }
    }

    /// Refreshes the cached clock.
    pub fn update_clock(&mut self) {
        self.now_ms = unix_ms();
    }

    /// Sets the cached time from a clock read (microseconds since the
    /// Unix epoch) made for another purpose.
    pub fn set_clock_us(&mut self, now_us: i64) {
        self.now_ms = now_us / 1000;
    }

    /// Asks the server to stop.
    pub fn request_shutdown(&mut self, how: ShutdownRequest) {
        self.shutdown = Some(how);
        self.shutdown_notify.notify_one();
    }

    /// Whether clients must authenticate.
    pub fn auth_required(&self) -> bool {
        self.config
            .requirepass
            .as_deref()
            .is_some_and(|p| !p.is_empty())
    }

    /// Total keys in all databases.
    pub fn total_keys(&self) -> usize {
        self.dbs.iter().map(Db::len).sum()
    }

    /// Keys expired in all databases.
    pub fn expired_keys(&self) -> u64 {
        self.dbs.iter().map(|d| d.expired_count).sum()
    }
}

/// Milliseconds since the Unix epoch.
pub fn unix_ms() -> i64 {
    unix_us() / 1000
}

/// Microseconds since the Unix epoch.
pub fn unix_us() -> i64 {
    // clock_gettime directly: every command reads the clock twice, and
    // SystemTime's checked arithmetic costs more than the read itself.
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill.
    if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) } != 0 {
        return 0;
    }
    ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
}

/// `n` random lower-case hex digits, from the OS's randomness when available.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n.div_ceil(2)];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .is_ok();
    if !filled {
        let mut x = unix_us() as u64 ^ (std::process::id() as u64) << 32;
        for b in bytes.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
    }
    let mut s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    s.truncate(n);
    s
}
