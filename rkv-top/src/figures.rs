//! Every figure the dashboard shows, computed from the latest sample and the
//! one before it (rates are deltas divided by the time between the two).

use crate::info::{DbKeys, Info};
use crate::sample::{ClientLine, LatencyEvent, Sample, SlowlogEntry};

/// How many commands the "busiest" list keeps.
const BUSIEST: usize = 5;

/// The computed figures of one server at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Server version (`redis_version`, which rkv sets to the Redis version
    /// it is compatible with).
    pub version: Option<String>,
    /// `rkv_version`, present only on rkv-server.
    pub rkv_version: Option<String>,
    /// `role`: master or slave.
    pub role: Option<String>,
    /// Seconds since the server started.
    pub uptime_seconds: Option<u64>,
    /// Memory figures.
    pub memory: MemoryFigures,
    /// Operations and network rates (None until two samples exist).
    pub ops_per_sec: Option<f64>,
    /// Network input in KB/s.
    pub net_in_kbps: Option<f64>,
    /// Network output in KB/s.
    pub net_out_kbps: Option<f64>,
    /// Commands with the most calls per second over the last interval.
    pub busiest: Vec<CommandRate>,
    /// Keyspace figures.
    pub keyspace: KeyspaceFigures,
    /// Replication figures.
    pub replication: ReplicationFigures,
    /// Client figures.
    pub clients: ClientFigures,
    /// Persistence figures.
    pub persistence: PersistenceFigures,
    /// Newest slowlog entries.
    pub slowlog: Vec<SlowlogEntry>,
    /// This poll's PING round trips in milliseconds.
    pub ping_ms: Vec<f64>,
    /// The server's latency monitor events (LATENCY LATEST).
    pub latency_events: Vec<LatencyEvent>,
}

/// Memory use as INFO memory and CONFIG GET maxmemory report it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemoryFigures {
    /// `used_memory` in bytes.
    pub used: Option<u64>,
    /// `used_memory_rss` in bytes.
    pub rss: Option<u64>,
    /// `used_memory_peak` in bytes.
    pub peak: Option<u64>,
    /// `maxmemory` in bytes (0 = no limit).
    pub maxmemory: Option<u64>,
    /// used / maxmemory, when a limit is set.
    pub used_of_max: Option<f64>,
    /// `mem_fragmentation_ratio`.
    pub fragmentation: Option<f64>,
    /// `allocator_frag_ratio`.
    pub allocator_fragmentation: Option<f64>,
    /// `rss_overhead_ratio`.
    pub rss_overhead: Option<f64>,
}

/// One command's share of the traffic over the last interval.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRate {
    /// Command name (`get`, `config|set`).
    pub name: String,
    /// Calls per second over the interval.
    pub calls_per_sec: f64,
    /// Average microseconds per call over the interval.
    pub usec_per_call: f64,
}

/// Keyspace hits, misses and key counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyspaceFigures {
    /// `keyspace_hits` since start.
    pub hits: Option<u64>,
    /// `keyspace_misses` since start.
    pub misses: Option<u64>,
    /// Hit ratio over the last interval (None when no lookups happened).
    pub hit_ratio_interval: Option<f64>,
    /// Hit ratio since start.
    pub hit_ratio_total: Option<f64>,
    /// Keys evicted per second.
    pub evicted_per_sec: Option<f64>,
    /// Keys expired per second.
    pub expired_per_sec: Option<f64>,
    /// Keys and expires per database.
    pub dbs: Vec<DbKeys>,
}

/// Replication state seen from this server.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicationFigures {
    /// `master_repl_offset`.
    pub master_offset: Option<u64>,
    /// On a master: each replica's lag.
    pub replicas: Vec<ReplicaLag>,
    /// On a replica: `master_host:master_port`.
    pub master: Option<String>,
    /// On a replica: `master_link_status` (up/down).
    pub link_status: Option<String>,
    /// On a replica: `master_last_io_seconds_ago`.
    pub last_io_seconds_ago: Option<i64>,
    /// On a replica: `master_sync_in_progress`.
    pub sync_in_progress: Option<bool>,
}

