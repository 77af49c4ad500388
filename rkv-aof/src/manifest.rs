//! The Redis 7 multi-part AOF manifest: which base, history and incremental
//! files make up the append-only data set, in the line format Redis reads
//! and writes (`file <name> seq <n> type <b|h|i>`).
//!
//! Parsing follows Redis's rules: `#` lines are comments, keys are matched
//! case-insensitively, unknown key/value pairs are ignored (forward
//! compatibility), names may be quoted as `sdssplitargs` quotes, every line
//! must end with a newline and hold at most 1024 bytes.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use rkv_proto::{quote_repr, split_args};

use crate::error::AofError;

/// The longest manifest line Redis accepts, newline excluded.
const MAX_LINE: usize = 1024;

/// The suffix Redis gives the manifest: `<appendfilename>.manifest`.
pub const MANIFEST_SUFFIX: &str = ".manifest";

/// What a file listed in the manifest is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// The snapshot (RDB or commands) written by the last rewrite (`b`).
    Base,
    /// A file superseded by a rewrite, waiting to be deleted (`h`).
    History,
    /// Commands appended after the base (`i`).
    Incr,
}

impl FileKind {
    /// The letter the manifest uses for this kind.
    pub fn letter(self) -> char {
        match self {
            FileKind::Base => 'b',
            FileKind::History => 'h',
            FileKind::Incr => 'i',
        }
    }

    fn from_letter(letter: u8) -> Option<FileKind> {
        match letter {
            b'b' => Some(FileKind::Base),
            b'h' => Some(FileKind::History),
            b'i' => Some(FileKind::Incr),
            _ => None,
        }
    }
}

/// One manifest line: a file of the append-only set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofFileInfo {
    /// The file's name inside the append-only directory (never a path).
    pub name: String,
    /// Its sequence number (base and incremental files count separately).
    pub seq: u64,
    /// What it holds.
    pub kind: FileKind,
}

impl AofFileInfo {
    /// The manifest line for this file, newline included, with the name
    /// quoted when Redis would quote it.
    pub fn to_line(&self) -> String {
        let name = if needs_quoting(self.name.as_bytes()) {
            quote_repr(self.name.as_bytes())
        } else {
            self.name.clone()
        };
        format!("file {name} seq {} type {}\n", self.seq, self.kind.letter())
    }
}

/// The contents of a manifest: at most one base, then history files, then
/// incremental files in increasing sequence order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The base file, if a rewrite has produced one.
    pub base: Option<AofFileInfo>,
    /// Files made obsolete by a rewrite, not yet deleted.
    pub history: Vec<AofFileInfo>,
    /// Incremental files, oldest first; writes go to the last one.
    pub incr: Vec<AofFileInfo>,
    /// The last base sequence number handed out (Redis's
    /// `curr_base_file_seq`): kept when the base moves to history, so a
    /// new base never reuses a name.
    pub base_seq: u64,
    /// The last incremental sequence number handed out
    /// (`curr_incr_file_seq`), likewise.
    pub incr_seq: u64,
}

impl Manifest {
    /// Parses manifest text; `path` is only used in error messages.
    pub fn parse(text: &[u8], path: &Path) -> Result<Manifest, AofError> {
        let err = |line: usize, reason: &str| AofError::Manifest {
            path: path.to_path_buf(),
            line,
            reason: reason.to_string(),
        };
        if text.is_empty() {
            return Err(err(0, "the manifest is empty"));
        }
        let mut manifest = Manifest::default();
        let mut max_incr_seq = 0;
        let mut rest = text;
        let mut line_no = 0;
        while !rest.is_empty() {
            line_no += 1;
            let (raw, has_newline) = match rest.iter().position(|&b| b == b'\n') {
                Some(at) => {
                    let raw = &rest[..at];
                    rest = &rest[at + 1..];
                    (raw, true)
                }
                None => {
                    let raw = rest;
                    rest = &[];
                    (raw, false)
                }
            };
            if raw.first() == Some(&b'#') {
                continue;
            }
            if !has_newline || raw.len() > MAX_LINE {
                return Err(err(line_no, "line too long or not ended by a newline"));
            }
            let info = parse_line(raw).map_err(|reason| err(line_no, reason))?;
            match info.kind {
                FileKind::Base => {
                    if manifest.base.is_some() {
                        return Err(err(line_no, "a second base file"));
                    }
                    manifest.base_seq = info.seq;
                    manifest.base = Some(info);
                }
                FileKind::History => manifest.history.push(info),
                FileKind::Incr => {
                    if info.seq <= max_incr_seq {
                        return Err(err(line_no, "incremental sequence numbers must increase"));
                    }
                    max_incr_seq = info.seq;
                    manifest.incr_seq = info.seq;
                    manifest.incr.push(info);
                }
            }
        }
        Ok(manifest)
    }

