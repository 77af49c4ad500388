//! A client's MULTI state (Redis's `multiState`): the commands queued since
//! MULTI, whether queueing one of them failed, and the union of their flags
//! that the checks on EXEC read (a transaction with a write is paused by
//! `CLIENT PAUSE WRITE`...).
//!
//! Queueing happens in [`crate::command::dispatch`], after the checks every
//! command passes; MULTI/EXEC/DISCARD themselves live in
//! [`crate::families::transactions`].

use smallvec::SmallVec;

use crate::client::Client;
use crate::command::CommandId;
use crate::server::Server;

/// One queued command, its arguments owned (the request buffer is reused)
/// in one buffer: one allocation per command, not one per argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedCommand {
    /// The resolved command (subcommand included).
    pub id: CommandId,
    /// The arguments back to back, command name first.
    bytes: Vec<u8>,
    /// Where each argument ends in `bytes`.
    ends: SmallVec<[usize; 6]>,
}

impl QueuedCommand {
    /// Copies `argv` for command `id`.
    pub fn new(id: CommandId, argv: &[&[u8]]) -> Self {
        let mut bytes = Vec::with_capacity(argv.iter().map(|a| a.len()).sum());
        let mut ends = SmallVec::with_capacity(argv.len());
        for a in argv {
            bytes.extend_from_slice(a);
            ends.push(bytes.len());
        }
        QueuedCommand { id, bytes, ends }
    }

    /// The arguments, command name first.
    pub fn argv(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let arg = &self.bytes[start..end];
            start = end;
            arg
        })
    }
}

/// The MULTI/EXEC state of one client.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MultiState {
    /// Inside MULTI (Redis's `CLIENT_MULTI`, CLIENT LIST flag `x`).
    pub active: bool,
    /// A command was rejected while queueing: EXEC answers EXECABORT
    /// (Redis's `CLIENT_DIRTY_EXEC`).
    pub dirty_exec: bool,
    /// The queued commands, in order (EXEC takes them out to run them).
    pub queued: Vec<QueuedCommand>,
    /// How many commands were queued (Redis's `mstate.count`).
    pub count: usize,
    /// Union of the queued commands' flags.
    pub flags: u32,
    /// Union of the complements of their flags (a flag some command lacks).
    pub inv_flags: u32,
    /// Queued argument bytes plus a pointer per argument, as Redis counts
    /// them (CLIENT LIST `multi-mem`).
    pub argv_bytes: usize,
    /// Slots Redis would have allocated for the queue (2, doubling).
    pub slots: usize,
    /// Set by an EXEC that ran its queue: it already dropped the replies
    /// CLIENT REPLY silenced, one queued command at a time, so dispatch
    /// must not drop its whole reply again.
    pub replies_filtered: bool,
}

/// Size Redis gives each queue slot (`sizeof(multiCmd)`).
const SLOT_BYTES: usize = 24;
/// Size of a pointer to an argument (`sizeof(robj*)`).
const POINTER_BYTES: usize = 8;

impl MultiState {
    /// Appends a command that passed the checks. Nothing is kept once the
    /// transaction is bound to fail (Redis saves the memory), but it is
    /// still answered `+QUEUED`.
    pub fn queue(&mut self, id: CommandId, argv: &[&[u8]], cmd_flags: u32, dirty_cas: bool) {
        if self.dirty_exec || dirty_cas {
            return;
        }
        if self.count == self.slots {
            self.slots = if self.slots == 0 { 2 } else { self.slots * 2 };
        }
        let bytes: usize = argv.iter().map(|a| a.len()).sum();
        self.argv_bytes += bytes + POINTER_BYTES * argv.len();
        self.count += 1;
        self.flags |= cmd_flags;
        self.inv_flags |= !cmd_flags;
        self.queued.push(QueuedCommand::new(id, argv));
    }

    /// Marks the transaction as failed after a rejected command (Redis's
    /// `flagTransaction`); nothing happens outside MULTI.
    pub fn flag_error(&mut self) {
        if self.active {
            self.dirty_exec = true;
        }
    }

    /// The commands counted by CLIENT LIST `multi=`: -1 outside MULTI.
    pub fn shown_count(&self) -> i64 {
        if self.active {
            self.count as i64
        } else {
            -1
        }
    }

    /// Memory Redis attributes to the queue (without watched keys).
    pub fn mem_overhead(&self) -> usize {
        self.argv_bytes + self.slots * SLOT_BYTES
    }
}

/// Leaves MULTI, drops the queue and every watch (Redis's
/// `discardTransaction`): after EXEC, DISCARD, RESET or an aborted EXEC.
pub fn discard(srv: &mut Server, client: &mut Client) {
    client.multi = MultiState::default();
    client.dirty_cas.set(false);
    crate::watch::unwatch_all(srv, client.id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_counts_memory_as_redis() {
        let mut m = MultiState {
            active: true,
            ..MultiState::default()
        };
        m.queue(3, &[b"client", b"list"], 0, false);
        assert_eq!(m.argv_bytes, 26);
        assert_eq!(m.slots, 2);
        assert_eq!(m.shown_count(), 1);
        m.queue(3, &[b"ping"], 0, false);
        m.queue(3, &[b"ping"], 0, false);
        assert_eq!(m.slots, 4);
        assert_eq!(m.argv_bytes, 26 + 12 + 12);
        assert_eq!(m.mem_overhead(), 50 + 4 * 24);
    }

    #[test]
    fn queued_arguments_keep_their_boundaries() {
        let q = QueuedCommand::new(7, &[b"set", b"", b"value"]);
        assert_eq!(q.id, 7);
        assert_eq!(q.argv().collect::<Vec<_>>(), [&b"set"[..], b"", b"value"]);
    }

    #[test]
    fn nothing_is_queued_once_bound_to_fail() {
        let mut m = MultiState {
            active: true,
            ..MultiState::default()
        };
        m.queue(1, &[b"set", b"k", b"v"], 1, true);
        assert!(m.queued.is_empty());
        m.flag_error();
        m.queue(1, &[b"set", b"k", b"v"], 1, false);
        assert!(m.queued.is_empty());
        assert!(m.dirty_exec);
    }

    #[test]
    fn errors_outside_multi_are_not_flagged() {
        let mut m = MultiState::default();
        m.flag_error();
        assert!(!m.dirty_exec);
        assert_eq!(m.shown_count(), -1);
    }

    #[test]
    fn flags_are_unions() {
        let mut m = MultiState {
            active: true,
            ..MultiState::default()
        };
        m.queue(1, &[b"a"], 0b01, false);
        m.queue(1, &[b"b"], 0b10, false);
        assert_eq!(m.flags, 0b11);
        assert_eq!(m.inv_flags & 0b11, 0b11);
    }
}
