//! Server-side request parsing: multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and
//! inline (`GET k\r\n`) commands, incrementally.
//!
//! The parser never copies arguments: it records their byte ranges in the
//! caller's input buffer. A partial request keeps its progress between reads,
//! so a huge argument arriving in many pieces is scanned once, not once per read
//! (Redis keeps the same state in `multibulklen`/`bulklen`).

use std::ops::Range;

use crate::error::ProtocolError;
use crate::split_args::split_args;

/// Longest inline request or `*`/`$` header line (Redis's `PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX: usize = 64 * 1024;

/// Size limits a server applies to requests.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// `proto-max-bulk-len`: the largest single argument.
    pub max_bulk_len: usize,
    /// Whether the client still has to authenticate (tighter header limits apply).
    pub unauthenticated: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bulk_len: 512 * 1024 * 1024,
            unauthenticated: false,
        }
    }
}

/// One parsed request: its arguments, as ranges of the input buffer.
#[derive(Debug, Default)]
pub struct Request {
    /// Argument byte ranges (inline requests are unescaped into `owned`).
    ranges: Vec<Range<usize>>,
    /// Arguments of an inline request, which may differ from the raw bytes.
    owned: Vec<Vec<u8>>,
    /// Bytes of the input buffer this request used.
    consumed: usize,
}

impl Request {
    /// Number of arguments (the command name included).
    pub fn len(&self) -> usize {
        if self.owned.is_empty() {
            self.ranges.len()
        } else {
            self.owned.len()
        }
    }

    /// Whether the request has no arguments (an empty line or `*0`).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of the input buffer this request occupied.
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// The arguments as slices of `buf` (the buffer given to
    /// [`RequestParser::parse`]).
    pub fn iter<'a>(&'a self, buf: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
        let (ranges, owned): (&[Range<usize>], &[Vec<u8>]) = if self.owned.is_empty() {
            (&self.ranges, &[])
        } else {
            (&[], &self.owned)
        };
        ranges
            .iter()
            .map(move |r| &buf[r.clone()])
            .chain(owned.iter().map(Vec::as_slice))
    }
}

/// Progress through a multibulk request that has not fully arrived.
#[derive(Debug, Default)]
struct Partial {
    /// Arguments announced by the `*<n>` header.
    argc: usize,
    /// Offset (from the request's start) where parsing resumes.
    pos: usize,
    /// Length of the bulk argument whose header was read but whose body is
    /// still missing.
    pending_bulk: Option<usize>,
}

/// An incremental request parser; keep one per connection.
#[derive(Debug, Default)]
pub struct RequestParser {
    partial: Option<Partial>,
    request: Request,
}

impl RequestParser {
    /// A parser with no request in progress.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a request has begun arriving but is not complete.
    pub fn in_progress(&self) -> bool {
        self.partial.is_some()
    }

    /// Parses the request at the start of `buf`.
    ///
    /// `Ok(Some(req))`: a complete request (possibly empty, which the server
    /// skips); `Ok(None)`: more bytes are needed, and `buf` must be passed again
    /// unchanged but possibly longer; `Err`: the connection must be closed after
    /// replying with the error.
    pub fn parse(
        &mut self,
        buf: &[u8],
        limits: &Limits,
    ) -> Result<Option<&Request>, ProtocolError> {
        if buf.is_empty() {
            return Ok(None);
        }
        let done = if self.partial.is_some() || buf[0] == b'*' {
            self.parse_multibulk(buf, limits)?
        } else {
            self.parse_inline(buf)?
        };
        Ok(if done { Some(&self.request) } else { None })
    }

    fn parse_inline(&mut self, buf: &[u8]) -> Result<bool, ProtocolError> {
        let Some(nl) = memchr(b'\n', buf) else {
            if buf.len() > INLINE_MAX {
                return Err(ProtocolError::TooBigInline);
            }
            return Ok(false);
        };
        let mut line = &buf[..nl];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let args = split_args(line).ok_or(ProtocolError::UnbalancedQuotes)?;
        self.request.ranges.clear();
        self.request.owned = args;
        self.request.consumed = nl + 1;
        Ok(true)
    }

