//! `--once --json`: every computed figure of every server as one JSON document.

use serde_json::{json, Value};

use crate::alerts::alerts;
use crate::figures::{
    ClientFigures, Figures, KeyspaceFigures, MemoryFigures, PersistenceFigures, ReplicationFigures,
};
use crate::model::{Instance, Link};

/// One server's figures (or its error) as JSON.
pub fn instance_json(instance: &Instance) -> Value {
    let (status, error) = match &instance.link {
        Link::Up => ("up", None),
        Link::Connecting => ("connecting", None),
        Link::Down(e) => ("down", Some(e.clone())),
    };
    json!({
        "address": instance.label,
        "status": status,
        "error": error,
        "figures": instance.figures.as_ref().map(figures_json),
        "alerts": instance.figures.as_ref().map(alerts).unwrap_or_default(),
        "latency": {
            "samples": instance.latency.samples(),
            "mean_ms": instance.latency.mean_ms(),
            "max_ms": instance.latency.max_ms,
            "buckets": crate::latency::LatencyHistogram::labels()
                .iter()
                .zip(instance.latency.counts)
                .map(|(label, count)| json!({"le_ms": label, "count": count}))
                .collect::<Vec<_>>(),
        },
    })
}

/// The figures as a JSON object, grouped by panel.
pub fn figures_json(f: &Figures) -> Value {
    json!({
        "version": f.version,
        "rkv_version": f.rkv_version,
        "role": f.role,
        "uptime_seconds": f.uptime_seconds,
        "memory": memory_json(&f.memory),
        "throughput": {
            "ops_per_sec": f.ops_per_sec,
            "net_in_kbps": f.net_in_kbps,
            "net_out_kbps": f.net_out_kbps,
            "busiest_commands": f.busiest.iter().map(|b| json!({
                "command": b.name, "calls_per_sec": b.calls_per_sec, "usec_per_call": b.usec_per_call,
            })).collect::<Vec<_>>(),
        },
        "keyspace": keyspace_json(&f.keyspace),
        "replication": replication_json(&f.replication),
        "clients": clients_json(&f.clients),
        "persistence": persistence_json(&f.persistence),
        "slowlog": f.slowlog.iter().map(|e| json!({
            "id": e.id, "unix_time": e.unix_time, "micros": e.micros, "command": e.command,
        })).collect::<Vec<_>>(),
        "ping_ms": f.ping_ms,
        "latency_events": f.latency_events.iter().map(|e| json!({
            "event": e.name, "unix_time": e.unix_time, "latest_ms": e.latest_ms, "max_ms": e.max_ms,
        })).collect::<Vec<_>>(),
    })
}

fn memory_json(m: &MemoryFigures) -> Value {
    json!({
        "used_bytes": m.used, "rss_bytes": m.rss, "peak_bytes": m.peak,
        "maxmemory_bytes": m.maxmemory, "used_of_max": m.used_of_max,
        "fragmentation_ratio": m.fragmentation,
        "allocator_fragmentation_ratio": m.allocator_fragmentation,
        "rss_overhead_ratio": m.rss_overhead,
    })
}

fn keyspace_json(k: &KeyspaceFigures) -> Value {
    json!({
        "hits": k.hits, "misses": k.misses,
        "hit_ratio_interval": k.hit_ratio_interval, "hit_ratio_total": k.hit_ratio_total,
        "evicted_per_sec": k.evicted_per_sec, "expired_per_sec": k.expired_per_sec,
        "dbs": k.dbs.iter().map(|d| json!({"db": d.db, "keys": d.keys, "expires": d.expires})).collect::<Vec<_>>(),
    })
}

fn replication_json(r: &ReplicationFigures) -> Value {
    json!({
        "master_repl_offset": r.master_offset,
        "replicas": r.replicas.iter().map(|x| json!({
            "address": x.addr, "state": x.state, "offset": x.offset,
            "lag_bytes": x.lag_bytes, "lag_seconds": x.lag_seconds,
        })).collect::<Vec<_>>(),
        "master": r.master, "master_link_status": r.link_status,
        "master_last_io_seconds_ago": r.last_io_seconds_ago,
        "master_sync_in_progress": r.sync_in_progress,
    })
}

fn clients_json(c: &ClientFigures) -> Value {
    json!({
        "connected": c.connected, "blocked": c.blocked,
        "rejected_connections": c.rejected, "rejected_per_sec": c.rejected_per_sec,
        "biggest_output_buffers": c.biggest_omem.iter().map(|x| json!({
            "address": x.addr, "name": x.name, "last_command": x.cmd, "omem_bytes": x.omem,
        })).collect::<Vec<_>>(),
    })
}

fn persistence_json(p: &PersistenceFigures) -> Value {
    json!({
        "rdb_bgsave_in_progress": p.bgsave_in_progress,
        "rdb_last_bgsave_status": p.last_bgsave_status,
        "seconds_since_last_save": p.seconds_since_save,
        "changes_since_last_save": p.changes_since_save,
        "rdb_last_cow_size_bytes": p.last_cow_bytes,
        "aof_enabled": p.aof_enabled,
        "aof_rewrite_in_progress": p.aof_rewrite_in_progress,
        "aof_last_bgrewrite_status": p.aof_last_rewrite_status,
        "aof_last_write_status": p.aof_last_write_status,
    })
}
