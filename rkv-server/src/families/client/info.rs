//! The one-line description of a client that CLIENT LIST and CLIENT INFO
//! print, field for field as Redis 7.0's `catClientInfoString`, and the
//! client types CLIENT LIST/KILL filter on.

use std::fmt::Write as _;

use rkv_proto::Protocol;

use crate::client::{Client, ClientKind};

/// Size of a fresh client's reply buffer (Redis's `PROTO_REPLY_CHUNK_BYTES`),
/// shown as `rbs` and `rbp`.
const REPLY_BUFFER_BYTES: usize = 16 * 1024;

/// Fixed per-client bookkeeping counted in `tot-mem` (about Redis's
/// `sizeof(client)`), so the total stays comparable with Redis's.
const CLIENT_STRUCT_BYTES: usize = 784;

/// A client type as CLIENT LIST TYPE and CLIENT KILL TYPE name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientType {
    /// `normal` (MONITOR clients included, as in Redis).
    Normal,
    /// `replica` (or `slave`).
    Replica,
    /// `pubsub`.
    Pubsub,
    /// `master`.
    Master,
}

impl ClientType {
    /// Parses a type name case-insensitively, accepting Redis's spellings.
    pub fn parse(name: &[u8]) -> Option<ClientType> {
        let lower = name.to_ascii_lowercase();
        match lower.as_slice() {
            b"normal" => Some(ClientType::Normal),
            b"slave" | b"replica" => Some(ClientType::Replica),
            b"pubsub" => Some(ClientType::Pubsub),
            b"master" => Some(ClientType::Master),
            _ => None,
        }
    }

    /// The type of `c`.
    pub fn of(c: &Client) -> ClientType {
        match c.kind {
            ClientKind::Master => ClientType::Master,
            ClientKind::Replica if !c.monitor => ClientType::Replica,
            ClientKind::Pubsub => ClientType::Pubsub,
            _ => ClientType::Normal,
        }
    }
}

/// What only the client running CLIENT LIST/INFO knows about itself: the
/// command being executed and the replies already queued before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CurrentCommand {
    /// Number of arguments of the running command.
    pub argc: usize,
    /// Their total length (`argv-mem`).
    pub argv_bytes: usize,
    /// Reply bytes waiting to be written (`obl`).
    pub pending_reply: usize,
}

/// The `flags=` letters, in Redis's order; `N` when none applies.
pub fn flag_letters(c: &Client) -> String {
    let mut f = String::new();
    if c.monitor {
        f.push('O');
    } else if c.kind == ClientKind::Replica {
        f.push('S');
    }
    if c.kind == ClientKind::Master {
        f.push('M');
    }
    if c.kind == ClientKind::Pubsub {
        f.push('P');
    }
    if c.multi.active {
        f.push('x');
    }
    if c.blocked {
        f.push('b');
    }
    f.push_str(c.tracking.flag_letters());
    if c.dirty_cas.get() {
        f.push('d');
    }
    if c.close_after_reply {
        f.push('c');
    }
    if c.close_asap {
        f.push('A');
    }
    if c.no_evict {
        f.push('e');
    }
    if f.is_empty() {
        f.push('N');
    }
    f
}

/// The CLIENT LIST line of `c` (without the trailing newline). `current`
/// is set for the client running the command.
pub fn info_line(c: &Client, now_ms: i64, current: Option<CurrentCommand>) -> String {
    let cur = current.unwrap_or_default();
    let now_s = now_ms / 1000;
    let name = c
        .name
        .as_deref()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let resp = match c.protocol {
        Protocol::Resp2 => 2,
        Protocol::Resp3 => 3,
    };
    let omem = c.pending_output();
    let tot_mem = omem
        + c.qbuf
        + c.qbuf_free
        + CLIENT_STRUCT_BYTES
        + REPLY_BUFFER_BYTES
        + cur.argv_bytes
        + cur.argc * std::mem::size_of::<usize>()
        + c.multi.mem_overhead();
    let mut line = String::with_capacity(320);
    let _ = write!(
        line,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} \
         multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll=0 \
         omem={} tot-mem={} events={} cmd={} user={} redir={} resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.fd,
        name,
        now_s - c.created_ms / 1000,
        now_s - c.last_interaction_ms / 1000,
        flag_letters(c),
        c.db,
        c.subscriptions.channels.len(),
        c.subscriptions.patterns.len(),
        c.subscriptions.shard.len(),
        c.multi.shown_count(),
        c.qbuf,
        c.qbuf_free,
        cur.argv_bytes,
        c.multi.argv_bytes,
        REPLY_BUFFER_BYTES,
        REPLY_BUFFER_BYTES,
        cur.pending_reply.min(REPLY_BUFFER_BYTES),
        omem,
        tot_mem,
        // Like Redis's write handler, installed while output waits for the socket.
        if c.omem > 0 { "rw" } else { "r" },
        c.last_cmd,
        c.user,
        c.tracking.redir_field(),
        resp,
    );
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        let mut c = Client::new(
            7,
            "127.0.0.1:5000".into(),
            "127.0.0.1:6379".into(),
            9,
            1_000_000,
            true,
        );
        c.qbuf = 26;
        c.qbuf_free = 20448;
        c
    }

    #[test]
    fn line_has_redis_7_0_fields_in_order() {
        let mut c = client();
        "client|list".clone_into(&mut c.last_cmd);
        c.last_interaction_ms = 1_002_000;
        let cur = CurrentCommand {
            argc: 2,
            argv_bytes: 10,
            pending_reply: 0,
        };
        let line = info_line(&c, 1_003_500, Some(cur));
        let keys: Vec<&str> = line
            .split(' ')
            .map(|f| f.split_once('=').unwrap().0)
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "addr",
                "laddr",
                "fd",
                "name",
                "age",
                "idle",
                "flags",
                "db",
                "sub",
                "psub",
                "ssub",
                "multi",
                "qbuf",
                "qbuf-free",
                "argv-mem",
                "multi-mem",
                "rbs",
                "rbp",
                "obl",
                "oll",
                "omem",
                "tot-mem",
                "events",
                "cmd",
                "user",
                "redir",
                "resp"
            ]
        );
        assert!(line.starts_with(
            "id=7 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=9 name= age=3 idle=1 flags=N db=0 "
        ));
        assert!(line.contains(" qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=16384 "));
        assert!(line.ends_with(" events=r cmd=client|list user=default redir=-1 resp=2"));
    }

    #[test]
    fn flags_and_name() {
        let mut c = client();
        c.name = Some(b"worker".to_vec());
        c.monitor = true;
        c.no_evict = true;
        c.protocol = Protocol::Resp3;
        let line = info_line(&c, 1_000_000, None);
        assert!(line.contains(" name=worker "));
        assert!(line.contains(" flags=Oe "));
        assert!(line.ends_with(" resp=3"));
        assert_eq!(ClientType::of(&c), ClientType::Normal);
    }

    #[test]
    fn type_names() {
        assert_eq!(ClientType::parse(b"SLAVE"), Some(ClientType::Replica));
        assert_eq!(ClientType::parse(b"replica"), Some(ClientType::Replica));
        assert_eq!(ClientType::parse(b"Normal"), Some(ClientType::Normal));
        assert_eq!(ClientType::parse(b"pubsub"), Some(ClientType::Pubsub));
        assert_eq!(ClientType::parse(b"master"), Some(ClientType::Master));
        assert_eq!(ClientType::parse(b"foo"), None);
    }
}
