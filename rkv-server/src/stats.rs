//! Server statistics: INFO stats, commandstats and errorstats counters.

use std::collections::BTreeMap;

/// Per-command counters (INFO commandstats).
#[derive(Debug, Default, Clone, Copy)]
pub struct CommandStats {
    /// Times executed.
    pub calls: u64,
    /// Microseconds spent executing.
    pub usec: u64,
    /// Rejected before execution (arity, auth...).
    pub rejected_calls: u64,
    /// Executed but replied with an error.
    pub failed_calls: u64,
}

/// Counters reported by INFO.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted.
    pub total_connections_received: u64,
    /// Connections refused (maxclients).
    pub rejected_connections: u64,
    /// Commands executed.
    pub total_commands_processed: u64,
    /// Bytes read from clients.
    pub total_net_input_bytes: u64,
    /// Bytes written to clients.
    pub total_net_output_bytes: u64,
    /// Estimated percentage of logically expired keys (INFO expired_stale_perc).
    pub expired_stale_perc: f64,
    /// Times the active expiry cycle stopped for lack of time.
    pub expired_time_cap_reached_count: u64,
    /// Microseconds spent in the active expiry cycle.
    pub expire_cycle_cpu_milliseconds: u64,
    /// Keys evicted.
    pub evicted_keys: u64,
    /// Clients disconnected for `maxmemory-clients`.
    pub evicted_clients: u64,
    /// Microseconds spent over `maxmemory` in finished episodes (INFO
    /// `total_eviction_exceeded_time`).
    pub eviction_exceeded_us: u64,
    /// Since when memory has been over `maxmemory`, if it still is.
    pub eviction_exceeded_since: Option<std::time::Instant>,
    /// The databases' expired-key total at the last CONFIG RESETSTAT (INFO
    /// reports `expired_keys` relative to it).
    pub expired_keys_at_reset: u64,
    /// Full resyncs served to replicas (INFO `sync_full`).
    pub sync_full: u64,
    /// Partial resyncs accepted (INFO `sync_partial_ok`).
    pub sync_partial_ok: u64,
    /// Partial resyncs refused for a full one (INFO `sync_partial_err`).
    pub sync_partial_err: u64,
    /// Read lookups that found the key.
    pub keyspace_hits: u64,
    /// Read lookups that did not.
    pub keyspace_misses: u64,
    /// Error replies sent.
    pub total_error_replies: u64,
    /// Errors by code (INFO errorstats).
    pub errors: BTreeMap<String, u64>,
    /// Per-command counters, indexed by command id.
    pub commands: Vec<CommandStats>,
    /// Instantaneous ops/s samples (ring), filled by the cron.
    pub ops_samples: OpsSampler,
    /// Instantaneous input bytes/s samples.
    pub net_input_samples: OpsSampler,
    /// Instantaneous output bytes/s samples.
    pub net_output_samples: OpsSampler,
    /// Recent peaks of client buffers (INFO clients); not a counter, so
    /// CONFIG RESETSTAT keeps it, as Redis does.
    pub client_peaks: crate::client_peaks::ClientPeaks,
}

impl Stats {
    /// Counts an error reply by its code.
    pub fn count_error(&mut self, code: &str) {
        self.total_error_replies += 1;
        // Redis caps distinct error codes at 128 to bound memory.
        if let Some(n) = self.errors.get_mut(code) {
            *n += 1;
        } else if self.errors.len() < 128 {
            self.errors.insert(code.to_string(), 1);
        }
    }

    /// CONFIG RESETSTAT: zero every counter.
    pub fn reset(&mut self) {
        let n = self.commands.len();
        let client_peaks = self.client_peaks;
        *self = Stats::default();
        self.commands = vec![CommandStats::default(); n];
        self.client_peaks = client_peaks;
    }
}

/// Number of samples kept for instantaneous metrics (Redis's `STATS_METRIC_SAMPLES`).
const SAMPLES: usize = 16;

/// A ring of rate samples, as Redis's `trackInstantaneousMetric` keeps them.
#[derive(Debug, Default)]
pub struct OpsSampler {
    samples: [u64; SAMPLES],
    idx: usize,
    last_time_ms: i64,
    last_value: u64,
}

impl OpsSampler {
    /// Records the counter's current `value` at `now_ms`.
    pub fn track(&mut self, value: u64, now_ms: i64) {
        if self.last_time_ms != 0 {
            let dt = (now_ms - self.last_time_ms).max(1) as u64;
            let per_sec = value.saturating_sub(self.last_value) * 1000 / dt;
            self.samples[self.idx] = per_sec;
            self.idx = (self.idx + 1) % SAMPLES;
        }
        self.last_time_ms = now_ms;
        self.last_value = value;
    }

    /// Mean of the samples.
    pub fn rate(&self) -> u64 {
        self.samples.iter().sum::<u64>() / SAMPLES as u64
    }
}
