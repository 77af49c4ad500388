//! The slow log (SLOWLOG GET/LEN/RESET): commands slower than
//! `slowlog-log-slower-than` microseconds.

use std::collections::VecDeque;

/// Most arguments kept per entry (Redis's `SLOWLOG_ENTRY_MAX_ARGC`).
pub const MAX_ARGC: usize = 32;
/// Longest argument kept (Redis's `SLOWLOG_ENTRY_MAX_STRING`).
pub const MAX_STRING: usize = 128;

/// One slow command.
#[derive(Debug, Clone)]
pub struct SlowlogEntry {
    /// Increasing id.
    pub id: u64,
    /// Unix time (seconds) when it ran.
    pub time: i64,
    /// Execution time in microseconds.
    pub duration_us: u64,
    /// Arguments, trimmed as Redis trims them.
    pub args: Vec<Vec<u8>>,
    /// Client address.
    pub peer: String,
    /// Client name.
    pub name: Vec<u8>,
}

/// The slow log, newest first.
#[derive(Debug, Default)]
pub struct SlowLog {
    entries: VecDeque<SlowlogEntry>,
    next_id: u64,
}

impl SlowLog {
    /// Records a command if it ran longer than `threshold_us` (negative: never).
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        threshold_us: i64,
        max_len: usize,
        argv: &[&[u8]],
        duration_us: u64,
        time: i64,
        peer: &str,
        name: &[u8],
    ) {
        if threshold_us < 0 || duration_us < threshold_us as u64 {
            return;
        }
        let mut args = Vec::with_capacity(argv.len().min(MAX_ARGC));
        for (i, a) in argv.iter().enumerate() {
            if i == MAX_ARGC - 1 && argv.len() > MAX_ARGC {
                args.push(
                    format!("... ({} more arguments)", argv.len() - MAX_ARGC + 1).into_bytes(),
                );
                break;
            }
            if a.len() > MAX_STRING {
                let mut s = a[..MAX_STRING].to_vec();
                s.extend_from_slice(
                    format!("... ({} more bytes)", a.len() - MAX_STRING).as_bytes(),
                );
                args.push(s);
            } else {
                args.push(a.to_vec());
            }
        }
        self.entries.push_front(SlowlogEntry {
            id: self.next_id,
            time,
            duration_us,
            args,
            peer: peer.to_string(),
            name: name.to_vec(),
        });
        self.next_id += 1;
        self.trim(max_len);
    }

    /// Drops the oldest entries beyond `max_len`.
    pub fn trim(&mut self, max_len: usize) {
        self.entries.truncate(max_len);
    }

    /// Entries, newest first.
    pub fn entries(&self) -> impl Iterator<Item = &SlowlogEntry> {
        self.entries.iter()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry (ids keep increasing).
    pub fn reset(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_args_like_redis() {
        let mut log = SlowLog::default();
        let big = vec![b'x'; 200];
        let many: Vec<&[u8]> = (0..40).map(|_| &big[..1]).collect();
        log.record(0, 10, &[b"set", &big], 5, 0, "", b"");
        log.record(0, 10, &many, 5, 0, "", b"");
        log.record(100, 10, &[b"get"], 5, 0, "", b"");
        assert_eq!(log.len(), 2);
        let e: Vec<_> = log.entries().collect();
        assert_eq!(e[0].args.len(), 32);
        assert_eq!(e[0].args[31], b"... (9 more arguments)");
        assert!(e[1].args[1].ends_with(b"... (72 more bytes)"));
    }
}
