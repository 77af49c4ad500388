//! Full resynchronization: a forked child produces the snapshot, either
//! into the dump file (then sent to each replica as `$<len>\r\n<bytes>`)
//! or, diskless, straight into a pipe the parent relays to the replicas
//! as `$EOF:<mark>\r\n<rdb><mark>`. The stream produced after the
//! snapshot's offset is held for each replica and follows the snapshot.
//! One child at a time, shared with BGSAVE (Redis's
//! `startBgsaveForReplication`, `rdbSaveToSlavesSockets`,
//! `updateSlavesWaitingBgsave`, `sendBulkToSlave`).

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::PathBuf;

use super::master::{RdbFilter, ReplicaLink, ReplicaState};
use crate::persistence::saving;
use crate::persistence::snapshot::{self, ReplAux};
use crate::server::Server;
use crate::{notice, warning};

/// Bytes read from the snapshot per step for one replica.
const CHUNK: usize = 64 * 1024;
/// A replica with this much output queued gets no more snapshot bytes
/// until it has read some.
const HIGH_WATER: usize = 4 * 1024 * 1024;
/// The size asked for the diskless transfer's pipe.
const PIPE_BYTES: libc::c_int = 1 << 20;
/// The EOF mark's length (Redis's `RDB_EOF_MARK_SIZE`).
const EOF_MARK_LEN: usize = 40;

/// The dump file being sent to one replica.
#[derive(Debug)]
pub struct BulkFile {
    file: File,
    left: u64,
}

/// Where the running sync's snapshot goes.
#[derive(Debug)]
enum Target {
    /// BGSAVE into the dump file, by child `pid`.
    Disk { pid: i32, path: PathBuf },
    /// A child writing into a pipe: its read end and the replicas fed.
    Socket {
        pid: i32,
        pipe: File,
        replicas: Vec<u64>,
    },
}

/// The full sync in progress.
#[derive(Debug)]
pub struct SyncJob {
    target: Target,
}

impl SyncJob {
    /// Whether the snapshot goes into the dump file.
    pub fn is_disk(&self) -> bool {
        matches!(self.target, Target::Disk { .. })
    }
}

/// Whether a child is streaming a snapshot to replicas: it counts as the
/// one save child (BGSAVE and save points wait for it).
pub fn diskless_child_running(srv: &Server) -> bool {
    srv.replication
        .master
        .sync
        .as_ref()
        .is_some_and(|j| matches!(j.target, Target::Socket { .. }))
}

