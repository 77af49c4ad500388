//! Validating one AOF file: every entry read, MULTI/EXEC balance tracked,
//! and the first problem classified as a torn tail, an unterminated
//! transaction, or corruption, with the offset where a cut would leave
//! only complete commands.

use std::fs::File;
use std::io::{BufReader, Read};

use crate::error::AofError;
use crate::layout::AofPart;
use crate::multi::TxTracker;
use crate::preamble::{starts_with_rdb, PreambleError, PreambleReader, PreambleSummary};
use crate::reader::{AofReader, Entry, ReadError};

/// What became of an RDB preamble.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreambleStatus {
    /// The file starts with commands.
    Absent,
    /// An RDB image was read and is sound; commands follow it.
    Valid(PreambleSummary),
    /// The RDB image is damaged; nothing after it was read.
    Invalid(PreambleError),
    /// An RDB image is there but no [`PreambleReader`] was given, so
    /// neither it nor anything after it was checked.
    NotValidated,
}

/// The kind of problem found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DamageKind {
    /// The file ends inside an entry: a torn write.
    Truncated,
    /// The file ends cleanly but inside MULTI … (no EXEC).
    UnterminatedMulti,
    /// A malformed entry or unbalanced MULTI/EXEC, with the file going on.
    Corrupt,
    /// The RDB preamble is damaged.
    BadPreamble,
}

/// The first problem in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// What it is.
    pub kind: DamageKind,
    /// The byte where it was found (the end of file, for a truncation).
    pub offset: u64,
    /// Where the entry holding it starts.
    pub entry: u64,
    /// A sentence saying what is wrong.
    pub reason: String,
    /// Complete commands between the safe cut point and the damage (those
    /// of a transaction that never saw its EXEC); a cut loses them too.
    pub dropped_commands: u64,
}

/// The result of checking one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// The file.
    pub part: AofPart,
    /// Its size in bytes.
    pub size: u64,
    /// Its RDB preamble, if any.
    pub preamble: PreambleStatus,
    /// Commands read (those of an unterminated transaction included).
    pub commands: u64,
    /// Annotation lines read.
    pub annotations: u64,
    /// MULTI … EXEC blocks completed.
    pub transactions: u64,
    /// The first `#TS:` time seen.
    pub first_timestamp: Option<i64>,
    /// The last `#TS:` time seen.
    pub last_timestamp: Option<i64>,
    /// The end of the last complete command outside a transaction (or of
    /// the last EXEC): the file is sound up to here.
    pub valid_end: u64,
    /// The line `valid_end` is on (counting from 1, in the command part).
    pub valid_end_line: u64,
    /// The first problem, if any.
    pub damage: Option<Damage>,
}

impl FileCheck {
    /// Whether nothing is wrong (an unvalidated preamble is not a fault).
    pub fn is_valid(&self) -> bool {
        self.damage.is_none()
    }

    /// Whether the file damage is only a torn or unterminated tail, which
    /// cutting at [`valid_end`](Self::valid_end) repairs without losing
    /// anything that was ever complete.
    pub fn is_damaged_tail(&self) -> bool {
        self.damage.as_ref().is_some_and(|d| {
            matches!(
                d.kind,
                DamageKind::Truncated | DamageKind::UnterminatedMulti
            )
        })
    }
}

