//! A histogram of PING round trips in fixed millisecond buckets.

use std::time::Duration;

/// Upper bounds of the buckets, in milliseconds; the last bucket is open.
pub const BUCKET_BOUNDS_MS: [f64; 7] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0];

/// Counts of round trips per bucket, plus the extremes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LatencyHistogram {
    /// One count per bound, plus one for slower trips.
    pub counts: [u64; 8],
    /// Slowest trip seen, in milliseconds.
    pub max_ms: f64,
    /// Sum of all trips, in milliseconds.
    pub total_ms: f64,
}

impl LatencyHistogram {
    /// Counts one round trip.
    pub fn record(&mut self, trip: Duration) {
        let ms = trip.as_secs_f64() * 1000.0;
        let bucket = BUCKET_BOUNDS_MS
            .iter()
            .position(|bound| ms < *bound)
            .unwrap_or(BUCKET_BOUNDS_MS.len());
        self.counts[bucket] += 1;
        self.max_ms = self.max_ms.max(ms);
        self.total_ms += ms;
    }

    /// How many trips were counted.
    pub fn samples(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Mean trip in milliseconds.
    pub fn mean_ms(&self) -> Option<f64> {
        let n = self.samples();
        (n > 0).then(|| self.total_ms / n as f64)
    }

    /// Bucket labels, e.g. `<0.1`, `<1`, `>=10` (milliseconds).
    pub fn labels() -> [String; 8] {
        let mut labels: [String; 8] = Default::default();
        for (label, bound) in labels.iter_mut().zip(BUCKET_BOUNDS_MS) {
            *label = format!("<{bound}");
        }
        labels[7] = format!(">={}", BUCKET_BOUNDS_MS[6]);
        labels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trips_land_in_their_buckets() {
        let mut h = LatencyHistogram::default();
        h.record(Duration::from_micros(50));
        h.record(Duration::from_micros(300));
        h.record(Duration::from_millis(30));
        assert_eq!(h.counts, [1, 0, 1, 0, 0, 0, 0, 1]);
        assert_eq!(h.max_ms, 30.0);
        assert_eq!(h.samples(), 3);
        assert_eq!(LatencyHistogram::labels()[2], "<0.5");
    }
}
