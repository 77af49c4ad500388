//! MULTI/EXEC balance while reading an AOF: where the file could end
//! without leaving half a transaction, as Redis's loader and
//! redis-check-aof see it (an unterminated MULTI is dropped whole).

use crate::reader::Entry;

/// A MULTI/EXEC that does not pair up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// MULTI inside a transaction that was already open.
    #[error("MULTI at byte {offset} inside the transaction opened at byte {open}")]
    NestedMulti {
        /// The second MULTI.
        offset: u64,
        /// The MULTI still open.
        open: u64,
    },
    /// EXEC with no MULTI before it.
    #[error("EXEC at byte {offset} without MULTI")]
    ExecWithoutMulti {
        /// The EXEC.
        offset: u64,
    },
}

/// Tracks transactions entry by entry.
#[derive(Debug, Clone, Default)]
pub struct TxTracker {
    open: Option<u64>,
    safe_end: u64,
    transactions: u64,
    queued: u64,
}

impl TxTracker {
    /// A tracker for a file (or the command tail of one) starting at
    /// `start`.
    pub fn starting_at(start: u64) -> TxTracker {
        TxTracker {
            safe_end: start,
            ..TxTracker::default()
        }
    }

    /// Accounts for the next entry read.
    pub fn observe(&mut self, entry: &Entry) -> Result<(), TxError> {
        match entry {
            Entry::Command(cmd) if cmd.is("multi") => {
                if let Some(open) = self.open {
                    return Err(TxError::NestedMulti {
                        offset: cmd.offset,
                        open,
                    });
                }
                self.open = Some(cmd.offset);
                self.queued = 0;
            }
            Entry::Command(cmd) if cmd.is("exec") => {
                if self.open.take().is_none() {
                    return Err(TxError::ExecWithoutMulti { offset: cmd.offset });
                }
                self.transactions += 1;
                self.queued = 0;
                self.safe_end = cmd.end;
            }
            Entry::Command(_) if self.open.is_some() => self.queued += 1,
            _ if self.open.is_some() => {}
            other => self.safe_end = other.end(),
        }
        Ok(())
    }

    /// The offset of the MULTI of a transaction still open, if any.
    pub fn open_multi(&self) -> Option<u64> {
        self.open
    }

    /// The end of the last entry outside a transaction (or of the last
    /// EXEC): where the file can be cut without splitting a transaction.
    pub fn safe_end(&self) -> u64 {
        self.safe_end
    }

    /// Commands queued in the open transaction (0 when none is open).
    pub fn queued(&self) -> u64 {
        self.queued
    }

    /// Complete commands a cut at [`safe_end`](Self::safe_end) drops: the
    /// open transaction's MULTI and queued commands.
    pub fn dropped_by_cut(&self) -> u64 {
        if self.open.is_some() {
            self.queued + 1
        } else {
            0
        }
    }

    /// Transactions completed so far.
    pub fn transactions(&self) -> u64 {
        self.transactions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{Annotation, Command};

    fn cmd(name: &str, offset: u64) -> Entry {
        Entry::Command(Command {
            offset,
            end: offset + 10,
            line: 1,
            args: vec![name.as_bytes().to_vec()],
        })
    }

    #[test]
    fn safe_end_skips_open_transactions() {
        let mut tx = TxTracker::starting_at(0);
        tx.observe(&cmd("set", 0)).unwrap();
        assert_eq!(tx.safe_end(), 10);
        tx.observe(&cmd("MULTI", 10)).unwrap();
        tx.observe(&cmd("set", 20)).unwrap();
        tx.observe(&Entry::Annotation(Annotation {
            offset: 30,
            end: 40,
            line: 1,
            text: b"TS:1".to_vec(),
        }))
        .unwrap();
        assert_eq!(
            (tx.safe_end(), tx.open_multi(), tx.queued()),
            (10, Some(10), 1)
        );
        tx.observe(&cmd("exec", 40)).unwrap();
        assert_eq!(
            (tx.safe_end(), tx.open_multi(), tx.transactions()),
            (50, None, 1)
        );
    }

    #[test]
    fn unbalanced_transactions_are_errors() {
        let mut tx = TxTracker::starting_at(0);
        assert_eq!(
            tx.observe(&cmd("exec", 5)),
            Err(TxError::ExecWithoutMulti { offset: 5 })
        );
        tx.observe(&cmd("multi", 10)).unwrap();
        assert_eq!(
            tx.observe(&cmd("multi", 20)),
            Err(TxError::NestedMulti {
                offset: 20,
                open: 10
            })
        );
    }
}
