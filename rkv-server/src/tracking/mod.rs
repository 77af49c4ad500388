//! Client-side caching (Redis's `tracking.c`): which clients may hold which
//! keys, and the invalidation messages they get when those keys change.
//!
//! - Default mode: after a read-only command of a tracking client, its keys
//!   are remembered in a table of key -> client ids ([`remember_keys`]); a
//!   change of such a key sends `invalidate [key]` to those clients once
//!   and forgets them ([`invalidate_key`]).
//! - BCAST mode: clients subscribe to key prefixes; changed keys are
//!   collected per prefix and sent in one message per prefix when the
//!   connection's batch of commands is done ([`broadcast_pending`], Redis's
//!   `beforeSleep` point).
//! - Messages go to the client itself as a RESP3 push, or to the client it
//!   redirects to (a RESP3 push, or a `message` on `__redis__:invalidate`
//!   for a RESP2 client in pub/sub mode); see `send.rs`.
//! - Messages for the client running a command about its own change wait
//!   until its reply is written ([`after_command`]), as in Redis 7.0.
//!
//! The per-client settings live in [`ClientTracking`]; the CLIENT
//! subcommands that change them are in `families::client::tracking`.

mod broadcast;
mod send;
mod state;
#[cfg(test)]
mod tests;

use crate::client::Client;
use crate::command::{flags, keys::key_positions, CommandSpec};
use crate::server::Server;

pub use broadcast::{broadcast_pending, prefix_overlap_error};
pub use state::{ClientTracking, Options, Tracking};

use send::{send, Held, Outbox, Payload, Pending};

/// Redis's `enableTracking`: turns tracking on for `client` (or changes its
/// options), redirecting to `redirect` (0: none) and, in BCAST mode,
/// subscribing to `prefixes` (every key when none is given). Options were
/// checked by the caller.
pub fn enable(
    srv: &mut Server,
    client: &mut Client,
    redirect: u64,
    options: Options,
    prefixes: &[&[u8]],
) {
    let t = &mut client.tracking;
    if !t.on {
        srv.tracking.clients += 1;
    }
    t.on = true;
    t.broken_redirect = false;
    t.redirect = redirect;
    t.bcast = options.bcast;
    t.optin = options.optin;
    t.optout = options.optout;
    t.noloop = options.noloop;
    if options.bcast {
        if prefixes.is_empty() {
            broadcast::subscribe(srv, client, b"");
        }
        for p in prefixes {
            broadcast::subscribe(srv, client, p);
        }
    }
}

/// Redis's `disableTracking`: CLIENT TRACKING OFF, RESET and disconnection.
/// Keys remembered for the client stay in the table and are dropped lazily.
pub fn disable(srv: &mut Server, client: &mut Client) {
    if client.tracking.bcast {
        broadcast::unsubscribe_all(srv, client);
    }
    if client.tracking.on {
        srv.tracking.clients -= 1;
        let redirect = client.tracking.redirect;
        client.tracking = ClientTracking {
            redirect,
            ..ClientTracking::default()
        };
    }
}

/// Marks the start of a command by client `id` (Redis's `current_client`
/// inside `call`), whose reply will start at `reply_start` of its output:
/// invalidations for it are held until [`after_command`].
pub fn before_command(srv: &mut Server, id: u64, reply_start: usize) {
    srv.tracking.running = Some(id);
    srv.tracking.reply_start = reply_start;
}

/// After a command by `client` whose reply is in `out`: sends the
/// invalidations held for it (other clients' redirected to it before its
/// reply, where Redis wrote them while the command ran; its own after the
/// reply, as Redis 7.0 defers them), forgets a `CLIENT CACHING` given before any
/// command but CLIENT outside MULTI (`ran` is false when the command did not run, e.g. a
/// pause held it back), and keeps the table under `tracking-table-max-keys`.
pub fn after_command(srv: &mut Server, client: &mut Client, out: &mut Vec<u8>, ran: bool) {
    srv.tracking.running = None;
    if ran && !client.multi.active && !client.last_cmd.starts_with("client|") {
        client.tracking.caching = false;
    }
    if !srv.tracking.pending.is_empty() {
        let pending = std::mem::take(&mut srv.tracking.pending);
        let me = client.id;
        let t = &client.tracking;
        let (on, wants_keys) = (t.on, t.on && !t.bcast && !t.noloop);
        let mut early = Vec::new();
        for p in &pending {
            if let Pending::Send { target, payload } = p {
                let mut held = Some(Held {
                    client: &mut *client,
                    out: Some(&mut early),
                });
                send(&Outbox::of(srv), &mut held, *target, payload);
            }
        }
        let at = srv.tracking.reply_start.min(out.len());
        out.splice(at..at, early);
        let mut held = Some(Held {
            client: &mut *client,
            out: Some(&mut *out),
        });
        for p in pending {
            let payload = match p {
                Pending::Key(key) if wants_keys => Payload::Key(key),
                Pending::Flushed if on => Payload::Null,
                _ => continue,
            };
            send(&Outbox::of(srv), &mut held, me, &payload);
        }
    }
    if srv.tracking.clients > 0 {
        limit_used_slots(
            srv,
            Some(Held {
                client,
                out: Some(out),
            }),
        );
    }
}

