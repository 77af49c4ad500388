//! Delivering one invalidation message (Redis's `sendTrackingMessage`):
//! to the tracking client itself as a RESP3 push, or to the client it
//! redirects to, as a push or (RESP2 in pub/sub mode) a `message` on
//! `__redis__:invalidate`; a vanished redirection client earns the tracking
//! client a `tracking-redir-broken` push instead.

use crate::client::Client;
use crate::config::{ClassLimit, OutputBufferLimits};
use crate::families::client::info::ClientType;
use crate::server::{Clients, Server};

/// What an invalidation says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// One key.
    Key(Vec<u8>),
    /// Every key (after a flush): a null in the tracking client's protocol.
    Null,
    /// A ready-made RESP array of keys (BCAST).
    Array(Vec<u8>),
}

/// A message held for the client running a command until its reply is out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// Its own tracked key changed (Redis's `tracking_pending_keys`).
    Key(Vec<u8>),
    /// A database was flushed.
    Flushed,
    /// Another client's message, redirected to the running client.
    Send {
        /// The tracking client.
        target: u64,
        /// What to tell it.
        payload: Payload,
    },
}

/// A client whose entry in the clients table is borrowed by the caller,
/// and where bytes for it go (`None`: its `pushed` buffer).
pub struct Held<'a> {
    /// The client.
    pub client: &'a mut Client,
    /// Its reply buffer, when the message should follow the reply.
    pub out: Option<&'a mut Vec<u8>>,
}

/// Where messages go: the clients, and the output buffer limits that close
/// a client piling up messages it does not read.
pub struct Outbox<'a> {
    /// The clients table.
    pub clients: &'a Clients,
    /// `client-output-buffer-limit`.
    pub limits: OutputBufferLimits,
    /// The server clock, for soft limits.
    pub now_ms: i64,
}

impl<'a> Outbox<'a> {
    /// The outbox of `srv`.
    pub fn of(srv: &'a Server) -> Self {
        Outbox {
            clients: &srv.clients,
            limits: srv.config.client_output_buffer_limit,
            now_ms: srv.now_ms,
        }
    }

    /// The limit of `c`'s client class.
    fn limit_of(&self, c: &Client) -> ClassLimit {
        match ClientType::of(c) {
            ClientType::Pubsub => self.limits.pubsub,
            ClientType::Replica => self.limits.replica,
            ClientType::Normal | ClientType::Master => self.limits.normal,
        }
    }
}

/// The pub/sub channel invalidations use for RESP2 redirection clients.
const CHANNEL: &[u8] = b"__redis__:invalidate";

/// Runs `f` on client `id`, taking it from `held` when that is the one;
/// `None` when it does not exist or is borrowed elsewhere.
pub fn with_client<R>(
    clients: &Clients,
    held: &mut Option<Held<'_>>,
    id: u64,
    f: impl FnOnce(&mut Client, Option<&mut Vec<u8>>) -> R,
) -> Option<R> {
    if let Some(h) = held.as_mut() {
        if h.client.id == id {
            return Some(f(h.client, h.out.as_deref_mut()));
        }
    }
    let mut c = clients.get(&id)?.try_borrow_mut().ok()?;
    Some(f(&mut c, None))
}