/// A replica asked for a full sync: join a disk sync already under way
/// if another replica waits for the same snapshot (it gets that one's
/// buffered stream), else wait for the next one (Redis's `syncCommand`
/// cases 1-3). The replication task starts syncs. Returns the
/// `+FULLRESYNC` line when the replica is the client running this command
/// (its caller must queue it: that client is borrowed).
pub fn attach(srv: &mut Server, index: usize) -> Option<String> {
    let m = &mut srv.replication.master;
    let joinable = m.sync.as_ref().is_some_and(SyncJob::is_disk);
    let new = m.replicas[index].handshake.clone();
    // A peer's buffered stream is what the new replica needs: one that
    // wants the stream can only copy a peer that keeps it.
    let peer = joinable
        .then(|| {
            m.replicas.iter().position(|l| {
                matches!(l.state, ReplicaState::WaitBgsaveEnd)
                    && (!l.handshake.rdb_only || new.rdb_only)
                    && l.handshake.filter == new.filter
            })
        })
        .flatten();
    if let Some(peer) = peer {
        let pending = if new.rdb_only {
            Vec::new()
        } else {
            m.replicas[peer].pending.clone()
        };
        let offset = m.replicas[peer].initial_offset;
        let link = &mut m.replicas[index];
        link.pending = pending;
        notice!("Waiting for end of BGSAVE for SYNC");
        return setup_full_resync(srv, index, offset);
    }
    if srv.replication.master.sync.is_some() || srv.rdb.child.is_some() {
        notice!("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
    }
    srv.replication.master.wake.notify_one();
    None
}

/// Tells replica `index` its snapshot stands at `offset` (`+FULLRESYNC`)
/// and starts buffering the stream for it (Redis's
/// `replicationSetupSlaveForFullResync`). Returns the line when the
/// replica's client is borrowed (it is running this command).
fn setup_full_resync(srv: &mut Server, index: usize, offset: i64) -> Option<String> {
    let replid = srv.replication.replid.clone();
    let m = &mut srv.replication.master;
    // The stream after a snapshot must start with a SELECT.
    m.stream_db = None;
    let link = &mut m.replicas[index];
    link.initial_offset = offset;
    link.state = ReplicaState::WaitBgsaveEnd;
    if link.pre_psync {
        return None;
    }
    let line = format!("+FULLRESYNC {replid} {offset}\r\n");
    match link.client.try_borrow_mut() {
        Ok(mut c) => {
            c.push_bytes(line.as_bytes());
            None
        }
        Err(_) => Some(line),
    }
}

/// Starts a sync for the replicas waiting for one, when no child runs:
/// diskless when configured and every waiting replica reads EOF-marked
/// snapshots (after `repl-diskless-sync-delay`, or at once when
/// `repl-diskless-sync-max-replicas` wait), else through the dump file.
pub fn start_if_due(srv: &mut Server) {
    // One child at a time: a save or an AOF rewrite running delays it.
    if srv.replication.master.sync.is_some() || crate::aof::rewrite::any_child(srv) {
        return;
    }
    let m = &srv.replication.master;
    // One snapshot serves the replicas asking for the same parts of it.
    let Some(filter) = m
        .replicas
        .iter()
        .find(|l| matches!(l.state, ReplicaState::WaitBgsaveStart))
        .map(|l| l.handshake.filter)
    else {
        return;
    };
    let waiting: Vec<&ReplicaLink> = m
        .replicas
        .iter()
        .filter(|l| matches!(l.state, ReplicaState::WaitBgsaveStart))
        .filter(|l| l.handshake.filter == filter)
        .collect();
    let all_eof = waiting.iter().all(|l| l.handshake.capa_eof);
    if filter.any() {
        start_socket(srv, filter);
    } else if srv.config.repl_diskless_sync && all_eof {
        let oldest = waiting.iter().map(|l| l.attached_ms).min().unwrap_or(0);
        let max = srv.config.repl_diskless_sync_max_replicas as usize;
        let waited = srv.now_ms - oldest >= srv.config.repl_diskless_sync_delay as i64 * 1000;
        if waited || (max > 0 && waiting.len() >= max) {
            start_socket(srv, filter);
        }
    } else {
        start_disk(srv);
    }
}

/// The aux fields the snapshot for replicas carries.
fn repl_aux(srv: &Server) -> ReplAux {
    let r = &srv.replication;
    ReplAux {
        stream_db: r.master.stream_db.map_or(0, |db| db as i64),
        replid: r.replid.clone(),
        offset: r.master_repl_offset,
    }
}

/// Indexes of the replicas waiting for a sync to start that want the
/// snapshot `filter` describes.
fn waiting_indexes(srv: &Server, filter: RdbFilter) -> Vec<usize> {
    let m = &srv.replication.master;
    (0..m.replicas.len())
        .filter(|&i| matches!(m.replicas[i].state, ReplicaState::WaitBgsaveStart))
        .filter(|&i| m.replicas[i].handshake.filter == filter)
        .collect()
}

/// BGSAVE into the dump file for the waiting replicas.
fn start_disk(srv: &mut Server) {
    let mut params = saving::params(srv);
    params.repl = Some(repl_aux(srv));
    let path = params.path.clone();
    notice!("Starting BGSAVE for SYNC with target: disk");
    match saving::start_background_with(srv, params) {
        Ok(pid) => {
            let offset = srv.replication.master_repl_offset;
            // Run by the replication task: no replica's client is borrowed.
            for i in waiting_indexes(srv, RdbFilter::default()) {
                let _ = setup_full_resync(srv, i, offset);
            }
            srv.replication.master.sync = Some(SyncJob {
                target: Target::Disk { pid, path },
            });
        }
        Err(e) => {
            warning!("BGSAVE for replication failed: {e}");
            drop_waiting(srv, |s| matches!(s, ReplicaState::WaitBgsaveStart));
        }
    }
}

/// Forks a child that writes the EOF-marked snapshot, less what `filter`
/// leaves out, into a pipe.
fn start_socket(srv: &mut Server, filter: RdbFilter) {
    let mut params = saving::params(srv);
    params.repl = Some(repl_aux(srv));
    if filter.exclude_functions {
        params.functions.clear();
    }
    let mark = crate::server::random_hex(EOF_MARK_LEN);
    let mut fds = [0i32; 2];
    // SAFETY: pipe2 fills the two-element array it is given.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        warning!(
            "Can't setup the pipe for replication: {}",
            io::Error::last_os_error()
        );
        drop_waiting(srv, |s| matches!(s, ReplicaState::WaitBgsaveStart));
        return;
    }
    let (read_fd, write_fd) = (fds[0], fds[1]);
    // The relay drains the pipe once per pass of the replication task: a
    // 64 KiB pipe would cap the transfer at 64 KiB a pass, so ask for 1 MiB
    // (Linux's default ceiling for unprivileged pipes; failure is harmless).
    // SAFETY: fcntl on a descriptor we own.
    unsafe { libc::fcntl(read_fd, libc::F_SETPIPE_SZ, PIPE_BYTES) };
    // SAFETY: see `saving::start_background_with`: after fork the child
    // only reads the databases, writes the pipe and leaves with `_exit`.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        saving::close_inherited_descriptors(write_fd);
        let fd = crate::persistence::cow::CHILD_REPORT_FD;
        // SAFETY: the descriptor was just moved to this number and is ours.
        let pipe = unsafe { File::from_raw_fd(fd) };
        let dbs = if filter.exclude_data {
            &[][..]
        } else {
            &srv.dbs[..]
        };
        let code = match write_eof_snapshot(dbs, &params, &mark, pipe) {
            Ok(()) => 0,
            Err(_) => 1,
        };
        // SAFETY: ends the child without running the parent's destructors.
        unsafe { libc::_exit(code) }
    }
    // SAFETY: the write end belongs to the child (or nobody, on failure).
    unsafe { libc::close(write_fd) };
    // SAFETY: the read end is ours alone from here on.
    let pipe = File::from(unsafe { OwnedFd::from_raw_fd(read_fd) });
    if pid < 0 {
        warning!(
            "Can't save in background: fork: {}",
            io::Error::last_os_error()
        );
        drop_waiting(srv, |s| matches!(s, ReplicaState::WaitBgsaveStart));
        return;
    }
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(read_fd, libc::F_GETFL);
        libc::fcntl(read_fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    notice!("Starting BGSAVE for SYNC with target: replicas sockets");
    notice!("Background RDB transfer started by pid {pid}");
    let offset = srv.replication.master_repl_offset;
    let mut replicas = Vec::new();
    for i in waiting_indexes(srv, filter) {
        replicas.push(srv.replication.master.replicas[i].id);
        let _ = setup_full_resync(srv, i, offset);
    }
    srv.replication.master.sync = Some(SyncJob {
        target: Target::Socket {
            pid,
            pipe,
            replicas,
        },
    });
}

