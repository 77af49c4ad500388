//! `appendfsync everysec`: a background thread that flushes the
//! append-only file to disk once a second when something was written, so
//! the event loop never waits for the disk (Redis's bio fsync job).

use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// What the thread and the event loop share.
#[derive(Debug, Default)]
struct Shared {
    /// Bytes appended so far (the event loop's count).
    written: AtomicU64,
    /// Bytes known to be on disk.
    synced: AtomicU64,
    /// Unix ms of the last successful fsync.
    last_sync_ms: AtomicI64,
    /// The last fsync failed.
    failed: AtomicBool,
}

/// The once-a-second fsync thread of one file.
#[derive(Debug)]
pub struct Syncer {
    shared: Arc<Shared>,
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Syncer {
    /// Starts syncing `file` (a second handle on the file being appended).
    pub fn start(file: File) -> Syncer {
        let shared = Arc::new(Shared::default());
        let (stop, stopped) = mpsc::channel::<()>();
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("rkv-aof-fsync".into())
            .spawn(move || loop {
                match stopped.recv_timeout(Duration::from_secs(1)) {
                    Err(RecvTimeoutError::Timeout) => sync_if_behind(&file, &theirs),
                    _ => {
                        sync_if_behind(&file, &theirs);
                        return;
                    }
                }
            })
            .ok();
        Syncer {
            shared,
            stop: Some(stop),
            thread,
        }
    }

    /// Records that the file now holds `len` bytes.
    pub fn written(&self, len: u64) {
        self.shared.written.store(len, Ordering::Release);
    }

    /// Whether the last fsync failed.
    pub fn failed(&self) -> bool {
        self.shared.failed.load(Ordering::Acquire)
    }

    /// Bytes appended but not yet on disk.
    pub fn pending_bytes(&self) -> u64 {
        let written = self.shared.written.load(Ordering::Acquire);
        written.saturating_sub(self.shared.synced.load(Ordering::Acquire))
    }
}

impl Drop for Syncer {
    /// Syncs what is left, then ends the thread.
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn sync_if_behind(file: &File, shared: &Shared) {
    let written = shared.written.load(Ordering::Acquire);
    if written <= shared.synced.load(Ordering::Acquire) {
        return;
    }
    match file.sync_data() {
        Ok(()) => {
            shared.synced.store(written, Ordering::Release);
            shared
                .last_sync_ms
                .store(crate::server::unix_ms(), Ordering::Release);
            shared.failed.store(false, Ordering::Release);
        }
        // The logger belongs to the event loop's thread: it reports this.
        Err(_) => shared.failed.store(true, Ordering::Release),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_syncs_what_was_written() {
        let path = std::env::temp_dir().join(format!("rkv-syncer-{}", std::process::id()));
        let file = File::create(&path).unwrap();
        let syncer = Syncer::start(file.try_clone().unwrap());
        syncer.written(10);
        assert_eq!(syncer.pending_bytes(), 10);
        let shared = Arc::clone(&syncer.shared);
        drop(syncer);
        assert_eq!(shared.synced.load(Ordering::Acquire), 10);
        let _ = std::fs::remove_file(path);
    }
}
