//! [`RdbState`]: what the server remembers about saves and loads (INFO
//! persistence, LASTSAVE, the save points' clock, `-MISCONF`).

use std::time::Instant;

/// A background save child in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveChild {
    /// Its process id.
    pub pid: i32,
    /// When it was forked.
    pub started: Instant,
    /// Keys in the databases when it was forked.
    pub keys_total: u64,
    /// Read end of the pipe the child reports its copy-on-write size on.
    pub report_fd: i32,
}

/// How far a load has got (INFO's `loading_*` fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadingProgress {
    /// Unix seconds when loading started.
    pub start_time: i64,
    /// Size of the dump file.
    pub total_bytes: u64,
    /// The `used-mem` the dump's writer recorded.
    pub rdb_used_mem: u64,
    /// Bytes read so far.
    pub loaded_bytes: u64,
}

/// Snapshot bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbState {
    /// Unix seconds of the last successful save (start-up time before any).
    pub lastsave: i64,
    /// Whether the last background save succeeded (Redis's
    /// `lastbgsave_status`; a SAVE that succeeds sets it too).
    pub last_bgsave_ok: bool,
    /// Unix seconds of the last BGSAVE attempt (retry delay after errors).
    pub last_bgsave_try: i64,
    /// The child writing a snapshot, if any.
    pub child: Option<SaveChild>,
    /// BGSAVE SCHEDULE (or BGSAVE inside EXEC) asked for a save later.
    pub scheduled: bool,
    /// `dirty` when the current child was forked: what a successful save
    /// covers.
    pub dirty_before_bgsave: u64,
    /// Saves started (INFO `rdb_saves`).
    pub saves: u64,
    /// Seconds the last background save took, -1 before any.
    pub last_bgsave_time_sec: i64,
    /// Bytes the last successful save child copied on write.
    pub last_cow_size: u64,
    /// Whether the dataset is being loaded.
    pub loading: bool,
    /// Progress of the load in course.
    pub loading_progress: LoadingProgress,
    /// Keys loaded by the last load.
    pub last_load_keys_loaded: u64,
    /// Already expired keys skipped by the last load.
    pub last_load_keys_expired: u64,
    /// The last save child that ended: its pid and whether it wrote its
    /// snapshot (a full sync waits for its own child's outcome).
    pub last_child_exit: Option<(i32, bool)>,
}

impl RdbState {
    /// A load of `total_bytes` starts at `now_unix` seconds: clients get
    /// `-LOADING` and INFO shows its progress until it ends.
    pub fn begin_loading(&mut self, now_unix: i64, total_bytes: u64) {
        self.loading = true;
        self.loading_progress = LoadingProgress {
            start_time: now_unix,
            total_bytes,
            ..LoadingProgress::default()
        };
    }

    /// The state of a server started at `now_unix` seconds.
    pub fn new(now_unix: i64) -> Self {
        RdbState {
            lastsave: now_unix,
            last_bgsave_ok: true,
            last_bgsave_try: 0,
            child: None,
            scheduled: false,
            dirty_before_bgsave: 0,
            saves: 0,
            last_bgsave_time_sec: -1,
            last_cow_size: 0,
            loading: false,
            loading_progress: LoadingProgress::default(),
            last_load_keys_loaded: 0,
            last_load_keys_expired: 0,
            last_child_exit: None,
        }
    }
}