/// Checks `part`, calling `visit` with each entry read (and the
/// transaction state after it) so callers can gather more as it goes.
pub fn check_file(
    part: &AofPart,
    preamble_reader: Option<&dyn PreambleReader>,
    visit: &mut dyn FnMut(&Entry, &TxTracker),
) -> Result<FileCheck, AofError> {
    let file = File::open(&part.path).map_err(|e| AofError::io(&part.path, e))?;
    let size = file
        .metadata()
        .map_err(|e| AofError::io(&part.path, e))?
        .len();
    let mut input = BufReader::with_capacity(64 * 1024, file);
    let mut check = FileCheck {
        part: part.clone(),
        size,
        preamble: PreambleStatus::Absent,
        commands: 0,
        annotations: 0,
        transactions: 0,
        first_timestamp: None,
        last_timestamp: None,
        valid_end: 0,
        valid_end_line: 1,
        damage: None,
    };
    let mut start = 0;
    if part.role.may_have_preamble() && starts_with_rdb(&read_head(&part.path)?) {
        let Some(preamble_reader) = preamble_reader else {
            check.preamble = PreambleStatus::NotValidated;
            check.valid_end = size;
            return Ok(check);
        };
        match preamble_reader.read_preamble(&mut input) {
            Ok(summary) => {
                start = summary.len;
                check.preamble = PreambleStatus::Valid(summary);
            }
            Err(err) => {
                check.damage = Some(Damage {
                    kind: DamageKind::BadPreamble,
                    offset: err.offset,
                    entry: 0,
                    reason: err.to_string(),
                    dropped_commands: 0,
                });
                check.preamble = PreambleStatus::Invalid(err);
                return Ok(check);
            }
        }
    }
    check.valid_end = start;
    let mut reader = AofReader::starting_at(input, &part.path, start);
    let mut tx = TxTracker::starting_at(start);
    loop {
        let entry = match reader.next_entry() {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(ReadError::Io { source, .. }) => return Err(AofError::io(&part.path, source)),
            Err(err) => {
                let (kind, offset, entry) = match &err {
                    ReadError::Truncated { entry, eof, .. } => {
                        (DamageKind::Truncated, *eof, *entry)
                    }
                    ReadError::Corrupt { entry, offset, .. } => {
                        (DamageKind::Corrupt, *offset, *entry)
                    }
                    ReadError::Io { .. } => unreachable!("handled above"),
                };
                check.damage = Some(Damage {
                    kind,
                    offset,
                    entry,
                    reason: err.to_string(),
                    dropped_commands: tx.dropped_by_cut(),
                });
                break;
            }
        };
        if let Err(err) = tx.observe(&entry) {
            check.damage = Some(Damage {
                kind: DamageKind::Corrupt,
                offset: entry.offset(),
                entry: entry.offset(),
                reason: format!("{}: {err}", part.path.display()),
                dropped_commands: tx.dropped_by_cut(),
            });
            break;
        }
        match &entry {
            Entry::Command(_) => check.commands += 1,
            Entry::Annotation(a) => {
                check.annotations += 1;
                if let Some(ts) = a.timestamp() {
                    check.first_timestamp.get_or_insert(ts);
                    check.last_timestamp = Some(ts);
                }
            }
        }
        if tx.open_multi().is_none() {
            check.valid_end_line = reader.line();
        }
        visit(&entry, &tx);
    }
    check.transactions = tx.transactions();
    check.valid_end = tx.safe_end();
    if check.damage.is_none() {
        if let Some(multi) = tx.open_multi() {
            check.damage = Some(Damage {
                kind: DamageKind::UnterminatedMulti,
                offset: size,
                entry: multi,
                reason: format!(
                    "{}: end of file inside the transaction opened at byte {multi} (no EXEC)",
                    part.path.display()
                ),
                dropped_commands: tx.dropped_by_cut(),
            });
        }
    }
    Ok(check)
}

