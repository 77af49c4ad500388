//! Server configuration: the directive table, loading from a redis.conf
//! style file and `--name value` arguments, and CONFIG GET/SET/REWRITE.
//!
//! Like Redis's `standardConfig` table, every directive is declared once as
//! data in [`table`]; [`Config`] holds the typed values the server reads.

mod get;
mod levels;
mod load;
mod output_limits;
mod rewrite;
mod save_points;
mod scalars;
mod set;
mod spec;
mod split_args;
mod table;

#[cfg(test)]
mod sample_file_tests;

use std::path::PathBuf;

use crate::evict::MaxmemoryPolicy;

pub use levels::{FsyncPolicy, LogLevel, ProtectedAccess};
pub use load::{AppliedDirective, ConfigError, LoadedConfig};
pub use output_limits::{ClassLimit, OutputBufferLimits};
pub use set::ConfigSetError;
pub use spec::{DirectiveSpec, Flags, Kind, Value};
pub use table::{lookup, DIRECTIVES};

/// The server's configuration as plain typed fields. Build it with
/// [`Config::default`] or [`Config::from_args`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `port`: TCP port to listen on; 0 disables TCP.
    pub port: u16,
    /// `bind`: addresses to listen on; a leading `-` marks an address
    /// whose absence is not an error.
    pub bind: Vec<String>,
    /// `protected-mode`: refuse non-loopback clients when no password and
    /// no explicit bind are configured.
    pub protected_mode: bool,
    /// `tcp-backlog`: listen(2) backlog.
    pub tcp_backlog: u32,
    /// `timeout`: close clients idle for this many seconds (0 = never).
    pub timeout: u32,
    /// `tcp-keepalive`: SO_KEEPALIVE interval in seconds (0 = off).
    pub tcp_keepalive: u32,
    /// `maxclients`: most simultaneous clients.
    pub maxclients: u32,
    /// `databases`: number of logical databases.
    pub databases: u32,
    /// `dir`: working directory; relative only for the default `.`. The
    /// server changes into it at start-up and when CONFIG SET changes it.
    pub dir: PathBuf,
    /// `pidfile`: where to write the process id, if anywhere.
    pub pidfile: Option<PathBuf>,
    /// `loglevel`: how much to log.
    pub loglevel: LogLevel,
    /// `logfile`: log destination; `None` means standard output.
    pub logfile: Option<PathBuf>,
    /// `requirepass`: password of the default user, if any.
    pub requirepass: Option<String>,
    /// `hz`: background task frequency, always within 1..=500.
    pub hz: u32,
    /// `dynamic-hz`: raise hz with the number of clients.
    pub dynamic_hz: bool,
    /// `active-expire-effort`: 1..=10, effort spent expiring keys.
    pub active_expire_effort: u32,
    /// `proto-max-bulk-len`: largest bulk string a client may send, bytes.
    pub proto_max_bulk_len: u64,
    /// `client-query-buffer-limit`: largest query buffer per client, bytes.
    pub client_query_buffer_limit: u64,
    /// `client-output-buffer-limit`: pending output allowed per client class.
    pub client_output_buffer_limit: OutputBufferLimits,
    /// `enable-debug-command`: who may run DEBUG.
    pub enable_debug_command: ProtectedAccess,
    /// `slowlog-log-slower-than`: microseconds; -1 disables, 0 logs all.
    pub slowlog_log_slower_than: i64,
    /// `slowlog-max-len`: entries kept in the slow log.
    pub slowlog_max_len: u64,
    /// `busy-reply-threshold` (alias `lua-time-limit`): milliseconds a
    /// script runs before other clients get BUSY replies; 0 never.
    pub busy_reply_threshold: u64,
    /// `latency-monitor-threshold`: milliseconds; 0 disables.
    pub latency_monitor_threshold: u64,
    /// `hll-sparse-max-bytes`: largest sparse HyperLogLog before it turns dense.
    pub hll_sparse_max_bytes: u64,
    /// `set-max-intset-entries`: largest set kept in the `intset` encoding.
    pub set_max_intset_entries: u64,
    /// `zset-max-listpack-entries`: largest sorted set kept as a listpack.
    pub zset_max_listpack_entries: u64,
    /// `zset-max-listpack-value`: longest member (bytes) a listpack sorted
    /// set may hold.
    pub zset_max_listpack_value: u64,
    /// `daemonize`: always `false`; rkv runs in the foreground.
    pub daemonize: bool,
    /// `hash-max-listpack-entries`: most fields a `listpack` hash holds.
    pub hash_max_listpack_entries: u64,
    /// `hash-max-listpack-value`: longest field or value (bytes) a
    /// `listpack` hash holds.
    pub hash_max_listpack_value: u64,
    /// `list-max-listpack-size` (alias `list-max-ziplist-size`): Redis's
    /// quicklist node size limit. Accepted for compatibility; rkv's list
    /// layout does not depend on it and OBJECT ENCODING is `quicklist`
    /// whatever its value, as in Redis 7.0.
    pub list_max_listpack_size: i32,
    /// `list-compress-depth`: how many quicklist nodes at each end stay
    /// uncompressed in Redis. Accepted for compatibility; rkv does not
    /// compress lists.
    pub list_compress_depth: i32,
    /// `notify-keyspace-events`: which keyspace notifications are
    /// published, as `keyspace_events::class` bits (0: none).
    pub notify_keyspace_events: u32,
    /// `tracking-table-max-keys`: most keys the client-side caching table
    /// holds before random ones are invalidated (0: no limit).
    pub tracking_table_max_keys: u64,
    /// `maxmemory`: bytes of used memory past which keys are evicted or
    /// commands refused (0: no limit).
    pub maxmemory: u64,
    /// `maxmemory-policy`: what to evict at the limit.
    pub maxmemory_policy: MaxmemoryPolicy,
    /// `maxmemory-samples`: keys sampled per database per eviction round.
    pub maxmemory_samples: u32,
    /// `maxmemory-eviction-tenacity`: 0..=100, how long one eviction pass
    /// may run before it yields.
    pub maxmemory_eviction_tenacity: u32,
    /// `lfu-log-factor`: how many accesses it takes to grow the LFU counter.
    pub lfu_log_factor: u32,
    /// `lfu-decay-time`: minutes per point of LFU counter decay (0: none).
    pub lfu_decay_time: u32,
    /// `maxmemory-clients`: bytes all client connections may use together
    /// before the biggest are evicted (0: no limit); negative: a percentage
    /// of `maxmemory`, as Redis stores it.
    pub maxmemory_clients: i64,
    /// `lazyfree-lazy-eviction`: free evicted values in the background.
    pub lazyfree_lazy_eviction: bool,
    /// `lazyfree-lazy-expire`: free expired values in the background.
    pub lazyfree_lazy_expire: bool,
    /// `lazyfree-lazy-server-del`: free values the server deletes
    /// implicitly (overwrites, RENAME) in the background.
    pub lazyfree_lazy_server_del: bool,
    /// `lazyfree-lazy-user-del`: DEL behaves like UNLINK.
    pub lazyfree_lazy_user_del: bool,
    /// `jemalloc-bg-thread`: jemalloc returns unused pages to the system
    /// on its own threads, never in the middle of a command.
    pub jemalloc_bg_thread: bool,
    /// `lazyfree-lazy-user-flush`: FLUSHALL/FLUSHDB default to ASYNC.
    pub lazyfree_lazy_user_flush: bool,
    /// `active-defrag-*` tuning (accepted; `activedefrag` itself cannot be
    /// enabled).
    pub active_defrag: ActiveDefragConfig,
    /// `save`: RDB save points as (seconds, changes): snapshot when at
    /// least `changes` writes happened within `seconds`. Empty: never.
    pub save_points: Vec<(u64, u64)>,
    /// `dbfilename`: the snapshot's file name inside `dir`.
    pub dbfilename: String,
    /// `rdbcompression`: LZF-compress long strings in snapshots and DUMP.
    pub rdbcompression: bool,
    /// `rdbchecksum`: write and verify the CRC64 footer of snapshots.
    pub rdbchecksum: bool,
    /// `stop-writes-on-bgsave-error`: refuse writes (`-MISCONF`) while the
    /// last background save failed and save points are configured.
    pub stop_writes_on_bgsave_error: bool,
    /// `rdb-del-sync-files`: delete snapshots made only for replication
    /// (rkv has no replication, so this never deletes anything).
    pub rdb_del_sync_files: bool,
    /// `appendonly`: log every write to the append-only file.
    pub appendonly: bool,
    /// `appendfilename`: the prefix of the append-only files.
    pub appendfilename: String,
    /// `appenddirname`: the directory (inside `dir`) holding them.
    pub appenddirname: String,
    /// `appendfsync`: when the file is flushed to disk.
    pub appendfsync: FsyncPolicy,
    /// `no-appendfsync-on-rewrite`: skip fsyncs while a rewrite runs.
    pub no_appendfsync_on_rewrite: bool,
    /// `auto-aof-rewrite-percentage`: growth over the base that triggers a rewrite (0: never).
    pub auto_aof_rewrite_percentage: u32,
    /// `auto-aof-rewrite-min-size`: no automatic rewrite below this size.
    pub auto_aof_rewrite_min_size: u64,
    /// `aof-load-truncated`: start with a torn tail cut instead of refusing.
    pub aof_load_truncated: bool,
    /// `aof-use-rdb-preamble`: base files are RDB images.
    pub aof_use_rdb_preamble: bool,
    /// `aof-timestamp-enabled`: `#TS:` annotations in the file.
    pub aof_timestamp_enabled: bool,
    /// `aof-rewrite-incremental-fsync`: fsync a rewrite as it goes.
    pub aof_rewrite_incremental_fsync: bool,
    /// `repl-backlog-size`: bytes of the replication stream kept for
    /// partial resyncs.
    pub repl_backlog_size: u64,
    /// `repl-backlog-ttl`: seconds without replicas after which a master
    /// frees its backlog (0: never).
    pub repl_backlog_ttl: u64,
    /// `repl-diskless-sync`: full syncs stream the snapshot to replicas
    /// through a pipe instead of a file.
    pub repl_diskless_sync: bool,
    /// `repl-diskless-sync-delay`: seconds to wait for more replicas
    /// before a diskless sync starts.
    pub repl_diskless_sync_delay: u64,
    /// `repl-diskless-sync-max-replicas`: start a diskless sync at once
    /// when this many replicas wait (0: no limit).
    pub repl_diskless_sync_max_replicas: u64,
    /// `repl-ping-replica-period`: seconds between PINGs on the stream.
    pub repl_ping_replica_period: u64,
    /// `min-replicas-to-write`: refuse writes with fewer good replicas.
    pub min_replicas_to_write: u64,
    /// `min-replicas-max-lag`: seconds since its last ACK under which a
    /// replica counts as good.
    pub min_replicas_max_lag: u64,
    /// `repl-disable-tcp-nodelay`: let the kernel batch the stream to
    /// replicas.
    pub repl_disable_tcp_nodelay: bool,
    /// `replicaof host port` (alias `slaveof`): the master this server
    /// replicates, empty when it is a master; kept in step with REPLICAOF
    /// so CONFIG GET and REWRITE show the current master.
    pub replicaof: Vec<String>,
    /// `masterauth`: the password sent to the master (AUTH).
    pub masterauth: Option<String>,
    /// `masteruser`: the ACL user to authenticate to the master as.
    pub masteruser: Option<String>,
    /// `replica-read-only`: normal clients may not write to a replica.
    pub replica_read_only: bool,
    /// `replica-serve-stale-data`: answer with the old data while the link
    /// to the master is down (else `-MASTERDOWN`).
    pub replica_serve_stale_data: bool,
    /// `repl-diskless-load`: where the master's snapshot goes before it is
    /// loaded.
    pub repl_diskless_load: crate::replication::replica::DisklessLoad,
    /// `replica-priority`: Sentinel's promotion preference (INFO only).
    pub replica_priority: u32,
    /// `replica-announced`: whether Sentinel lists this replica (INFO only).
    pub replica_announced: bool,
    /// `replica-announce-ip`: the address sent with REPLCONF ip-address.
    pub replica_announce_ip: Option<String>,
    /// `replica-announce-port`: the port sent with REPLCONF
    /// listening-port (0: the listening port).
    pub replica_announce_port: u16,
    /// `replica-ignore-maxmemory`: a replica does not evict on its own.
    pub replica_ignore_maxmemory: bool,
    /// `repl-timeout`: seconds without data from the master before the
    /// link is dropped.
    pub repl_timeout: u32,
    /// `rdb-key-save-delay` (hidden, for tests): microseconds a snapshot
    /// sleeps after each key (negative: nanoseconds), to make saves slow.
    pub rdb_key_save_delay: i64,
}

