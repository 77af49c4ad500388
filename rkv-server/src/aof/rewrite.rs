//! BGREWRITEAOF as Redis 7.0 runs it (`rewriteAppendOnlyFileBackground`,
//! `backgroundRewriteDoneHandler` in aof.c): writes from the start of the
//! rewrite go to a new incremental file (listed in the manifest at once),
//! a forked child writes the whole dataset into
//! `dir/temp-rewriteaof-bg-<pid>.aof`, and when it exits successfully the
//! parent renames that file to the next base name, writes the manifest
//! (new base + the incremental file opened at the start; the older files
//! as history), then deletes the history files. A failed or killed child
//! leaves the previous set untouched and valid.
//!
//! The cron starts scheduled rewrites and automatic ones
//! (`auto-aof-rewrite-percentage` / `auto-aof-rewrite-min-size`), backing
//! off after repeated failures as Redis's `aofRewriteLimited`.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rkv_aof::manifest::{file_path, manifest_name, FileKind, Manifest};
use rkv_aof::writer::AppendFile;

use crate::config::FsyncPolicy;
use crate::persistence::cow;
use crate::server::Server;
use crate::{notice, warning};

/// Consecutive failures after which automatic and scheduled rewrites
/// wait (Redis's `AOF_REWRITE_LIMITE_THRESHOLD`).
const LIMIT_THRESHOLD: u64 = 3;
/// Longest wait between limited attempts, in minutes.
const LIMIT_MAX_MINUTES: i64 = 60;

/// A rewrite child in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewriteChild {
    /// Its process id.
    pub pid: i32,
    /// When it was forked.
    pub started: Instant,
    /// Whether it writes an RDB image (`aof-use-rdb-preamble` at the fork).
    pub rdb_preamble: bool,
    /// Read end of the pipe it reports its copy-on-write size on.
    pub report_fd: i32,
}

/// Rewrite bookkeeping (INFO persistence's `aof_rewrite*` fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewriteState {
    /// The child writing a new base, if any.
    pub child: Option<RewriteChild>,
    /// A rewrite waits for another child to finish.
    pub scheduled: bool,
    /// Seconds the last rewrite took, -1 before any.
    pub last_time_sec: i64,
    /// Whether the last rewrite succeeded.
    pub last_ok: bool,
    /// Rewrites started (INFO `aof_rewrites`).
    pub rewrites: u64,
    /// Failures since the last success.
    pub consecutive_failures: u64,
    /// Bytes the last rewrite child copied on write.
    pub last_cow_size: u64,
    /// Minutes of the current back-off (0: none).
    limit_delay_minutes: i64,
    /// Unix seconds before which a limited rewrite does not start.
    limit_until: i64,
}

impl Default for RewriteState {
    fn default() -> Self {
        RewriteState {
            child: None,
            scheduled: false,
            last_time_sec: -1,
            last_ok: true,
            rewrites: 0,
            consecutive_failures: 0,
            last_cow_size: 0,
            limit_delay_minutes: 0,
            limit_until: 0,
        }
    }
}

/// Whether any background child runs (Redis's `hasActiveChildProcess`):
/// only one at a time.
pub fn any_child(srv: &Server) -> bool {
    srv.rdb.child.is_some()
        || srv.aof_rewrite.child.is_some()
        || crate::replication::fullsync::diskless_child_running(srv)
}

/// Whether a rewrite child runs.
pub fn in_progress(srv: &Server) -> bool {
    srv.aof_rewrite.child.is_some()
}

/// The temporary file a child with `pid` writes (in `dir`, as Redis).
fn temp_path(srv: &Server, pid: i32) -> PathBuf {
    srv.config.dir.join(format!("temp-rewriteaof-bg-{pid}.aof"))
}