/// The first bytes of a file, enough to recognise an RDB image.
fn read_head(path: &std::path::Path) -> Result<Vec<u8>, AofError> {
    let mut head = Vec::with_capacity(5);
    File::open(path)
        .and_then(|f| f.take(5).read_to_end(&mut head))
        .map_err(|e| AofError::io(path, e))?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::FileRole;

    fn check_bytes(tag: &str, bytes: &[u8]) -> FileCheck {
        let path = std::env::temp_dir().join(format!("rkv-aof-check-{tag}-{}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let part = AofPart {
            path: path.clone(),
            name: tag.into(),
            role: FileRole::Single,
        };
        let check = check_file(&part, None, &mut |_, _| {}).unwrap();
        std::fs::remove_file(&path).unwrap();
        check
    }

    const SET: &[u8] = b"*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n";
    const MULTI: &[u8] = b"*1\r\n$5\r\nmulti\r\n";
    const EXEC: &[u8] = b"*1\r\n$4\r\nexec\r\n";

    #[test]
    fn a_valid_file_counts_everything() {
        let bytes = [b"#TS:5\r\n".as_slice(), SET, MULTI, SET, EXEC, b"#TS:9\r\n"].concat();
        let check = check_bytes("valid", &bytes);
        assert!(check.is_valid());
        assert_eq!(
            (check.commands, check.annotations, check.transactions),
            (4, 2, 1)
        );
        assert_eq!(
            (check.first_timestamp, check.last_timestamp),
            (Some(5), Some(9))
        );
        assert_eq!(check.valid_end, bytes.len() as u64);
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(check.valid_end_line, lines + 1);
    }

    #[test]
    fn an_unterminated_multi_is_dropped_whole() {
        let bytes = [SET, MULTI, SET].concat();
        let check = check_bytes("multi", &bytes);
        let damage = check.damage.unwrap();
        assert_eq!(damage.kind, DamageKind::UnterminatedMulti);
        assert_eq!(
            (damage.entry, damage.dropped_commands),
            (SET.len() as u64, 2)
        );
        assert_eq!(check.valid_end, SET.len() as u64);
    }

    #[test]
    fn a_torn_transaction_is_cut_at_its_multi() {
        let bytes = [SET, MULTI, SET, &EXEC[..5]].concat();
        let check = check_bytes("torn", &bytes);
        assert!(check.is_damaged_tail());
        assert_eq!(check.damage.unwrap().kind, DamageKind::Truncated);
        assert_eq!(check.valid_end, SET.len() as u64);
    }

    #[test]
    fn corruption_and_unbalanced_exec_are_not_tails() {
        let bytes = [SET, b"xx".as_slice(), SET].concat();
        let check = check_bytes("corrupt", &bytes);
        assert!(!check.is_damaged_tail());
        assert_eq!(check.damage.unwrap().offset, SET.len() as u64);
        let check = check_bytes("exec", &[SET, EXEC].concat());
        assert_eq!(check.damage.unwrap().kind, DamageKind::Corrupt);
    }

    /// Stands in for the rkv-rdb reader: an "image" is everything up to
    /// and including the first `!`.
    struct BangPreamble;

    impl PreambleReader for BangPreamble {
        fn read_preamble(
            &self,
            input: &mut dyn std::io::BufRead,
        ) -> Result<PreambleSummary, PreambleError> {
            let mut image = Vec::new();
            input.read_until(b'!', &mut image).unwrap();
            if image.last() != Some(&b'!') {
                return Err(PreambleError {
                    offset: image.len() as u64,
                    reason: "no end marker".into(),
                });
            }
            Ok(PreambleSummary {
                len: image.len() as u64,
                keys: Some(1),
            })
        }
    }

    #[test]
    fn a_preamble_reader_hands_over_to_the_command_tail() {
        let path = std::env::temp_dir().join(format!("rkv-aof-check-pre-{}", std::process::id()));
        let part = AofPart {
            path: path.clone(),
            name: "pre".into(),
            role: FileRole::Single,
        };
        std::fs::write(
            &path,
            [b"REDIS0010 image!".as_slice(), SET, &SET[..3]].concat(),
        )
        .unwrap();
        let check = check_file(&part, Some(&BangPreamble), &mut |_, _| {}).unwrap();
        assert_eq!(
            check.preamble,
            PreambleStatus::Valid(PreambleSummary {
                len: 16,
                keys: Some(1)
            })
        );
        assert_eq!(check.commands, 1);
        assert_eq!(check.valid_end, 16 + SET.len() as u64);
        assert_eq!(check.damage.unwrap().kind, DamageKind::Truncated);
        std::fs::write(&path, b"REDIS0010 torn image").unwrap();
        let check = check_file(&part, Some(&BangPreamble), &mut |_, _| {}).unwrap();
        assert_eq!(check.damage.unwrap().kind, DamageKind::BadPreamble);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn an_rdb_preamble_without_a_reader_is_reported_not_validated() {
        let check = check_bytes("rdb", b"REDIS0010\xfa");
        assert_eq!(check.preamble, PreambleStatus::NotValidated);
        assert!(check.is_valid());
    }
}
