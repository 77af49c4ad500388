//! A coordinated failover (FAILOVER, Redis 6.2+'s `failoverCommand`,
//! `updateFailoverStatus`, `abortFailover`): the master pauses writes,
//! waits until a replica has acknowledged its whole stream, then becomes
//! a replica of it and sends `PSYNC <replid> <offset> FAILOVER`, which
//! makes the target promote itself and continue the old master partially.

use crate::notice;
use crate::server::Server;

/// Where a failover is (INFO `master_failover_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailoverState {
    /// None requested.
    #[default]
    None,
    /// Writes paused until the target's acknowledged offset reaches ours.
    WaitForSync,
    /// We became a replica of the target and sent it PSYNC ... FAILOVER.
    InProgress,
}

impl FailoverState {
    /// INFO's name for the state.
    pub fn name(self) -> &'static str {
        match self {
            FailoverState::None => "no-failover",
            FailoverState::WaitForSync => "waiting-for-sync",
            FailoverState::InProgress => "failover-in-progress",
        }
    }
}

/// The failover requested with FAILOVER, if any.
#[derive(Debug, Default)]
pub struct Failover {
    /// Where it is.
    pub state: FailoverState,
    /// The replica to fail over to (given with TO, or the first one found
    /// caught up).
    pub target: Option<(String, u16)>,
    /// When waiting gives up (ms since the epoch); 0 waits forever.
    pub end_ms: i64,
    /// At the timeout, fail over anyway rather than abort.
    pub force: bool,
}

impl Failover {
    /// Whether writes are held for the failover (Redis's pause of purpose
    /// `PAUSE_DURING_FAILOVER`, apart from CLIENT PAUSE's: CLIENT UNPAUSE
    /// does not lift it). It lasts until the failover ends.
    pub fn pauses_writes(&self) -> bool {
        self.state != FailoverState::None
    }
}

/// Index of the replica listening on `host:port` (Redis's `findReplica`:
/// the announced ip or the peer's, compared ignoring case).
pub fn find_replica(srv: &Server, host: &str, port: u16) -> Option<usize> {
    srv.replication
        .master
        .replicas
        .iter()
        .position(|l| l.ip().eq_ignore_ascii_case(host) && l.handshake.listening_port == port)
}

/// Starts waiting for a replica to catch up, writes paused (the end of
/// Redis's `failoverCommand`, its checks done by the caller).
pub fn start(srv: &mut Server, target: Option<(String, u16)>, timeout_ms: i64, force: bool) {
    match &target {
        Some((host, port)) => notice!("FAILOVER requested to {host}:{port}."),
        None => notice!("FAILOVER requested to any replica."),
    }
    let now = srv.now_ms;
    srv.replication.failover = Failover {
        state: FailoverState::WaitForSync,
        target,
        end_ms: if timeout_ms > 0 { now + timeout_ms } else { 0 },
        force,
    };
}

/// Forgets the failover and lifts its pause (Redis's `clearFailoverState`).
pub fn clear(srv: &mut Server) {
    srv.replication.failover = Failover::default();
    for c in srv.clients.values() {
        if let Ok(c) = c.try_borrow() {
            c.wake.notify_one();
        }
    }
}

/// Gives the failover up (Redis's `abortFailover`): a server that already
/// became the target's replica is a master again.
pub fn abort(srv: &mut Server, why: &str) {
    let f = &srv.replication.failover;
    if f.state == FailoverState::None {
        return;
    }
    match &f.target {
        Some((host, port)) => notice!("FAILOVER to {host}:{port} aborted: {why}"),
        None => notice!("FAILOVER to any replica aborted: {why}"),
    }
    if f.state == FailoverState::InProgress {
        super::replica::unset_master(srv);
    }
    clear(srv);
}

