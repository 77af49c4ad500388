//! Freeing big data off the main thread, as Redis's lazyfree background
//! thread does for FLUSHDB ASYNC and UNLINK: the owner hands the data over
//! and a single worker thread drops it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::OnceLock;
use std::thread;

/// Anything that can be dropped on another thread.
type Garbage = Box<dyn Send>;

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

/// The worker's queue, created with the worker on first use.
fn queue() -> Option<&'static Sender<Garbage>> {
    static QUEUE: OnceLock<Option<Sender<Garbage>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Garbage>();
            thread::Builder::new()
                .name("rkv-lazyfree".into())
                .spawn(move || {
                    for garbage in rx {
                        drop(garbage);
                        PENDING.fetch_sub(1, Ordering::Relaxed);
                        FREED.fetch_add(1, Ordering::Relaxed);
                    }
                })
                .ok()
                .map(|_| tx)
        })
        .as_ref()
}

/// Drops `garbage` on the lazy-free thread; inline if that thread could not
/// be started.
pub fn free_in_background<T: Send + 'static>(garbage: T) {
    match queue() {
        Some(tx) => {
            PENDING.fetch_add(1, Ordering::Relaxed);
            // A send only fails once the worker is gone; the value comes back
            // in the error and is dropped right here.
            if tx.send(Box::new(garbage)).is_err() {
                PENDING.fetch_sub(1, Ordering::Relaxed);
            }
        }
        None => drop(garbage),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

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
