//! The latency monitor (LATENCY LATEST/HISTORY/RESET): events slower than
//! `latency-monitor-threshold` milliseconds.

use std::collections::{BTreeMap, VecDeque};

/// Samples kept per event (Redis's `LATENCY_TS_LEN`).
pub const HISTORY_LEN: usize = 160;

/// One latency spike.
#[derive(Debug, Clone, Copy)]
pub struct LatencySample {
    /// Unix time in seconds.
    pub time: i64,
    /// Latency in milliseconds.
    pub latency_ms: u64,
}

/// The history of one event.
#[derive(Debug, Default, Clone)]
pub struct EventHistory {
    /// Samples, oldest first; at most one per second.
    pub samples: VecDeque<LatencySample>,
    /// The highest latency ever seen.
    pub max_ms: u64,
}

/// Latency history by event name (`command`, `fast-command`, `expire-cycle`...).
#[derive(Debug, Default)]
pub struct LatencyMonitor {
    events: BTreeMap<String, EventHistory>,
}

impl LatencyMonitor {
    /// Records `latency_ms` for `event` if the monitor is on and it passes the threshold.
    pub fn record(&mut self, threshold_ms: u64, event: &str, latency_ms: u64, now_s: i64) {
        if threshold_ms == 0 || latency_ms < threshold_ms {
            return;
        }
        let h = self.events.entry(event.to_string()).or_default();
        h.max_ms = h.max_ms.max(latency_ms);
        // Redis merges samples of the same second, keeping the worst.
        if let Some(last) = h.samples.back_mut() {
            if last.time == now_s {
                last.latency_ms = last.latency_ms.max(latency_ms);
                return;
            }
        }
        h.samples.push_back(LatencySample {
            time: now_s,
            latency_ms,
        });
        if h.samples.len() > HISTORY_LEN {
            h.samples.pop_front();
        }
    }

    /// Every event with its history.
    pub fn events(&self) -> impl Iterator<Item = (&String, &EventHistory)> {
        self.events.iter()
    }

    /// One event's history.
    pub fn event(&self, name: &str) -> Option<&EventHistory> {
        self.events.get(name)
    }

    /// Clears the named events (all when `names` is empty); returns how many were cleared.
    pub fn reset(&mut self, names: &[&str]) -> usize {
        if names.is_empty() {
            let n = self.events.len();
            self.events.clear();
            return n;
        }
        names
            .iter()
            .filter(|n| self.events.remove(**n).is_some())
            .count()
    }
}
