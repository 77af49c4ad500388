//! Planning and applying a repair: which file to cut, where, and what is
//! lost — the last complete command kept, an unterminated MULTI dropped
//! whole, a backup `<file>.bak` written before anything is changed.
//!
//! Only the last file of a set is ever cut: cutting an earlier one would
//! replay later files on top of a hole, which is what Redis refuses too.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::check::{check_file, DamageKind, FileCheck, PreambleStatus};
use crate::error::AofError;
use crate::layout::AofPart;
use crate::multi::TxTracker;
use crate::preamble::PreambleReader;
use crate::reader::{AofReader, Entry};

/// How far a repair may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Cut a torn or unterminated tail; refuse damage with data after it.
    TailOnly,
    /// Also cut at corruption in the middle of the last file, losing
    /// everything after it.
    ToValid,
    /// Cut before the first `#TS:` annotation later than this Unix time.
    ToTimestamp(i64),
}

/// A cut to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruncationPlan {
    /// The file to cut.
    pub path: PathBuf,
    /// Its name as the manifest lists it.
    pub name: String,
    /// Its size now.
    pub size: u64,
    /// Its size after the cut.
    pub new_size: u64,
    /// Why the cut is made there.
    pub reason: String,
    /// Complete commands after the cut point (lost by the cut).
    pub dropped_commands: u64,
    /// Whether data after a corruption is lost (more than a torn tail).
    pub loses_data_after_damage: bool,
    /// When it is: the first byte after the damage where complete commands
    /// could be read again, and how many follow from there (lost too).
    pub readable_after_damage: Option<(u64, u64)>,
    /// The first bytes that will be removed.
    pub preview: Vec<u8>,
}

impl TruncationPlan {
    /// How many bytes the cut removes.
    pub fn cut_len(&self) -> u64 {
        self.size - self.new_size
    }
}

/// What a repair comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixPlan {
    /// Nothing needs cutting; says why.
    Nothing(String),
    /// Cut one file.
    Truncate(TruncationPlan),
    /// The repair cannot or must not be made automatically; says why.
    Refuse(String),
}

/// The first bytes shown of what a cut removes.
const PREVIEW_LEN: usize = 80;

/// Checks every part and decides the repair `mode` calls for.
pub fn plan_fix(
    parts: &[AofPart],
    mode: FixMode,
    preamble_reader: Option<&dyn PreambleReader>,
) -> Result<FixPlan, AofError> {
    let Some(last_index) = parts.len().checked_sub(1) else {
        return Ok(FixPlan::Nothing("the manifest lists no files".into()));
    };
    for (index, part) in parts.iter().enumerate() {
        let is_last = index == last_index;
        let mut ts_cut: Option<u64> = None;
        let mut after_cut = 0u64;
        let limit = match mode {
            FixMode::ToTimestamp(ts) => Some(ts),
            _ => None,
        };
        let mut visit = |entry: &Entry, tx: &TxTracker| {
            let Some(limit) = limit else {
                return;
            };
            match (ts_cut, entry) {
                (None, Entry::Annotation(a)) if a.timestamp().is_some_and(|t| t > limit) => {
                    // A timestamp inside a transaction cuts at its MULTI.
                    ts_cut = Some(tx.open_multi().unwrap_or(a.offset));
                    after_cut = tx.dropped_by_cut();
                }
                (Some(_), Entry::Command(_)) => after_cut += 1,
                _ => {}
            }
        };
        let check = check_file(part, preamble_reader, &mut visit)?;
        if let Some(cut) = ts_cut {
            if check.damage.as_ref().is_none_or(|d| cut <= d.entry) {
                return timestamp_plan(&check, cut, after_cut, is_last, index, mode);
            }
        }
        let Some(damage) = &check.damage else {
            continue;
        };
        if !is_last {
            return Ok(FixPlan::Refuse(format!(
                "{} is damaged at byte {} but is not the last file of the set; cutting it \
                 would lose every later file. Remove the later files from the manifest first \
                 (keep copies), then run fix again",
                part.name, damage.offset
            )));
        }
        let loses_data_after_damage = match damage.kind {
            DamageKind::BadPreamble => {
                return Ok(FixPlan::Refuse(format!(
                    "{}: the RDB preamble is damaged ({}); cutting cannot repair it",
                    part.name, damage.reason
                )))
            }
            DamageKind::Truncated | DamageKind::UnterminatedMulti => false,
            DamageKind::Corrupt if mode == FixMode::ToValid => true,
            DamageKind::Corrupt => {
                return Ok(FixPlan::Refuse(format!(
                    "{}. This is not a torn tail: {} bytes follow the damage. \
                     Use --truncate-to-valid to cut at byte {} and lose them",
                    damage.reason,
                    check.size - damage.offset,
                    check.valid_end
                )))
            }
        };
        let reason = match damage.kind {
            DamageKind::Truncated => "the last command is incomplete (torn write)".to_string(),
            DamageKind::UnterminatedMulti => {
                format!("the transaction at byte {} has no EXEC", damage.entry)
            }
            _ => format!(
                "bad format at byte {}, in the entry starting at byte {}",
                damage.offset, damage.entry
            ),
        };
        let mut plan = make_plan(
            &check,
            check.valid_end,
            reason,
            damage.dropped_commands,
            loses_data_after_damage,
        )?;
        if loses_data_after_damage {
            plan.readable_after_damage = readable_after(&part.path, damage.offset)?;
        }
        return Ok(FixPlan::Truncate(plan));
    }
    Ok(FixPlan::Nothing(match mode {
        FixMode::ToTimestamp(ts) => format!("nothing is later than timestamp {ts}"),
        _ if parts_unvalidated(parts, preamble_reader) => {
            "no damage found (an RDB preamble was not validated)".into()
        }
        _ => "every file is valid".into(),
    }))
}