/// How far one replica is behind its master.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaLag {
    /// `ip:port` of the replica.
    pub addr: String,
    /// Replication state.
    pub state: String,
    /// Offset the replica acknowledged.
    pub offset: u64,
    /// master_repl_offset minus the replica's offset.
    pub lag_bytes: u64,
    /// Seconds since the replica's last acknowledgement.
    pub lag_seconds: u64,
}

/// Client counts and the biggest output buffers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientFigures {
    /// `connected_clients`.
    pub connected: Option<u64>,
    /// `blocked_clients`.
    pub blocked: Option<u64>,
    /// `rejected_connections` since start.
    pub rejected: Option<u64>,
    /// Rejected connections per second over the interval.
    pub rejected_per_sec: Option<f64>,
    /// Clients with the biggest output buffers (at most 5).
    pub biggest_omem: Vec<ClientLine>,
}

/// RDB and AOF status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersistenceFigures {
    /// `rdb_bgsave_in_progress`.
    pub bgsave_in_progress: Option<bool>,
    /// `rdb_last_bgsave_status` (ok/err).
    pub last_bgsave_status: Option<String>,
    /// Seconds since the last successful save.
    pub seconds_since_save: Option<u64>,
    /// `rdb_changes_since_last_save`.
    pub changes_since_save: Option<u64>,
    /// `rdb_last_cow_size` in bytes.
    pub last_cow_bytes: Option<u64>,
    /// `aof_enabled`.
    pub aof_enabled: Option<bool>,
    /// `aof_rewrite_in_progress`.
    pub aof_rewrite_in_progress: Option<bool>,
    /// `aof_last_bgrewrite_status`.
    pub aof_last_rewrite_status: Option<String>,
    /// `aof_last_write_status`.
    pub aof_last_write_status: Option<String>,
}

/// Per-second rate of a counter between two readings `seconds` apart; a
/// counter that went down (restart, CONFIG RESETSTAT) gives no rate.
pub fn rate(before: Option<u64>, after: Option<u64>, seconds: f64) -> Option<f64> {
    let (before, after) = (before?, after?);
    (after >= before && seconds > 0.0).then(|| (after - before) as f64 / seconds)
}

/// hits / (hits + misses), or None when there were no lookups.
pub fn hit_ratio(hits: u64, misses: u64) -> Option<f64> {
    let total = hits + misses;
    (total > 0).then(|| hits as f64 / total as f64)
}

impl Figures {
    /// Computes every figure from `current`, with rates against `previous`.
    pub fn compute(previous: Option<&Sample>, current: &Sample) -> Figures {
        let info = &current.info;
        let before = previous.map(|p| &p.info);
        let seconds = previous
            .map(|p| current.taken_at.duration_since(p.taken_at).as_secs_f64())
            .unwrap_or(0.0);
        let delta = |field: &str| rate(before.and_then(|b| b.u64(field)), info.u64(field), seconds);
        Figures {
            version: info.get("redis_version").map(str::to_owned),
            rkv_version: info.get("rkv_version").map(str::to_owned),
            role: info.get("role").map(str::to_owned),
            uptime_seconds: info.u64("uptime_in_seconds"),
            memory: memory(info, current.maxmemory),
            ops_per_sec: delta("total_commands_processed"),
            net_in_kbps: delta("total_net_input_bytes").map(|b| b / 1024.0),
            net_out_kbps: delta("total_net_output_bytes").map(|b| b / 1024.0),
            busiest: before
                .map(|b| busiest(b, info, seconds))
                .unwrap_or_default(),
            keyspace: keyspace(before, info, seconds),
            replication: replication(info),
            clients: ClientFigures {
                connected: info.u64("connected_clients"),
                blocked: info.u64("blocked_clients"),
                rejected: info.u64("rejected_connections"),
                rejected_per_sec: delta("rejected_connections"),
                biggest_omem: current.clients.iter().take(5).cloned().collect(),
            },
            persistence: persistence(info),
            slowlog: current.slowlog.clone(),
            ping_ms: current
                .pings
                .iter()
                .map(|d| d.as_secs_f64() * 1000.0)
                .collect(),
            latency_events: current.latency_events.clone(),
        }
    }
}

