//! Stream entry IDs (`<ms>-<seq>`): parsing as Redis's
//! `streamGenericParseIDOrReply` does, formatting, and stepping.

use std::fmt;

/// An entry ID: milliseconds, then a sequence number within them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    /// The millisecond part.
    pub ms: u64,
    /// The sequence part.
    pub seq: u64,
}

/// The text Redis replies for any malformed ID.
pub const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

/// What an ID argument said, beyond its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedId {
    /// The ID (with the sequence defaulted when it was missing or `*`).
    pub id: StreamId,
    /// False for `<ms>-*` (XADD generates the sequence).
    pub seq_given: bool,
}

impl StreamId {
    /// The smallest ID, `0-0`.
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    /// The largest ID.
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    /// Builds an ID.
    pub const fn new(ms: u64, seq: u64) -> Self {
        StreamId { ms, seq }
    }

    /// The next ID, or `None` past the largest (`streamIncrID`).
    pub fn incr(self) -> Option<StreamId> {
        if self.seq == u64::MAX {
            if self.ms == u64::MAX {
                None
            } else {
                Some(StreamId::new(self.ms + 1, 0))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq + 1))
        }
    }

    /// The previous ID, or `None` before `0-0` (`streamDecrID`).
    pub fn decr(self) -> Option<StreamId> {
        if self.seq == 0 {
            if self.ms == 0 {
                None
            } else {
                Some(StreamId::new(self.ms - 1, u64::MAX))
            }
        } else {
            Some(StreamId::new(self.ms, self.seq - 1))
        }
    }

    /// Parses an ID argument. `missing_seq` fills in a bare `<ms>`;
    /// `strict` refuses the `-` / `+` shorthands; `allow_star_seq` accepts
    /// `<ms>-*` (only XADD does).
    pub fn parse(
        arg: &[u8],
        missing_seq: u64,
        strict: bool,
        allow_star_seq: bool,
    ) -> Option<ParsedId> {
        if arg.len() > 127 {
            return None;
        }
        match arg {
            b"-" | b"+" if strict => return None,
            b"-" => return Some(given(StreamId::MIN)),
            b"+" => return Some(given(StreamId::MAX)),
            _ => {}
        }
        let (ms_part, seq_part) = match arg.iter().position(|&b| b == b'-') {
            Some(dash) => (&arg[..dash], Some(&arg[dash + 1..])),
            None => (arg, None),
        };
        let ms = parse_u64(ms_part)?;
        match seq_part {
            Some(b"*") if allow_star_seq => Some(ParsedId {
                id: StreamId::new(ms, 0),
                seq_given: false,
            }),
            Some(s) => Some(given(StreamId::new(ms, parse_u64(s)?))),
            None => Some(given(StreamId::new(ms, missing_seq))),
        }
    }
}

/// A fully given ID.
fn given(id: StreamId) -> ParsedId {
    ParsedId {
        id,
        seq_given: true,
    }
}

/// Redis's `string2ull`: a strict integer that is not negative, else
/// whatever `strtoull` accepts whole (leading blanks, a sign, wrapping `-`).
fn parse_u64(s: &[u8]) -> Option<u64> {
    if let Some(n) = rkv_proto::request::parse_i64(s) {
        return u64::try_from(n).ok();
    }
    let mut i = s
        .iter()
        .take_while(|b| b" \t\n\x0b\x0c\r".contains(b))
        .count();
    let mut negative = false;
    if let Some(&sign) = s.get(i) {
        if sign == b'+' || sign == b'-' {
            negative = sign == b'-';
            i += 1;
        }
    }
    let digits = &s[i..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: u64 = 0;
    for d in digits {
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if negative { n.wrapping_neg() } else { n })
}

impl StreamId {
    /// The ID as text (`<ms>-<seq>`), formatted on the stack: replies and
    /// propagated XADDs write one per entry.
    pub fn text(&self) -> IdText {
        let mut text = IdText {
            buf: [0; ID_TEXT_MAX],
            len: 0,
        };
        let mut digits = itoa::Buffer::new();
        for (i, part) in [self.ms, self.seq].into_iter().enumerate() {
            if i == 1 {
                text.buf[text.len] = b'-';
                text.len += 1;
            }
            let s = digits.format(part).as_bytes();
            text.buf[text.len..text.len + s.len()].copy_from_slice(s);
            text.len += s.len();
        }
        text
    }
}

/// Two 20-digit numbers and the dash.
const ID_TEXT_MAX: usize = 41;

/// A [`StreamId`] as text, from [`StreamId::text`].
#[derive(Debug, Clone, Copy)]
pub struct IdText {
    buf: [u8; ID_TEXT_MAX],
    len: usize,
}

impl IdText {
    /// The text's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // IDs are ASCII digits and a dash.
        f.write_str(std::str::from_utf8(self.text().as_bytes()).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_ms_dash_seq() {
        let max = StreamId {
            ms: u64::MAX,
            seq: u64::MAX,
        };
        assert_eq!(
            max.text().as_bytes(),
            b"18446744073709551615-18446744073709551615"
        );
        assert_eq!(StreamId::default().text().as_bytes(), b"0-0");
        assert_eq!(
            StreamId {
                ms: 1526919030474,
                seq: 55
            }
            .to_string(),
            "1526919030474-55"
        );
    }

    fn p(s: &str) -> Option<StreamId> {
        StreamId::parse(s.as_bytes(), 0, false, false).map(|p| p.id)
    }

    #[test]
    fn parses_like_redis() {
        assert_eq!(p("5"), Some(StreamId::new(5, 0)));
        assert_eq!(p("5-3"), Some(StreamId::new(5, 3)));
        assert_eq!(p("-"), Some(StreamId::MIN));
        assert_eq!(p("+"), Some(StreamId::MAX));
        assert_eq!(p("+7"), Some(StreamId::new(7, 0)));
        assert_eq!(
            p("18446744073709551615-1"),
            Some(StreamId::new(u64::MAX, 1))
        );
        assert_eq!(p("18446744073709551616"), None);
        assert_eq!(p("-1"), None);
        assert_eq!(p("abc"), None);
        assert_eq!(p("1-"), None);
        assert_eq!(p("1-*"), None);
        assert_eq!(StreamId::parse(b"+", 0, true, false), None);
        let star = StreamId::parse(b"7-*", 0, true, true).unwrap();
        assert_eq!((star.id, star.seq_given), (StreamId::new(7, 0), false));
        let bare = StreamId::parse(b"7", u64::MAX, false, false).unwrap();
        assert_eq!(bare.id, StreamId::new(7, u64::MAX));
    }

    #[test]
    fn steps_and_formats() {
        assert_eq!(StreamId::new(1, u64::MAX).incr(), Some(StreamId::new(2, 0)));
        assert_eq!(StreamId::MAX.incr(), None);
        assert_eq!(StreamId::new(2, 0).decr(), Some(StreamId::new(1, u64::MAX)));
        assert_eq!(StreamId::MIN.decr(), None);
        assert_eq!(StreamId::new(3, 4).to_string(), "3-4");
    }
}