/// Starts a rewrite: opens a new incremental file when the AOF is on,
/// then forks the child; returns its pid. Fails when another child runs.
pub fn start_background(srv: &mut Server) -> Result<i32, String> {
    if any_child(srv) {
        return Err("another child process is active".into());
    }
    let dir = srv.config.dir.join(&srv.config.appenddirname);
    fs::create_dir_all(&dir).map_err(|e| {
        let msg = format!(
            "Can't open or create append-only dir {}: {e}",
            dir.display()
        );
        warning!("{msg}");
        msg
    })?;
    if srv.aof.is_some() {
        super::write_pending(srv);
        if let Err(e) = open_new_incr(srv) {
            warning!("Can't open new incr AOF: {e}");
            srv.aof_rewrite.last_ok = false;
            return Err(e);
        }
    }
    srv.aof_rewrite.rewrites += 1;
    let rdb_preamble = srv.config.aof_use_rdb_preamble;
    let (report_fd, child_report_fd) = cow::report_pipe().map_err(|e| e.to_string())?;
    // SAFETY: as for BGSAVE's fork (persistence::saving::start_background):
    // the child only reads the copy-on-write image of the databases,
    // allocates through jemalloc, uses plain file syscalls and leaves with
    // `_exit`, never touching the runtime, sockets, logger or locks.
    let pid = unsafe { libc::fork() };
    match pid {
        -1 => {
            let e = io::Error::last_os_error();
            // SAFETY: closing the pipe made above.
            unsafe {
                libc::close(report_fd);
                libc::close(child_report_fd);
            }
            srv.aof_rewrite.last_ok = false;
            warning!("Can't rewrite append only file in background: fork: {e}");
            Err(e.to_string())
        }
        0 => child_main(srv, rdb_preamble, child_report_fd),
        pid => {
            // SAFETY: the write end belongs to the child now.
            unsafe { libc::close(child_report_fd) };
            notice!("Background append only file rewriting started by pid {pid}");
            srv.aof_rewrite.scheduled = false;
            srv.aof_rewrite.child = Some(RewriteChild {
                pid,
                started: Instant::now(),
                rdb_preamble,
                report_fd,
            });
            Ok(pid)
        }
    }
}

/// Writes from now on go to a new incremental file, listed in the
/// manifest before anything is written to it (Redis's
/// `openNewIncrAofForAppend`); while the set waits for its first rewrite,
/// to a fresh temporary incremental file instead (the child's snapshot
/// covers what the previous one held).
fn open_new_incr(srv: &mut Server) -> Result<(), String> {
    let prefix = srv.config.appendfilename.clone();
    let policy = srv.config.appendfsync;
    let aof = srv.aof.as_deref_mut().expect("the AOF is on");
    if aof.waiting_rewrite {
        let temp = super::files::temp_incr_path(&aof.dir, &prefix);
        let _ = fs::remove_file(&temp);
        aof.file = AppendFile::open(&temp).map_err(|e| e.to_string())?;
        aof.feed.reselect();
        aof.syncer = None;
        aof.apply_policy(policy);
        return Ok(());
    }
    let mut manifest = aof.manifest.clone();
    let name = manifest.start_new_incr(&prefix).to_string();
    let path = aof.dir.join(&name);
    let file = AppendFile::open(&path).map_err(|e| e.to_string())?;
    manifest
        .write_atomically(&aof.dir, &manifest_name(&prefix))
        .map_err(|e| e.to_string())?;
    if policy != FsyncPolicy::No {
        let _ = aof.file.sync_data();
    }
    aof.older_incr_size += aof.file.len();
    aof.file = file;
    aof.manifest = manifest;
    // The new file must stand alone: it starts with a SELECT.
    aof.feed.reselect();
    aof.syncer = None;
    aof.apply_policy(policy);
    Ok(())
}

/// The child's whole life: write the base into the temporary file, flush
/// it to disk, exit 0 on success or 1.
fn child_main(srv: &Server, rdb_preamble: bool, report_fd: i32) -> ! {
    crate::persistence::saving::close_inherited_descriptors(report_fd);
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    let path = temp_path(srv, pid);
    let code = match write_base_file(srv, &path, rdb_preamble) {
        Ok(()) => {
            cow::send_report();
            0
        }
        Err(_) => {
            let _ = fs::remove_file(&path);
            1
        }
    };
    // SAFETY: `_exit` ends the process without running destructors.
    unsafe { libc::_exit(code) }
}

/// Writes the dataset as a base file at `path` (an RDB image, or
/// commands), flushed and fsynced.
pub fn write_base_file(srv: &Server, path: &Path, rdb_preamble: bool) -> Result<(), String> {
    let file = fs::File::create(path).map_err(|e| e.to_string())?;
    let mut out = BufWriter::new(file);
    if rdb_preamble {
        super::rdb_bridge::write_keyspace_rdb(srv, &mut out)?;
    } else {
        if srv.config.aof_timestamp_enabled {
            let mut ts = Vec::new();
            rkv_aof::writer::encode_timestamp(&mut ts, crate::server::unix_ms() / 1000);
            out.write_all(&ts).map_err(|e| e.to_string())?;
        }
        super::command_base::write_keyspace_commands(srv, &mut out).map_err(|e| e.to_string())?;
    }
    let file = out.into_inner().map_err(|e| e.to_string())?;
    file.sync_all().map_err(|e| e.to_string())
}

/// Reaps a finished rewrite child and installs its result (Redis's
/// `backgroundRewriteDoneHandler`).
pub fn poll_child(srv: &mut Server) {
    reap(srv, libc::WNOHANG);
}