/// Checks a failover waiting for sync (Redis's `updateFailoverStatus`):
/// times it out (aborting, or with FORCE failing over anyway), or fails
/// over once the target (or, without one, any replica) acknowledged our
/// whole stream.
pub fn update_status(srv: &mut Server) {
    let f = &srv.replication.failover;
    if f.state != FailoverState::WaitForSync {
        return;
    }
    if f.end_ms != 0 && f.end_ms <= srv.now_ms {
        if f.force {
            if let Some((host, port)) = f.target.clone() {
                notice!("FAILOVER to {host}:{port} time out exceeded, failing over.");
                fail_over_to(srv, &host, port);
                return;
            }
        }
        abort(srv, "Replica never caught up before timeout");
        return;
    }
    let offset = srv.replication.master_repl_offset;
    let replicas = &srv.replication.master.replicas;
    let caught_up = match &f.target {
        Some((host, port)) => {
            find_replica(srv, host, *port).is_some_and(|i| replicas[i].ack_offset == offset)
        }
        None => match replicas.iter().find(|l| l.ack_offset == offset) {
            Some(link) => {
                let target = (link.ip(), link.handshake.listening_port);
                srv.replication.failover.target = Some(target);
                true
            }
            None => false,
        },
    };
    if !caught_up {
        return;
    }
    let Some((host, port)) = srv.replication.failover.target.clone() else {
        return;
    };
    notice!("Failover target {host}:{port} is synced, failing over.");
    fail_over_to(srv, &host, port);
}

/// Becomes a replica of the target; the link sends PSYNC ... FAILOVER.
fn fail_over_to(srv: &mut Server, host: &str, port: u16) {
    srv.replication.failover.state = FailoverState::InProgress;
    super::replica::set_master(srv, host, port);
}

/// Whether the PSYNC the link is about to send carries FAILOVER.
pub fn in_progress(srv: &Server) -> bool {
    srv.replication.failover.state == FailoverState::InProgress
}

/// The target answered our PSYNC ... FAILOVER: a `+CONTINUE` or
/// `+FULLRESYNC` ends the failover, anything else aborts it.
pub fn psync_answered(srv: &mut Server, accepted: bool) {
    if !in_progress(srv) {
        return;
    }
    if accepted {
        clear(srv);
    } else {
        abort(srv, "Failover target rejected psync request");
    }
}

/// Whether writes are paused for a failover in a state where PINGs to
/// replicas would move the offsets they must match (Redis skips them
/// when the failover has a timeout).
pub fn holds_pings(srv: &Server) -> bool {
    let f = &srv.replication.failover;
    f.state == FailoverState::WaitForSync && f.end_ms != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> Server {
        let config = crate::config::Config::from_text("", "test").unwrap();
        Server::new(config)
    }

    #[test]
    fn starting_pauses_writes_until_cleared() {
        let mut srv = server();
        assert!(!srv.replication.failover.pauses_writes());
        start(&mut srv, None, 0, false);
        assert_eq!(srv.replication.failover.state.name(), "waiting-for-sync");
        assert!(srv.replication.failover.pauses_writes());
        assert!(!holds_pings(&srv));
        update_status(&mut srv);
        assert!(srv.replication.failover.pauses_writes());
        clear(&mut srv);
        assert_eq!(srv.replication.failover.state, FailoverState::None);
        assert!(!srv.replication.failover.pauses_writes());
        assert!(srv.pause.is_none());
    }

    #[test]
    fn a_timeout_without_force_aborts_and_lifts_the_pause() {
        let mut srv = server();
        start(&mut srv, Some(("127.0.0.1".into(), 1)), 10, false);
        assert!(holds_pings(&srv));
        update_status(&mut srv);
        assert_eq!(srv.replication.failover.state, FailoverState::WaitForSync);
        srv.now_ms += 10;
        update_status(&mut srv);
        assert_eq!(srv.replication.failover.state.name(), "no-failover");
        assert!(!srv.replication.failover.pauses_writes());
    }
}