    /// Reads and parses the manifest at `path`.
    pub fn load(path: &Path) -> Result<Manifest, AofError> {
        let text = fs::read(path).map_err(|e| AofError::io(path, e))?;
        Manifest::parse(&text, path)
    }

    /// The manifest as Redis writes it: base, then history, then
    /// incremental files, one line each.
    pub fn to_text(&self) -> String {
        self.base
            .iter()
            .chain(&self.history)
            .chain(&self.incr)
            .map(AofFileInfo::to_line)
            .collect()
    }

    /// Writes the manifest to `dir/name` crash-safely: into
    /// `dir/temp-<name>` first, fsynced, renamed over `name`, then the
    /// directory fsynced so the rename itself is durable.
    pub fn write_atomically(&self, dir: &Path, name: &str) -> Result<(), AofError> {
        let final_path = dir.join(name);
        let temp_path = dir.join(format!("temp-{name}"));
        let mut file = File::create(&temp_path).map_err(|e| AofError::io(&temp_path, e))?;
        file.write_all(self.to_text().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| AofError::io(&temp_path, e))?;
        drop(file);
        fs::rename(&temp_path, &final_path).map_err(|e| AofError::io(&final_path, e))?;
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| AofError::io(dir, e))
    }

    /// The files to load, in order: the base (if any), then the
    /// incremental files. History files are not part of the data set.
    pub fn files_to_load(&self) -> impl Iterator<Item = &AofFileInfo> {
        self.base.iter().chain(&self.incr)
    }

    /// Starts a new base file named `<prefix>.<seq>.base.rdb` (or `.aof`
    /// when `rdb` is false), the previous base becoming history; returns
    /// the new name. Used when a rewrite completes.
    pub fn start_new_base(&mut self, prefix: &str, rdb: bool) -> &str {
        self.base_seq += 1;
        let seq = self.base_seq;
        if let Some(mut old) = self.base.take() {
            old.kind = FileKind::History;
            self.history.insert(0, old);
        }
        let format = if rdb { "rdb" } else { "aof" };
        &self
            .base
            .insert(AofFileInfo {
                name: format!("{prefix}.{seq}.base.{format}"),
                seq,
                kind: FileKind::Base,
            })
            .name
    }

    /// Appends a new incremental file `<prefix>.<seq>.incr.aof` with the
    /// next sequence number and returns its name.
    pub fn start_new_incr(&mut self, prefix: &str) -> &str {
        self.incr_seq += 1;
        let seq = self.incr_seq;
        self.incr.push(AofFileInfo {
            name: format!("{prefix}.{seq}.incr.aof"),
            seq,
            kind: FileKind::Incr,
        });
        &self.incr.last().expect("just pushed").name
    }

    /// Moves every incremental file except the last (the one being
    /// written) to history, as a completed rewrite makes them obsolete.
    pub fn retire_rewritten_incrs(&mut self) {
        let keep = self.incr.len().min(1);
        let retired: Vec<AofFileInfo> = self.incr.drain(..self.incr.len() - keep).collect();
        for mut info in retired.into_iter().rev() {
            info.kind = FileKind::History;
            self.history.insert(0, info);
        }
    }
}

/// Parses one non-comment line into a file entry.
fn parse_line(raw: &[u8]) -> Result<AofFileInfo, &'static str> {
    const INVALID: &str = "invalid manifest line: expected file <name> seq <n> type <b|h|i>";
    let args = split_args(raw).ok_or(INVALID)?;
    if args.len() < 6 || args.len() % 2 != 0 {
        return Err(INVALID);
    }
    let (mut name, mut seq, mut kind) = (None, 0, None);
    for pair in args.chunks(2) {
        let value = &pair[1];
        if pair[0].eq_ignore_ascii_case(b"file") {
            if value.contains(&b'/') || value.contains(&b'\\') {
                return Err("a file name, not a path, is expected");
            }
            name = Some(String::from_utf8(value.clone()).map_err(|_| "file name is not UTF-8")?);
        } else if pair[0].eq_ignore_ascii_case(b"seq") {
            seq = leading_number(value);
        } else if pair[0].eq_ignore_ascii_case(b"type") {
            kind = Some(value.first().copied().unwrap_or(0));
        }
    }
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err(INVALID);
    };
    if seq == 0 || name.is_empty() {
        return Err(INVALID);
    }
    let kind = FileKind::from_letter(kind).ok_or("unknown file type (expected b, h or i)")?;
    Ok(AofFileInfo { name, seq, kind })
}

/// The number at the start of `s`, as C's `atoll` reads it (0 when there is
/// none or it is negative, which the caller treats as missing).
fn leading_number(s: &[u8]) -> u64 {
    let digits = s.iter().take_while(|b| b.is_ascii_digit());
    digits.fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    })
}

/// Whether Redis would write `name` quoted: anything but printable,
/// non-space ASCII without backslashes or double quotes.
fn needs_quoting(name: &[u8]) -> bool {
    name.iter()
        .any(|&b| !(0x21..=0x7e).contains(&b) || b == b'\\' || b == b'"')
}

