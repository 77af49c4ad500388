//! Freeing big data off the main thread, as Redis's lazyfree background
//! thread does for FLUSHDB ASYNC and UNLINK: the owner hands the data over
//! and a single worker thread drops it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::OnceLock;
use std::thread;

use crate::db::Value;
use crate::types::{HashValue, SetValue, ZSetValue};

/// Anything that can be dropped on another thread, with the number of
/// objects it holds (INFO counts objects, as Redis does).
type Garbage = (Box<dyn Send>, usize);

/// Values handed to the worker and not dropped yet (INFO
/// `lazyfree_pending_objects`).
static PENDING: AtomicUsize = AtomicUsize::new(0);
/// Values the worker has dropped (INFO `lazyfreed_objects`).
static FREED: AtomicUsize = AtomicUsize::new(0);

/// Values waiting for the lazy-free thread.
pub fn pending_objects() -> usize {
    PENDING.load(Ordering::Relaxed)
}

/// Values the lazy-free thread has freed since start-up.
pub fn freed_objects() -> usize {
    FREED.load(Ordering::Relaxed)
}

/// CONFIG RESETSTAT: forgets how many values were freed.
pub fn reset_stats() {
    FREED.store(0, Ordering::Relaxed);
}

/// The worker's queue, created with the worker on first use.
fn queue() -> Option<&'static Sender<Garbage>> {
    static QUEUE: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Garbage>();
            thread::Builder::new()
                .name("rkv-lazyfree".into())
                .spawn(move || {
                    yield_to_the_main_thread();
                    for (garbage, objects) in rx {
                        drop(garbage);
                        PENDING.fetch_sub(objects, Ordering::Relaxed);
                        FREED.fetch_add(objects, Ordering::Relaxed);
                    }
                })
                .ok()
                .map(|_| tx)
        })
        .as_ref()
}

/// Runs this thread under `SCHED_IDLE`: freeing a huge value must not
/// take CPU time from the thread serving clients when both share a CPU
/// (a pinned or small machine), where an equal-priority free thread would
/// hold the CPU for whole scheduler slices and delay every reply.
fn yield_to_the_main_thread() {
    // SAFETY: sched_param is plain data; 0 is the only valid priority for
    // SCHED_IDLE, and pid 0 means the calling thread.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        libc::sched_setscheduler(0, libc::SCHED_IDLE, &param);
    }
}

/// Drops `garbage` on the lazy-free thread; inline if that thread could not
/// be started.
pub fn free_in_background<T: Send + 'static>(garbage: T) {
    free_objects_in_background(garbage, 1);
}

/// [`free_in_background`] for a container of `objects` keys (a flushed
/// database), counted as that many objects in INFO.
pub fn free_objects_in_background<T: Send + 'static>(garbage: T, objects: usize) {
    match queue() {
        Some(tx) => {
            PENDING.fetch_add(objects, Ordering::Relaxed);
            // A send only fails once the worker is gone; the value comes back
            // in the error and is dropped right here.
            if tx.send((Box::new(garbage), objects)).is_err() {
                PENDING.fetch_sub(objects, Ordering::Relaxed);
            }
        }
        None => drop(garbage),
    }
}

/// Redis's `LAZYFREE_THRESHOLD`: values costing more allocations than this
/// to free go to the background thread.
const FREE_EFFORT_THRESHOLD: usize = 64;

/// Roughly how many allocations freeing `value` takes (Redis's
/// `lazyfreeGetFreeEffort`): 1 for strings and packed encodings, the
/// element count for tables, the node count for lists and streams.
pub fn free_effort(value: &Value) -> usize {
    match value {
        Value::Str(_) => 1,
        // A quicklist node holds about a hundred small elements.
        Value::List(l) => l.len().div_ceil(128),
        Value::Set(s) => match &**s {
            SetValue::Intset(_) => 1,
            SetValue::Table(d) => d.len(),
        },
        Value::Hash(h) => match &**h {
            HashValue::Listpack(_) => 1,
            HashValue::Table(_) => h.len(),
        },
        Value::ZSet(z) => match &**z {
            ZSetValue::Listpack(_) => 1,
            ZSetValue::Skiplist(_) => z.len(),
        },
        Value::Stream(s) => s.node_count() + s.groups.len(),
    }
}

/// Frees a deleted value: on the lazy-free thread when `lazy` and it is
/// costly (Redis's `dbAsyncDelete`), else right here.
pub fn free_value(value: Value, lazy: bool) {
    if lazy && free_effort(&value) > FREE_EFFORT_THRESHOLD {
        free_in_background(value);
    } else {
        drop(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn only_costly_values_go_to_the_worker() {
        assert_eq!(free_effort(&Value::string(b"x")), 1);
        let mut set = SetValue::default();
        for i in 0..1000 {
            set.add(format!("m{i}").as_bytes(), usize::MAX);
        }
        assert_eq!(free_effort(&Value::Set(Box::new(set))), 1000);
    }

    #[test]
    fn garbage_is_dropped_on_the_worker() {
        let tracker = Arc::new(());
        free_in_background((vec![0u8; 1024], Arc::clone(&tracker)));
        let started = Instant::now();
        while Arc::strong_count(&tracker) > 1 {
            assert!(started.elapsed() < Duration::from_secs(5), "never freed");
            thread::sleep(Duration::from_millis(1));
        }
    }
}