/// Waits for a running rewrite child to finish and installs its result.
pub fn wait_child(srv: &mut Server) {
    reap(srv, 0);
}

/// [`poll_child`] with waitpid `options` (WNOHANG or 0: block).
fn reap(srv: &mut Server, options: i32) {
    let Some(child) = srv.aof_rewrite.child else {
        return;
    };
    let mut status = 0;
    // SAFETY: waitpid on our own child with a valid status pointer.
    let done = unsafe { libc::waitpid(child.pid, &mut status, options) };
    if done == 0 {
        return;
    }
    srv.aof_rewrite.child = None;
    if let Some(bytes) = cow::receive_report(child.report_fd) {
        srv.aof_rewrite.last_cow_size = bytes;
    }
    // None: stopped on purpose (SIGUSR1), neither success nor failure.
    let outcome = if done < 0 {
        warning!(
            "waitpid() returned an error: {}",
            io::Error::last_os_error()
        );
        Some(false)
    } else if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        notice!("Background AOF rewrite terminated with success");
        match install(srv, &child) {
            Ok(()) => {
                notice!("Background AOF rewrite finished successfully");
                Some(true)
            }
            Err(e) => {
                warning!("{e}");
                Some(false)
            }
        }
    } else if libc::WIFEXITED(status) {
        warning!("Background AOF rewrite terminated with error");
        Some(false)
    } else {
        let signal = libc::WTERMSIG(status);
        warning!("Background AOF rewrite terminated by signal {signal}");
        (signal != libc::SIGUSR1).then_some(false)
    };
    if let Some(ok) = outcome {
        record_outcome(srv, ok);
    }
    // A set turned on at run time still needs its base: try again.
    if outcome != Some(true) && srv.aof.as_deref().is_some_and(|a| a.waiting_rewrite) {
        srv.aof_rewrite.scheduled = true;
    }
    let _ = fs::remove_file(temp_path(srv, child.pid));
    srv.aof_rewrite.last_time_sec = child.started.elapsed().as_secs() as i64;
}

fn record_outcome(srv: &mut Server, ok: bool) {
    let state = &mut srv.aof_rewrite;
    state.last_ok = ok;
    if ok {
        state.consecutive_failures = 0;
    } else {
        state.consecutive_failures += 1;
    }
}

/// Renames the child's file to the next base, switches the manifest and
/// deletes the retired files.
fn install(srv: &mut Server, child: &RewriteChild) -> Result<(), String> {
    let prefix = srv.config.appendfilename.clone();
    let dir = srv.config.dir.join(&srv.config.appenddirname);
    let mut manifest = match srv.aof.as_deref() {
        Some(aof) => aof.manifest.clone(),
        None => {
            let path = dir.join(manifest_name(&prefix));
            if path.exists() {
                Manifest::load(&path).map_err(|e| e.to_string())?
            } else {
                Manifest::default()
            }
        }
    };
    let base_name = manifest
        .start_new_base(&prefix, child.rdb_preamble)
        .to_string();
    let temp = temp_path(srv, child.pid);
    let base_path = dir.join(&base_name);
    fs::rename(&temp, &base_path).map_err(|e| {
        format!(
            "Error trying to rename the temporary AOF base file {} into {}: {e}",
            temp.display(),
            base_path.display()
        )
    })?;
    notice!(
        "Successfully renamed the temporary AOF base file temp-rewriteaof-bg-{}.aof into {base_name}",
        child.pid
    );
    let waiting = srv.aof.as_deref().is_some_and(|a| a.waiting_rewrite);
    if waiting {
        // The temporary incremental file becomes the set's new one.
        let incr = manifest.start_new_incr(&prefix).to_string();
        let temp = super::files::temp_incr_path(&dir, &prefix);
        fs::rename(&temp, dir.join(&incr)).map_err(|e| {
            let _ = fs::remove_file(&base_path);
            format!(
                "Error trying to rename the temporary AOF incr file {} into {incr}: {e}",
                temp.display()
            )
        })?;
        notice!("Successfully renamed the temporary AOF incr file temp-{prefix}.incr into {incr}");
    }
    if srv.aof.is_some() {
        manifest.retire_rewritten_incrs();
    } else {
        // With the AOF off no file is being written: every incremental
        // file is covered by the new base.
        for mut info in std::mem::take(&mut manifest.incr).into_iter().rev() {
            info.kind = FileKind::History;
            manifest.history.insert(0, info);
        }
    }
    if let Err(e) = manifest.write_atomically(&dir, &manifest_name(&prefix)) {
        let _ = fs::remove_file(&base_path);
        return Err(e.to_string());
    }
    delete_history(&dir, &prefix, &mut manifest);
    let base_size = fs::metadata(&base_path).map_or(0, |m| m.len());
    if let Some(aof) = srv.aof.as_deref_mut() {
        if waiting {
            let incr = manifest.incr.last().expect("just started");
            aof.file = AppendFile::open(&file_path(&dir, incr)).map_err(|e| e.to_string())?;
            aof.waiting_rewrite = false;
            aof.syncer = None;
            aof.apply_policy(srv.config.appendfsync);
        }
        aof.manifest = manifest;
        aof.base_size = base_size;
        aof.older_incr_size = 0;
        aof.rewrite_base_size = aof.current_size();
    }
    Ok(())
}

