//! Parsing of sorted set arguments: score bounds (`(1.5`, `-inf`), lex
//! bounds (`[a`, `(a`, `-`, `+`) and rank normalisation, as Redis's
//! `zslParseRange`, `zslParseLexRange` and range commands do.

use crate::types::zset::{LexBound, LexRange, ScoreRange};

/// `min or max is not a float`.
pub const BAD_SCORE_RANGE: &str = "ERR min or max is not a float";
/// `min or max not valid string range item`.
pub const BAD_LEX_RANGE: &str = "ERR min or max not valid string range item";

/// Parses a number as C's `strtod` for a whole argument: leading white
/// space allowed, nothing after the number; an empty string is 0.
fn strtod_whole(s: &[u8]) -> Option<f64> {
    if s.is_empty() {
        return Some(0.0);
    }
    let start = s.iter().position(|b| !b.is_ascii_whitespace())?;
    let text = std::str::from_utf8(&s[start..]).ok()?;
    let lower = text.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    let value = match unsigned {
        "inf" | "infinity" => {
            if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        }
        // Rust reads a few words strtod would not: let only numbers through.
        u if u.contains("inf") || u.contains("nan") || u.len() + 1 < lower.len() => return None,
        _ => text.parse().ok()?,
    };
    Some(value)
}

/// One end of a score range: `(x` exclusive, else inclusive.
fn score_bound(s: &[u8]) -> Option<(f64, bool)> {
    let (exclusive, number) = match s.first() {
        Some(b'(') => (true, &s[1..]),
        _ => (false, s),
    };
    let v = strtod_whole(number)?;
    (!v.is_nan()).then_some((v, exclusive))
}

/// Parses `min` and `max` of ZRANGEBYSCORE and friends.
pub fn parse_score_range(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
    let (min, min_exclusive) = score_bound(min)?;
    let (max, max_exclusive) = score_bound(max)?;
    Some(ScoreRange {
        min,
        max,
        min_exclusive,
        max_exclusive,
    })
}

/// One end of a lexicographic range.
fn lex_bound(s: &[u8]) -> Option<LexBound> {
    match s {
        b"+" => Some(LexBound::PosInf),
        b"-" => Some(LexBound::NegInf),
        [b'(', rest @ ..] => Some(LexBound::Exclusive(rest.to_vec())),
        [b'[', rest @ ..] => Some(LexBound::Inclusive(rest.to_vec())),
        _ => None,
    }
}

/// Parses `min` and `max` of ZRANGEBYLEX and friends.
pub fn parse_lex_range(min: &[u8], max: &[u8]) -> Option<LexRange> {
    Some(LexRange {
        min: lex_bound(min)?,
        max: lex_bound(max)?,
    })
}

/// Turns ZRANGE's `start`/`end` (negative counts from the end) into a rank
/// interval of a set of `len` members, or `None` when it selects nothing.
pub fn rank_interval(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 {
        (start + len).max(0)
    } else {
        start
    };
    let end = if end < 0 { end + len } else { end };
    if start > end || start >= len {
        return None;
    }
    Some((start as usize, end.min(len - 1) as usize))
}

/// Applies LIMIT `offset`/`count` (negative count: no limit; negative
/// offset: nothing) to the rank interval `first..=last`, walked from `last`
/// down if `rev`. Returns the ranks to visit.
pub fn apply_limit(
    (first, last): (usize, usize),
    rev: bool,
    offset: i64,
    count: i64,
) -> Option<(usize, usize)> {
    if offset < 0 {
        return None;
    }
    let available = (last - first + 1) as u64;
    let offset = offset as u64;
    if offset >= available || count == 0 {
        return None;
    }
    let take = if count < 0 {
        available - offset
    } else {
        (count as u64).min(available - offset)
    };
    let (offset, take) = (offset as usize, take as usize);
    if rev {
        Some((last + 1 - offset - take, last - offset))
    } else {
        Some((first + offset, first + offset + take - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_ranges() {
        let r = parse_score_range(b"(1.5", b"+inf").unwrap();
        assert_eq!((r.min, r.min_exclusive), (1.5, true));
        assert_eq!((r.max, r.max_exclusive), (f64::INFINITY, false));
        let r = parse_score_range(b"-inf", b"(-Infinity").unwrap();
        assert_eq!(r.min, f64::NEG_INFINITY);
        assert!(r.max_exclusive);
        assert_eq!(parse_score_range(b"(", b"").unwrap().min, 0.0);
        assert_eq!(parse_score_range(b" 2", b"1e2").unwrap().max, 100.0);
        for bad in [&b"nan"[..], b"1 ", b"abc", b"((1", b"   ", b"--1", b"1x"] {
            assert!(parse_score_range(bad, b"1").is_none(), "{bad:?}");
        }
    }

    #[test]
    fn lex_ranges() {
        let r = parse_lex_range(b"-", b"(c").unwrap();
        assert_eq!(r.min, LexBound::NegInf);
        assert_eq!(r.max, LexBound::Exclusive(b"c".to_vec()));
        assert_eq!(
            parse_lex_range(b"[", b"+").unwrap().min,
            LexBound::Inclusive(Vec::new())
        );
        for bad in [&b"a"[..], b"", b"++", b"-a"] {
            assert!(parse_lex_range(bad, b"+").is_none(), "{bad:?}");
        }
    }

    #[test]
    fn ranks_and_limits() {
        assert_eq!(rank_interval(0, -1, 5), Some((0, 4)));
        assert_eq!(rank_interval(-100, 100, 5), Some((0, 4)));
        assert_eq!(rank_interval(3, 1, 5), None);
        assert_eq!(rank_interval(5, 9, 5), None);
        assert_eq!(rank_interval(0, -6, 5), None);
        assert_eq!(apply_limit((2, 8), false, 1, 3), Some((3, 5)));
        assert_eq!(apply_limit((2, 8), true, 1, 3), Some((5, 7)));
        assert_eq!(apply_limit((2, 8), false, 0, -1), Some((2, 8)));
        assert_eq!(apply_limit((2, 8), false, 7, 1), None);
        assert_eq!(apply_limit((2, 8), false, -1, 1), None);
        assert_eq!(apply_limit((2, 8), true, 5, 10), Some((2, 3)));
        assert_eq!(apply_limit((0, 2), true, 0, -1), Some((0, 2)));
    }
}
