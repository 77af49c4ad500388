//! Memory figures for INFO memory, from jemalloc's own statistics (as Redis
//! reads them) and from the kernel for RSS, and [`CountingAllocator`]: the
//! cheap running total (Redis's `zmalloc_used_memory`) that the maxmemory
//! check reads before every command.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Bytes currently allocated through [`CountingAllocator`], rounded up to
/// jemalloc's size classes.
static USED: AtomicUsize = AtomicUsize::new(0);
/// Whether the process allocator is a [`CountingAllocator`].
static COUNTING: AtomicBool = AtomicBool::new(false);

/// A global allocator wrapper that keeps a running total of live bytes,
/// so "how much memory is in use" is one atomic load instead of a jemalloc
/// epoch refresh (which walks every arena).
#[derive(Debug)]
pub struct CountingAllocator<A>(pub A);

// SAFETY: every call is forwarded unchanged to the wrapped allocator; the
// bookkeeping only touches an atomic counter.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAllocator<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = self.0.alloc(layout);
        if !p.is_null() {
            USED.fetch_add(size_class(layout.size()), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = self.0.alloc_zeroed(layout);
        if !p.is_null() {
            USED.fetch_add(size_class(layout.size()), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.0.dealloc(ptr, layout);
        USED.fetch_sub(size_class(layout.size()), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = self.0.realloc(ptr, layout, new_size);
        if !p.is_null() {
            let (old, new) = (size_class(layout.size()), size_class(new_size));
            if new >= old {
                USED.fetch_add(new - old, Ordering::Relaxed);
            } else {
                USED.fetch_sub(old - new, Ordering::Relaxed);
            }
        }
        p
    }
}

/// Marks the counting allocator as installed (the binary calls this first
/// thing); until then [`used_memory`] falls back to jemalloc's statistics.
pub fn enable_counting() {
    COUNTING.store(true, Ordering::Relaxed);
}

/// Bytes in use, as INFO `used_memory` and the maxmemory check read it:
/// the counting allocator's total when installed, else jemalloc's
/// `stats.allocated`.
pub fn used_memory() -> usize {
    if COUNTING.load(Ordering::Relaxed) {
        USED.load(Ordering::Relaxed)
    } else {
        allocator_stats().allocated
    }
}

/// jemalloc's size class for a request of `n` bytes: 8, then multiples of
/// 16 up to 128, then four classes per power of two.
pub const fn size_class(n: usize) -> usize {
    if n <= 8 {
        return 8;
    }
    if n <= 128 {
        return (n + 15) & !15;
    }
    let lg = usize::BITS - 1 - (n - 1).leading_zeros();
    let delta = 1usize << (lg - 2);
    (n + delta - 1) & !(delta - 1)
}

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

/// jemalloc's statistics report (`malloc_stats_print`), as MEMORY
/// MALLOC-STATS shows it.
pub fn allocator_report() -> String {
    unsafe extern "C" fn append(opaque: *mut std::ffi::c_void, text: *const std::ffi::c_char) {
        // SAFETY: `opaque` is the `String` passed below, alive for the call;
        // jemalloc hands a NUL-terminated string.
        let out = unsafe { &mut *(opaque as *mut String) };
        let text = unsafe { std::ffi::CStr::from_ptr(text) };
        out.push_str(&text.to_string_lossy());
    }
    let mut out = String::new();
    // SAFETY: the callback only appends to `out`, which outlives the call.
    unsafe {
        tikv_jemalloc_sys::malloc_stats_print(
            Some(append),
            &mut out as *mut String as *mut std::ffi::c_void,
            std::ptr::null(),
        );
    }
    out
}

/// Asks jemalloc to return unused dirty pages of every arena to the system
/// (MEMORY PURGE); false when the allocator refused.
pub fn purge_allocator() -> bool {
    // MALLCTL_ARENAS_ALL: the pseudo-arena index meaning "all arenas".
    let name = c"arena.4096.purge";
    // SAFETY: a void control takes no old or new value.
    let rc = unsafe {
        tikv_jemalloc_sys::mallctl(
            name.as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        )
    };
    rc == 0
}

/// Turns jemalloc's background purging threads on or off
/// (`jemalloc-bg-thread`). With them on, the dirty pages a big free leaves
/// are returned to the system by jemalloc's thread; off, by whichever
/// thread next allocates, possibly the one serving clients. False when
/// the allocator refused.
pub fn set_background_thread(on: bool) -> bool {
    tikv_jemalloc_ctl::background_thread::write(on).is_ok()
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
    fn size_classes_match_jemalloc() {
        let cases = [
            (0, 8),
            (1, 8),
            (9, 16),
            (24, 32),
            (128, 128),
            (129, 160),
            (256, 256),
            (257, 320),
            (1000, 1024),
            (1025, 1280),
            (5000, 5120),
        ];
        for (n, class) in cases {
            assert_eq!(size_class(n), class, "{n}");
        }
    }

    #[test]
    fn allocator_report_and_purge() {
        assert!(allocator_report().contains("jemalloc"));
        assert!(purge_allocator());
    }

    #[test]
    fn rss_is_positive() {
        assert!(rss_bytes() > 0);
    }

    #[test]
    fn background_purging_turns_on_and_off() {
        let read = || tikv_jemalloc_ctl::background_thread::read().unwrap();
        assert!(set_background_thread(true));
        assert!(read());
        assert!(set_background_thread(false));
        assert!(!read());
    }
}