/// Sends `payload` on behalf of tracking client `target`. False when a
/// client involved is borrowed elsewhere (the running client): the caller
/// may retry once it is free. A missing target is silently skipped.
pub fn send(outbox: &Outbox, held: &mut Option<Held<'_>>, target: u64, payload: &Payload) -> bool {
    let clients = outbox.clients;
    if !clients.contains_key(&target) && held.as_ref().is_none_or(|h| h.client.id != target) {
        return true;
    }
    // The null says "everything" in the tracking client's own protocol,
    // whoever receives it (Redis does the same).
    let seen = with_client(clients, held, target, |c, out| {
        let resp3 = c.protocol == rkv_proto::Protocol::Resp3;
        let redirect = c.tracking.redirect;
        if redirect != 0 && !clients.contains_key(&redirect) {
            c.tracking.broken_redirect = true;
            if resp3 {
                write(outbox, c, out, &broken_redirect(redirect));
            }
            return None;
        }
        Some((resp3, redirect))
    });
    let Some(found) = seen else {
        return false;
    };
    let Some((target_resp3, redirect)) = found else {
        return true;
    };
    let recipient = if redirect != 0 { redirect } else { target };
    let value = match payload {
        Payload::Key(key) => key_array(key),
        Payload::Null if target_resp3 => b"_\r\n".to_vec(),
        Payload::Null => b"$-1\r\n".to_vec(),
        Payload::Array(proto) => proto.clone(),
    };
    let done = with_client(clients, held, recipient, |c, out| {
        let frame = if c.protocol == rkv_proto::Protocol::Resp3 {
            push_frame(&value)
        } else if redirect != 0 && c.kind == crate::client::ClientKind::Pubsub {
            message_frame(&value)
        } else {
            // A RESP2 connection cannot take pushes between replies.
            return;
        };
        write(outbox, c, out, &frame);
    });
    done.is_some()
}

/// Appends to the reply given, or queues for the client's connection,
/// closing it if its unsent output broke its class's limit.
fn write(outbox: &Outbox, c: &mut Client, out: Option<&mut Vec<u8>>, bytes: &[u8]) {
    match out {
        Some(out) => out.extend_from_slice(bytes),
        None => {
            let limit = outbox.limit_of(c);
            crate::families::pubsub::delivery::enqueue(c, bytes, limit, outbox.now_ms);
        }
    }
}

/// `*1 $<len> <key>`.
fn key_array(key: &[u8]) -> Vec<u8> {
    let mut v = format!("*1\r\n${}\r\n", key.len()).into_bytes();
    v.extend_from_slice(key);
    v.extend_from_slice(b"\r\n");
    v
}

/// `>2 invalidate <value>`.
fn push_frame(value: &[u8]) -> Vec<u8> {
    let mut v = b">2\r\n$10\r\ninvalidate\r\n".to_vec();
    v.extend_from_slice(value);
    v
}

/// `*3 message __redis__:invalidate <value>`.
fn message_frame(value: &[u8]) -> Vec<u8> {
    let mut v = format!("*3\r\n$7\r\nmessage\r\n${}\r\n", CHANNEL.len()).into_bytes();
    v.extend_from_slice(CHANNEL);
    v.extend_from_slice(b"\r\n");
    v.extend_from_slice(value);
    v
}

