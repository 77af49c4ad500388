//! INFO clients `client_recent_max_input_buffer` and
//! `client_recent_max_output_buffer`: the biggest query and output buffers
//! any client held over the last few seconds, sampled by the cron as
//! Redis's `clientsCronTrackExpansiveClients` does (one slot per second of
//! the wall clock, in a ring of eight).

use crate::server::Server;

/// Seconds of history (Redis's `CLIENTS_PEAK_MEM_USAGE_SLOTS`).
const SLOTS: usize = 8;

/// Per-second peaks of client buffer sizes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ClientPeaks {
    input: [usize; SLOTS],
    output: [usize; SLOTS],
}

impl ClientPeaks {
    /// Records one client's buffers at wall-clock second `now_s`. The slot
    /// after the current one is cleared each time, so that when its second
    /// comes it holds only that second's samples.
    pub fn record(&mut self, now_s: i64, input: usize, output: usize) {
        let slot = now_s.rem_euclid(SLOTS as i64) as usize;
        let next = (slot + 1) % SLOTS;
        self.input[next] = 0;
        self.output[next] = 0;
        self.input[slot] = self.input[slot].max(input);
        self.output[slot] = self.output[slot].max(output);
    }

    /// The biggest query buffer in the window.
    pub fn max_input(&self) -> usize {
        self.input.iter().copied().max().unwrap_or(0)
    }

    /// The biggest output buffer in the window.
    pub fn max_output(&self) -> usize {
        self.output.iter().copied().max().unwrap_or(0)
    }
}

/// The cron's sample of every client not borrowed elsewhere: its query
/// buffer as allocated, and its unsent output.
pub fn cron(srv: &mut Server) {
    let now_s = srv.now_ms / 1000;
    let mut peaks = srv.stats.client_peaks;
    for c in srv.clients.values() {
        if let Ok(c) = c.try_borrow() {
            peaks.record(now_s, c.qbuf + c.qbuf_free, c.pending_output());
        }
    }
    srv.stats.client_peaks = peaks;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_are_kept_for_the_last_seconds_only() {
        let mut p = ClientPeaks::default();
        p.record(100, 20_000, 0);
        p.record(100, 500, 70_000);
        assert_eq!((p.max_input(), p.max_output()), (20_000, 70_000));
        for s in 101..=106 {
            p.record(s, 10, 10);
        }
        assert_eq!((p.max_input(), p.max_output()), (20_000, 70_000));
        // Second 107 clears second 100's slot (107 + 1 wraps onto it).
        p.record(107, 10, 10);
        assert_eq!((p.max_input(), p.max_output()), (10, 10));
    }
}