fn memory(info: &Info, maxmemory: Option<u64>) -> MemoryFigures {
    let used = info.u64("used_memory");
    let maxmemory = maxmemory.or_else(|| info.u64("maxmemory"));
    MemoryFigures {
        used,
        rss: info.u64("used_memory_rss"),
        peak: info.u64("used_memory_peak"),
        maxmemory,
        used_of_max: match (used, maxmemory) {
            (Some(u), Some(m)) if m > 0 => Some(u as f64 / m as f64),
            _ => None,
        },
        fragmentation: info.f64("mem_fragmentation_ratio"),
        allocator_fragmentation: info.f64("allocator_frag_ratio"),
        rss_overhead: info.f64("rss_overhead_ratio"),
    }
}

fn busiest(before: &Info, after: &Info, seconds: f64) -> Vec<CommandRate> {
    let previous = before.command_stats();
    let mut rates: Vec<CommandRate> = after
        .command_stats()
        .into_iter()
        .filter_map(|now| {
            let then = previous.iter().find(|p| p.name == now.name);
            let (calls0, usec0) = then.map(|p| (p.calls, p.usec)).unwrap_or((0, 0));
            let calls = now.calls.checked_sub(calls0).filter(|c| *c > 0)?;
            let usec = now.usec.saturating_sub(usec0);
            Some(CommandRate {
                name: now.name,
                calls_per_sec: calls as f64 / seconds,
                usec_per_call: usec as f64 / calls as f64,
            })
        })
        .filter(|r| r.calls_per_sec.is_finite())
        .collect();
    rates.sort_by(|a, b| {
        b.calls_per_sec
            .total_cmp(&a.calls_per_sec)
            .then(a.name.cmp(&b.name))
    });
    rates.truncate(BUSIEST);
    rates
}

fn keyspace(before: Option<&Info>, info: &Info, seconds: f64) -> KeyspaceFigures {
    let (hits, misses) = (info.u64("keyspace_hits"), info.u64("keyspace_misses"));
    let interval = before.and_then(|b| {
        let dh = hits?.checked_sub(b.u64("keyspace_hits")?)?;
        let dm = misses?.checked_sub(b.u64("keyspace_misses")?)?;
        hit_ratio(dh, dm)
    });
    let delta = |field: &str| rate(before.and_then(|b| b.u64(field)), info.u64(field), seconds);
    KeyspaceFigures {
        hits,
        misses,
        hit_ratio_interval: interval,
        hit_ratio_total: hit_ratio(hits.unwrap_or(0), misses.unwrap_or(0)),
        evicted_per_sec: delta("evicted_keys"),
        expired_per_sec: delta("expired_keys"),
        dbs: info.keyspace(),
    }
}

fn replication(info: &Info) -> ReplicationFigures {
    let master_offset = info.u64("master_repl_offset");
    let replicas = info
        .replicas()
        .into_iter()
        .map(|r| ReplicaLag {
            lag_bytes: master_offset.unwrap_or(0).saturating_sub(r.offset),
            addr: r.addr,
            state: r.state,
            offset: r.offset,
            lag_seconds: r.lag_seconds,
        })
        .collect();
    let master = match (info.get("master_host"), info.get("master_port")) {
        (Some(h), Some(p)) => Some(format!("{h}:{p}")),
        _ => None,
    };
    ReplicationFigures {
        master_offset,
        replicas,
        master,
        link_status: info.get("master_link_status").map(str::to_owned),
        last_io_seconds_ago: info.i64("master_last_io_seconds_ago"),
        sync_in_progress: info.u64("master_sync_in_progress").map(|v| v != 0),
    }
}