    fn parse_multibulk(&mut self, buf: &[u8], limits: &Limits) -> Result<bool, ProtocolError> {
        if self.partial.is_none() {
            let Some((argc, header_len)) =
                read_header(buf, 0, ProtocolError::TooBigMultibulkCount)?
            else {
                return Ok(false);
            };
            if argc > i32::MAX as i64 {
                return Err(ProtocolError::InvalidMultibulkLength);
            }
            if limits.unauthenticated && argc > 10 {
                return Err(ProtocolError::UnauthenticatedMultibulk);
            }
            self.request.owned.clear();
            self.request.ranges.clear();
            if argc <= 0 {
                self.request.consumed = header_len;
                return Ok(true);
            }
            // Never trust the announced count for allocation beyond a small bound.
            self.request.ranges.reserve((argc as usize).min(1024));
            self.partial = Some(Partial {
                argc: argc as usize,
                pos: header_len,
                pending_bulk: None,
            });
        }
        let partial = self.partial.as_mut().expect("partial request state");
        while self.request.ranges.len() < partial.argc {
            let len = match partial.pending_bulk {
                Some(len) => len,
                None => {
                    if partial.pos >= buf.len() {
                        return Ok(false);
                    }
                    if buf[partial.pos] != b'$' {
                        return Err(ProtocolError::ExpectedDollar(buf[partial.pos] as char));
                    }
                    let Some((len, header_len)) =
                        read_header(buf, partial.pos, ProtocolError::TooBigBulkCount)?
                    else {
                        return Ok(false);
                    };
                    if len < 0 || len as u64 > limits.max_bulk_len as u64 {
                        return Err(ProtocolError::InvalidBulkLength);
                    }
                    if limits.unauthenticated && len > 16384 {
                        return Err(ProtocolError::UnauthenticatedBulk);
                    }
                    partial.pos += header_len;
                    partial.pending_bulk = Some(len as usize);
                    len as usize
                }
            };
            // Like Redis, the two bytes after the body are skipped, not checked.
            if buf.len() < partial.pos + len + 2 {
                return Ok(false);
            }
            self.request.ranges.push(partial.pos..partial.pos + len);
            partial.pos += len + 2;
            partial.pending_bulk = None;
        }
        self.request.consumed = partial.pos;
        self.partial = None;
        Ok(true)
    }

    /// Bytes a caller should make room for to finish the pending argument, so a
    /// big value is read into one allocation rather than grown step by step.
    pub fn bytes_wanted(&self, buffered: usize) -> usize {
        match &self.partial {
            Some(Partial {
                pos,
                pending_bulk: Some(len),
                ..
            }) => (pos + len + 2).saturating_sub(buffered),
            _ => 0,
        }
    }
}

/// Reads a `*<n>\r\n` or `$<n>\r\n` header starting at `start`; returns the
/// number and the header's length including the CRLF.
fn read_header(
    buf: &[u8],
    start: usize,
    too_big: ProtocolError,
) -> Result<Option<(i64, usize)>, ProtocolError> {
    let rest = &buf[start..];
    if let Some(header) = short_header(rest) {
        return Ok(Some(header));
    }
    let Some(cr) = memchr(b'\r', rest) else {
        if rest.len() > INLINE_MAX {
            return Err(too_big);
        }
        return Ok(None);
    };
    if cr > INLINE_MAX {
        return Err(too_big);
    }
    if rest.len() < cr + 2 {
        return Ok(None);
    }
    let invalid = match rest[0] {
        b'*' => ProtocolError::InvalidMultibulkLength,
        _ => ProtocolError::InvalidBulkLength,
    };
    let n = parse_i64(&rest[1..cr]).ok_or(invalid)?;
    Ok(Some((n, cr + 2)))
}

/// The common header in one pass: up to 18 digits, the first not zero,
/// then CR with one more byte after it. Anything else (and a header not
/// all received yet) takes the general path, which also reports errors.
fn short_header(rest: &[u8]) -> Option<(i64, usize)> {
    let first = *rest.get(1)?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut n = i64::from(first - b'0');
    let mut i = 2;
    while i < rest.len() && i < 19 {
        let c = rest[i];
        if !c.is_ascii_digit() {
            break;
        }
        n = n * 10 + i64::from(c - b'0');
        i += 1;
    }
    (rest.get(i) == Some(&b'\r') && rest.len() >= i + 2).then_some((n, i + 2))
}

