//! Thresholds operators watch, and the alerts they raise.

use crate::figures::{Figures, ReplicaLag};

/// A replica this many seconds behind raises an alert.
pub const REPLICA_LAG_SECONDS: u64 = 5;
/// A replica this many bytes behind raises an alert.
pub const REPLICA_LAG_BYTES: u64 = 1024 * 1024;

/// Whether a replica is far enough behind to alert on.
pub fn replica_lagging(replica: &ReplicaLag) -> bool {
    replica.lag_seconds >= REPLICA_LAG_SECONDS || replica.lag_bytes >= REPLICA_LAG_BYTES
}

/// How healthy a mem_fragmentation_ratio is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Nothing to do.
    Good,
    /// Worth watching.
    Warning,
    /// Needs action.
    Bad,
}

/// Green below 1.4, yellow up to 1.5, red above; red too below 1.0, where
/// the RSS is smaller than the data, i.e. the server is swapping.
pub fn fragmentation_health(ratio: f64) -> Health {
    if !(1.0..=1.5).contains(&ratio) {
        Health::Bad
    } else if ratio >= 1.4 {
        Health::Warning
    } else {
        Health::Good
    }
}

/// The alerts `figures` raise, most urgent first, as short phrases.
pub fn alerts(figures: &Figures) -> Vec<String> {
    let mut out = Vec::new();
    let replication = &figures.replication;
    if replication.link_status.as_deref() == Some("down") {
        out.push("master link down".to_owned());
    }
    if figures.persistence.last_bgsave_status.as_deref() == Some("err") {
        out.push("last bgsave failed".to_owned());
    }
    if figures.persistence.aof_last_write_status.as_deref() == Some("err") {
        out.push("AOF write failing".to_owned());
    }
    for replica in &replication.replicas {
        if replica_lagging(replica) {
            out.push(format!(
                "replica {} lagging {}s / {} bytes",
                replica.addr, replica.lag_seconds, replica.lag_bytes
            ));
        }
    }
    if let Some(ratio) = figures.memory.fragmentation {
        match fragmentation_health(ratio) {
            Health::Bad if ratio < 1.0 => out.push(format!("fragmentation {ratio:.2} (swapping?)")),
            Health::Bad => out.push(format!("fragmentation high {ratio:.2}")),
            _ => {}
        }
    }
    if figures.keyspace.evicted_per_sec.is_some_and(|r| r > 0.0) {
        out.push("evicting keys".to_owned());
    }
    if figures.clients.rejected_per_sec.is_some_and(|r| r > 0.0) {
        out.push("rejecting connections".to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragmentation_thresholds() {
        assert_eq!(fragmentation_health(1.2), Health::Good);
        assert_eq!(fragmentation_health(1.4), Health::Warning);
        assert_eq!(fragmentation_health(1.5), Health::Warning);
        assert_eq!(fragmentation_health(1.51), Health::Bad);
        assert_eq!(fragmentation_health(0.9), Health::Bad);
    }

    #[test]
    fn lagging_replica_and_failed_save_alert() {
        let mut f = Figures::default();
        f.persistence.last_bgsave_status = Some("err".into());
        f.replication.replicas.push(ReplicaLag {
            addr: "10.0.0.2:6379".into(),
            state: "online".into(),
            offset: 0,
            lag_bytes: 10,
            lag_seconds: 7,
        });
        assert_eq!(
            alerts(&f),
            [
                "last bgsave failed",
                "replica 10.0.0.2:6379 lagging 7s / 10 bytes"
            ]
        );
        assert!(alerts(&Figures::default()).is_empty());
    }
}
