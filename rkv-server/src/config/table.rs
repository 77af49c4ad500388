//! The directive table: every configuration directive rkv understands,
//! declared as data. Loading, CONFIG GET/SET/REWRITE and the sample file
//! test all read this one list.

use std::path::PathBuf;

use super::levels::FsyncPolicy;
use super::levels::{LogLevel, ProtectedAccess};
use super::output_limits::OutputBufferLimits;
use super::spec::{DirectiveSpec, Flags, Kind, Value};
use crate::evict::MaxmemoryPolicy;
use crate::replication::replica::DisklessLoad;

const INT_MAX: i64 = i32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
const MB: u64 = 1024 * 1024;

const LOG_LEVELS: &[&str] = &["debug", "verbose", "notice", "warning"];
const PROTECTED_ACCESS: &[&str] = &["no", "yes", "local"];
const FSYNC_POLICIES: &[&str] = &["always", "everysec", "no"];
const DISKLESS_LOAD: &[&str] = &["disabled", "on-empty-db", "swapdb"];

/// Redis's CONFIG_BINDADDR_MAX.
const MAX_BIND_ADDRESSES: usize = 16;
/// Redis caps `hz` to this range instead of refusing other values.
const HZ_RANGE: (i64, i64) = (1, 500);

/// All directives, in the order CONFIG REWRITE and the sample file use.
pub static DIRECTIVES: &[DirectiveSpec] = &[
    DirectiveSpec {
        name: "daemonize",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::IMMUTABLE,
        check: Some(refuse_daemonize),
        read: |c| Value::Bool(c.daemonize),
        write: |c, v| c.daemonize = v.bool(),
    },
    DirectiveSpec {
        name: "pidfile",
        aliases: &[],
        kind: Kind::Str {
            empty_is_unset: true,
        },
        default: "",
        flags: Flags::IMMUTABLE,
        check: None,
        read: |c| Value::Text(path_text(&c.pidfile)),
        write: |c, v| c.pidfile = text_path(v.text()),
    },
    DirectiveSpec {
        name: "loglevel",
        aliases: &[],
        kind: Kind::Enum(LOG_LEVELS),
        default: "notice",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Choice(c.loglevel as usize),
        write: |c, v| {
            c.loglevel = [
                LogLevel::Debug,
                LogLevel::Verbose,
                LogLevel::Notice,
                LogLevel::Warning,
            ][v.choice()]
        },
    },
    DirectiveSpec {
        name: "logfile",
        aliases: &[],
        kind: Kind::Str {
            empty_is_unset: false,
        },
        default: "",
        flags: Flags::IMMUTABLE,
        check: None,
        read: |c| Value::Text(path_text(&c.logfile)),
        write: |c, v| c.logfile = text_path(v.text()),
    },
    DirectiveSpec {
        name: "save",
        aliases: &[],
        kind: Kind::List,
        default: "3600 1 300 100 60 10000",
        flags: Flags::NONE,
        check: Some(check_save_points),
        read: |c| Value::Words(super::save_points::to_words(&c.save_points)),
        write: |c, v| c.save_points = super::save_points::parse(&v.words()).unwrap_or_default(),
    },
    DirectiveSpec {
        name: "dbfilename",
        aliases: &[],
        kind: Kind::Str {
            empty_is_unset: false,
        },
        default: "dump.rdb",
        flags: Flags::PROTECTED,
        check: Some(check_dbfilename),
        read: |c| Value::Text(c.dbfilename.clone()),
        write: |c, v| c.dbfilename = v.text(),
    },
    DirectiveSpec {
        name: "rdbcompression",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.rdbcompression),
        write: |c, v| c.rdbcompression = v.bool(),
    },
    DirectiveSpec {
        name: "rdbchecksum",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::IMMUTABLE,
        check: None,
        read: |c| Value::Bool(c.rdbchecksum),
        write: |c, v| c.rdbchecksum = v.bool(),
    },
    DirectiveSpec {
        name: "stop-writes-on-bgsave-error",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.stop_writes_on_bgsave_error),
        write: |c, v| c.stop_writes_on_bgsave_error = v.bool(),
    },
    DirectiveSpec {
        name: "rdb-del-sync-files",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.rdb_del_sync_files),
        write: |c, v| c.rdb_del_sync_files = v.bool(),
    },
    DirectiveSpec {
        name: "appendonly",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.appendonly),
        write: |c, v| c.appendonly = v.bool(),
    },
    DirectiveSpec {
        name: "appendfilename",
        aliases: &[],
        kind: Kind::Str {
            empty_is_unset: false,
        },
        default: "appendonly.aof",
        flags: Flags::IMMUTABLE,
        check: Some(check_plain_file_name),
        read: |c| Value::Text(c.appendfilename.clone()),
        write: |c, v| c.appendfilename = v.text(),
    },
    DirectiveSpec {
        name: "appenddirname",
        aliases: &[],
        kind: Kind::Str {
            empty_is_unset: false,
        },
        default: "appendonlydir",
        flags: Flags::IMMUTABLE,
        check: Some(check_plain_file_name),
        read: |c| Value::Text(c.appenddirname.clone()),
        write: |c, v| c.appenddirname = v.text(),
    },
    DirectiveSpec {
        name: "appendfsync",
        aliases: &[],
        kind: Kind::Enum(FSYNC_POLICIES),
        default: "everysec",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Choice(c.appendfsync as usize),
        write: |c, v| c.appendfsync = FsyncPolicy::from_index(v.choice()),
    },
    DirectiveSpec {
        name: "no-appendfsync-on-rewrite",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.no_appendfsync_on_rewrite),
        write: |c, v| c.no_appendfsync_on_rewrite = v.bool(),
    },
    DirectiveSpec {
        name: "auto-aof-rewrite-percentage",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "100",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.auto_aof_rewrite_percentage.into()),
        write: |c, v| c.auto_aof_rewrite_percentage = narrow(v.int()),
    },
    DirectiveSpec {
        name: "auto-aof-rewrite-min-size",
        aliases: &[],
        kind: Kind::Memory {
            min: 0,
            max: LONG_MAX as u64,
        },
        default: "64mb",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bytes(c.auto_aof_rewrite_min_size),
        write: |c, v| c.auto_aof_rewrite_min_size = v.bytes(),
    },
    DirectiveSpec {
        name: "aof-load-truncated",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.aof_load_truncated),
        write: |c, v| c.aof_load_truncated = v.bool(),
    },
    DirectiveSpec {
        name: "aof-use-rdb-preamble",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.aof_use_rdb_preamble),
        write: |c, v| c.aof_use_rdb_preamble = v.bool(),
    },
    DirectiveSpec {
        name: "aof-timestamp-enabled",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.aof_timestamp_enabled),
        write: |c, v| c.aof_timestamp_enabled = v.bool(),
    },
    DirectiveSpec {
        name: "aof-rewrite-incremental-fsync",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.aof_rewrite_incremental_fsync),
        write: |c, v| c.aof_rewrite_incremental_fsync = v.bool(),
    },
    DirectiveSpec {
        name: "bind",
        aliases: &[],
        kind: Kind::List,
        default: "127.0.0.1 -::1",
        flags: Flags::NONE,
        check: Some(limit_bind_addresses),
        read: |c| Value::Words(c.bind.clone()),
        write: |c, v| c.bind = v.words(),
    },
    DirectiveSpec {
        name: "protected-mode",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.protected_mode),
        write: |c, v| c.protected_mode = v.bool(),
    },
    DirectiveSpec {
        name: "port",
        aliases: &[],
        kind: Kind::Integer { min: 0, max: 65535 },
        default: "6379",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.port.into()),
        write: |c, v| c.port = narrow(v.int()),
    },
    DirectiveSpec {
        name: "tcp-backlog",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "511",
        flags: Flags::IMMUTABLE,
        check: None,
        read: |c| Value::Int(c.tcp_backlog.into()),
        write: |c, v| c.tcp_backlog = narrow(v.int()),
    },
    DirectiveSpec {
        name: "timeout",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "0",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.timeout.into()),
        write: |c, v| c.timeout = narrow(v.int()),
    },
    DirectiveSpec {
        name: "tcp-keepalive",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "300",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.tcp_keepalive.into()),
        write: |c, v| c.tcp_keepalive = narrow(v.int()),
    },
    DirectiveSpec {
        name: "maxclients",
        aliases: &[],
        kind: Kind::Integer {
            min: 1,
            max: u32::MAX as i64,
        },
        default: "10000",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.maxclients.into()),
        write: |c, v| c.maxclients = narrow(v.int()),
    },
    DirectiveSpec {
        name: "databases",
        aliases: &[],
        kind: Kind::Integer {
            min: 1,
            max: INT_MAX,
        },
        default: "16",
        flags: Flags::IMMUTABLE,
        check: None,
        read: |c| Value::Int(c.databases.into()),
        write: |c, v| c.databases = narrow(v.int()),
    },
    DirectiveSpec {
        name: "dir",
        aliases: &[],
        kind: Kind::Directory,
        default: ".",
        flags: Flags::PROTECTED,
        check: Some(existing_directory),
        read: |c| Value::Text(c.dir.to_string_lossy().into_owned()),
        write: |c, v| c.dir = PathBuf::from(v.text()),
    },
    DirectiveSpec {
        name: "requirepass",
        aliases: &[],
        kind: Kind::Str {
            empty_is_unset: true,
        },
        default: "",
        flags: Flags::SENSITIVE,
        check: None,
        read: |c| Value::Text(c.requirepass.clone().unwrap_or_default()),
        write: |c, v| c.requirepass = Some(v.text()).filter(|s| !s.is_empty()),
    },
    DirectiveSpec {
        name: "hz",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "10",
        flags: Flags::NONE,
        check: Some(clamp_hz),
        read: |c| Value::Int(c.hz.into()),
        write: |c, v| c.hz = narrow(v.int()),
    },
    DirectiveSpec {
        name: "dynamic-hz",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.dynamic_hz),
        write: |c, v| c.dynamic_hz = v.bool(),
    },
    DirectiveSpec {
        name: "active-expire-effort",
        aliases: &[],
        kind: Kind::Integer { min: 1, max: 10 },
        default: "1",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.active_expire_effort.into()),
        write: |c, v| c.active_expire_effort = narrow(v.int()),
    },
    DirectiveSpec {
        name: "proto-max-bulk-len",
        aliases: &[],
        kind: Kind::Memory {
            min: MB,
            max: LONG_MAX as u64,
        },
        default: "512mb",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bytes(c.proto_max_bulk_len),
        write: |c, v| c.proto_max_bulk_len = v.bytes(),
    },
    DirectiveSpec {
        name: "client-query-buffer-limit",
        aliases: &[],
        kind: Kind::Memory {
            min: MB,
            max: LONG_MAX as u64,
        },
        default: "1gb",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bytes(c.client_query_buffer_limit),
        write: |c, v| c.client_query_buffer_limit = v.bytes(),
    },
    DirectiveSpec {
        name: "client-output-buffer-limit",
        aliases: &[],
        kind: Kind::List,
        default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        flags: Flags::NONE,
        check: Some(check_output_buffer_limits),
        read: |c| Value::Words(c.client_output_buffer_limit.words()),
        // Checked already; each directive line updates only the classes it names.
        write: |c, v| {
            let _ = c.client_output_buffer_limit.apply(&v.words());
        },
    },
    DirectiveSpec {
        name: "enable-debug-command",
        aliases: &[],
        kind: Kind::Enum(PROTECTED_ACCESS),
        default: "no",
        flags: Flags::IMMUTABLE,
        check: None,
        read: |c| Value::Choice(c.enable_debug_command as usize),
        write: |c, v| {
            c.enable_debug_command = [
                ProtectedAccess::No,
                ProtectedAccess::Yes,
                ProtectedAccess::Local,
            ][v.choice()]
        },
    },
    DirectiveSpec {
        name: "slowlog-log-slower-than",
        aliases: &[],
        kind: Kind::Integer {
            min: -1,
            max: i64::MAX,
        },
        default: "10000",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.slowlog_log_slower_than),
        write: |c, v| c.slowlog_log_slower_than = v.int(),
    },
    DirectiveSpec {
        name: "busy-reply-threshold",
        aliases: &["lua-time-limit"],
        kind: Kind::Integer {
            min: 0,
            max: LONG_MAX,
        },
        default: "5000",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.busy_reply_threshold)),
        write: |c, v| c.busy_reply_threshold = narrow(v.int()),
    },
    DirectiveSpec {
        name: "slowlog-max-len",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: LONG_MAX,
        },
        default: "128",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.slowlog_max_len)),
        write: |c, v| c.slowlog_max_len = narrow(v.int()),
    },
    DirectiveSpec {
        name: "latency-monitor-threshold",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: i64::MAX,
        },
        default: "0",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.latency_monitor_threshold)),
        write: |c, v| c.latency_monitor_threshold = narrow(v.int()),
    },
    DirectiveSpec {
        name: "hll-sparse-max-bytes",
        aliases: &[],
        kind: Kind::Memory {
            min: 0,
            max: LONG_MAX as u64,
        },
        default: "3000",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bytes(c.hll_sparse_max_bytes),
        write: |c, v| c.hll_sparse_max_bytes = v.bytes(),
    },
    DirectiveSpec {
        name: "hash-max-listpack-entries",
        aliases: &["hash-max-ziplist-entries"],
        kind: Kind::Integer {
            min: 0,
            max: LONG_MAX,
        },
        default: "512",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.hash_max_listpack_entries)),
        write: |c, v| c.hash_max_listpack_entries = narrow(v.int()),
    },
    DirectiveSpec {
        name: "hash-max-listpack-value",
        aliases: &["hash-max-ziplist-value"],
        kind: Kind::Memory {
            min: 0,
            max: LONG_MAX as u64,
        },
        default: "64",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bytes(c.hash_max_listpack_value),
        write: |c, v| c.hash_max_listpack_value = v.bytes(),
    },
    DirectiveSpec {
        name: "set-max-intset-entries",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: LONG_MAX,
        },
        default: "512",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.set_max_intset_entries)),
        write: |c, v| c.set_max_intset_entries = narrow(v.int()),
    },
    DirectiveSpec {
        name: "zset-max-listpack-entries",
        aliases: &["zset-max-ziplist-entries"],
        kind: Kind::Integer {
            min: 0,
            max: LONG_MAX,
        },
        default: "128",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.zset_max_listpack_entries)),
        write: |c, v| c.zset_max_listpack_entries = narrow(v.int()),
    },
    DirectiveSpec {
        name: "zset-max-listpack-value",
        aliases: &["zset-max-ziplist-value"],
        kind: Kind::Memory {
            min: 0,
            max: LONG_MAX as u64,
        },
        default: "64",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bytes(c.zset_max_listpack_value),
        write: |c, v| c.zset_max_listpack_value = v.bytes(),
    },
    DirectiveSpec {
        name: "list-max-listpack-size",
        aliases: &["list-max-ziplist-size"],
        kind: Kind::Integer {
            min: i32::MIN as i64,
            max: INT_MAX,
        },
        default: "-2",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.list_max_listpack_size.into()),
        write: |c, v| c.list_max_listpack_size = narrow(v.int()),
    },
    DirectiveSpec {
        name: "list-compress-depth",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "0",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.list_compress_depth.into()),
        write: |c, v| c.list_compress_depth = narrow(v.int()),
    },
    DirectiveSpec {
        name: "notify-keyspace-events",
        aliases: &[],
        kind: Kind::Str {
            empty_is_unset: false,
        },
        default: "",
        flags: Flags::NONE,
        check: Some(check_notify_classes),
        read: |c| {
            Value::Text(crate::keyspace_events::format_classes(
                c.notify_keyspace_events,
            ))
        },
        write: |c, v| {
            let flags = crate::keyspace_events::parse_classes(&v.text()).unwrap_or(0);
            c.notify_keyspace_events = flags;
            let new_keys = flags & crate::keyspace_events::class::NEW != 0;
            crate::db::keyspace::NOTIFY_NEW_KEYS
                .store(new_keys, std::sync::atomic::Ordering::Relaxed);
        },
    },
    DirectiveSpec {
        name: "tracking-table-max-keys",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: LONG_MAX,
        },
        default: "1000000",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.tracking_table_max_keys)),
        write: |c, v| c.tracking_table_max_keys = narrow(v.int()),
    },
    DirectiveSpec {
        name: "maxmemory",
        aliases: &[],
        kind: Kind::Memory {
            min: 0,
            max: u64::MAX,
        },
        default: "0",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bytes(c.maxmemory),
        write: |c, v| c.maxmemory = v.bytes(),
    },
    DirectiveSpec {
        name: "maxmemory-policy",
        aliases: &[],
        kind: Kind::Enum(MaxmemoryPolicy::NAMES),
        default: "noeviction",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Choice(c.maxmemory_policy.index()),
        write: |c, v| {
            c.maxmemory_policy = MaxmemoryPolicy::from_index(v.choice());
            crate::evict::policy::set_policy(c.maxmemory_policy);
        },
    },
    DirectiveSpec {
        name: "maxmemory-samples",
        aliases: &[],
        kind: Kind::Integer {
            min: 1,
            max: INT_MAX,
        },
        default: "5",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.maxmemory_samples.into()),
        write: |c, v| c.maxmemory_samples = narrow(v.int()),
    },
    DirectiveSpec {
        name: "maxmemory-eviction-tenacity",
        aliases: &[],
        kind: Kind::Integer { min: 0, max: 100 },
        default: "10",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.maxmemory_eviction_tenacity.into()),
        write: |c, v| c.maxmemory_eviction_tenacity = narrow(v.int()),
    },
    DirectiveSpec {
        name: "lfu-log-factor",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "10",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.lfu_log_factor.into()),
        write: |c, v| {
            c.lfu_log_factor = narrow(v.int());
            crate::evict::policy::set_lfu_log_factor(c.lfu_log_factor);
        },
    },
    DirectiveSpec {
        name: "lfu-decay-time",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "1",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.lfu_decay_time.into()),
        write: |c, v| {
            c.lfu_decay_time = narrow(v.int());
            crate::evict::policy::set_lfu_decay_time(c.lfu_decay_time);
        },
    },
    DirectiveSpec {
        name: "maxmemory-clients",
        aliases: &[],
        kind: Kind::Str {
            empty_is_unset: false,
        },
        default: "0",
        flags: Flags::NONE,
        check: Some(check_memory_or_percent),
        read: |c| Value::Text(format_memory_or_percent(c.maxmemory_clients)),
        write: |c, v| c.maxmemory_clients = parse_memory_or_percent(&v.text()).unwrap_or(0),
    },
    DirectiveSpec {
        name: "lazyfree-lazy-eviction",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.lazyfree_lazy_eviction),
        write: |c, v| c.lazyfree_lazy_eviction = v.bool(),
    },
    DirectiveSpec {
        name: "lazyfree-lazy-expire",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.lazyfree_lazy_expire),
        write: |c, v| {
            c.lazyfree_lazy_expire = v.bool();
            crate::db::keyspace::LAZYFREE_LAZY_EXPIRE
                .store(c.lazyfree_lazy_expire, std::sync::atomic::Ordering::Relaxed);
        },
    },
    DirectiveSpec {
        name: "lazyfree-lazy-server-del",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.lazyfree_lazy_server_del),
        write: |c, v| c.lazyfree_lazy_server_del = v.bool(),
    },
    DirectiveSpec {
        name: "lazyfree-lazy-user-del",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.lazyfree_lazy_user_del),
        write: |c, v| c.lazyfree_lazy_user_del = v.bool(),
    },
    DirectiveSpec {
        name: "lazyfree-lazy-user-flush",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.lazyfree_lazy_user_flush),
        write: |c, v| c.lazyfree_lazy_user_flush = v.bool(),
    },
    DirectiveSpec {
        name: "repl-backlog-size",
        aliases: &[],
        kind: Kind::Memory {
            min: 1,
            max: LONG_MAX as u64,
        },
        default: "1mb",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bytes(c.repl_backlog_size),
        write: |c, v| c.repl_backlog_size = v.bytes(),
    },
    DirectiveSpec {
        name: "rdb-key-save-delay",
        aliases: &[],
        kind: Kind::Integer {
            min: i32::MIN as i64,
            max: INT_MAX,
        },
        default: "0",
        flags: Flags::HIDDEN,
        check: None,
        read: |c| Value::Int(c.rdb_key_save_delay),
        write: |c, v| c.rdb_key_save_delay = v.int(),
    },
    DirectiveSpec {
        name: "repl-backlog-ttl",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: LONG_MAX,
        },
        default: "3600",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.repl_backlog_ttl)),
        write: |c, v| c.repl_backlog_ttl = narrow(v.int()),
    },
    DirectiveSpec {
        name: "repl-diskless-sync",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.repl_diskless_sync),
        write: |c, v| c.repl_diskless_sync = v.bool(),
    },
    DirectiveSpec {
        name: "repl-diskless-sync-delay",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "5",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.repl_diskless_sync_delay)),
        write: |c, v| c.repl_diskless_sync_delay = narrow(v.int()),
    },
    DirectiveSpec {
        name: "repl-diskless-sync-max-replicas",
        aliases: &[],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "0",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.repl_diskless_sync_max_replicas)),
        write: |c, v| c.repl_diskless_sync_max_replicas = narrow(v.int()),
    },
    DirectiveSpec {
        name: "repl-ping-replica-period",
        aliases: &["repl-ping-slave-period"],
        kind: Kind::Integer {
            min: 1,
            max: INT_MAX,
        },
        default: "10",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.repl_ping_replica_period)),
        write: |c, v| c.repl_ping_replica_period = narrow(v.int()),
    },
    DirectiveSpec {
        name: "min-replicas-to-write",
        aliases: &["min-slaves-to-write"],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "0",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.min_replicas_to_write)),
        write: |c, v| c.min_replicas_to_write = narrow(v.int()),
    },
    DirectiveSpec {
        name: "min-replicas-max-lag",
        aliases: &["min-slaves-max-lag"],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "10",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.min_replicas_max_lag)),
        write: |c, v| c.min_replicas_max_lag = narrow(v.int()),
    },
    DirectiveSpec {
        name: "repl-disable-tcp-nodelay",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.repl_disable_tcp_nodelay),
        write: |c, v| c.repl_disable_tcp_nodelay = v.bool(),
    },
    DirectiveSpec {
        name: "jemalloc-bg-thread",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.jemalloc_bg_thread),
        write: |c, v| c.jemalloc_bg_thread = v.bool(),
    },
    DirectiveSpec {
        name: "activedefrag",
        aliases: &[],
        kind: Kind::Bool,
        default: "no",
        flags: Flags::NONE,
        check: Some(refuse_activedefrag),
        read: |_| Value::Bool(false),
        write: |_, _| {},
    },
    DirectiveSpec {
        name: "active-defrag-ignore-bytes",
        aliases: &[],
        kind: Kind::Memory {
            min: 1,
            max: LONG_MAX as u64,
        },
        default: "100mb",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bytes(c.active_defrag.ignore_bytes),
        write: |c, v| c.active_defrag.ignore_bytes = v.bytes(),
    },
    DirectiveSpec {
        name: "active-defrag-threshold-lower",
        aliases: &[],
        kind: Kind::Integer { min: 0, max: 1000 },
        default: "10",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.active_defrag.threshold_lower.into()),
        write: |c, v| c.active_defrag.threshold_lower = narrow(v.int()),
    },
    DirectiveSpec {
        name: "active-defrag-threshold-upper",
        aliases: &[],
        kind: Kind::Integer { min: 0, max: 1000 },
        default: "100",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.active_defrag.threshold_upper.into()),
        write: |c, v| c.active_defrag.threshold_upper = narrow(v.int()),
    },
    DirectiveSpec {
        name: "active-defrag-cycle-min",
        aliases: &[],
        kind: Kind::Integer { min: 1, max: 99 },
        default: "1",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.active_defrag.cycle_min.into()),
        write: |c, v| c.active_defrag.cycle_min = narrow(v.int()),
    },
    DirectiveSpec {
        name: "active-defrag-cycle-max",
        aliases: &[],
        kind: Kind::Integer { min: 1, max: 99 },
        default: "25",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.active_defrag.cycle_max.into()),
        write: |c, v| c.active_defrag.cycle_max = narrow(v.int()),
    },
    DirectiveSpec {
        name: "active-defrag-max-scan-fields",
        aliases: &[],
        kind: Kind::Integer {
            min: 1,
            max: LONG_MAX,
        },
        default: "1000",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(wide(c.active_defrag.max_scan_fields)),
        write: |c, v| c.active_defrag.max_scan_fields = narrow(v.int()),
    },
    DirectiveSpec {
        name: "replicaof",
        aliases: &["slaveof"],
        kind: Kind::List,
        default: "",
        flags: Flags::IMMUTABLE,
        check: Some(check_replicaof),
        read: |c| Value::Words(c.replicaof.clone()),
        write: |c, v| c.replicaof = v.words(),
    },
    DirectiveSpec {
        name: "masterauth",
        aliases: &[],
        kind: Kind::Str {
            empty_is_unset: true,
        },
        default: "",
        flags: Flags::SENSITIVE,
        check: None,
        read: |c| Value::Text(c.masterauth.clone().unwrap_or_default()),
        write: |c, v| c.masterauth = Some(v.text()).filter(|s| !s.is_empty()),
    },
    DirectiveSpec {
        name: "masteruser",
        aliases: &[],
        kind: Kind::Str {
            empty_is_unset: true,
        },
        default: "",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Text(c.masteruser.clone().unwrap_or_default()),
        write: |c, v| c.masteruser = Some(v.text()).filter(|s| !s.is_empty()),
    },
    DirectiveSpec {
        name: "replica-read-only",
        aliases: &["slave-read-only"],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.replica_read_only),
        write: |c, v| c.replica_read_only = v.bool(),
    },
    DirectiveSpec {
        name: "replica-serve-stale-data",
        aliases: &["slave-serve-stale-data"],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.replica_serve_stale_data),
        write: |c, v| c.replica_serve_stale_data = v.bool(),
    },
    DirectiveSpec {
        name: "repl-diskless-load",
        aliases: &[],
        kind: Kind::Enum(DISKLESS_LOAD),
        default: "disabled",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Choice(c.repl_diskless_load as usize),
        write: |c, v| c.repl_diskless_load = DisklessLoad::from_index(v.choice()),
    },
    DirectiveSpec {
        name: "replica-priority",
        aliases: &["slave-priority"],
        kind: Kind::Integer {
            min: 0,
            max: INT_MAX,
        },
        default: "100",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.replica_priority.into()),
        write: |c, v| c.replica_priority = narrow(v.int()),
    },
    DirectiveSpec {
        name: "replica-announced",
        aliases: &[],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.replica_announced),
        write: |c, v| c.replica_announced = v.bool(),
    },
    DirectiveSpec {
        name: "replica-announce-ip",
        aliases: &["slave-announce-ip"],
        kind: Kind::Str {
            empty_is_unset: true,
        },
        default: "",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Text(c.replica_announce_ip.clone().unwrap_or_default()),
        write: |c, v| c.replica_announce_ip = Some(v.text()).filter(|s| !s.is_empty()),
    },
    DirectiveSpec {
        name: "replica-announce-port",
        aliases: &["slave-announce-port"],
        kind: Kind::Integer { min: 0, max: 65535 },
        default: "0",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.replica_announce_port.into()),
        write: |c, v| c.replica_announce_port = narrow(v.int()),
    },
    DirectiveSpec {
        name: "replica-ignore-maxmemory",
        aliases: &["slave-ignore-maxmemory"],
        kind: Kind::Bool,
        default: "yes",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Bool(c.replica_ignore_maxmemory),
        write: |c, v| c.replica_ignore_maxmemory = v.bool(),
    },
    DirectiveSpec {
        name: "repl-timeout",
        aliases: &[],
        kind: Kind::Integer {
            min: 1,
            max: INT_MAX,
        },
        default: "60",
        flags: Flags::NONE,
        check: None,
        read: |c| Value::Int(c.repl_timeout.into()),
        write: |c, v| c.repl_timeout = narrow(v.int()),
    },
];