/// The `active-defrag-*` directives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActiveDefragConfig {
    /// `active-defrag-ignore-bytes`: fragmentation waste below which
    /// nothing would be done.
    pub ignore_bytes: u64,
    /// `active-defrag-threshold-lower`: fragmentation percent to start.
    pub threshold_lower: u32,
    /// `active-defrag-threshold-upper`: fragmentation percent for full effort.
    pub threshold_upper: u32,
    /// `active-defrag-cycle-min`: least CPU percent spent.
    pub cycle_min: u32,
    /// `active-defrag-cycle-max`: most CPU percent spent.
    pub cycle_max: u32,
    /// `active-defrag-max-scan-fields`: fields past which a value is
    /// handled on its own.
    pub max_scan_fields: u64,
}

impl Default for Config {
    /// Every directive at the default declared in the table.
    fn default() -> Config {
        let mut config = Config::blank();
        for spec in DIRECTIVES {
            (spec.write)(&mut config, spec.default_value());
        }
        config
    }
}

/// One row of [`Config::all_directives`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveInfo {
    /// Canonical name.
    pub name: &'static str,
    /// Alternative names.
    pub aliases: &'static [&'static str],
    /// Current value, as CONFIG GET shows it.
    pub value: String,
    /// Default, as written in a config file.
    pub default: &'static str,
    /// Behaviour flags.
    pub flags: Flags,
}

