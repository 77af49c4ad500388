//! A streaming reader of the command part of an AOF file: RESP arrays of
//! bulk strings (`*N\r\n$len\r\narg\r\n…`) and `#` annotation lines
//! (`#TS:<unix seconds>\r\n`), each with the byte offset it starts at.
//!
//! It tells a *truncated* file (the input ends inside an entry, every byte
//! read so far being well formed — a torn write) from a *corrupt* one (a
//! byte that cannot be there), and never allocates more than the input
//! actually holds, so garbage cannot make it panic or exhaust memory.

use std::io::{self, BufRead, Read};
use std::path::PathBuf;

/// The longest annotation line accepted, as Redis's
/// `AOF_ANNOTATION_LINE_MAX_LEN`.
pub const MAX_ANNOTATION_LEN: usize = 1024;

/// More digits than this in a `*N` or `$N` header cannot be a real length.
const MAX_HEADER_DIGITS: usize = 18;

/// One entry of an AOF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A command to replay.
    Command(Command),
    /// A `#` line; Redis skips these when loading.
    Annotation(Annotation),
}

impl Entry {
    /// The byte offset the entry starts at.
    pub fn offset(&self) -> u64 {
        match self {
            Entry::Command(c) => c.offset,
            Entry::Annotation(a) => a.offset,
        }
    }

    /// The byte offset just past the entry.
    pub fn end(&self) -> u64 {
        match self {
            Entry::Command(c) => c.end,
            Entry::Annotation(a) => a.end,
        }
    }
}

/// A command read from the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// Byte offset of its `*`.
    pub offset: u64,
    /// Byte offset just past its last `\r\n`.
    pub end: u64,
    /// The line (counting from 1) its `*` is on.
    pub line: u64,
    /// The command name and its arguments.
    pub args: Vec<Vec<u8>>,
}

impl Command {
    /// Whether the command's name is `name` (ASCII case-insensitively).
    pub fn is(&self, name: &str) -> bool {
        self.args
            .first()
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
    }
}

/// A `#` annotation line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Byte offset of its `#`.
    pub offset: u64,
    /// Byte offset just past its newline.
    pub end: u64,
    /// The line (counting from 1) it is on.
    pub line: u64,
    /// The line without its `#` and line ending.
    pub text: Vec<u8>,
}

impl Annotation {
    /// The Unix time of a `#TS:<seconds>` annotation, `None` for other
    /// annotations or a malformed number.
    pub fn timestamp(&self) -> Option<i64> {
        let digits = self.text.strip_prefix(b"TS:")?;
        std::str::from_utf8(digits).ok()?.parse().ok()
    }
}

/// Why the entries of a file could not all be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file ends inside the entry starting at `entry`: a torn write.
    #[error(
        "{}: unexpected end of file at byte {eof}, inside the entry that starts at byte {entry}",
        file.display()
    )]
    Truncated {
        /// The file read.
        file: PathBuf,
        /// Where the incomplete entry starts.
        entry: u64,
        /// Where the file ends.
        eof: u64,
    },
    /// A byte at `offset` cannot be part of a valid entry.
    #[error(
        "{}: bad format at byte {offset} (entry starting at byte {entry}): {reason}",
        file.display()
    )]
    Corrupt {
        /// The file read.
        file: PathBuf,
        /// Where the entry holding the bad byte starts.
        entry: u64,
        /// The offending byte's offset.
        offset: u64,
        /// What was expected.
        reason: String,
    },
    /// Reading failed.
    #[error("{}: read failed at byte {offset}: {source}", file.display())]
    Io {
        /// The file read.
        file: PathBuf,
        /// How far reading had got.
        offset: u64,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
}

/// A problem found inside an entry, before the file name is attached.
enum Fault {
    Eof,
    Bad { offset: u64, reason: String },
    Io(io::Error),
}

impl From<io::Error> for Fault {
    fn from(e: io::Error) -> Fault {
        Fault::Io(e)
    }
}

/// Reads [`Entry`]s one at a time from a buffered input.
pub struct AofReader<R> {
    input: R,
    file: PathBuf,
    offset: u64,
    line: u64,
}

impl<R: BufRead> AofReader<R> {
    /// A reader of `input`, the start of file `file` (named in errors).
    pub fn new(input: R, file: impl Into<PathBuf>) -> AofReader<R> {
        AofReader::starting_at(input, file, 0)
    }

    /// A reader of `input` positioned at byte `offset` of `file`: the
    /// command tail after an RDB preamble.
    pub fn starting_at(input: R, file: impl Into<PathBuf>, offset: u64) -> AofReader<R> {
        AofReader {
            input,
            file: file.into(),
            offset,
            line: 1,
        }
    }

