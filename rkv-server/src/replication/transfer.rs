//! Receiving the snapshot of a full resync: the bulk header (`$<len>` or
//! `$EOF:<mark>` for a diskless master), then the bytes, kept in a
//! temporary file in `dir` (`repl-diskless-load disabled`) or in memory
//! (loaded straight from what the socket gave).

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

/// Length of the end mark of an EOF-framed transfer (Redis's
/// `RDB_EOF_MARK_SIZE`).
pub const EOF_MARK_LEN: usize = 40;

/// How the master frames the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framing {
    /// `$<len>`: exactly this many bytes follow.
    Sized(u64),
    /// `$EOF:<mark>`: bytes follow until the 40-byte mark ends them.
    Eof(Vec<u8>),
}

/// Parses the line that announces the snapshot (without its CRLF).
pub fn parse_header(line: &[u8]) -> Result<Framing, String> {
    let Some(rest) = line.strip_prefix(b"$") else {
        if let Some(err) = line.strip_prefix(b"-") {
            return Err(format!(
                "MASTER aborted replication with an error: {}",
                String::from_utf8_lossy(err)
            ));
        }
        return Err(format!(
            "Bad protocol from MASTER, the first byte is not '$' (we received '{}'), are you sure the host and port are right?",
            String::from_utf8_lossy(line)
        ));
    };
    if let Some(mark) = rest.strip_prefix(b"EOF:") {
        if mark.len() == EOF_MARK_LEN {
            return Ok(Framing::Eof(mark.to_vec()));
        }
    }
    std::str::from_utf8(rest)
        .ok()
        .and_then(|n| n.parse().ok())
        .map(Framing::Sized)
        .ok_or_else(|| "Bad protocol from MASTER: invalid bulk length".to_string())
}

/// Where the received bytes go.
#[derive(Debug)]
pub enum Sink {
    /// A temporary file in `dir`, renamed to the dump file once complete.
    File {
        /// The open file.
        file: File,
        /// Its path.
        path: PathBuf,
    },
    /// Memory, for a load straight from the socket's bytes.
    Memory(Vec<u8>),
}

impl Sink {
    fn put(&mut self, bytes: &[u8]) -> Result<(), String> {
        match self {
            Sink::File { file, .. } => file.write_all(bytes).map_err(|e| {
                format!("Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: {e}")
            }),
            Sink::Memory(v) => {
                v.extend_from_slice(bytes);
                Ok(())
            }
        }
    }
}

/// Removes the temporary file at its path when dropped, unless it was
/// renamed away (loaded) by then.
#[derive(Debug)]
pub struct TempFile(pub PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A snapshot being received.
#[derive(Debug)]
pub struct Payload {
    framing: Framing,
    /// Where the bytes go.
    pub sink: Sink,
    /// Bytes of the transfer received (mark included).
    pub received: u64,
    /// EOF framing: the last bytes seen, held back until we know they are
    /// not the mark.
    held: Vec<u8>,
    done: bool,
}

impl Payload {
    /// Starts receiving a snapshot framed as `framing` into `sink`.
    pub fn new(framing: Framing, sink: Sink) -> Self {
        Payload {
            framing,
            sink,
            received: 0,
            held: Vec::new(),
            done: false,
        }
    }

    /// Whether the whole snapshot arrived.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Takes what belongs to the snapshot from the start of `bytes`;
    /// returns how many bytes it took (the rest is the command stream).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<usize, String> {
        if self.done {
            return Ok(0);
        }
        match &self.framing {
            Framing::Sized(total) => {
                let left = (*total - self.received) as usize;
                let take = left.min(bytes.len());
                self.sink.put(&bytes[..take])?;
                self.received += take as u64;
                self.done = self.received == *total;
                Ok(take)
            }
            Framing::Eof(mark) => {
                // Nothing follows the mark: the master streams only once we
                // have ACKed the loaded snapshot.
                self.received += bytes.len() as u64;
                self.held.extend_from_slice(bytes);
                if self.held.ends_with(mark) {
                    let data = self.held.len() - EOF_MARK_LEN;
                    let held = std::mem::take(&mut self.held);
                    self.sink.put(&held[..data])?;
                    self.done = true;
                } else if self.held.len() > EOF_MARK_LEN {
                    let keep_from = self.held.len() - EOF_MARK_LEN;
                    self.sink.put(&self.held[..keep_from])?;
                    self.held.drain(..keep_from);
                }
                Ok(bytes.len())
            }
        }
    }

    /// The size announced, or -1 for an EOF-framed transfer.
    pub fn announced_size(&self) -> i64 {
        match self.framing {
            Framing::Sized(n) => n as i64,
            Framing::Eof(_) => -1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse_as_redis_sends_them() {
        assert_eq!(parse_header(b"$12"), Ok(Framing::Sized(12)));
        let mark = [b'a'; 40];
        let mut line = b"$EOF:".to_vec();
        line.extend_from_slice(&mark);
        assert_eq!(parse_header(&line), Ok(Framing::Eof(mark.to_vec())));
        assert!(parse_header(b"+OK").is_err());
        assert!(parse_header(b"-ERR no").unwrap_err().contains("ERR no"));
    }

    #[test]
    fn an_abandoned_temp_file_is_removed() {
        let path = std::env::temp_dir().join(format!("rkv-temp-{}.rdb", std::process::id()));
        std::fs::write(&path, b"x").unwrap();
        drop(TempFile(path.clone()));
        assert!(!path.exists());
    }

    #[test]
    fn a_sized_payload_stops_at_its_length() {
        let mut p = Payload::new(Framing::Sized(5), Sink::Memory(Vec::new()));
        assert_eq!(p.feed(b"abc").unwrap(), 3);
        assert!(!p.is_done());
        assert_eq!(p.feed(b"de*1\r\n").unwrap(), 2);
        assert!(p.is_done());
        let Sink::Memory(v) = p.sink else { panic!() };
        assert_eq!(v, b"abcde");
    }

    #[test]
    fn an_eof_payload_ends_at_the_mark_even_split_across_reads() {
        let mark = vec![b'm'; 40];
        let mut p = Payload::new(Framing::Eof(mark.clone()), Sink::Memory(Vec::new()));
        let mut all = b"REDIS0010-data-".to_vec();
        all.extend_from_slice(&mark);
        for chunk in all.chunks(7) {
            p.feed(chunk).unwrap();
        }
        assert!(p.is_done());
        let Sink::Memory(v) = p.sink else { panic!() };
        assert_eq!(v, b"REDIS0010-data-");
    }
}
