//! Memory figures for INFO memory, from jemalloc's own statistics (as Redis
//! reads them) and from the kernel for RSS.

/// jemalloc's view of the heap, in bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct AllocatorStats {
    /// Bytes handed out to the program (`stats.allocated`): INFO used_memory.
    pub allocated: usize,
    /// Bytes in active pages (`stats.active`).
    pub active: usize,
    /// Bytes in physically resident pages (`stats.resident`).
    pub resident: usize,
    /// Bytes mapped (`stats.mapped`).
    pub mapped: usize,
    /// Bytes retained for reuse (`stats.retained`).
    pub retained: usize,
}

/// Reads jemalloc's statistics, refreshing its cached epoch first. Zero
/// everywhere when jemalloc is not the process allocator (unit tests).
pub fn allocator_stats() -> AllocatorStats {
    use tikv_jemalloc_ctl::{epoch, stats};
    if epoch::advance().is_err() {
        return AllocatorStats::default();
    }
    AllocatorStats {
        allocated: stats::allocated::read().unwrap_or(0),
        active: stats::active::read().unwrap_or(0),
        resident: stats::resident::read().unwrap_or(0),
        mapped: stats::mapped::read().unwrap_or(0),
        retained: stats::retained::read().unwrap_or(0),
    }
}

/// Resident set size of this process in bytes, from `/proc/self/statm`.
pub fn rss_bytes() -> usize {
    let Ok(statm) = std::fs::read_to_string("/proc/self/statm") else {
        return 0;
    };
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * page_size()
}

/// The system page size.
fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 {
        n as usize
    } else {
        4096
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_is_positive() {
        assert!(rss_bytes() > 0);
    }
}