/// The diskless child's work: the EOF-marked snapshot into the pipe.
fn write_eof_snapshot(
    dbs: &[crate::db::Db],
    params: &snapshot::SnapshotParams,
    mark: &str,
    pipe: File,
) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, pipe);
    write!(out, "$EOF:{mark}\r\n")?;
    let mut out = snapshot::write_rdb(dbs, params, out)?;
    out.write_all(mark.as_bytes())?;
    out.flush()
}

/// Moves the running sync along: notices the child's end, sends snapshot
/// bytes to replicas that have room, and puts replicas whose snapshot is
/// through online. True while there is transfer work to come back to soon.
pub fn step(srv: &mut Server) -> bool {
    let busy = match srv.replication.master.sync.as_ref().map(|j| &j.target) {
        Some(Target::Disk { pid, .. }) => {
            let pid = *pid;
            if srv.rdb.child.is_some_and(|c| c.pid == pid) {
                // The cron reaps the child; meanwhile nothing to send.
                saving::poll_child(srv);
            }
            if srv.rdb.child.is_none_or(|c| c.pid != pid) {
                disk_snapshot_done(srv);
            }
            srv.replication.master.sync.is_some()
        }
        Some(Target::Socket { .. }) => relay_pipe(srv),
        None => false,
    };
    send_files(srv) || busy
}