/// Parses a decimal integer the strict way Redis's `string2ll` does: optional
/// `-`, no `+`, no leading zeros, no spaces, within `i64`.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first()? {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || (digits[0] == b'0' && (digits.len() > 1 || neg)) {
        return if s == b"0" { Some(0) } else { None };
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else {
        i64::try_from(v).ok()
    }
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_headers_read_as_the_general_path_does() {
        // The general path alone: find CR, then parse strictly.
        let general = |rest: &[u8]| -> Result<Option<(i64, usize)>, ()> {
            let Some(cr) = memchr(b'\r', rest) else {
                return Ok(None);
            };
            if rest.len() < cr + 2 {
                return Ok(None);
            }
            parse_i64(&rest[1..cr]).map(|n| Some((n, cr + 2))).ok_or(())
        };
        for case in [
            &b"$1\r\n"[..],
            b"$0\r\n",
            b"$012\r\n",
            b"$5\r",
            b"$5",
            b"$-1\r\n",
            b"$12a\r\n",
            b"*3\r\n$3\r\n",
            b"$123456789012345678\r\n",
            b"$1234567890123456789\r\n",
            b"$9223372036854775807\r\n",
            b"$99999999999999999999\r\n",
            b"$7\rX",
        ] {
            let got = read_header(case, 0, ProtocolError::TooBigBulkCount).map_err(|_| ());
            assert_eq!(got, general(case), "{case:?}");
        }
    }

    fn parse_all(input: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
        let mut p = RequestParser::new();
        let mut pos = 0;
        let mut out = Vec::new();
        let limits = Limits::default();
        while let Some(req) = p.parse(&input[pos..], &limits)? {
            out.push(req.iter(&input[pos..]).map(|a| a.to_vec()).collect());
            pos += req.consumed();
        }
        Ok(out)
    }

    fn strs(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn multibulk_and_pipelining() {
        let got = parse_all(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n").unwrap();
        assert_eq!(got, vec![strs(&["GET", "k"]), strs(&["PING"])]);
    }

    #[test]
    fn inline_commands() {
        let got = parse_all(b"SET \"a b\" c\r\nPING\n\r\n").unwrap();
        assert_eq!(
            got,
            vec![strs(&["SET", "a b", "c"]), strs(&["PING"]), vec![]]
        );
    }

    #[test]
    fn byte_by_byte_arrival() {
        let input = b"*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$0\r\n\r\n";
        let mut p = RequestParser::new();
        let limits = Limits::default();
        for end in 1..input.len() {
            assert!(
                p.parse(&input[..end], &limits).unwrap().is_none(),
                "complete too early at {end}"
            );
        }
        let req = p.parse(input, &limits).unwrap().unwrap();
        let args: Vec<&[u8]> = req.iter(input).collect();
        assert_eq!(args, vec![&b"SET"[..], b"hello", b""]);
        assert_eq!(req.consumed(), input.len());
    }

    #[test]
    fn empty_and_negative_multibulk_are_skipped() {
        assert_eq!(
            parse_all(b"*0\r\n*-1\r\n").unwrap(),
            vec![Vec::<Vec<u8>>::new(), vec![]]
        );
    }

    #[test]
    fn malformed_headers() {
        assert_eq!(
            parse_all(b"*abc\r\n"),
            Err(ProtocolError::InvalidMultibulkLength)
        );
        assert_eq!(
            parse_all(b"*3000000000\r\n"),
            Err(ProtocolError::InvalidMultibulkLength)
        );
        assert_eq!(
            parse_all(b"*1\r\n$abc\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            parse_all(b"*1\r\n$-1\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            parse_all(b"*1\r\n$+3\r\nabc\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            parse_all(b"*1\r\nfoo\r\n"),
            Err(ProtocolError::ExpectedDollar('f'))
        );
        assert_eq!(
            parse_all(b"SET \"a\r\n"),
            Err(ProtocolError::UnbalancedQuotes)
        );
    }

    #[test]
    fn bulk_over_limit_is_refused_without_allocating() {
        let limits = Limits {
            max_bulk_len: 1024 * 1024,
            unauthenticated: false,
        };
        let mut p = RequestParser::new();
        assert_eq!(
            p.parse(b"*1\r\n$1048577\r\n", &limits).unwrap_err(),
            ProtocolError::InvalidBulkLength
        );
        let mut p = RequestParser::new();
        assert!(p.parse(b"*1\r\n$1048576\r\n", &limits).unwrap().is_none());
        assert_eq!(p.bytes_wanted(14), 1048576 + 2);
    }

    #[test]
    fn huge_header_lines() {
        let mut long = b"*".to_vec();
        long.extend(std::iter::repeat_n(b'1', INLINE_MAX + 10));
        assert_eq!(parse_all(&long), Err(ProtocolError::TooBigMultibulkCount));
        let mut inline = vec![b'a'; INLINE_MAX + 1];
        inline.push(b' ');
        assert_eq!(parse_all(&inline), Err(ProtocolError::TooBigInline));
        let mut bulk = b"*1\r\n$".to_vec();
        bulk.extend(std::iter::repeat_n(b'1', INLINE_MAX + 10));
        assert_eq!(parse_all(&bulk), Err(ProtocolError::TooBigBulkCount));
    }

    #[test]
    fn unauthenticated_limits() {
        let limits = Limits {
            unauthenticated: true,
            ..Limits::default()
        };
        let mut p = RequestParser::new();
        assert_eq!(
            p.parse(b"*11\r\n", &limits).unwrap_err(),
            ProtocolError::UnauthenticatedMultibulk
        );
        let mut p = RequestParser::new();
        assert_eq!(
            p.parse(b"*1\r\n$16385\r\n", &limits).unwrap_err(),
            ProtocolError::UnauthenticatedBulk
        );
    }

    #[test]
    fn strict_integers() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        for bad in [
            &b"9223372036854775808"[..],
            b"01",
            b"-0",
            b"+1",
            b" 1",
            b"",
            b"-",
            b"1a",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