/// `>2 tracking-redir-broken :<id>`.
fn broken_redirect(id: u64) -> Vec<u8> {
    format!(">2\r\n$21\r\ntracking-redir-broken\r\n:{id}\r\n").into_bytes()
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use rkv_proto::Protocol;

    use super::*;
    use crate::client::ClientKind;

    fn table(specs: &[(u64, Protocol, u64)]) -> Clients {
        specs
            .iter()
            .map(|&(id, protocol, redirect)| {
                let mut c = Client::new(id, String::new(), String::new(), 0, 0, true);
                c.protocol = protocol;
                c.tracking.on = true;
                c.tracking.redirect = redirect;
                (id, Rc::new(RefCell::new(c)))
            })
            .collect()
    }

    fn outbox(clients: &Clients) -> Outbox<'_> {
        Outbox {
            clients,
            limits: OutputBufferLimits::default(),
            now_ms: 0,
        }
    }

    fn pushed(clients: &Clients, id: u64) -> Vec<u8> {
        std::mem::take(&mut clients[&id].borrow_mut().pushed)
    }

    #[test]
    fn resp3_client_gets_a_push_resp2_alone_gets_nothing() {
        let clients = table(&[(1, Protocol::Resp3, 0), (2, Protocol::Resp2, 0)]);
        assert!(send(
            &outbox(&clients),
            &mut None,
            1,
            &Payload::Key(b"k".to_vec())
        ));
        assert_eq!(
            pushed(&clients, 1),
            b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"
        );
        assert!(send(
            &outbox(&clients),
            &mut None,
            2,
            &Payload::Key(b"k".to_vec())
        ));
        assert!(pushed(&clients, 2).is_empty());
        assert!(send(&outbox(&clients), &mut None, 1, &Payload::Null));
        assert_eq!(pushed(&clients, 1), b">2\r\n$10\r\ninvalidate\r\n_\r\n");
    }

    #[test]
    fn redirection_to_a_resp2_subscriber_uses_the_invalidate_channel() {
        let clients = table(&[
            (1, Protocol::Resp2, 3),
            (2, Protocol::Resp3, 3),
            (3, Protocol::Resp2, 0),
        ]);
        assert!(send(
            &outbox(&clients),
            &mut None,
            1,
            &Payload::Key(b"k".to_vec())
        ));
        assert!(pushed(&clients, 3).is_empty(), "not in pub/sub mode");
        clients[&3].borrow_mut().kind = ClientKind::Pubsub;
        assert!(send(&outbox(&clients), &mut None, 1, &Payload::Null));
        assert!(send(&outbox(&clients), &mut None, 2, &Payload::Null));
        let head = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";
        assert_eq!(
            String::from_utf8(pushed(&clients, 3)).unwrap(),
            format!("{head}$-1\r\n{head}_\r\n")
        );
    }

    #[test]
    fn vanished_redirection_is_reported_to_resp3_clients() {
        let clients = table(&[(1, Protocol::Resp3, 9), (2, Protocol::Resp2, 9)]);
        assert!(send(
            &outbox(&clients),
            &mut None,
            1,
            &Payload::Key(b"k".to_vec())
        ));
        assert!(send(
            &outbox(&clients),
            &mut None,
            2,
            &Payload::Key(b"k".to_vec())
        ));
        assert_eq!(
            pushed(&clients, 1),
            b">2\r\n$21\r\ntracking-redir-broken\r\n:9\r\n"
        );
        assert!(pushed(&clients, 2).is_empty());
        assert!(clients[&2].borrow().tracking.broken_redirect);
    }

    #[test]
    fn a_borrowed_recipient_is_retried_later_and_held_clients_write_to_their_reply() {
        let clients = table(&[(1, Protocol::Resp3, 2), (2, Protocol::Resp3, 0)]);
        let guard = clients[&2].borrow_mut();
        assert!(!send(
            &outbox(&clients),
            &mut None,
            1,
            &Payload::Key(b"k".to_vec())
        ));
        drop(guard);
        let mut me = clients[&2].borrow_mut();
        let mut out = b"+OK\r\n".to_vec();
        let mut held = Some(Held {
            client: &mut me,
            out: Some(&mut out),
        });
        assert!(send(
            &outbox(&clients),
            &mut held,
            1,
            &Payload::Key(b"k".to_vec())
        ));
        assert_eq!(out, b"+OK\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n");
    }

    #[test]
    fn a_subscriber_over_its_output_limit_is_closed() {
        let clients = table(&[(1, Protocol::Resp2, 2), (2, Protocol::Resp2, 0)]);
        clients[&2].borrow_mut().kind = ClientKind::Pubsub;
        let mut outbox = outbox(&clients);
        outbox.limits.pubsub = ClassLimit {
            hard: 100,
            soft: 0,
            soft_seconds: 0,
        };
        for _ in 0..3 {
            assert!(send(&outbox, &mut None, 1, &Payload::Key(b"k".to_vec())));
        }
        let sub = clients[&2].borrow();
        assert!(sub.close_asap);
        assert!(sub.pushed.is_empty(), "memory given back at once");
    }
}
