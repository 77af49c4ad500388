//! Writing AOF entries in the form Redis writes them: commands as RESP
//! arrays of bulk strings, a `SELECT` whenever the database changes, and
//! (with `aof-timestamp-enabled`) a `#TS:<unix seconds>` line whenever the
//! second changes — plus the append-only file handle the server appends to.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::AofError;

/// Appends `args` to `out` as one RESP command (the RESP codec's
/// encoder, under the name the AOF code uses).
pub use rkv_proto::encode_command_into as encode_command;

/// Appends the annotation `#TS:<unix_secs>\r\n` to `out`.
pub fn encode_timestamp(out: &mut Vec<u8>, unix_secs: i64) {
    out.extend_from_slice(b"#TS:");
    out.extend_from_slice(itoa::Buffer::new().format(unix_secs).as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// The state Redis keeps while feeding commands to an AOF (its
/// `feedAppendOnlyFile`): the database last selected and the last
/// timestamp written, so SELECT and `#TS:` appear only when they change.
#[derive(Debug, Clone)]
pub struct CommandFeed {
    timestamps: bool,
    selected_db: Option<usize>,
    last_timestamp: i64,
}

impl CommandFeed {
    /// A feed for a new file: the first command selects its database;
    /// `timestamps` is `aof-timestamp-enabled`.
    pub fn new(timestamps: bool) -> CommandFeed {
        CommandFeed {
            timestamps,
            selected_db: None,
            last_timestamp: i64::MIN,
        }
    }

    /// Turns `#TS:` annotations on or off (CONFIG SET).
    pub fn set_timestamps(&mut self, enabled: bool) {
        self.timestamps = enabled;
    }

    /// Forgets the selected database, so the next command selects again:
    /// needed when writes move to a new file.
    pub fn reselect(&mut self) {
        self.selected_db = None;
    }

    /// Appends `args`, run in database `db` at `unix_secs`, to `out`,
    /// preceded by `#TS:` and `SELECT` when needed.
    pub fn feed<A: AsRef<[u8]>>(
        &mut self,
        out: &mut Vec<u8>,
        db: usize,
        unix_secs: i64,
        args: &[A],
    ) {
        if self.timestamps && unix_secs > self.last_timestamp {
            encode_timestamp(out, unix_secs);
            self.last_timestamp = unix_secs;
        }
        if self.selected_db != Some(db) {
            let mut digits = itoa::Buffer::new();
            encode_command(out, &[b"SELECT".as_slice(), digits.format(db).as_bytes()]);
            self.selected_db = Some(db);
        }
        encode_command(out, args);
    }
}

/// An AOF file opened for appending, tracking its size so a short write
/// can be undone (Redis truncates back to the last good size rather than
/// leave half a command behind).
#[derive(Debug)]
pub struct AppendFile {
    file: File,
    path: PathBuf,
    len: u64,
}

impl AppendFile {
    /// Opens (creating if needed) `path` for appending.
    pub fn open(path: &Path) -> Result<AppendFile, AofError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| AofError::io(path, e))?;
        let len = file.metadata().map_err(|e| AofError::io(path, e))?.len();
        Ok(AppendFile {
            file,
            path: path.to_path_buf(),
            len,
        })
    }

    /// Appends `bytes`. On failure the file is cut back to its previous
    /// size, so it never ends in a partial command; the error is returned.
    pub fn append(&mut self, bytes: &[u8]) -> Result<(), AofError> {
        match self.file.write_all(bytes) {
            Ok(()) => {
                self.len += bytes.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Best effort: if even this fails the loader's truncated-tail
                // handling still copes with the partial command.
                let _ = self.file.set_len(self.len);
                Err(AofError::io(&self.path, e))
            }
        }
    }

    /// Flushes the file's data to disk (`fdatasync`).
    pub fn sync_data(&self) -> Result<(), AofError> {
        self.file
            .sync_data()
            .map_err(|e| AofError::io(&self.path, e))
    }

    /// The file's size as written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing has been written to the file.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A second handle on the file, for syncing from another thread.
    pub fn try_clone_file(&self) -> Result<File, AofError> {
        self.file
            .try_clone()
            .map_err(|e| AofError::io(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{AofReader, Entry};

    #[test]
    fn encodes_like_redis() {
        let mut out = Vec::new();
        encode_command(&mut out, &["SET", "k", ""]);
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
        out.clear();
        encode_timestamp(&mut out, 1_700_000_000);
        assert_eq!(out, b"#TS:1700000000\r\n");
    }

    #[test]
    fn feed_selects_and_stamps_only_on_change() {
        let mut feed = CommandFeed::new(true);
        let mut out = Vec::new();
        feed.feed(&mut out, 0, 10, &["set", "a", "1"]);
        feed.feed(&mut out, 0, 10, &["set", "b", "2"]);
        feed.feed(&mut out, 3, 11, &["del", "a"]);
        let entries: Vec<Entry> = AofReader::new(out.as_slice(), "mem")
            .collect::<Result<_, _>>()
            .unwrap();
        let shown: Vec<String> = entries
            .iter()
            .map(|e| match e {
                Entry::Annotation(a) => String::from_utf8_lossy(&a.text).into_owned(),
                Entry::Command(c) => c
                    .args
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect();
        assert_eq!(
            shown,
            ["TS:10", "SELECT 0", "set a 1", "set b 2", "TS:11", "SELECT 3", "del a"]
        );
        feed.reselect();
        out.clear();
        feed.feed(&mut out, 3, 11, &["del", "a"]);
        assert!(out.starts_with(b"*2\r\n$6\r\nSELECT\r\n"));
    }

    #[test]
    fn append_file_tracks_its_size() {
        let path = std::env::temp_dir().join(format!("rkv-aof-append-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut file = AppendFile::open(&path).unwrap();
        assert!(file.is_empty());
        file.append(b"*1\r\n$4\r\nPING\r\n").unwrap();
        file.sync_data().unwrap();
        drop(file);
        let reopened = AppendFile::open(&path).unwrap();
        assert_eq!(reopened.len(), 14);
        std::fs::remove_file(&path).unwrap();
    }
}
