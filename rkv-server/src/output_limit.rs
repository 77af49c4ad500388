//! `client-output-buffer-limit` enforcement, for every client class (Redis's
//! `checkClientOutputBufferLimits` / `closeClientOnOutputBufferLimitReached`).
//!
//! Three places grow a client's unsent output and check it here: its own
//! replies while a batch of its commands runs ([`over_own_replies`], called
//! by the connection task), bytes other clients queue for it ([`push`]:
//! PUBLISH, MONITOR, tracking invalidations), and the cron ([`cron`]), which
//! closes a client that sits over its soft limit without receiving more.
//! Replication's senders call [`close_if_over`] with their own pending count.

use crate::client::Client;
use crate::config::{ClassLimit, OutputBufferLimits};
use crate::families::client::info::{info_line, ClientType};
use crate::server::Server;

/// Reply bytes Redis keeps in each client's fixed buffer (`c->buf`,
/// `PROTO_REPLY_CHUNK_BYTES`); only output beyond it counts against the
/// limits, as Redis counts only its reply list (`reply_bytes`).
pub const FIXED_REPLY_BYTES: usize = 16 * 1024;

/// How the caller closes a client found over its limit; it changes only
/// the log line, as Redis's `async` argument does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// While output is being added: the connection task closes it next.
    Scheduled,
    /// From the cron.
    Now,
}

/// The limit that applies to `c`: its class's, with a master counted as a
/// normal client and MONITOR clients as normal ones.
pub fn limit_of(limits: &OutputBufferLimits, c: &Client) -> ClassLimit {
    match ClientType::of(c) {
        ClientType::Pubsub => limits.pubsub,
        ClientType::Replica => limits.replica,
        ClientType::Normal | ClientType::Master => limits.normal,
    }
}

/// Checks `pending` unsent bytes of `c` against `limit` (updating its soft
/// limit clock) and, when a limit is broken, logs Redis's warning, counts
/// the disconnection and asks the connection task to close `c`. True when
/// `c` is (now or already) being closed.
pub fn close_if_over(
    c: &mut Client,
    limit: ClassLimit,
    pending: u64,
    now_ms: i64,
    how: Closing,
) -> bool {
    if c.close_asap {
        return true;
    }
    // Redis leaves a client with nothing queued alone, soft clock included.
    if pending == 0 {
        return false;
    }
    if !limit.exceeded(pending, &mut c.soft_limit_since_ms, now_ms) {
        return false;
    }
    let what = match how {
        Closing::Scheduled => "scheduled to be closed ASAP",
        Closing::Now => "closed",
    };
    crate::warning!(
        "Client {} {what} for overcoming of output buffer limits.",
        info_line(c, now_ms, None)
    );
    // Nobody will read what is queued: free it now.
    c.pushed = Vec::new();
    c.kill();
    true
}

/// Queues `bytes` for `c` on behalf of another client, unless `c` is being
/// closed, then closes `c` if its unsent output (queued plus being written)
/// broke its class's limit.
pub fn push(limits: &OutputBufferLimits, c: &mut Client, bytes: &[u8], now_ms: i64) {
    push_within(c, bytes, limit_of(limits, c), now_ms);
}

/// [`push`] against an explicit limit.
pub fn push_within(c: &mut Client, bytes: &[u8], limit: ClassLimit, now_ms: i64) {
    if c.close_asap {
        return;
    }
    c.push_bytes(bytes);
    let pending = c.pending_output() as u64;
    close_if_over(c, limit, pending, now_ms, Closing::Scheduled);
}

/// Checks the replies a client's own commands produced so far in this
/// batch (`reply_len` bytes not yet handed to the socket) against its
/// limit. True when the client must be closed: the caller drops the
/// replies, sends nothing and closes, as Redis never writes to a client
/// scheduled for closing.
pub fn over_own_replies(
    limits: &OutputBufferLimits,
    c: &mut Client,
    reply_len: usize,
    now_ms: i64,
) -> bool {
    let pending = reply_len.saturating_sub(FIXED_REPLY_BYTES) + c.pending_output();
    let limit = limit_of(limits, c);
    close_if_over(c, limit, pending as u64, now_ms, Closing::Scheduled)
}

/// The cron's pass (Redis's `clientsCron`): closes clients whose unsent
/// output stayed over a soft limit long enough even though nothing was
/// added since. Clients borrowed elsewhere are checked next time.
pub fn cron(srv: &mut Server) {
    let limits = srv.config.client_output_buffer_limit;
    let now = srv.now_ms;
    for c in srv.clients.values() {
        if let Ok(mut c) = c.try_borrow_mut() {
            let pending = c.pending_output() as u64;
            let limit = limit_of(&limits, &c);
            close_if_over(&mut c, limit, pending, now, Closing::Now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientKind;

    fn client() -> Client {
        Client::new(
            7,
            "127.0.0.1:5000".into(),
            "127.0.0.1:6379".into(),
            9,
            0,
            true,
        )
    }

    fn limits(words: &str) -> OutputBufferLimits {
        let mut l = OutputBufferLimits::default();
        let w: Vec<String> = words.split_whitespace().map(String::from).collect();
        l.apply(&w).unwrap();
        l
    }

    #[test]
    fn each_class_has_its_own_limit() {
        let l = limits("normal 1 0 0 replica 2 0 0 pubsub 3 0 0");
        let mut c = client();
        assert_eq!(limit_of(&l, &c).hard, 1);
        c.kind = ClientKind::Master;
        assert_eq!(limit_of(&l, &c).hard, 1);
        c.kind = ClientKind::Pubsub;
        assert_eq!(limit_of(&l, &c).hard, 3);
        c.kind = ClientKind::Replica;
        assert_eq!(limit_of(&l, &c).hard, 2);
        c.monitor = true;
        assert_eq!(limit_of(&l, &c).hard, 1);
    }

    #[test]
    fn own_replies_count_beyond_the_fixed_buffer() {
        let l = limits("normal 1kb 0 0");
        let mut c = client();
        assert!(!over_own_replies(&l, &mut c, FIXED_REPLY_BYTES + 1000, 0));
        assert!(!c.close_asap);
        assert!(over_own_replies(&l, &mut c, FIXED_REPLY_BYTES + 1024, 0));
        assert!(c.close_asap);
    }

    #[test]
    fn pushes_over_the_hard_limit_close_and_free() {
        let l = limits("pubsub 100 0 0");
        let mut c = client();
        c.kind = ClientKind::Pubsub;
        push(&l, &mut c, &[b'x'; 60], 0);
        assert_eq!(c.pushed.len(), 60);
        push(&l, &mut c, &[b'x'; 60], 0);
        assert!(c.close_asap);
        assert!(c.pushed.is_empty());
        push(&l, &mut c, &[b'x'; 60], 0);
        assert!(c.pushed.is_empty());
    }

    #[test]
    fn the_cron_closes_a_client_left_over_its_soft_limit() {
        let l = limits("normal 0 100 1");
        let mut c = client();
        c.omem = 500;
        let limit = limit_of(&l, &c);
        assert!(!close_if_over(&mut c, limit, 500, 10_000, Closing::Now));
        assert!(!close_if_over(&mut c, limit, 500, 11_000, Closing::Now));
        assert!(close_if_over(&mut c, limit, 500, 12_001, Closing::Now));
        assert!(c.close_asap);
    }

    #[test]
    fn nothing_pending_is_never_over() {
        let l = limits("normal 0 1 0");
        let mut c = client();
        assert!(!close_if_over(&mut c, l.normal, 0, 0, Closing::Now));
        assert_eq!(c.soft_limit_since_ms, None);
    }
}