impl Config {
    /// A placeholder whose every field the table then overwrites.
    fn blank() -> Config {
        Config {
            port: 0,
            bind: Vec::new(),
            protected_mode: false,
            tcp_backlog: 0,
            timeout: 0,
            tcp_keepalive: 0,
            maxclients: 0,
            databases: 0,
            dir: PathBuf::new(),
            pidfile: None,
            loglevel: LogLevel::Notice,
            logfile: None,
            requirepass: None,
            hz: 0,
            dynamic_hz: false,
            active_expire_effort: 0,
            proto_max_bulk_len: 0,
            client_query_buffer_limit: 0,
            client_output_buffer_limit: OutputBufferLimits::default(),
            enable_debug_command: ProtectedAccess::No,
            slowlog_log_slower_than: 0,
            slowlog_max_len: 0,
            busy_reply_threshold: 0,
            latency_monitor_threshold: 0,
            hll_sparse_max_bytes: 0,
            set_max_intset_entries: 0,
            zset_max_listpack_entries: 0,
            zset_max_listpack_value: 0,
            daemonize: false,
            hash_max_listpack_entries: 0,
            hash_max_listpack_value: 0,
            list_max_listpack_size: 0,
            list_compress_depth: 0,
            notify_keyspace_events: 0,
            tracking_table_max_keys: 0,
            maxmemory: 0,
            maxmemory_policy: MaxmemoryPolicy::NoEviction,
            maxmemory_samples: 0,
            maxmemory_eviction_tenacity: 0,
            lfu_log_factor: 0,
            lfu_decay_time: 0,
            maxmemory_clients: 0,
            lazyfree_lazy_eviction: false,
            lazyfree_lazy_expire: false,
            lazyfree_lazy_server_del: false,
            lazyfree_lazy_user_del: false,
            jemalloc_bg_thread: true,
            lazyfree_lazy_user_flush: false,
            active_defrag: ActiveDefragConfig::default(),
            save_points: Vec::new(),
            dbfilename: String::new(),
            rdbcompression: false,
            rdbchecksum: false,
            stop_writes_on_bgsave_error: false,
            rdb_del_sync_files: false,
            appendonly: false,
            appendfilename: String::new(),
            appenddirname: String::new(),
            appendfsync: FsyncPolicy::EverySec,
            no_appendfsync_on_rewrite: false,
            auto_aof_rewrite_percentage: 0,
            auto_aof_rewrite_min_size: 0,
            aof_load_truncated: false,
            aof_use_rdb_preamble: false,
            aof_timestamp_enabled: false,
            aof_rewrite_incremental_fsync: false,
            repl_backlog_size: 0,
            repl_backlog_ttl: 0,
            rdb_key_save_delay: 0,
            repl_diskless_sync: false,
            repl_diskless_sync_delay: 0,
            repl_diskless_sync_max_replicas: 0,
            repl_ping_replica_period: 0,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 0,
            repl_disable_tcp_nodelay: false,
            replicaof: Vec::new(),
            masterauth: None,
            masteruser: None,
            replica_read_only: false,
            replica_serve_stale_data: false,
            repl_diskless_load: crate::replication::replica::DisklessLoad::Disabled,
            replica_priority: 0,
            replica_announced: false,
            replica_announce_ip: None,
            replica_announce_port: 0,
            replica_ignore_maxmemory: false,
            repl_timeout: 0,
        }
    }

