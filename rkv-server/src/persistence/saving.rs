//! SAVE and BGSAVE as Redis's `rdb.c` runs them: a synchronous save, a
//! forked child writing the snapshot while the parent keeps serving, the
//! cron polling that child, and the save points that start one.

use std::io;
use std::time::Instant;

use rkv_rdb::WriteOptions;

use super::cow;
use super::snapshot::{self, SnapshotParams};
use super::state::SaveChild;
use crate::server::Server;
use crate::{notice, warning};

/// Seconds to wait after a failed BGSAVE before the save points or a
/// scheduled BGSAVE try again (Redis's `CONFIG_BGSAVE_RETRY_DELAY`).
const RETRY_DELAY_SECS: i64 = 5;

/// Where and how the server saves now.
pub fn params(srv: &Server) -> SnapshotParams {
    SnapshotParams {
        path: srv.config.dir.join(&srv.config.dbfilename),
        options: WriteOptions {
            compression: srv.config.rdbcompression,
            checksum: srv.config.rdbchecksum,
        },
        ctime: srv.now_ms / 1000,
        used_mem: crate::memory::allocator_stats().allocated as u64,
        functions: srv
            .scripting
            .functions
            .libraries()
            .iter()
            .map(|lib| lib.code.clone())
            .collect(),
        repl: None,
        key_delay_us: srv.config.rdb_key_save_delay,
    }
}

/// Saves in the foreground (SAVE, SHUTDOWN, FLUSHALL, DEBUG RELOAD): on
/// success the changes count restarts and LASTSAVE moves.
pub fn save_now(srv: &mut Server) -> io::Result<()> {
    srv.update_clock();
    let params = params(srv);
    match snapshot::save(&srv.dbs, &params) {
        Ok(()) => {
            notice!("DB saved on disk");
            srv.dirty = 0;
            srv.rdb.lastsave = srv.now_ms / 1000;
            srv.rdb.last_bgsave_ok = true;
            Ok(())
        }
        Err(e) => {
            warning!("Failed saving the DB: {e}");
            Err(e)
        }
    }
}

/// Forks a child that writes the snapshot and exits (Redis's
/// `rdbSaveBackground`); returns its pid.
pub fn start_background(srv: &mut Server) -> io::Result<i32> {
    srv.update_clock();
    let params = params(srv);
    start_background_with(srv, params)
}

/// [`start_background`] with the snapshot's parameters given (a full
/// sync for replicas adds the replication aux fields).
pub fn start_background_with(srv: &mut Server, params: SnapshotParams) -> io::Result<i32> {
    srv.update_clock();
    srv.rdb.saves += 1;
    srv.rdb.dirty_before_bgsave = srv.dirty;
    srv.rdb.last_bgsave_try = srv.now_ms / 1000;
    let keys_total = srv.total_keys() as u64;
    let (report_fd, child_report_fd) = cow::report_pipe()?;
    // SAFETY: fork() duplicates only the calling thread. After it the child
    // runs nothing but `child_main`, which:
    // - reads the databases (a copy-on-write image of the parent's memory)
    //   and allocates through jemalloc, whose fork handlers leave its locks
    //   usable in the child even if the lazyfree thread held one at the fork;
    // - uses plain file syscalls (create, write, fsync, rename);
    // - never touches the tokio runtime, the sockets, the logger or any
    //   lock another thread might have held (stdout, the lazyfree queue);
    // - leaves with `_exit`, running no destructors or atexit handlers, so
    //   nothing the parent owns is flushed or closed twice.
    let pid = unsafe { libc::fork() };
    match pid {
        -1 => {
            let e = io::Error::last_os_error();
            // SAFETY: closing the pipe this function made.
            unsafe {
                libc::close(report_fd);
                libc::close(child_report_fd);
            }
            srv.rdb.last_bgsave_ok = false;
            warning!("Can't save in background: fork: {e}");
            Err(e)
        }
        0 => child_main(srv, &params, child_report_fd),
        pid => {
            // SAFETY: the write end belongs to the child now.
            unsafe { libc::close(child_report_fd) };
            notice!("Background saving started by pid {pid}");
            srv.rdb.child = Some(SaveChild {
                pid,
                started: Instant::now(),
                keys_total,
                report_fd,
            });
            Ok(pid)
        }
    }
}

/// The child's whole life: let go of the parent's descriptors, write,
/// then exit 0 on success or 1.
fn child_main(srv: &Server, params: &SnapshotParams, report_fd: i32) -> ! {
    close_inherited_descriptors(report_fd);
    let code = match snapshot::save(&srv.dbs, params) {
        Ok(()) => {
            cow::send_report();
            0
        }
        Err(_) => 1,
    };
    // SAFETY: `_exit` ends the process at once; see `start_background`.
    unsafe { libc::_exit(code) }
}