fn persistence(info: &Info) -> PersistenceFigures {
    let now = info.u64("server_time_usec").map(|us| us / 1_000_000);
    let flag = |field: &str| info.u64(field).map(|v| v != 0);
    let text = |field: &str| info.get(field).map(str::to_owned);
    PersistenceFigures {
        bgsave_in_progress: flag("rdb_bgsave_in_progress"),
        last_bgsave_status: text("rdb_last_bgsave_status"),
        seconds_since_save: match (now, info.u64("rdb_last_save_time")) {
            (Some(now), Some(saved)) => Some(now.saturating_sub(saved)),
            _ => None,
        },
        changes_since_save: info.u64("rdb_changes_since_last_save"),
        last_cow_bytes: info.u64("rdb_last_cow_size"),
        aof_enabled: flag("aof_enabled"),
        aof_rewrite_in_progress: flag("aof_rewrite_in_progress"),
        aof_last_rewrite_status: text("aof_last_bgrewrite_status"),
        aof_last_write_status: text("aof_last_write_status"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn sample(info: &str, taken_at: Instant) -> Sample {
        Sample {
            taken_at,
            info: Info::parse(info),
            maxmemory: Some(1000),
            slowlog: Vec::new(),
            clients: Vec::new(),
            pings: vec![Duration::from_micros(250)],
            latency_events: Vec::new(),
        }
    }

    #[test]
    fn rate_divides_the_delta_by_the_gap() {
        assert_eq!(rate(Some(100), Some(350), 0.5), Some(500.0));
        assert_eq!(
            rate(Some(100), Some(50), 1.0),
            None,
            "a reset gives no rate"
        );
        assert_eq!(rate(None, Some(50), 1.0), None);
        assert_eq!(rate(Some(1), Some(2), 0.0), None);
    }

    #[test]
    fn hit_ratio_needs_lookups() {
        assert_eq!(hit_ratio(3, 1), Some(0.75));
        assert_eq!(hit_ratio(0, 0), None);
    }

    #[test]
    fn rates_and_ratios_from_two_samples() {
        let t0 = Instant::now();
        let first = sample(
            "total_commands_processed:100\r\nkeyspace_hits:10\r\nkeyspace_misses:10\r\n\
             total_net_input_bytes:0\r\ncmdstat_get:calls=50,usec=100\r\nused_memory:250\r\n",
            t0,
        );
        let second = sample(
            "total_commands_processed:300\r\nkeyspace_hits:100\r\nkeyspace_misses:10\r\n\
             total_net_input_bytes:4096\r\ncmdstat_get:calls=150,usec=300\r\n\
             cmdstat_set:calls=10,usec=50\r\nused_memory:250\r\n",
            t0 + Duration::from_secs(2),
        );
        let f = Figures::compute(Some(&first), &second);
        assert_eq!(f.ops_per_sec, Some(100.0));
        assert_eq!(f.net_in_kbps, Some(2.0));
        assert_eq!(f.keyspace.hit_ratio_interval, Some(1.0));
        assert_eq!(f.keyspace.hit_ratio_total, Some(100.0 / 110.0));
        assert_eq!(f.memory.used_of_max, Some(0.25));
        assert_eq!(f.busiest[0].name, "get");
        assert_eq!(
            (f.busiest[0].calls_per_sec, f.busiest[0].usec_per_call),
            (50.0, 2.0)
        );
        assert_eq!(f.busiest[1].name, "set");
        assert_eq!(f.ping_ms, [0.25]);
    }

    #[test]
    fn a_single_sample_has_no_rates() {
        let f = Figures::compute(
            None,
            &sample("total_commands_processed:5\r\n", Instant::now()),
        );
        assert_eq!(f.ops_per_sec, None);
        assert!(f.busiest.is_empty());
    }

    #[test]
    fn replica_lag_in_bytes_is_the_offset_gap() {
        let info =
            "master_repl_offset:1000\r\nslave0:ip=a,port=1,state=online,offset=400,lag=3\r\n";
        let f = Figures::compute(None, &sample(info, Instant::now()));
        assert_eq!(f.replication.replicas[0].lag_bytes, 600);
        assert_eq!(f.replication.replicas[0].lag_seconds, 3);
    }
}