/// The dump for replicas is written (or failed): start sending it.
fn disk_snapshot_done(srv: &mut Server) {
    let Some(job) = srv.replication.master.sync.take() else {
        return;
    };
    let Target::Disk { path, pid } = job.target else {
        return;
    };
    // A child killed (FLUSHALL) or failed leaves no snapshot for them.
    if srv.rdb.last_child_exit != Some((pid, true)) {
        warning!("SYNC failed. BGSAVE child returned an error");
        drop_waiting(srv, |s| matches!(s, ReplicaState::WaitBgsaveEnd));
        return;
    }
    for link in srv.replication.master.replicas.iter_mut() {
        if !matches!(link.state, ReplicaState::WaitBgsaveEnd) {
            continue;
        }
        let opened = File::open(&path).and_then(|f| Ok((f.metadata()?.len(), f)));
        let Ok(mut c) = link.client.try_borrow_mut() else {
            continue;
        };
        match opened {
            Ok((len, file)) => {
                c.push_bytes(format!("${len}\r\n").as_bytes());
                link.state = ReplicaState::SendBulk(BulkFile { file, left: len });
            }
            Err(e) => {
                warning!("SYNC failed. Can't open/stat DB after BGSAVE: {e}");
                c.kill();
            }
        }
    }
}

/// Sends the next chunk of the dump to each replica receiving one that
/// has room; puts those done online. True while any has bytes left.
fn send_files(srv: &mut Server) -> bool {
    let now = srv.now_ms;
    let mut more = false;
    let mut buf = vec![0u8; CHUNK];
    for link in srv.replication.master.replicas.iter_mut() {
        let ReplicaState::SendBulk(bulk) = &mut link.state else {
            continue;
        };
        let Ok(mut c) = link.client.try_borrow_mut() else {
            more = true;
            continue;
        };
        // Fill the replica's output up to the high-water mark: one chunk a
        // pass would cap the transfer at a chunk per timer tick.
        let mut failed = false;
        while c.pushed.len() + c.omem < HIGH_WATER && bulk.left > 0 {
            let want = (bulk.left as usize).min(CHUNK);
            match bulk.file.read(&mut buf[..want]) {
                Ok(n) if n > 0 => {
                    bulk.left -= n as u64;
                    c.push_bytes(&buf[..n]);
                }
                _ => {
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            warning!("Read error sending DB to replica: {}", link.name());
            c.kill();
            continue;
        }
        if bulk.left == 0 {
            drop(c);
            put_online(link, now);
        } else {
            more = true;
        }
    }
    more
}

/// The snapshot is through: send what was buffered and stream from now
/// on (Redis's `replicaPutOnline` + `replicaStartCommandStream`).
fn put_online(link: &mut ReplicaLink, now_ms: i64) {
    if link.handshake.rdb_only {
        notice!(
            "RDB transfer completed, rdb only replica ({}) should be disconnected asap",
            link.name()
        );
        link.state = ReplicaState::RdbTransmitted;
        if let Ok(mut c) = link.client.try_borrow_mut() {
            // Closed once the snapshot's last bytes are written.
            c.close_after_reply = true;
            c.wake.notify_one();
        }
        return;
    }
    link.state = ReplicaState::Online;
    link.ack_time_ms = now_ms;
    let pending = std::mem::take(&mut link.pending);
    if let Ok(mut c) = link.client.try_borrow_mut() {
        c.push_bytes(&pending);
    }
    notice!("Synchronization with replica {} succeeded", link.name());
}

/// Relays what the diskless child wrote to its replicas, while all of
/// them have room; at the end of the pipe, reaps the child and puts them
/// online. True while the transfer goes on.
fn relay_pipe(srv: &mut Server) -> bool {
    let now = srv.now_ms;
    let Some(SyncJob {
        target: Target::Socket {
            pid,
            pipe,
            replicas,
        },
    }) = srv.replication.master.sync.as_mut()
    else {
        return false;
    };
    let links = &mut srv.replication.master.replicas;
    replicas.retain(|id| links.iter().any(|l| l.id == *id));
    let room = replicas.iter().all(|id| {
        links
            .iter()
            .find(|l| l.id == *id)
            .and_then(|l| l.client.try_borrow().ok())
            .is_some_and(|c| c.pushed.len() + c.omem < HIGH_WATER)
    });
    if !room {
        return true;
    }
    let mut buf = vec![0u8; CHUNK];
    let mut reads = 0;
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                for link in links.iter().filter(|l| replicas.contains(&l.id)) {
                    if let Ok(mut c) = link.client.try_borrow_mut() {
                        c.push_bytes(&buf[..n]);
                    }
                }
                reads += 1;
                // Let the replicas' tasks write before reading more.
                if reads == 16 {
                    return true;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let (pid, replicas) = (*pid, std::mem::take(replicas));
    srv.replication.master.sync = None;
    let ok = reap(pid);
    if ok {
        notice!("Background RDB transfer terminated with success");
        for link in srv.replication.master.replicas.iter_mut() {
            if replicas.contains(&link.id) {
                notice!(
                    "Streamed RDB transfer with replica {} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming",
                    link.name()
                );
                put_online(link, now);
            }
        }
    } else {
        warning!("Background transfer error");
        drop_waiting(srv, |s| matches!(s, ReplicaState::WaitBgsaveEnd));
    }
    false
}

/// Waits for child `pid`; true when it exited with status 0.
fn reap(pid: i32) -> bool {
    let mut status = 0;
    // SAFETY: waiting for our own child with a valid status pointer.
    let done = unsafe { libc::waitpid(pid, &mut status, 0) };
    done == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
}

/// Disconnects the replicas in a state `which` selects (their sync failed).
fn drop_waiting(srv: &mut Server, which: impl Fn(&ReplicaState) -> bool) {
    for link in &srv.replication.master.replicas {
        if which(&link.state) {
            if let Ok(mut c) = link.client.try_borrow_mut() {
                c.kill();
            }
        }
    }
}

/// Stops a diskless transfer no replica is left for (Redis kills the
/// child when the last one goes).
pub fn abort_if_unneeded(srv: &mut Server) {
    let m = &mut srv.replication.master;
    let Some(SyncJob {
        target: Target::Socket { pid, replicas, .. },
    }) = m.sync.as_ref()
    else {
        return;
    };
    if replicas
        .iter()
        .any(|id| m.replicas.iter().any(|l| l.id == *id))
    {
        return;
    }
    let pid = *pid;
    warning!("Diskless rdb transfer, last replica dropped, killing fork child.");
    // SAFETY: signalling and reaping our own child.
    unsafe {
        libc::kill(pid, libc::SIGUSR1);
    }
    reap(pid);
    m.sync = None;
}