    /// The offset of the next byte to read: after a successful
    /// [`next_entry`](Self::next_entry), the end of the entry returned.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The line the next entry starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The file being read.
    pub fn file(&self) -> &PathBuf {
        &self.file
    }

    /// The next entry; `Ok(None)` at a clean end of file.
    pub fn next_entry(&mut self) -> Result<Option<Entry>, ReadError> {
        let entry = self.offset;
        let line = self.line;
        let first = match self.peek() {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(None),
            Err(source) => return Err(self.io_error(source)),
        };
        let result = match first {
            b'*' => self.read_command(entry, line).map(Entry::Command),
            b'#' => self.read_annotation(entry, line).map(Entry::Annotation),
            other => Err(Fault::Bad {
                offset: entry,
                reason: format!(
                    "expected '*' or '#' at the start of an entry, got {}",
                    show_byte(other)
                ),
            }),
        };
        result.map(Some).map_err(|fault| match fault {
            Fault::Eof => ReadError::Truncated {
                file: self.file.clone(),
                entry,
                eof: self.offset,
            },
            Fault::Bad { offset, reason } => ReadError::Corrupt {
                file: self.file.clone(),
                entry,
                offset,
                reason,
            },
            Fault::Io(source) => self.io_error(source),
        })
    }

    fn io_error(&self, source: io::Error) -> ReadError {
        ReadError::Io {
            file: self.file.clone(),
            offset: self.offset,
            source,
        }
    }

    fn read_command(&mut self, offset: u64, line: u64) -> Result<Command, Fault> {
        let argc = self.read_header(b'*')?;
        if argc == 0 {
            return Err(Fault::Bad {
                offset,
                reason: "a command must have at least one argument".into(),
            });
        }
        // Capacity grows with what the file really holds, not what it claims.
        let mut args = Vec::with_capacity(argc.min(64) as usize);
        for _ in 0..argc {
            let len = self.read_header(b'$')?;
            args.push(self.read_payload(len)?);
        }
        Ok(Command {
            offset,
            end: self.offset,
            line,
            args,
        })
    }

    fn read_annotation(&mut self, offset: u64, line: u64) -> Result<Annotation, Fault> {
        let mut text = Vec::new();
        self.take_byte()?;
        loop {
            let b = self.take_byte()?;
            if b == b'\n' {
                break;
            }
            if text.len() >= MAX_ANNOTATION_LEN {
                return Err(Fault::Bad {
                    offset: self.offset - 1,
                    reason: format!("annotation longer than {MAX_ANNOTATION_LEN} bytes"),
                });
            }
            text.push(b);
        }
        if text.last() == Some(&b'\r') {
            text.pop();
        }
        Ok(Annotation {
            offset,
            end: self.offset,
            line,
            text,
        })
    }

    /// Reads `<prefix><digits>\r\n` and returns the number.
    fn read_header(&mut self, prefix: u8) -> Result<u64, Fault> {
        self.expect(prefix, || format!("expected '{}'", prefix as char))?;
        let mut value: u64 = 0;
        let mut digits = 0;
        loop {
            let at = self.offset;
            match self.take_byte()? {
                b @ b'0'..=b'9' if digits < MAX_HEADER_DIGITS => {
                    value = value * 10 + u64::from(b - b'0');
                    digits += 1;
                }
                b'\r' if digits > 0 => break,
                other => {
                    return Err(Fault::Bad {
                        offset: at,
                        reason: format!(
                            "expected a digit or \\r after '{}', got {}",
                            prefix as char,
                            show_byte(other)
                        ),
                    })
                }
            }
        }
        self.expect(b'\n', || "expected \\n after \\r".into())?;
        Ok(value)
    }

    /// Reads a bulk string's `len` bytes and its closing `\r\n`.
    fn read_payload(&mut self, len: u64) -> Result<Vec<u8>, Fault> {
        let mut payload = Vec::with_capacity(len.min(1 << 20) as usize);
        let got = (&mut self.input).take(len).read_to_end(&mut payload)? as u64;
        self.offset += got;
        self.line += payload.iter().filter(|&&b| b == b'\n').count() as u64;
        if got < len {
            return Err(Fault::Eof);
        }
        self.expect(b'\r', || {
            format!("expected \\r\\n after a {len}-byte bulk string")
        })?;
        self.expect(b'\n', || "expected \\n after \\r".into())?;
        Ok(payload)
    }