fn timestamp_plan(
    check: &FileCheck,
    cut: u64,
    after_cut: u64,
    is_last: bool,
    index: usize,
    mode: FixMode,
) -> Result<FixPlan, AofError> {
    let FixMode::ToTimestamp(ts) = mode else {
        unreachable!("only called in timestamp mode");
    };
    let name = &check.part.name;
    if !is_last {
        return Ok(FixPlan::Refuse(format!(
            "{name} has commands later than timestamp {ts} from byte {cut}, but it is not \
             the last file of the set; remove the later files from the manifest first \
             (keep copies), then run fix again"
        )));
    }
    if cut == 0 && index == 0 {
        return Ok(FixPlan::Refuse(format!(
            "{name} has nothing before timestamp {ts}; refusing to empty the data set"
        )));
    }
    let reason = format!("cut before the first command later than timestamp {ts}");
    Ok(FixPlan::Truncate(make_plan(
        check, cut, reason, after_cut, false,
    )?))
}

fn parts_unvalidated(parts: &[AofPart], preamble_reader: Option<&dyn PreambleReader>) -> bool {
    preamble_reader.is_none()
        && parts.iter().any(|p| {
            check_file(p, None, &mut |_, _| {})
                .is_ok_and(|c| c.preamble == PreambleStatus::NotValidated)
        })
}

fn make_plan(
    check: &FileCheck,
    new_size: u64,
    reason: String,
    dropped_commands: u64,
    loses_data_after_damage: bool,
) -> Result<TruncationPlan, AofError> {
    let path = &check.part.path;
    let mut preview = Vec::with_capacity(PREVIEW_LEN);
    File::open(path)
        .and_then(|mut f| {
            f.seek(SeekFrom::Start(new_size))?;
            f.take(PREVIEW_LEN as u64).read_to_end(&mut preview)
        })
        .map_err(|e| AofError::io(path, e))?;
    Ok(TruncationPlan {
        path: path.clone(),
        name: check.part.name.clone(),
        size: check.size,
        new_size,
        reason,
        dropped_commands,
        loses_data_after_damage,
        readable_after_damage: None,
        preview,
    })
}

/// How many candidate resynchronisation points to try after a damage.
const MAX_RESYNC_TRIES: usize = 1000;

/// After damage at `offset`, the first `*` from which at least one
/// complete command reads, and how many commands read from there on.
fn readable_after(path: &Path, offset: u64) -> Result<Option<(u64, u64)>, AofError> {
    let bytes = fs::read(path).map_err(|e| AofError::io(path, e))?;
    let from = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let candidates = (from..bytes.len())
        .filter(|&i| bytes[i] == b'*')
        .take(MAX_RESYNC_TRIES);
    for start in candidates {
        let reader = AofReader::starting_at(&bytes[start..], path, start as u64);
        let count = reader
            .map_while(Result::ok)
            .filter(|e| matches!(e, Entry::Command(_)))
            .count() as u64;
        if count > 0 {
            return Ok(Some((start as u64, count)));
        }
    }
    Ok(None)
}

/// Makes the cut: copies the file to a fresh backup (`<file>.bak`, or
/// `<file>.bak.N` if that exists), syncs it, then truncates and syncs the
/// file. Returns the backup's path.
pub fn apply(plan: &TruncationPlan) -> Result<PathBuf, AofError> {
    let backup = backup_path(&plan.path);
    fs::copy(&plan.path, &backup).map_err(|e| AofError::io(&backup, e))?;
    File::open(&backup)
        .and_then(|f| f.sync_all())
        .map_err(|e| AofError::io(&backup, e))?;
    truncate_in_place(&plan.path, plan.new_size)?;
    Ok(backup)
}

/// Cuts `path` to `len` bytes and syncs it, without a backup: what the
/// server does to a torn tail at start-up under `aof-load-truncated yes`.
pub fn truncate_in_place(path: &Path, len: u64) -> Result<(), AofError> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| AofError::io(path, e))?;
    file.set_len(len)
        .and_then(|()| file.sync_all())
        .map_err(|e| AofError::io(path, e))
}

