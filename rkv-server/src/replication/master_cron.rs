//! The master's replication task: drives full syncs (starting them,
//! relaying the snapshot) and, once a second, Redis's `replicationCron`
//! duties: PINGs on the stream, keep-alive newlines to replicas waiting
//! for their snapshot, dropping replicas silent too long, freeing the
//! backlog after `repl-backlog-ttl` without replicas. It also asks
//! replicas for ACKs when WAIT needs them and answers WAITs.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use super::fullsync;
use super::master::{self, ReplicaState};
use crate::blocking::{self, Release};
use crate::server::Server;
use crate::{notice, warning};

/// Runs the task until the server exits.
pub async fn run(shared: Rc<RefCell<Server>>) {
    let wake = shared.borrow().replication.master.wake.clone();
    loop {
        let busy = {
            let mut srv = shared.borrow_mut();
            srv.update_clock();
            tick(&mut srv)
        };
        let pause = if busy {
            Duration::from_millis(1)
        } else {
            Duration::from_millis(100)
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = wake.notified() => {}
        }
    }
}

/// One pass; true while a transfer wants to be resumed soon.
pub fn tick(srv: &mut Server) -> bool {
    fullsync::start_if_due(srv);
    let busy = fullsync::step(srv);
    // No GETACK while clients are paused (CLIENT PAUSE, FAILOVER): it
    // would move the offset replicas must reach; it goes after the pause.
    let paused = srv.pause.is_some_and(|p| p.until_ms > srv.now_ms)
        || srv.replication.failover.pauses_writes();
    if srv.replication.master.ack_requested && !paused {
        srv.replication.master.ack_requested = false;
        if !srv.replication.master.replicas.is_empty() {
            master::feed_command(srv, None, &["REPLCONF", "GETACK", "*"]);
        }
    }
    serve_waiters(srv);
    super::failover::update_status(srv);
    if srv.now_ms - srv.replication.master.last_cron_ms >= 1000 {
        srv.replication.master.last_cron_ms = srv.now_ms;
        every_second(srv);
    }
    busy
}

/// Answers the WAITs whose replicas have acknowledged enough.
pub fn serve_waiters(srv: &mut Server) {
    if srv.replication.master.waiters.is_empty() {
        return;
    }
    let waiters = srv.replication.master.waiters.clone();
    for w in waiters {
        if !srv.blocking.is_blocked(w.id) {
            srv.replication.master.waiters.retain(|x| x.id != w.id);
            continue;
        }
        if master::count_acks(srv, w.offset) >= w.replicas {
            blocking::release(srv, w.id, Release::Timeout);
        }
    }
}

/// Redis's `replicationCron`, master half.
fn every_second(srv: &mut Server) {
    let m = &mut srv.replication.master;
    m.cron_loops += 1;
    let period = srv.config.repl_ping_replica_period.max(1);
    if m.cron_loops.is_multiple_of(period)
        && !m.replicas.is_empty()
        && !srv.replication.is_replica()
        && !super::failover::holds_pings(srv)
    {
        master::feed_command(srv, None, &["PING"]);
    }
    let disk_sync = srv
        .replication
        .master
        .sync
        .as_ref()
        .is_some_and(fullsync::SyncJob::is_disk);
    let now_s = srv.now_ms / 1000;
    let repl_timeout = i64::from(srv.config.repl_timeout);
    for link in &srv.replication.master.replicas {
        let Ok(mut c) = link.client.try_borrow_mut() else {
            continue;
        };
        match link.state {
            // Newlines keep a replica waiting for its snapshot from timing
            // out; a diskless transfer is already writing to it.
            ReplicaState::WaitBgsaveStart => c.push_bytes(b"\n"),
            ReplicaState::WaitBgsaveEnd if disk_sync => c.push_bytes(b"\n"),
            ReplicaState::Online
                if !link.pre_psync && now_s - link.ack_time_ms / 1000 > repl_timeout =>
            {
                warning!(
                    "Disconnecting timedout replica (streaming sync): {}",
                    link.addr
                );
                c.kill();
            }
            _ => {}
        }
    }
    let ttl = srv.config.repl_backlog_ttl as i64;
    let m = &srv.replication.master;
    if m.replicas.is_empty()
        && ttl > 0
        && m.backlog.is_some()
        && !srv.replication.is_replica()
        && srv.now_ms - m.no_replicas_since_ms > ttl * 1000
    {
        master::change_replid(srv);
        master::clear_replid2(srv);
        master::free_backlog(srv);
        notice!("Replication backlog freed after {ttl} seconds without connected replicas.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> Server {
        let config = crate::config::Config::from_text("", "test").unwrap();
        Server::new(config)
    }

    #[test]
    fn the_backlog_is_freed_after_its_ttl_without_replicas() {
        let mut srv = server();
        srv.config.repl_backlog_ttl = 10;
        master::create_backlog_if_missing(&mut srv);
        let id = srv.replication.replid.clone();
        srv.replication.master.no_replicas_since_ms = srv.now_ms - 5_000;
        every_second(&mut srv);
        assert!(srv.replication.master.backlog.is_some());
        srv.replication.master.no_replicas_since_ms = srv.now_ms - 11_000;
        every_second(&mut srv);
        assert!(srv.replication.master.backlog.is_none());
        assert_ne!(srv.replication.replid, id);
    }

    #[test]
    fn a_ttl_of_zero_keeps_the_backlog() {
        let mut srv = server();
        srv.config.repl_backlog_ttl = 0;
        master::create_backlog_if_missing(&mut srv);
        srv.replication.master.no_replicas_since_ms = 0;
        every_second(&mut srv);
        assert!(srv.replication.master.backlog.is_some());
    }
}
