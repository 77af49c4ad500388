//! Finding where one RESP2/RESP3 frame ends in a byte buffer.
//!
//! The harness never decodes replies into values: it compares raw bytes, so
//! all it needs is the length of the first complete frame.

use thiserror::Error;

/// The buffer does not start with a well-formed RESP frame.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("malformed RESP frame: {0}")]
pub struct FrameError(pub String);

/// Returns `Some(len)` when `buf` starts with one complete RESP2/RESP3 frame
/// of `len` bytes, `None` when more bytes are needed.
pub fn frame_len(buf: &[u8]) -> Result<Option<usize>, FrameError> {
    frame_end(buf, 0)
}

/// Offset just past the frame starting at `start`, if it is complete.
fn frame_end(buf: &[u8], start: usize) -> Result<Option<usize>, FrameError> {
    let Some(&kind) = buf.get(start) else {
        return Ok(None);
    };
    let Some(line_end) = find_crlf(buf, start + 1) else {
        return Ok(None);
    };
    let header = &buf[start + 1..line_end];
    let after_header = line_end + 2;
    match kind {
        b'+' | b'-' | b':' | b'_' | b',' | b'(' | b'#' => Ok(Some(after_header)),
        b'$' | b'!' | b'=' => {
            let len = parse_len(header)?;
            if len < 0 {
                return Ok(Some(after_header));
            }
            let end = after_header + len as usize + 2;
            if buf.len() < end {
                return Ok(None);
            }
            if &buf[end - 2..end] != b"\r\n" {
                return Err(FrameError("bulk payload not followed by CRLF".into()));
            }
            Ok(Some(end))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let count = parse_len(header)?;
            if count < 0 {
                return Ok(Some(after_header));
            }
            // Maps and attributes hold key/value pairs; an attribute is
            // followed by the frame it annotates.
            let children = match kind {
                b'%' => count as usize * 2,
                b'|' => count as usize * 2 + 1,
                _ => count as usize,
            };
            let mut pos = after_header;
            for _ in 0..children {
                match frame_end(buf, pos)? {
                    Some(next) => pos = next,
                    None => return Ok(None),
                }
            }
            Ok(Some(pos))
        }
        other => Err(FrameError(format!("unknown type byte {other:#04x}"))),
    }
}

/// Position of the first `\r\n` at or after `from`.
fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|p| p + from)
}

/// Parses a length or count header (`-1` allowed for nulls).
fn parse_len(header: &[u8]) -> Result<i64, FrameError> {
    std::str::from_utf8(header)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|&n| n >= -1)
        .ok_or_else(|| FrameError(format!("bad length {:?}", String::from_utf8_lossy(header))))
}

#[cfg(test)]
mod tests {
    use super::frame_len;

    #[test]
    fn simple_and_bulk_frames() {
        assert_eq!(frame_len(b"+OK\r\nrest"), Ok(Some(5)));
        assert_eq!(frame_len(b"$3\r\nfoo\r\n"), Ok(Some(9)));
        assert_eq!(frame_len(b"$-1\r\n"), Ok(Some(5)));
        assert_eq!(frame_len(b"$3\r\nfo"), Ok(None));
        assert_eq!(frame_len(b""), Ok(None));
    }

    #[test]
    fn aggregates_need_every_child() {
        assert_eq!(frame_len(b"*2\r\n:1\r\n$1\r\na\r\n"), Ok(Some(15)));
        assert_eq!(frame_len(b"*2\r\n:1\r\n"), Ok(None));
        assert_eq!(frame_len(b"%1\r\n+a\r\n:1\r\n"), Ok(Some(12)));
        assert_eq!(frame_len(b"*-1\r\n"), Ok(Some(5)));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(frame_len(b"?x\r\n").is_err());
        assert!(frame_len(b"$x\r\n").is_err());
        assert!(frame_len(b"$1\r\nab\r\n").is_err());
    }
}