/// The first of `<file>.bak`, `<file>.bak.1`, … that does not exist.
fn backup_path(path: &Path) -> PathBuf {
    let base = format!("{}.bak", path.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 0;
    while candidate.exists() {
        n += 1;
        candidate = PathBuf::from(format!("{base}.{n}"));
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::FileRole;

    const SET: &[u8] = b"*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n";
    const MULTI: &[u8] = b"*1\r\n$5\r\nmulti\r\n";
    const EXEC: &[u8] = b"*1\r\n$4\r\nexec\r\n";

    struct Scratch(PathBuf);

    impl Scratch {
        fn new(tag: &str) -> Scratch {
            let dir =
                std::env::temp_dir().join(format!("rkv-aof-fix-{tag}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn part(&self, name: &str, bytes: &[u8]) -> AofPart {
            let path = self.0.join(name);
            fs::write(&path, bytes).unwrap();
            AofPart {
                path,
                name: name.into(),
                role: FileRole::Incr,
            }
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn truncation(plan: FixPlan) -> TruncationPlan {
        match plan {
            FixPlan::Truncate(t) => t,
            other => panic!("expected a cut, got {other:?}"),
        }
    }

    #[test]
    fn a_torn_tail_is_cut_with_a_backup() {
        let s = Scratch::new("torn");
        let bytes = [SET, &SET[..7]].concat();
        let part = s.part("a.aof", &bytes);
        let plan =
            truncation(plan_fix(std::slice::from_ref(&part), FixMode::TailOnly, None).unwrap());
        assert_eq!((plan.new_size, plan.cut_len()), (SET.len() as u64, 7));
        assert_eq!(plan.preview, &SET[..7]);
        let backup = apply(&plan).unwrap();
        assert_eq!(fs::read(&backup).unwrap(), bytes);
        assert_eq!(fs::read(&part.path).unwrap(), SET);
        assert_eq!(apply(&plan).unwrap(), s.0.join("a.aof.bak.1"));
        assert!(matches!(
            plan_fix(&[part], FixMode::TailOnly, None).unwrap(),
            FixPlan::Nothing(_)
        ));
    }

    #[test]
    fn an_unterminated_multi_goes_whole() {
        let s = Scratch::new("multi");
        let part = s.part("a.aof", &[SET, MULTI, SET, SET].concat());
        let plan = truncation(plan_fix(&[part], FixMode::TailOnly, None).unwrap());
        assert_eq!(
            (plan.new_size, plan.dropped_commands),
            (SET.len() as u64, 3)
        );
    }

    #[test]
    fn corruption_needs_truncate_to_valid() {
        let s = Scratch::new("corrupt");
        let part = s.part("a.aof", &[SET, b"?".as_slice(), SET].concat());
        let refused = plan_fix(std::slice::from_ref(&part), FixMode::TailOnly, None).unwrap();
        assert!(matches!(refused, FixPlan::Refuse(ref why) if why.contains("--truncate-to-valid")));
        let plan = truncation(plan_fix(&[part], FixMode::ToValid, None).unwrap());
        assert!(plan.loses_data_after_damage);
        assert_eq!(plan.readable_after_damage, Some((SET.len() as u64 + 1, 1)));
        assert_eq!(plan.new_size, SET.len() as u64);
    }

    #[test]
    fn only_the_last_file_is_cut() {
        let s = Scratch::new("notlast");
        let first = s.part("1.aof", &SET[..5]);
        let second = s.part("2.aof", SET);
        let plan = plan_fix(&[first, second], FixMode::ToValid, None).unwrap();
        assert!(matches!(plan, FixPlan::Refuse(ref why) if why.contains("not the last file")));
    }

    #[test]
    fn timestamps_cut_before_the_first_later_one() {
        let s = Scratch::new("ts");
        let bytes = [
            b"#TS:100\r\n".as_slice(),
            SET,
            b"#TS:200\r\n",
            MULTI,
            SET,
            EXEC,
            b"#TS:300\r\n",
            SET,
        ]
        .concat();
        let part = s.part("a.aof", &bytes);
        let plan = truncation(
            plan_fix(std::slice::from_ref(&part), FixMode::ToTimestamp(150), None).unwrap(),
        );
        assert_eq!(plan.new_size, 9 + SET.len() as u64);
        assert_eq!(plan.dropped_commands, 4);
        let nothing =
            plan_fix(std::slice::from_ref(&part), FixMode::ToTimestamp(300), None).unwrap();
        assert!(matches!(nothing, FixPlan::Nothing(_)));
        let refused = plan_fix(&[part], FixMode::ToTimestamp(50), None).unwrap();
        assert!(matches!(refused, FixPlan::Refuse(ref why) if why.contains("nothing before")));
    }
}
