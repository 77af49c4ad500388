//! A decoded RESP2/RESP3 value and the client-side decoder.
//!
//! Decoding is two passes, as in mini-redis: [`check_frame`] confirms a whole
//! frame has arrived without allocating, then [`parse_frame`] builds it. Tools
//! and tests use this; the server parses requests with [`crate::request`].

use std::fmt;

use crate::error::ProtocolError;

/// Deepest nesting accepted, so a hostile reply cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

/// One RESP value.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `+OK`
    Simple(String),
    /// `-ERR ...` (the whole line after `-`).
    Error(String),
    /// `:42`
    Integer(i64),
    /// `$3\r\nfoo`
    Bulk(Vec<u8>),
    /// `$-1`, `*-1` or RESP3 `_`.
    Null,
    /// `*n` elements.
    Array(Vec<Frame>),
    /// RESP3 `%n` key/value pairs.
    Map(Vec<(Frame, Frame)>),
    /// RESP3 `~n`.
    Set(Vec<Frame>),
    /// RESP3 `,1.5` (kept as text so `inf`/`nan` and formatting survive).
    Double(String),
    /// RESP3 `#t` / `#f`.
    Boolean(bool),
    /// RESP3 `=n\r\ntxt:...`: format and text.
    Verbatim(String, Vec<u8>),
    /// RESP3 `(123...`.
    BigNumber(String),
    /// RESP3 `>n` out-of-band push.
    Push(Vec<Frame>),
    /// RESP3 `|n` attribute map, followed by the value it annotates.
    Attribute(Vec<(Frame, Frame)>, Box<Frame>),
}

impl Frame {
    /// The bytes of a bulk, simple or verbatim string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Frame::Bulk(b) | Frame::Verbatim(_, b) => Some(b),
            Frame::Simple(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    /// Whether this is an error reply.
    pub fn is_error(&self) -> bool {
        matches!(self, Frame::Error(_))
    }
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Frame::Simple(s) | Frame::Double(s) | Frame::BigNumber(s) => write!(f, "{s}"),
            Frame::Error(e) => write!(f, "(error) {e}"),
            Frame::Integer(n) => write!(f, "{n}"),
            Frame::Bulk(b) | Frame::Verbatim(_, b) => write!(f, "{}", String::from_utf8_lossy(b)),
            Frame::Null => write!(f, "(nil)"),
            Frame::Boolean(b) => write!(f, "{b}"),
            Frame::Array(v) | Frame::Set(v) | Frame::Push(v) => {
                let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
                write!(f, "[{}]", parts.join(", "))
            }
            Frame::Map(m) | Frame::Attribute(m, _) => {
                let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                write!(f, "{{{}}}", parts.join(", "))
            }
        }
    }
}

/// Returns `Some(len)` when `buf` starts with one complete frame of `len` bytes,
/// `None` when more bytes are needed.
pub fn check_frame(buf: &[u8]) -> Result<Option<usize>, ProtocolError> {
    let mut pos = 0;
    Ok(skip(buf, &mut pos, 0)?.map(|_| pos))
}

/// Parses one complete frame at the start of `buf`, returning it and its length;
/// `None` when more bytes are needed.
pub fn parse_frame(buf: &[u8]) -> Result<Option<(Frame, usize)>, ProtocolError> {
    if check_frame(buf)?.is_none() {
        return Ok(None);
    }
    let mut pos = 0;
    let frame = build(buf, &mut pos)?;
    Ok(Some((frame, pos)))
}

/// Encodes a command as a RESP array of bulk strings.
pub fn encode_command<A: AsRef<[u8]>>(args: &[A]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(16 + args.iter().map(|a| a.as_ref().len() + 16).sum::<usize>());
    encode_command_into(&mut out, args);
    out
}