/// The manifest name Redis uses for `appendfilename` `prefix`.
pub fn manifest_name(prefix: &str) -> String {
    format!("{prefix}{MANIFEST_SUFFIX}")
}

/// Where the file `info` lives inside the append-only directory `dir`.
pub fn file_path(dir: &Path, info: &AofFileInfo) -> PathBuf {
    dir.join(&info.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, AofError> {
        Manifest::parse(text.as_bytes(), Path::new("m"))
    }

    fn reason(text: &str) -> String {
        match parse(text).unwrap_err() {
            AofError::Manifest { line, reason, .. } => format!("{line}: {reason}"),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn parses_what_redis_writes() {
        let text = "file appendonly.aof.2.base.rdb seq 2 type b\n\
                    file appendonly.aof.1.incr.aof seq 1 type h\n\
                    file appendonly.aof.3.incr.aof seq 3 type i\n\
                    file appendonly.aof.4.incr.aof seq 4 type i\n";
        let m = parse(text).unwrap();
        assert_eq!(m.base.as_ref().unwrap().name, "appendonly.aof.2.base.rdb");
        assert_eq!(m.history.len(), 1);
        assert_eq!(m.incr.iter().map(|i| i.seq).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(m.to_text(), text);
        let names: Vec<_> = m.files_to_load().map(|f| f.name.as_str()).collect();
        assert_eq!(names[0], "appendonly.aof.2.base.rdb");
        assert_eq!(names.len(), 3);
    }

    #[test]
    fn keys_are_case_insensitive_and_extra_pairs_ignored() {
        let m = parse("# comment\nFILE a seq 1 TYPE i future 7\n").unwrap();
        assert_eq!(m.incr[0].name, "a");
    }

    #[test]
    fn quoted_names_round_trip() {
        let info = AofFileInfo {
            name: "my file\"x".into(),
            seq: 3,
            kind: FileKind::Incr,
        };
        let line = info.to_line();
        assert_eq!(line, "file \"my file\\\"x\" seq 3 type i\n");
        assert_eq!(parse(&line).unwrap().incr[0], info);
        let single = parse("file 'a b' seq 1 type b\n").unwrap();
        assert_eq!(single.base.unwrap().name, "a b");
    }

    #[test]
    fn rejects_what_redis_rejects() {
        assert_eq!(reason(""), "0: the manifest is empty");
        assert!(reason("file a seq 1 type i").contains("newline"));
        assert!(reason("\n").starts_with("1: invalid"));
        assert!(reason("file a seq 1 type\n").starts_with("1: invalid"));
        assert!(reason("file a/b seq 1 type i\n").contains("not a path"));
        assert!(reason("file a seq x type i\n").starts_with("1: invalid"));
        assert!(reason("file a seq 1 type z\n").contains("unknown file type"));
        assert!(
            reason("file a seq 1 type b\nfile b seq 2 type b\n").starts_with("2: a second base")
        );
        assert!(reason("file a seq 2 type i\nfile b seq 2 type i\n").contains("increase"));
        assert!(reason("file \"a seq 1 type i\n").starts_with("1: invalid"));
        let long = format!("file {} seq 1 type i\n", "x".repeat(1100));
        assert!(reason(&long).contains("too long"));
    }

    #[test]
    fn rewrite_bookkeeping_matches_redis_naming() {
        let mut m = Manifest::default();
        assert_eq!(
            m.start_new_incr("appendonly.aof"),
            "appendonly.aof.1.incr.aof"
        );
        assert_eq!(
            m.start_new_base("appendonly.aof", true),
            "appendonly.aof.1.base.rdb"
        );
        m.start_new_incr("appendonly.aof");
        m.retire_rewritten_incrs();
        assert_eq!(
            m.start_new_base("appendonly.aof", false),
            "appendonly.aof.2.base.aof"
        );
        let mut without_incrs = m.clone();
        without_incrs.incr.clear();
        assert_eq!(
            without_incrs.start_new_incr("appendonly.aof"),
            "appendonly.aof.3.incr.aof",
            "numbers are not reused while history files may still exist"
        );
        assert_eq!(
            m.to_text(),
            "file appendonly.aof.2.base.aof seq 2 type b\n\
             file appendonly.aof.1.base.rdb seq 1 type h\n\
             file appendonly.aof.1.incr.aof seq 1 type h\n\
             file appendonly.aof.2.incr.aof seq 2 type i\n"
        );
    }

    #[test]
    fn writes_through_a_temp_file() {
        let dir = std::env::temp_dir().join(format!("rkv-aof-manifest-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut m = Manifest::default();
        m.start_new_incr("appendonly.aof");
        m.write_atomically(&dir, &manifest_name("appendonly.aof"))
            .unwrap();
        let loaded = Manifest::load(&dir.join("appendonly.aof.manifest")).unwrap();
        assert_eq!(loaded, m);
        assert!(!dir.join("temp-appendonly.aof.manifest").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