/// Looks a directive up by name or alias, ignoring case.
pub fn lookup(name: &str) -> Option<&'static DirectiveSpec> {
    DIRECTIVES.iter().find(|d| d.answers_to(name))
}

/// Converts a bounds-checked integer into a field's type. The kind's bounds
/// always fit the field, so a failure is a bug in the table.
fn narrow<T: TryFrom<i64>>(n: i64) -> T {
    match T::try_from(n) {
        Ok(v) => v,
        Err(_) => panic!("directive table: bounds do not fit the field"),
    }
}

/// Widens an unsigned field whose bounds keep it within `i64`.
fn wide(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn path_text(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn text_path(text: String) -> Option<PathBuf> {
    Some(PathBuf::from(text)).filter(|p| !p.as_os_str().is_empty())
}

fn limit_bind_addresses(value: Value) -> Result<Value, String> {
    match value {
        Value::Words(ref words) if words.len() > MAX_BIND_ADDRESSES => {
            Err("Too many bind addresses specified.".to_string())
        }
        other => Ok(other),
    }
}

/// Refuses `notify-keyspace-events` letters Redis does not know.
fn check_notify_classes(value: Value) -> Result<Value, String> {
    match &value {
        Value::Text(t) if crate::keyspace_events::parse_classes(t).is_none() => {
            Err(crate::keyspace_events::INVALID_CLASS.to_string())
        }
        _ => Ok(value),
    }
}

/// Redis's PERCENT_CONFIG memory values: a byte count (with units) or
/// `N%` (of `maxmemory`), held as a negative number for percentages.
fn parse_memory_or_percent(text: &str) -> Option<i64> {
    if let Some(p) = text.strip_suffix('%') {
        let n: i64 = p.parse().ok()?;
        return (0..=100).contains(&n).then_some(-n);
    }
    super::scalars::parse_memory(text).and_then(|n| i64::try_from(n).ok())
}

/// The text CONFIG GET shows for a memory-or-percent value.
fn format_memory_or_percent(n: i64) -> String {
    if n < 0 {
        format!("{}%", -n)
    } else {
        n.to_string()
    }
}

/// Accepts a byte count or a percentage, normalized to CONFIG GET's form.
fn check_memory_or_percent(value: Value) -> Result<Value, String> {
    match &value {
        Value::Text(t) => match parse_memory_or_percent(t) {
            Some(n) => Ok(Value::Text(format_memory_or_percent(n))),
            None if t
                .strip_suffix('%')
                .and_then(|p| p.parse::<u64>().ok())
                .is_some_and(|p| p > 100) =>
            {
                Err("percentage argument must be less or equal to 100".to_string())
            }
            None => Err("argument must be a memory or percent value".to_string()),
        },
        _ => Ok(value),
    }
}

/// Refuses `client-output-buffer-limit` values Redis refuses, with its texts.
fn check_output_buffer_limits(value: Value) -> Result<Value, String> {
    if let Value::Words(words) = &value {
        OutputBufferLimits::default().apply(words)?;
    }
    Ok(value)
}

/// Redis's `setConfigSaveOption` checks: pairs of seconds >= 1 and
/// changes >= 0.
fn check_save_points(value: Value) -> Result<Value, String> {
    if let Value::Words(words) = &value {
        super::save_points::parse(words)?;
    }
    Ok(value)
}

/// `dbfilename` must be a bare file name (Redis's `isValidDBfilename`).
fn check_dbfilename(value: Value) -> Result<Value, String> {
    if let Value::Text(name) = &value {
        if name.contains(['/', '\\']) {
            return Err("dbfilename can't be a path, just a filename".to_string());
        }
    }
    Ok(value)
}

/// Redis refuses path separators in `appendfilename`/`appenddirname`:
/// the files live in `dir`.
fn check_plain_file_name(value: Value) -> Result<Value, String> {
    let text = value.clone().text();
    if text.is_empty() || text.contains('/') || text == "." || text == ".." {
        return Err("appendfilename/appenddirname can't be a path, just a filename".to_string());
    }
    Ok(value)
}

/// rkv cannot move live allocations between jemalloc runs (see
/// `evict` docs): it answers as a Redis built without defrag support does.
fn refuse_activedefrag(value: Value) -> Result<Value, String> {
    if value == Value::Bool(true) {
        return Err(
            "Active defragmentation cannot be enabled: it requires a Redis server compiled \
             with a modified Jemalloc like the one shipped by default with the Redis source \
             distribution"
                .to_string(),
        );
    }
    Ok(value)
}

fn refuse_daemonize(value: Value) -> Result<Value, String> {
    if value == Value::Bool(true) {
        return Err("rkv always runs in the foreground and cannot daemonize; \
                    use 'daemonize no' and a process supervisor instead"
            .to_string());
    }
    Ok(value)
}

/// Redis treats hz as a hint: values outside 1..=500 are capped, not refused.
fn clamp_hz(value: Value) -> Result<Value, String> {
    Ok(Value::Int(value.int().clamp(HZ_RANGE.0, HZ_RANGE.1)))
}

/// Redis `chdir`s here and reports `strerror`; rkv checks the directory
/// and keeps its absolute path (the server changes into it).
fn existing_directory(value: Value) -> Result<Value, String> {
    let path = value.text();
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_dir() => Ok(Value::Text(super::spec::absolute(&path))),
        Ok(_) => Err("Not a directory".to_string()),
        Err(e) => Err(io_reason(&e)),
    }
}

/// The `strerror` text of an I/O error, without Rust's "(os error N)".
pub(crate) fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// `replicaof` takes a host and a port (or nothing: not a replica).
fn check_replicaof(value: Value) -> Result<Value, String> {
    if let Value::Words(words) = &value {
        match words.as_slice() {
            [] => {}
            [_, port] if port.parse::<u16>().is_ok() => {}
            [_, _] => return Err("Invalid master port".to_string()),
            _ => return Err("wrong number of arguments".to_string()),
        }
    }
    Ok(value)
}