/// Appends `args` to `out` as one RESP command: `*N\r\n`, then
/// `$len\r\narg\r\n` for each argument (the form the AOF and the
/// replication stream carry).
pub fn encode_command_into<A: AsRef<[u8]>>(out: &mut Vec<u8>, args: &[A]) {
    let mut digits = itoa::Buffer::new();
    out.push(b'*');
    out.extend_from_slice(digits.format(args.len()).as_bytes());
    out.extend_from_slice(b"\r\n");
    for a in args {
        let a = a.as_ref();
        out.push(b'$');
        out.extend_from_slice(digits.format(a.len()).as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

fn bad(what: &'static str, offset: usize) -> ProtocolError {
    ProtocolError::BadReply { what, offset }
}

/// Reads the line starting at `*pos` (after the type byte); `None` if no CRLF yet.
fn line<'a>(buf: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    let start = *pos;
    let cr = buf[start..].windows(2).position(|w| w == b"\r\n")?;
    *pos = start + cr + 2;
    Some(&buf[start..start + cr])
}

fn number(text: &[u8], offset: usize) -> Result<i64, ProtocolError> {
    crate::request::parse_i64(text).ok_or_else(|| bad("invalid integer", offset))
}

/// Walks one frame without building it. `Some(())` when complete.
fn skip(buf: &[u8], pos: &mut usize, depth: usize) -> Result<Option<()>, ProtocolError> {
    if depth > MAX_DEPTH {
        return Err(bad("nesting too deep", *pos));
    }
    let Some(&kind) = buf.get(*pos) else {
        return Ok(None);
    };
    let type_at = *pos;
    *pos += 1;
    let Some(text) = line(buf, pos) else {
        return Ok(None);
    };
    match kind {
        b'+' | b'-' | b',' | b'(' | b'#' | b'_' => Ok(Some(())),
        b':' => number(text, type_at + 1).map(|_| Some(())),
        b'$' | b'=' | b'!' => {
            let n = number(text, type_at + 1)?;
            if n < 0 {
                return Ok(Some(()));
            }
            let end = *pos + n as usize + 2;
            if buf.len() < end {
                return Ok(None);
            }
            if &buf[end - 2..end] != b"\r\n" {
                return Err(bad("bulk string not terminated by CRLF", end - 2));
            }
            *pos = end;
            Ok(Some(()))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = number(text, type_at + 1)?;
            if n < 0 {
                return Ok(Some(()));
            }
            let items = if matches!(kind, b'%' | b'|') {
                2 * n
            } else {
                n
            };
            for _ in 0..items {
                if skip(buf, pos, depth + 1)?.is_none() {
                    return Ok(None);
                }
            }
            if kind == b'|' {
                return skip(buf, pos, depth + 1);
            }
            Ok(Some(()))
        }
        _ => Err(bad("unknown frame type byte", type_at)),
    }
}

/// Builds the frame at `*pos`; the caller has checked it is complete.
fn build(buf: &[u8], pos: &mut usize) -> Result<Frame, ProtocolError> {
    let kind = buf[*pos];
    let type_at = *pos;
    *pos += 1;
    let text = line(buf, pos).ok_or_else(|| bad("incomplete frame", type_at))?;
    let string = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
    Ok(match kind {
        b'+' => Frame::Simple(string(text)),
        b'-' => Frame::Error(string(text)),
        b',' => Frame::Double(string(text)),
        b'(' => Frame::BigNumber(string(text)),
        b'#' => Frame::Boolean(text == b"t"),
        b'_' => Frame::Null,
        b':' => Frame::Integer(number(text, type_at + 1)?),
        b'$' | b'=' | b'!' => {
            let n = number(text, type_at + 1)?;
            if n < 0 {
                return Ok(Frame::Null);
            }
            let body = buf[*pos..*pos + n as usize].to_vec();
            *pos += n as usize + 2;
            match kind {
                b'$' => Frame::Bulk(body),
                b'!' => Frame::Error(String::from_utf8_lossy(&body).into_owned()),
                _ if body.len() >= 4 && body[3] == b':' => {
                    Frame::Verbatim(string(&body[..3]), body[4..].to_vec())
                }
                _ => return Err(bad("verbatim string without a format", type_at)),
            }
        }
        b'*' | b'~' | b'>' => {
            let n = number(text, type_at + 1)?;
            if n < 0 {
                return Ok(Frame::Null);
            }
            let mut items = Vec::with_capacity((n as usize).min(4096));
            for _ in 0..n {
                items.push(build(buf, pos)?);
            }
            match kind {
                b'*' => Frame::Array(items),
                b'~' => Frame::Set(items),
                _ => Frame::Push(items),
            }
        }
        b'%' | b'|' => {
            let n = number(text, type_at + 1)?;
            let mut pairs = Vec::with_capacity((n.max(0) as usize).min(4096));
            for _ in 0..n {
                let k = build(buf, pos)?;
                let v = build(buf, pos)?;
                pairs.push((k, v));
            }
            if kind == b'%' {
                Frame::Map(pairs)
            } else {
                Frame::Attribute(pairs, Box::new(build(buf, pos)?))
            }
        }
        _ => return Err(bad("unknown frame type byte", type_at)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_and_incomplete() {
        let full = b"*2\r\n$3\r\nfoo\r\n%1\r\n+a\r\n:1\r\n";
        assert_eq!(check_frame(full).unwrap(), Some(full.len()));
        for end in 0..full.len() {
            assert_eq!(check_frame(&full[..end]).unwrap(), None, "at {end}");
        }
        let (frame, len) = parse_frame(full).unwrap().unwrap();
        assert_eq!(len, full.len());
        assert_eq!(
            frame,
            Frame::Array(vec![
                Frame::Bulk(b"foo".to_vec()),
                Frame::Map(vec![(Frame::Simple("a".into()), Frame::Integer(1))])
            ])
        );
    }

    #[test]
    fn resp3_scalars() {
        let (f, _) = parse_frame(b"=8\r\ntxt:abcd\r\n").unwrap().unwrap();
        assert_eq!(f, Frame::Verbatim("txt".into(), b"abcd".to_vec()));
        assert_eq!(parse_frame(b"_\r\n").unwrap().unwrap().0, Frame::Null);
        assert_eq!(
            parse_frame(b"#t\r\n").unwrap().unwrap().0,
            Frame::Boolean(true)
        );
        assert_eq!(
            parse_frame(b",inf\r\n").unwrap().unwrap().0,
            Frame::Double("inf".into())
        );
        assert_eq!(parse_frame(b"*-1\r\n").unwrap().unwrap().0, Frame::Null);
    }

    #[test]
    fn malformed_replies() {
        assert!(check_frame(b"?x\r\n").is_err());
        assert!(check_frame(b":12a\r\n").is_err());
        assert!(check_frame(b"$3\r\nfooXX").is_err());
        let deep = "*1\r\n".repeat(MAX_DEPTH + 5);
        assert!(check_frame(deep.as_bytes()).is_err());
    }

    #[test]
    fn encodes_commands() {
        assert_eq!(
            encode_command(&["GET", "k"]),
            b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
        );
    }
}