/// Redis's `trackingRememberKeys`, run after every command: when `client`
/// tracks keys in default mode and `spec` is read-only, remembers that it
/// may now cache the command's keys (unless OPTIN/OPTOUT and CLIENT CACHING
/// say otherwise).
pub fn remember_keys(srv: &mut Server, client: &Client, spec: &CommandSpec, argv: &[&[u8]]) {
    // Inside a script the keys are remembered for the client that called it
    // (Redis uses `server.current_client`), with that client's settings.
    let caller = srv
        .scripting
        .running
        .as_ref()
        .and_then(|r| r.caller_tracking.as_ref());
    let (id, t) = match caller {
        Some((id, t)) if *id != client.id => (*id, t),
        _ => (client.id, &client.tracking),
    };
    if !t.on || t.bcast || !spec.has(flags::READONLY) || spec.has(flags::PUBSUB) {
        return;
    }
    // Read-only scripts remember the keys their commands read instead.
    if matches!(spec.name, "eval_ro" | "evalsha_ro" | "fcall_ro") {
        return;
    }
    if (t.optin && !t.caching) || (t.optout && t.caching) {
        return;
    }
    let Some(positions) = key_positions(spec, argv) else {
        return;
    };
    for pos in positions {
        srv.tracking.remember(argv[pos], id);
    }
}

/// Redis's `trackingInvalidateKey` for a key that changed (called from
/// `keyspace_events::signal_modified_key`): tells the clients that may cache
/// it and queues it for BCAST subscribers of matching prefixes. `caller`
/// is the client that changed it (None for expiry and eviction). Keys are
/// global: the database does not matter.
pub fn invalidate_key(srv: &mut Server, caller: Option<&mut Client>, db: usize, key: &[u8]) {
    let _ = db;
    let modifier = caller.as_ref().map(|c| c.id);
    // Bytes for the running client wait for `after_command`, which knows
    // where its reply starts; a client served while unblocking is reached
    // through its queue.
    let running = srv.tracking.running;
    let held = caller
        .filter(|c| Some(c.id) != running)
        .map(|client| Held { client, out: None });
    invalidate(srv, held, modifier, key, true);
}

/// Redis's `trackingInvalidateKeysOnFlush` (called from
/// `keyspace_events::signal_flushed_db`): every tracking client gets an
/// invalidation with a null key list, meaning "everything", and the table
/// is emptied (it is global, so flushing one database is enough).
pub fn invalidate_all(srv: &mut Server) {
    if srv.tracking.clients > 0 {
        let ids: Vec<u64> = srv.clients.keys().copied().collect();
        for id in ids {
            if srv.tracking.running == Some(id) {
                srv.tracking.pending.push(Pending::Flushed);
                continue;
            }
            let on = srv
                .clients
                .get(&id)
                .and_then(|c| c.try_borrow().ok().map(|c| c.tracking.on));
            if on == Some(true) {
                deliver(srv, &mut None, id, Payload::Null);
            }
        }
    }
    srv.tracking.forget_all_keys();
}

/// Cron's share: sends BCAST messages for keys expired in the background and
/// keeps the table under `tracking-table-max-keys` when nobody runs commands.
pub fn cron(srv: &mut Server) {
    broadcast_pending(srv);
    if srv.tracking.clients > 0 {
        limit_used_slots(srv, None);
    }
    srv.tracking.shrink_if_needed();
}

/// The common part of key invalidation; `bcast` is false when the key did
/// not change but is dropped from a full table.
fn invalidate(
    srv: &mut Server,
    mut held: Option<Held<'_>>,
    modifier: Option<u64>,
    key: &[u8],
    bcast: bool,
) {
    if bcast {
        broadcast::remember_change(srv, key, modifier);
    }
    if srv.tracking.key_count() == 0 {
        return;
    }
    let Some(ids) = srv.tracking.take_key(key) else {
        return;
    };
    let running = srv.tracking.running;
    for id in ids {
        if running == Some(id) {
            // NOLOOP and the other flags are checked when this is sent.
            srv.tracking.pending.push(Pending::Key(key.to_vec()));
            continue;
        }
        let wants = send::with_client(&srv.clients, &mut held, id, |c, _| {
            c.tracking.on && !c.tracking.bcast
        });
        if wants == Some(true) {
            deliver(srv, &mut held, id, Payload::Key(key.to_vec()));
        }
    }
}

/// Sends `payload` to `target`'s invalidation recipient; when that is the
/// client running a command (whose state is borrowed), holds it until
/// [`after_command`].
fn deliver(srv: &mut Server, held: &mut Option<Held<'_>>, target: u64, payload: Payload) {
    if !send(&Outbox::of(srv), held, target, &payload) {
        srv.tracking.pending.push(Pending::Send { target, payload });
    }
}

/// Redis's `trackingLimitUsedSlots`: while the table holds more keys than
/// `tracking-table-max-keys` (0: no limit), forgets random keys, telling
/// their clients as if the keys had changed. The effort grows each time a
/// call could not get under the limit.
fn limit_used_slots(srv: &mut Server, mut held: Option<Held<'_>>) {
    let max = srv.config.tracking_table_max_keys;
    if max == 0 {
        return;
    }
    if srv.tracking.key_count() as u64 <= max {
        srv.tracking.eviction_rounds = 0;
        return;
    }
    let mut effort = 100 * (srv.tracking.eviction_rounds as u64 + 1);
    while effort > 0 {
        effort -= 1;
        let Some(key) = srv.tracking.random_key() else {
            break;
        };
        let again = held.as_mut().map(|h| Held {
            client: &mut *h.client,
            out: h.out.as_deref_mut(),
        });
        invalidate(srv, again, None, &key, false);
        if srv.tracking.key_count() as u64 <= max {
            srv.tracking.eviction_rounds = 0;
            return;
        }
    }
    srv.tracking.eviction_rounds += 1;
}