/// Removes the history files, then the manifest forgets them (Redis's
/// `aofDelHistoryFiles`); a failure only leaves files behind.
fn delete_history(dir: &Path, prefix: &str, manifest: &mut Manifest) {
    if manifest.history.is_empty() {
        return;
    }
    for old in std::mem::take(&mut manifest.history) {
        notice!("Removing the history file {} in the background", old.name);
        let _ = fs::remove_file(file_path(dir, &old));
    }
    let _ = manifest.write_atomically(dir, &manifest_name(prefix));
}

/// Stops a running rewrite child and removes its file (AOF turned off,
/// shutdown).
pub fn kill_child(srv: &mut Server) {
    if let Some(child) = srv.aof_rewrite.child.take() {
        notice!("Killing running AOF rewrite child: {}", child.pid);
        // SAFETY: signalling and reaping our own child.
        unsafe {
            libc::kill(child.pid, libc::SIGUSR1);
            let mut status = 0;
            libc::waitpid(child.pid, &mut status, 0);
        }
        let _ = fs::remove_file(temp_path(srv, child.pid));
        let _ = cow::receive_report(child.report_fd);
    }
}

/// Whether repeated failures hold rewrites back for now (Redis's
/// `aofRewriteLimited`: 1, 2, 4… up to 60 minutes).
fn limited(srv: &mut Server) -> bool {
    let now = srv.now_ms / 1000;
    let state = &mut srv.aof_rewrite;
    if state.consecutive_failures < LIMIT_THRESHOLD {
        state.limit_delay_minutes = 0;
        state.limit_until = 0;
        return false;
    }
    if state.limit_until != 0 {
        if now < state.limit_until {
            return true;
        }
        state.limit_until = 0;
        return false;
    }
    state.limit_delay_minutes = if state.limit_delay_minutes == 0 {
        1
    } else {
        (state.limit_delay_minutes * 2).min(LIMIT_MAX_MINUTES)
    };
    state.limit_until = now + state.limit_delay_minutes * 60;
    warning!(
        "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} minutes",
        state.limit_delay_minutes
    );
    true
}

/// The growth of the AOF over its size after the last rewrite, in
/// percent, when it calls for an automatic rewrite.
fn auto_rewrite_growth(srv: &Server) -> Option<u64> {
    let aof = srv.aof.as_deref()?;
    let percentage = u64::from(srv.config.auto_aof_rewrite_percentage);
    let current = aof.current_size();
    if percentage == 0 || current <= srv.config.auto_aof_rewrite_min_size {
        return None;
    }
    let base = aof.rewrite_base_size.max(1);
    let growth = (current * 100 / base).saturating_sub(100);
    (growth >= percentage).then_some(growth)
}

/// The cron's part: reap a finished child, start a scheduled rewrite or
/// an automatic one.
pub fn cron(srv: &mut Server) {
    poll_child(srv);
    if any_child(srv) {
        return;
    }
    if srv.aof_rewrite.scheduled {
        if !limited(srv) {
            let _ = start_background(srv);
        }
        return;
    }
    if let Some(growth) = auto_rewrite_growth(srv) {
        if !limited(srv) {
            notice!("Starting automatic rewriting of AOF on {growth}% growth");
            let _ = start_background(srv);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn failures_back_off_one_then_two_minutes() {
        let mut srv = Server::new(Config::from_args(&[]).unwrap());
        srv.now_ms = 1_000_000_000;
        srv.aof_rewrite.consecutive_failures = 2;
        assert!(!limited(&mut srv));
        srv.aof_rewrite.consecutive_failures = 3;
        assert!(limited(&mut srv));
        srv.now_ms += 59_000;
        assert!(limited(&mut srv));
        srv.now_ms += 1_000;
        assert!(!limited(&mut srv));
        assert!(limited(&mut srv));
        assert_eq!(srv.aof_rewrite.limit_delay_minutes, 2);
    }
}