/// Closes every descriptor above stderr in the child but the report pipe
/// (moved to [`cow::CHILD_REPORT_FD`]): the listening and client sockets
/// must close when the parent exits, even mid-save (Redis's
/// `closeChildUnusedResourceAfterFork`). The snapshot file is opened after.
/// A diskless sync's child keeps its pipe to the parent the same way.
pub(crate) fn close_inherited_descriptors(report_fd: i32) {
    // SAFETY: plain syscalls on the child's own descriptor table.
    unsafe {
        if report_fd != cow::CHILD_REPORT_FD {
            libc::dup2(report_fd, cow::CHILD_REPORT_FD);
        }
        let first = (cow::CHILD_REPORT_FD + 1) as u32;
        if libc::syscall(libc::SYS_close_range, first, u32::MAX, 0u32) != 0 {
            let mut limit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
            for fd in first as i32..limit.rlim_cur.min(1 << 16) as i32 {
                libc::close(fd);
            }
        }
    }
}

/// Checks whether the child finished and records how (Redis's
/// `checkChildrenDone` + `backgroundSaveDoneHandlerDisk`).
pub fn poll_child(srv: &mut Server) {
    let Some(child) = srv.rdb.child else {
        return;
    };
    let mut status = 0;
    // SAFETY: waitpid on our own child with a valid status pointer.
    let done = unsafe { libc::waitpid(child.pid, &mut status, libc::WNOHANG) };
    if done == 0 {
        return;
    }
    srv.rdb.child = None;
    srv.rdb.last_bgsave_time_sec = child.started.elapsed().as_secs() as i64;
    if let Some(bytes) = cow::receive_report(child.report_fd) {
        srv.rdb.last_cow_size = bytes;
    }
    if done < 0 {
        srv.rdb.last_child_exit = Some((child.pid, false));
        warning!(
            "waitpid() returned an error: {}",
            io::Error::last_os_error()
        );
        srv.rdb.last_bgsave_ok = false;
        return;
    }
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    srv.rdb.last_child_exit = Some((child.pid, success));
    if success {
        notice!("Background saving terminated with success");
        srv.dirty = srv.dirty.saturating_sub(srv.rdb.dirty_before_bgsave);
        srv.rdb.lastsave = srv.now_ms / 1000;
        srv.rdb.last_bgsave_ok = true;
    } else if libc::WIFEXITED(status) {
        warning!("Background saving error");
        srv.rdb.last_bgsave_ok = false;
    } else {
        let signal = libc::WTERMSIG(status);
        warning!("Background saving terminated by signal {signal}");
        remove_temp_file(srv, child.pid);
        // SIGUSR1 is how one stops a child without flagging an error.
        if signal != libc::SIGUSR1 {
            srv.rdb.last_bgsave_ok = false;
        }
    }
}

fn remove_temp_file(srv: &Server, pid: i32) {
    let dump = srv.config.dir.join(&srv.config.dbfilename);
    let _ = std::fs::remove_file(snapshot::temp_path(&dump, pid as u32));
}

/// Stops a running child and removes its temporary file (SHUTDOWN,
/// FLUSHALL, SAVE's callers that must not race it).
pub fn kill_child(srv: &mut Server) {
    if let Some(child) = srv.rdb.child.take() {
        warning!("There is a child saving an .rdb. Killing it!");
        // SAFETY: signalling and reaping our own child.
        unsafe {
            libc::kill(child.pid, libc::SIGUSR1);
            let mut status = 0;
            libc::waitpid(child.pid, &mut status, 0);
        }
        remove_temp_file(srv, child.pid);
        let _ = cow::receive_report(child.report_fd);
        srv.rdb.last_child_exit = Some((child.pid, false));
    }
}

/// The cron's part: reap a finished child, then start a scheduled BGSAVE
/// or one a save point asks for (Redis's `serverCron`).
pub fn cron(srv: &mut Server) {
    poll_child(srv);
    if crate::aof::rewrite::any_child(srv) {
        return;
    }
    let now = srv.now_ms / 1000;
    let may_retry = srv.rdb.last_bgsave_ok || now - srv.rdb.last_bgsave_try > RETRY_DELAY_SECS;
    if srv.rdb.scheduled && may_retry {
        if start_background(srv).is_ok() {
            srv.rdb.scheduled = false;
        }
        return;
    }
    let due = srv
        .config
        .save_points
        .iter()
        .copied()
        .find(|&(secs, changes)| srv.dirty >= changes && now - srv.rdb.lastsave > secs as i64);
    if let (Some((secs, changes)), true) = (due, may_retry) {
        notice!("{changes} changes in {secs} seconds. Saving...");
        let _ = start_background(srv);
    }
}

/// What the server does on its way out after SIGTERM/SIGINT (SHUTDOWN
/// does this itself): stop a saving child, then save when save points
/// exist (Redis's `prepareForShutdown`).
pub fn prepare_for_shutdown(srv: &mut Server) {
    kill_child(srv);
    let by_signal = srv.shutdown == Some(crate::server::ShutdownRequest::Normal);
    if by_signal && !srv.config.save_points.is_empty() {
        notice!("Saving the final RDB snapshot before exiting.");
        if save_now(srv).is_err() {
            warning!("Error trying to save the DB, exiting anyway.");
        }
    }
}
