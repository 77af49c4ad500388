//! The append-only file (`appendonly yes`), in Redis 7's multi-part
//! layout: `dir/appenddirname/` holds a base file, incremental files and
//! the manifest listing them (the format is the `rkv-aof` library's).
//!
//! What the propagation path ([`crate::propagate`]) emits is encoded into
//! an in-memory buffer ([`feed`]); the buffer is written to the current
//! incremental file before the replies of the batch go out
//! ([`write_pending`], called by the connection before it writes), and
//! under `appendfsync always` flushed to disk first too, so a write is
//! never acknowledged before it is durable. `everysec` leaves the flush to
//! a background thread ([`syncer`]); `no` to the operating system.
//!
//! BGREWRITEAOF and automatic rewrites: [`rewrite`] (a forked child
//! writes the new base, [`command_base`] its command form).

pub mod command_base;
mod files;
pub mod group_commit;
pub mod load;
pub mod rdb_bridge;
pub mod rewrite;
pub mod syncer;

use std::path::PathBuf;

use rkv_aof::manifest::Manifest;
use rkv_aof::writer::{AppendFile, CommandFeed};

use crate::config::FsyncPolicy;
use crate::notice;
use crate::server::Server;

pub use files::{reload, start, turn_on};

/// The open append-only set and its write buffer.
#[derive(Debug)]
pub struct Aof {
    /// The append-only directory.
    pub dir: PathBuf,
    /// The manifest as last written.
    pub manifest: Manifest,
    /// The incremental file being appended to.
    file: AppendFile,
    /// SELECT / `#TS:` state of the feed into `file`.
    feed: CommandFeed,
    /// Encoded commands not yet written (Redis's `aof_buf`).
    buf: Vec<u8>,
    /// The `everysec` fsync thread (None under the other policies).
    syncer: Option<syncer::Syncer>,
    /// Size of the base file.
    pub base_size: u64,
    /// Size of the whole set after the last rewrite (or at load: the
    /// base's): what automatic rewrites measure growth against (INFO
    /// `aof_base_size`, Redis's `aof_rewrite_base_size`).
    pub rewrite_base_size: u64,
    /// Size of the incremental files before the current one.
    older_incr_size: u64,
    /// The last write (or `always` fsync) succeeded.
    pub last_write_ok: bool,
    /// Turned on at run time and waiting for the first rewrite to write
    /// the base (Redis's `AOF_WAIT_REWRITE`): writes go to a temporary
    /// incremental file that joins the manifest with the new base.
    pub waiting_rewrite: bool,
    /// An fsync failure was already logged.
    fsync_failure_logged: bool,
}

impl Aof {
    /// Bytes in the whole set (INFO `aof_current_size`).
    pub fn current_size(&self) -> u64 {
        self.base_size + self.older_incr_size + self.file.len() + self.buf.len() as u64
    }

    /// Bytes buffered and not yet written (INFO `aof_buffer_length`).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Bytes written but not yet flushed by the `everysec` thread.
    pub fn pending_fsync(&self) -> u64 {
        self.syncer
            .as_ref()
            .map_or(0, syncer::Syncer::pending_bytes)
    }

    /// Starts or stops the `everysec` thread to match `policy`.
    fn apply_policy(&mut self, policy: FsyncPolicy) {
        match (policy, self.syncer.is_some()) {
            (FsyncPolicy::EverySec, false) => {
                if let Ok(f) = self.file.try_clone_file() {
                    let s = syncer::Syncer::start(f);
                    s.written(self.file.len());
                    self.syncer = Some(s);
                }
            }
            (FsyncPolicy::EverySec, true) => {}
            (_, _) => self.syncer = None,
        }
    }
}

/// Whether anything consumes propagated commands (while the server loads
/// its files, nothing does).
pub fn wants_feed(srv: &Server) -> bool {
    srv.aof.is_some()
}

/// Whether writes wait in the buffer for an `appendfsync always` fsync:
/// a reply about to leave may first let other clients add theirs.
pub fn group_commit_pending(srv: &Server) -> bool {
    srv.config.appendfsync == FsyncPolicy::Always
        && srv.aof.as_deref().is_some_and(|a| !a.buf.is_empty())
}

/// Appends one propagated command, run in database `db`, to the buffer.
pub fn feed<A: AsRef<[u8]>>(srv: &mut Server, db: usize, argv: &[A]) {
    let now_secs = srv.now_ms / 1000;
    if let Some(aof) = srv.aof.as_deref_mut() {
        aof.feed.feed(&mut aof.buf, db, now_secs, argv);
    }
}

