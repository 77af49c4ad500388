//! RDB persistence: converting values to and from `rkv-rdb`'s model,
//! writing snapshots (SAVE, BGSAVE in a forked child) and loading them.
//!
//! - [`convert`]: server values ⇄ [`rkv_rdb::Value`], with encodings chosen
//!   by the configured thresholds on load.
//! - [`snapshot`]: writing all databases to a temporary file, fsync, rename.
//! - [`saving`]: SAVE, BGSAVE's forked child, the cron and save points.
//! - [`cow`]: the child's copy-on-write size, reported through a pipe.
//! - [`load`]: reading the dump at start-up and for DEBUG RELOAD.
//! - [`reload`]: DEBUG RELOAD.
//! - [`state`]: [`RdbState`], the bookkeeping INFO persistence shows.
//! - [`info`]: the INFO persistence section.

pub mod convert;
pub mod cow;
pub mod distinct;
pub mod info;
pub mod load;
pub mod load_sink;
pub mod reload;
pub mod saving;
pub mod snapshot;
pub mod state;

pub use state::RdbState;

use crate::command::flags;
use crate::server::Server;

/// Redis's reply to writes while snapshots fail (`shared.bgsaveerr`).
pub const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

/// Redis's reply to commands without the LOADING flag while the dump
/// loads (`shared.loadingerr`).
pub const LOADING: &str = "LOADING Redis is loading the dataset in memory";

/// Whether a command with `cmd_flags` (PING: `is_ping`) must be refused
/// with [`MISCONF`] (Redis's `writeCommandsDeniedByDiskError`).
pub fn write_denied(srv: &Server, cmd_flags: u32, is_ping: bool) -> bool {
    srv.config.stop_writes_on_bgsave_error
        && !srv.config.save_points.is_empty()
        && !srv.rdb.last_bgsave_ok
        && (cmd_flags & flags::WRITE != 0 || is_ping)
}
