//! The server's periodic work (Redis's `serverCron`), `hz` times a second:
//! active expiry, incremental rehashing, idle-client timeouts, instantaneous
//! metrics, pause expiry, background saves and save points.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::server::Server;

/// Keys sampled per database per round at effort 1 (Redis's
/// `ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP`).
const KEYS_PER_LOOP: usize = 20;
/// Share of a cron period the slow expiry cycle may use, in percent.
const SLOW_TIME_PERC: u64 = 25;
/// Stale percentage under which a database is left alone (at effort 1).
const ACCEPTABLE_STALE: usize = 10;
/// Time given to incremental rehashing per database per tick.
const REHASH_BUDGET: Duration = Duration::from_millis(1);

/// Runs the cron until the server shuts down.
pub async fn run(shared: Rc<RefCell<Server>>) {
    loop {
        let hz = shared.borrow().config.hz.clamp(1, 500);
        tokio::time::sleep(Duration::from_micros(1_000_000 / hz as u64)).await;
        let mut srv = shared.borrow_mut();
        tick(&mut srv);
    }
}

/// One cron iteration.
pub fn tick(srv: &mut Server) {
    srv.update_clock();
    srv.cron_loops += 1;
    let now = srv.now_ms;
    let processed = srv.stats.total_commands_processed;
    let net_in = srv.stats.total_net_input_bytes;
    let net_out = srv.stats.total_net_output_bytes;
    srv.stats.ops_samples.track(processed, now);
    srv.stats.net_input_samples.track(net_in, now);
    srv.stats.net_output_samples.track(net_out, now);

    if srv.active_expire_enabled {
        // A replica waits for its master's DELs (Redis: only masters run
        // the active cycle).
        if !srv.replication.is_replica() {
            active_expire_cycle(srv);
        }
        crate::keyspace_events::drain_pending(srv, None);
        crate::aof::cron(srv);
    }
    // Like Redis, tables are neither resized nor rehashed while a save
    // child runs: moving entries would copy pages the child shares.
    if !crate::aof::rewrite::any_child(srv) {
        for db in srv.dbs.iter_mut() {
            db.shrink_if_needed();
            db.rehash_for(REHASH_BUDGET);
        }
    }
    // Redis's eviction time proc: a pass that ran out of time (or a lower
    // CONFIG SET maxmemory) goes on without waiting for a command.
    if srv.config.maxmemory != 0 {
        crate::evict::perform_evictions(srv);
    }
    crate::tracking::cron(srv);
    crate::persistence::saving::cron(srv);
    crate::aof::rewrite::cron(srv);
    close_idle_clients(srv);
    crate::output_limit::cron(srv);
    crate::client_peaks::cron(srv);
    if let Some(p) = srv.pause {
        if p.until_ms <= now {
            srv.pause = None;
            for c in srv.clients.values() {
                if let Ok(c) = c.try_borrow() {
                    c.wake.notify_one();
                }
            }
        }
    }
}

/// Redis's slow active expiry cycle: per database, sample keys with a TTL and
/// delete the expired ones, repeating while more than the acceptable share
/// was stale, within a time budget.
pub fn active_expire_cycle(srv: &mut Server) {
    let effort = srv.config.active_expire_effort.clamp(1, 10) as usize - 1;
    let per_loop = KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * effort;
    let acceptable = ACCEPTABLE_STALE - effort;
    let hz = srv.config.hz.clamp(1, 500) as u64;
    let budget = Duration::from_micros(1_000_000 * (SLOW_TIME_PERC + 2 * effort as u64) / 100 / hz);
    let started = Instant::now();
    let now = srv.now_ms;
    let mut sampled_total = 0usize;
    let mut expired_total = 0usize;
    let mut timed_out = false;
    'dbs: for db in srv.dbs.iter_mut() {
        let mut iteration = 0u32;
        while db.expires_len() > 0 {
            let round = db.active_expire_round(per_loop, now);
            sampled_total += round.sampled;
            expired_total += round.expired;
            iteration += 1;
            if iteration.is_multiple_of(16) && started.elapsed() > budget {
                timed_out = true;
                break 'dbs;
            }
            if round.sampled == 0 || round.expired * 100 / round.sampled <= acceptable {
                break;
            }
        }
    }
    if timed_out {
        srv.stats.expired_time_cap_reached_count += 1;
    }
    let elapsed_ms = started.elapsed().as_millis() as u64;
    srv.stats.expire_cycle_cpu_milliseconds += elapsed_ms;
    let current = if sampled_total > 0 {
        expired_total as f64 / sampled_total as f64
    } else {
        0.0
    };
    srv.stats.expired_stale_perc = current * 0.05 + srv.stats.expired_stale_perc * 0.95;
    srv.latency.record(
        srv.config.latency_monitor_threshold,
        "expire-cycle",
        elapsed_ms,
        now / 1000,
    );
}

/// Closes clients idle for longer than `timeout` seconds. Clients waiting
/// in a blocking command are not idle (Redis skips `CLIENT_BLOCKED`).
fn close_idle_clients(srv: &mut Server) {
    let timeout = srv.config.timeout as i64;
    if timeout == 0 {
        return;
    }
    let now = srv.now_ms;
    for c in srv.clients.values() {
        if let Ok(mut c) = c.try_borrow_mut() {
            if now - c.last_interaction_ms > timeout * 1000
                && c.kind == crate::client::ClientKind::Normal
                && !c.blocked
            {
                crate::verbose!("Closing idle client");
                c.kill();
            }
        }
    }
}
