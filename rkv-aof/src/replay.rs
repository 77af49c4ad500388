//! Replaying the commands of an AOF file, as the server does at start-up:
//! plain commands are handed over one by one, a MULTI … EXEC block only
//! once its EXEC has been read (so an unterminated transaction never
//! applies), and the end says whether the file was complete or ended in a
//! torn tail that the caller may cut (`aof-load-truncated`).

use std::io::BufRead;

use crate::error::AofError;
use crate::multi::TxTracker;
use crate::reader::{AofReader, Command, Entry, ReadError};

/// What the caller is asked to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replayed<'a> {
    /// A command outside any transaction.
    Command(&'a Command),
    /// The commands between a MULTI and its EXEC (both left out), to apply
    /// atomically.
    Transaction(&'a [Command]),
}

/// How a file's replay ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayEnd {
    /// At a clean end of file.
    Complete,
    /// The file ends inside a command (a torn write) at byte `eof`.
    TruncatedTail {
        /// Where the file ends.
        eof: u64,
    },
    /// The file ends inside the transaction opened at byte `multi`.
    UnterminatedMulti {
        /// The MULTI's offset.
        multi: u64,
    },
}

/// The result of replaying one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplaySummary {
    /// Commands applied (transactions' inner commands included).
    pub commands: u64,
    /// Transactions applied.
    pub transactions: u64,
    /// The end of the last entry applied: where to cut a torn tail.
    pub valid_end: u64,
    /// How it ended.
    pub end: ReplayEnd,
}

impl ReplaySummary {
    /// Whether the file ended cleanly.
    pub fn is_complete(&self) -> bool {
        self.end == ReplayEnd::Complete
    }
}

/// Reads every entry of `reader` and hands commands to `apply`. Corruption
/// (or an unbalanced MULTI/EXEC) is an error naming the file and byte; an
/// `apply` error stops the replay and is returned naming the command's
/// offset.
pub fn replay<R: BufRead>(
    mut reader: AofReader<R>,
    apply: &mut dyn FnMut(Replayed<'_>) -> Result<(), String>,
) -> Result<ReplaySummary, AofError> {
    let mut tx = TxTracker::starting_at(reader.offset());
    let mut queued: Vec<Command> = Vec::new();
    let mut summary = ReplaySummary {
        commands: 0,
        transactions: 0,
        valid_end: reader.offset(),
        end: ReplayEnd::Complete,
    };
    loop {
        let entry = match reader.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(ReadError::Truncated { eof, .. }) => {
                summary.end = ReplayEnd::TruncatedTail { eof };
                break;
            }
            Err(err) => return Err(err.into()),
        };
        let was_open = tx.open_multi().is_some();
        tx.observe(&entry).map_err(|err| {
            AofError::Read(ReadError::Corrupt {
                file: reader.file().clone(),
                entry: entry.offset(),
                offset: entry.offset(),
                reason: err.to_string(),
            })
        })?;
        let Entry::Command(cmd) = entry else {
            continue;
        };
        let offset = cmd.offset;
        let applied = match (was_open, tx.open_multi().is_some()) {
            (false, false) => {
                summary.commands += 1;
                apply(Replayed::Command(&cmd))
            }
            (true, false) => {
                summary.commands += queued.len() as u64;
                summary.transactions += 1;
                let result = apply(Replayed::Transaction(&queued));
                queued.clear();
                result
            }
            (true, true) => {
                queued.push(cmd);
                Ok(())
            }
            (false, true) => Ok(()),
        };
        applied.map_err(|reason| AofError::Apply {
            file: reader.file().clone(),
            offset,
            reason,
        })?;
    }
    summary.valid_end = tx.safe_end();
    if let (ReplayEnd::Complete, Some(multi)) = (summary.end, tx.open_multi()) {
        summary.end = ReplayEnd::UnterminatedMulti { multi };
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writer::encode_command;

    fn aof(commands: &[&[&str]]) -> Vec<u8> {
        let mut out = b"#TS:1\r\n".to_vec();
        for c in commands {
            encode_command(&mut out, c);
        }
        out
    }

    fn run(bytes: &[u8]) -> (Result<ReplaySummary, AofError>, Vec<String>) {
        let mut seen = Vec::new();
        let result = replay(AofReader::new(bytes, "r.aof"), &mut |r| {
            seen.push(match r {
                Replayed::Command(c) => String::from_utf8_lossy(&c.args[0]).into_owned(),
                Replayed::Transaction(cs) => format!("tx{}", cs.len()),
            });
            Ok(())
        });
        (result, seen)
    }

    #[test]
    fn transactions_apply_whole_at_exec() {
        let bytes = aof(&[
            &["set", "a", "1"],
            &["multi"],
            &["set", "b", "2"],
            &["incr", "c"],
            &["exec"],
        ]);
        let (summary, seen) = run(&bytes);
        let summary = summary.unwrap();
        assert_eq!(seen, ["set", "tx2"]);
        assert_eq!((summary.commands, summary.transactions), (3, 1));
        assert_eq!(summary.valid_end, bytes.len() as u64);
        assert!(summary.is_complete());
    }

    #[test]
    fn torn_and_unterminated_tails_are_reported_not_applied() {
        let complete = aof(&[&["set", "a", "1"]]);
        let mut torn = aof(&[
            &["set", "a", "1"],
            &["multi"],
            &["set", "b", "2"],
            &["exec"],
        ]);
        torn.truncate(torn.len() - 3);
        let (summary, seen) = run(&torn);
        let summary = summary.unwrap();
        assert_eq!(seen, ["set"]);
        assert_eq!(summary.valid_end, complete.len() as u64);
        assert_eq!(
            summary.end,
            ReplayEnd::TruncatedTail {
                eof: torn.len() as u64
            }
        );

        let open = aof(&[&["set", "a", "1"], &["multi"], &["set", "b", "2"]]);
        let (summary, seen) = run(&open);
        assert_eq!(seen, ["set"]);
        let summary = summary.unwrap();
        assert_eq!(
            summary.end,
            ReplayEnd::UnterminatedMulti {
                multi: complete.len() as u64
            }
        );
    }

    #[test]
    fn corruption_and_apply_errors_name_the_offset() {
        let mut bytes = aof(&[&["set", "a", "1"], &["set", "b", "2"]]);
        let second = aof(&[&["set", "a", "1"]]).len();
        bytes[second] = b'!';
        let err = run(&bytes).0.unwrap_err();
        assert!(err.to_string().contains(&format!("byte {second}")), "{err}");

        let bytes = aof(&[&["exec"]]);
        assert!(run(&bytes)
            .0
            .unwrap_err()
            .to_string()
            .contains("EXEC at byte 7 without MULTI"));

        let bytes = aof(&[&["nosuch"]]);
        let err = replay(AofReader::new(bytes.as_slice(), "r.aof"), &mut |_| {
            Err("unknown command 'nosuch'".into())
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "r.aof: byte 7: unknown command 'nosuch'");
    }
}