    /// Every directive of the table with its current value and default.
    pub fn all_directives(&self) -> impl Iterator<Item = DirectiveInfo> + '_ {
        DIRECTIVES.iter().map(move |spec| DirectiveInfo {
            name: spec.name,
            aliases: spec.aliases,
            value: spec.display(self),
            default: spec.default,
            flags: spec.flags,
        })
    }

    /// Whether the directive called `name` holds a secret whose value must
    /// be hidden from logs, MONITOR and the slow log.
    pub fn is_sensitive(name: &str) -> bool {
        lookup(name).is_some_and(|spec| spec.flags.contains(Flags::SENSITIVE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_redis() {
        let c = Config::default();
        assert_eq!(c.port, 6379);
        assert_eq!(c.bind, ["127.0.0.1", "-::1"]);
        assert!(c.protected_mode);
        assert_eq!(c.tcp_backlog, 511);
        assert_eq!(c.timeout, 0);
        assert_eq!(c.tcp_keepalive, 300);
        assert_eq!(c.maxclients, 10000);
        assert_eq!(c.databases, 16);
        assert_eq!(c.dir, PathBuf::from("."));
        assert_eq!(c.pidfile, None);
        assert_eq!(c.loglevel, LogLevel::Notice);
        assert_eq!(c.logfile, None);
        assert_eq!(c.requirepass, None);
        assert_eq!(c.hz, 10);
        assert!(c.dynamic_hz);
        assert_eq!(c.active_expire_effort, 1);
        assert_eq!(c.proto_max_bulk_len, 512 * 1024 * 1024);
        assert_eq!(c.client_query_buffer_limit, 1024 * 1024 * 1024);
        assert_eq!(c.enable_debug_command, ProtectedAccess::No);
        assert_eq!(c.slowlog_log_slower_than, 10000);
        assert_eq!(c.slowlog_max_len, 128);
        assert_eq!(c.latency_monitor_threshold, 0);
        assert!(!c.daemonize);
    }

    #[test]
    fn every_default_reads_back_as_declared() {
        let c = Config::default();
        for spec in DIRECTIVES {
            assert_eq!((spec.read)(&c), spec.default_value(), "{}", spec.name);
        }
    }

    #[test]
    fn table_names_are_unique_lowercase() {
        for (i, spec) in DIRECTIVES.iter().enumerate() {
            assert_eq!(spec.name, spec.name.to_ascii_lowercase());
            assert!(DIRECTIVES[..i].iter().all(|d| !d.answers_to(spec.name)));
        }
    }

    #[test]
    fn all_directives_lists_the_table() {
        let rows: Vec<_> = Config::default().all_directives().collect();
        assert_eq!(rows.len(), DIRECTIVES.len());
        let port = rows.iter().find(|r| r.name == "port").unwrap();
        assert_eq!((port.value.as_str(), port.default), ("6379", "6379"));
        assert!(Config::is_sensitive("REQUIREPASS"));
        assert!(!Config::is_sensitive("port"));
    }
}