/// Writes the buffer to the file, and under `appendfsync always` flushes
/// it to disk: called before replies go out, so none acknowledges a write
/// that is not in the file (Redis's `flushAppendOnlyFile` in
/// `beforeSleep`). A failed write keeps the buffer for the next attempt;
/// under `always` a failure stops the server, as in Redis.
pub fn write_pending(srv: &mut Server) {
    let policy = srv.config.appendfsync;
    // `no-appendfsync-on-rewrite`: no fsync while a child writes to disk.
    let skip_fsync = srv.config.no_appendfsync_on_rewrite && rewrite::any_child(srv);
    let Some(aof) = srv.aof.as_deref_mut() else {
        return;
    };
    if aof.buf.is_empty() {
        return;
    }
    if let Err(e) = aof.file.append(&aof.buf) {
        if aof.last_write_ok {
            crate::warning!("Error writing to the AOF file: {e}");
        }
        aof.last_write_ok = false;
        if policy == FsyncPolicy::Always {
            crate::warning!("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
            std::process::exit(1);
        }
        return;
    }
    aof.buf.clear();
    if !aof.last_write_ok {
        crate::warning!("AOF write error looks solved, Redis can write again.");
    }
    aof.last_write_ok = true;
    match policy {
        FsyncPolicy::Always if skip_fsync => {}
        FsyncPolicy::Always => {
            if let Err(e) = aof.file.sync_data() {
                crate::warning!("Can't persist AOF for fsync error when the AOF fsync policy is 'always': {e}. Exiting...");
                std::process::exit(1);
            }
        }
        FsyncPolicy::EverySec if skip_fsync => {}
        FsyncPolicy::EverySec => {
            if let Some(s) = &aof.syncer {
                s.written(aof.file.len());
            }
        }
        FsyncPolicy::No => {}
    }
}

/// Periodic work: write what active expiry queued, report a failed
/// background fsync once.
pub fn cron(srv: &mut Server) {
    crate::propagate::flush(srv, false);
    write_pending(srv);
    if let Some(aof) = srv.aof.as_deref_mut() {
        let failed = aof.syncer.as_ref().is_some_and(syncer::Syncer::failed);
        if failed && !aof.fsync_failure_logged {
            crate::warning!("Error trying to fsync the append only file in the background");
        }
        aof.fsync_failure_logged = failed;
    }
}

/// At shutdown: everything buffered written and flushed to disk.
pub fn shutdown(srv: &mut Server) {
    if srv.aof.as_deref().is_some_and(|a| a.waiting_rewrite) && rewrite::in_progress(srv) {
        // Redis refuses to exit while the initial AOF is written; rkv waits
        // for it, so what was acknowledged is in a complete set.
        notice!("Waiting for the initial AOF rewrite before exiting.");
        rewrite::wait_child(srv);
    }
    rewrite::kill_child(srv);
    write_pending(srv);
    if let Some(aof) = srv.aof.as_deref_mut() {
        aof.syncer = None;
        if let Err(e) = aof.file.sync_data() {
            crate::warning!("Error flushing the AOF file at shutdown: {e}");
        }
    }
}

/// CONFIG SET side effects: `appendfsync` (start or stop the fsync
/// thread), `aof-timestamp-enabled`, and `appendonly` (open or close the
/// set). Returns an error text for CONFIG SET to report.
pub fn config_changed(srv: &mut Server, name: &str) -> Result<(), String> {
    match name {
        "appendfsync" => {
            let policy = srv.config.appendfsync;
            if let Some(aof) = srv.aof.as_deref_mut() {
                aof.apply_policy(policy);
            }
        }
        "aof-timestamp-enabled" => {
            let on = srv.config.aof_timestamp_enabled;
            if let Some(aof) = srv.aof.as_deref_mut() {
                aof.feed.set_timestamps(on);
            }
        }
        "appendonly" => {
            if srv.config.appendonly && srv.aof.is_none() {
                turn_on(srv)?;
            } else if !srv.config.appendonly && srv.aof.is_some() {
                rewrite::kill_child(srv);
                shutdown(srv);
                srv.aof_rewrite.scheduled = false;
                if let Some(aof) = srv.aof.as_deref().filter(|a| a.waiting_rewrite) {
                    let temp = files::temp_incr_path(&aof.dir, &srv.config.appendfilename);
                    let _ = std::fs::remove_file(temp);
                }
                srv.aof = None;
                crate::notice!("Background append only file rewriting stopped; AOF turned off");
            }
        }
        _ => {}
    }
    Ok(())
}

/// INFO persistence's `aof_*` lines.
pub fn info_fields(srv: &Server, out: &mut String) {
    use std::fmt::Write as _;
    let aof = srv.aof.as_deref();
    let rw = &srv.aof_rewrite;
    let current_secs = rw
        .child
        .map_or(-1, |c| c.started.elapsed().as_secs() as i64);
    let _ = write!(
        out,
        "aof_enabled:{}\r\naof_rewrite_in_progress:{}\r\naof_rewrite_scheduled:{}\r\n\
         aof_last_rewrite_time_sec:{}\r\naof_current_rewrite_time_sec:{current_secs}\r\n\
         aof_last_bgrewrite_status:{}\r\naof_rewrites:{}\r\naof_rewrites_consecutive_failures:{}\r\n\
         aof_last_write_status:{}\r\naof_last_cow_size:{}\r\nmodule_fork_in_progress:0\r\n\
         module_fork_last_cow_size:0\r\n",
        u8::from(aof.is_some()),
        u8::from(rw.child.is_some()),
        u8::from(rw.scheduled),
        rw.last_time_sec,
        if rw.last_ok { "ok" } else { "err" },
        rw.rewrites,
        rw.consecutive_failures,
        if aof.is_none_or(|a| a.last_write_ok) {
            "ok"
        } else {
            "err"
        },
        rw.last_cow_size,
    );
    if let Some(a) = aof {
        let _ = write!(
            out,
            "aof_current_size:{}\r\naof_base_size:{}\r\naof_pending_rewrite:{}\r\n\
             aof_buffer_length:{}\r\naof_pending_bio_fsync:{}\r\naof_delayed_fsync:0\r\n",
            a.current_size(),
            a.rewrite_base_size,
            u8::from(rw.scheduled),
            a.buffered(),
            u8::from(a.pending_fsync() > 0),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use crate::command::dispatch::execute;
    use crate::config::Config;

    fn server_in(dir: &std::path::Path, policy: &str) -> Server {
        let args: Vec<String> = ["--appendonly", "yes", "--appendfsync", policy]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut srv = Server::new(Config::from_args(&args).unwrap());
        srv.config.dir = dir.to_path_buf();
        start(&mut srv).unwrap();
        srv
    }

    fn run(srv: &mut Server, client: &mut Client, line: &str) {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        execute(srv, client, &argv, &mut Vec::new());
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rkv-aof-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_fresh_start_creates_base_incr_and_manifest() {
        let dir = scratch("fresh");
        let srv = server_in(&dir, "no");
        let manifest = std::fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest"));
        assert_eq!(
            manifest.unwrap(),
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        assert!(srv.aof.as_ref().unwrap().base_size > 0);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn writes_reach_the_file_only_when_written_before_replies() {
        let dir = scratch("writes");
        let mut srv = server_in(&dir, "always");
        let mut c = Client::new(1, "t".into(), "t".into(), -1, srv.now_ms, true);
        run(&mut srv, &mut c, "SET k v");
        run(&mut srv, &mut c, "GET k");
        let incr = dir.join("appendonlydir/appendonly.aof.1.incr.aof");
        assert_eq!(std::fs::metadata(&incr).unwrap().len(), 0);
        assert!(group_commit_pending(&srv));
        write_pending(&mut srv);
        assert!(!group_commit_pending(&srv));
        assert_eq!(
            std::fs::read(&incr).unwrap(),
            b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_transaction_is_written_wrapped_and_a_read_not_at_all() {
        let dir = scratch("multi");
        let mut srv = server_in(&dir, "no");
        let mut c = Client::new(1, "t".into(), "t".into(), -1, srv.now_ms, true);
        for line in ["MULTI", "SET a 1", "GET a", "INCR a", "EXEC"] {
            run(&mut srv, &mut c, line);
        }
        write_pending(&mut srv);
        let incr = dir.join("appendonlydir/appendonly.aof.1.incr.aof");
        let text = String::from_utf8(std::fs::read(incr).unwrap()).unwrap();
        let words: Vec<&str> = text
            .split("\r\n")
            .filter(|w| !w.starts_with(['*', '$']))
            .collect();
        assert_eq!(
            words,
            ["SELECT", "0", "MULTI", "SET", "a", "1", "INCR", "a", "EXEC", ""]
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