    fn expect(&mut self, want: u8, reason: impl FnOnce() -> String) -> Result<(), Fault> {
        let at = self.offset;
        let got = self.take_byte()?;
        if got == want {
            Ok(())
        } else {
            Err(Fault::Bad {
                offset: at,
                reason: format!("{}, got {}", reason(), show_byte(got)),
            })
        }
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.input.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn take_byte(&mut self) -> Result<u8, Fault> {
        let b = self.peek()?.ok_or(Fault::Eof)?;
        self.input.consume(1);
        self.offset += 1;
        if b == b'\n' {
            self.line += 1;
        }
        Ok(b)
    }
}

impl<R: BufRead> Iterator for AofReader<R> {
    type Item = Result<Entry, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_entry().transpose()
    }
}

/// A byte as error messages show it: printable characters quoted, others
/// in hex.
fn show_byte(b: u8) -> String {
    match b {
        b'\r' => "'\\r'".into(),
        b'\n' => "'\\n'".into(),
        0x20..=0x7e => format!("'{}'", b as char),
        _ => format!("0x{b:02x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> (Vec<Entry>, Option<ReadError>) {
        let mut reader = AofReader::new(bytes, "t.aof");
        let mut entries = Vec::new();
        loop {
            match reader.next_entry() {
                Ok(Some(e)) => entries.push(e),
                Ok(None) => return (entries, None),
                Err(e) => return (entries, Some(e)),
            }
        }
    }

    const TWO: &[u8] =
        b"#TS:1700000000\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$3\r\na\nb\r\n*1\r\n$5\r\nmulti\r\n";

    #[test]
    fn reads_commands_and_annotations_with_offsets() {
        let (entries, err) = read_all(TWO);
        assert!(err.is_none());
        let Entry::Annotation(ts) = &entries[0] else {
            panic!("annotation expected")
        };
        assert_eq!(
            (ts.offset, ts.end, ts.timestamp()),
            (0, 16, Some(1_700_000_000))
        );
        let Entry::Command(set) = &entries[1] else {
            panic!("command expected")
        };
        assert_eq!(set.args, [b"set".to_vec(), b"k".to_vec(), b"a\nb".to_vec()]);
        assert_eq!((set.offset, set.line), (16, 2));
        assert_eq!(entries[2].offset(), set.end);
        let Entry::Command(multi) = &entries[2] else {
            panic!("command expected")
        };
        assert_eq!(multi.line, 10, "the newline inside the value counts");
        assert!(multi.is("MULTI"));
        assert_eq!(entries[2].end(), TWO.len() as u64);
    }

    #[test]
    fn every_proper_prefix_is_truncated_not_corrupt() {
        for cut in 1..TWO.len() {
            let (entries, err) = read_all(&TWO[..cut]);
            let last_end = entries.last().map_or(0, Entry::end);
            match err {
                None => assert_eq!(last_end, cut as u64, "clean end at {cut}"),
                Some(ReadError::Truncated { entry, eof, .. }) => {
                    assert_eq!(entry, last_end, "cut {cut}");
                    assert_eq!(eof, cut as u64);
                }
                Some(other) => panic!("cut at {cut}: {other}"),
            }
        }
    }

    #[test]
    fn corruption_names_the_byte() {
        let cases: &[(&[u8], u64)] = &[
            (b"*1\r\n$3\r\nfooX\r\n", 11),
            (b"*1\r\n$3x\r\n", 6),
            (b"*1\r\n%3\r\n", 4),
            (b"*0\r\n", 0),
            (b"*-1\r\n", 1),
            (b"\r\n", 0),
            (b"*1\r\n$1\r\na\r\rz", 10),
            (b"*1\r\r", 3),
        ];
        for (input, at) in cases {
            match read_all(input).1 {
                Some(ReadError::Corrupt { offset, .. }) => {
                    assert_eq!(offset, *at, "{:?}", String::from_utf8_lossy(input))
                }
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(input)),
            }
        }
    }

    #[test]
    fn huge_lengths_are_truncation_without_allocation() {
        let (_, err) = read_all(b"*999999999999999999\r\n$999999999999999999\r\nab");
        assert!(matches!(err, Some(ReadError::Truncated { eof: 44, .. })));
        let (_, err) = read_all(b"*9999999999999999999\r\n");
        assert!(matches!(err, Some(ReadError::Corrupt { .. })));
    }

    #[test]
    fn long_annotations_are_corrupt() {
        let mut line = b"#".to_vec();
        line.extend(std::iter::repeat_n(b'x', 2000));
        assert!(matches!(read_all(&line).1, Some(ReadError::Corrupt { .. })));
    }

    #[test]
    fn errors_name_the_file_and_offset() {
        let err = read_all(b"*1\r\n$3\r\nab").1.unwrap();
        assert_eq!(
            err.to_string(),
            "t.aof: unexpected end of file at byte 10, inside the entry that starts at byte 0"
        );
    }
}
