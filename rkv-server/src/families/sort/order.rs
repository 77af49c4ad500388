//! The sort itself: weights as doubles (C's `strtod` rules) or strings,
//! and Redis's `sortCompare`, ties included.

use std::cmp::Ordering;

/// One element being sorted, with what it is compared by.
#[derive(Debug, Clone, PartialEq)]
pub struct SortItem {
    /// The element (list item, set or sorted set member).
    pub elem: Vec<u8>,
    /// Numeric weight (0 when a BY key is missing).
    pub score: f64,
    /// ALPHA with BY: the weight string, `None` when the BY key is missing.
    pub by_text: Option<Vec<u8>>,
}

impl SortItem {
    /// An element with no weight loaded yet.
    pub fn new(elem: Vec<u8>) -> Self {
        SortItem {
            elem,
            score: 0.0,
            by_text: None,
        }
    }
}

/// How [`compare`] orders items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    /// Descending order.
    pub desc: bool,
    /// String comparison.
    pub alpha: bool,
    /// Weights come from a BY pattern.
    pub by_pattern: bool,
    /// STORE was given: Redis then compares bytes instead of `strcoll`.
    pub store: bool,
}

/// A weight as Redis reads it for a numeric sort: `strtod` must consume
/// the whole C string (leading white space allowed, an empty string is 0),
/// and neither overflow, underflow nor NaN may result. `None` is Redis's
/// "One or more scores can't be converted into double".
pub fn parse_weight(text: &[u8]) -> Option<f64> {
    let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
    let text = &text[..end];
    if text.is_empty() {
        return Some(0.0);
    }
    let start = text.iter().position(|&b| !is_c_space(b))?;
    let number = std::str::from_utf8(&text[start..]).ok()?;
    let lower = number.to_ascii_lowercase();
    let (negative, unsigned) = match lower.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, lower.strip_prefix('+').unwrap_or(&lower)),
    };
    let first = *unsigned.as_bytes().first()?;
    let magnitude = if unsigned == "inf" || unsigned == "infinity" {
        f64::INFINITY
    } else if let Some(hex) = unsigned.strip_prefix("0x") {
        parse_hex(hex)?
    } else if first.is_ascii_digit() || first == b'.' {
        unsigned.parse::<f64>().ok()?
    } else {
        // `nan`, a second sign, words: nothing strtod turns into a number.
        return None;
    };
    let overflow = magnitude.is_infinite() && first != b'i';
    let underflow = magnitude < f64::MIN_POSITIVE && !zero_mantissa(unsigned);
    if overflow || underflow {
        // strtod's ERANGE; glibc reports it for subnormal results too.
        return None;
    }
    Some(if negative { -magnitude } else { magnitude })
}

/// Whether a decimal number's mantissa (before any exponent) is all zeros.
fn zero_mantissa(s: &str) -> bool {
    let mantissa = match s.strip_prefix("0x") {
        Some(hex) => hex.split('p').next().unwrap_or(hex),
        None => s.split('e').next().unwrap_or(s),
    };
    mantissa.bytes().all(|b| b == b'0' || b == b'.')
}

/// A hexadecimal number with an optional fraction and binary exponent
/// (`1f`, `1.8`, `1p3`).
fn parse_hex(digits: &str) -> Option<f64> {
    let (digits, exponent) = match digits.split_once('p') {
        Some((d, e)) => (d, e.parse::<i32>().ok()?),
        None => (digits, 0),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0.0f64;
    for c in int.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exponent))
}

/// C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `strcoll` in the C locale: bytes compared up to the first NUL.
fn collate(a: &[u8], b: &[u8]) -> Ordering {
    let cut = |s: &[u8]| -> usize { s.iter().position(|&c| c == 0).unwrap_or(s.len()) };
    a[..cut(a)].cmp(&b[..cut(b)])
}

/// Redis's `sortCompare`. Numeric ties fall back to the elements' bytes so
/// the result is deterministic; ALPHA with BY puts missing weights first.
pub fn compare(how: Comparison, a: &SortItem, b: &SortItem) -> Ordering {
    let strings = |x: &[u8], y: &[u8]| {
        if how.store {
            x.cmp(y)
        } else {
            collate(x, y)
        }
    };
    let ord = if !how.alpha {
        a.score
            .partial_cmp(&b.score)
            .filter(|o| o.is_ne())
            .unwrap_or_else(|| a.elem.cmp(&b.elem))
    } else if how.by_pattern {
        match (&a.by_text, &b.by_text) {
            (Some(x), Some(y)) => strings(x, y),
            (x, y) => x.is_some().cmp(&y.is_some()),
        }
    } else {
        strings(&a.elem, &b.elem)
    };
    if how.desc {
        ord.reverse()
    } else {
        ord
    }
}

/// Sorts `items` as Redis does, `start..=end` being the LIMIT range. With
/// BY and a LIMIT short of everything Redis uses its partial quicksort,
/// whose placement of equal items is reproduced; otherwise glibc's `qsort`
/// (a merge sort) keeps equal items in their loaded order, as this stable
/// sort does.
pub fn sort_items(items: &mut [SortItem], how: Comparison, start: i64, end: i64) {
    let whole = start == 0 && end == items.len() as i64 - 1;
    if how.by_pattern && !whole {
        super::partial::pqsort(items, start, end, &|a, b| compare(how, a, b));
    } else {
        items.sort_by(|a, b| compare(how, a, b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_as_strtod_reads_them() {
        assert_eq!(parse_weight(b"1.5"), Some(1.5));
        assert_eq!(parse_weight(b""), Some(0.0));
        assert_eq!(parse_weight(b"  -3"), Some(-3.0));
        assert_eq!(parse_weight(b"\x0b7"), Some(7.0));
        assert_eq!(parse_weight(b"1e3"), Some(1000.0));
        assert_eq!(parse_weight(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_weight(b"Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_weight(b"0x10"), Some(16.0));
        assert_eq!(parse_weight(b"0x1p3"), Some(8.0));
        assert_eq!(parse_weight(b"0x0"), Some(0.0));
        assert_eq!(parse_weight(b"0.0e-999"), Some(0.0));
        assert_eq!(parse_weight(b"2\0junk"), Some(2.0));
        for bad in [
            &b"nan"[..],
            b"1 ",
            b" ",
            b"abc",
            b"1e999",
            b"1e-999",
            b"1e-310",
            b"--1",
            b"+-1",
            b"0x",
        ] {
            assert_eq!(
                parse_weight(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    fn item(elem: &str, score: f64, by: Option<&str>) -> SortItem {
        SortItem {
            elem: elem.as_bytes().to_vec(),
            score,
            by_text: by.map(|b| b.as_bytes().to_vec()),
        }
    }

    const NUMERIC: Comparison = Comparison {
        desc: false,
        alpha: false,
        by_pattern: false,
        store: false,
    };

    #[test]
    fn numeric_ties_break_on_the_element() {
        let (a, b) = (item("b", 1.0, None), item("a", 1.0, None));
        assert_eq!(compare(NUMERIC, &a, &b), Ordering::Greater);
        let desc = Comparison {
            desc: true,
            ..NUMERIC
        };
        assert_eq!(compare(desc, &a, &b), Ordering::Less);
        assert_eq!(compare(NUMERIC, &item("z", -1.0, None), &a), Ordering::Less);
    }

    #[test]
    fn alpha_by_puts_missing_weights_first() {
        let how = Comparison {
            alpha: true,
            by_pattern: true,
            ..NUMERIC
        };
        let (missing, present) = (item("a", 0.0, None), item("b", 0.0, Some("x")));
        assert_eq!(compare(how, &missing, &present), Ordering::Less);
        assert_eq!(
            compare(how, &missing, &item("c", 0.0, None)),
            Ordering::Equal
        );
        let mut v = vec![item("1", 0.0, Some("b")), present.clone(), missing.clone()];
        sort_items(&mut v, how, 0, 2);
        let order: Vec<&[u8]> = v.iter().map(|i| &i.elem[..]).collect();
        assert_eq!(order, [&b"a"[..], b"1", b"b"]);
    }

    #[test]
    fn alpha_collation_stops_at_nul_unless_storing() {
        let how = Comparison {
            alpha: true,
            ..NUMERIC
        };
        let (a, b) = (item("x\0b", 0.0, None), item("x\0a", 0.0, None));
        assert_eq!(compare(how, &a, &b), Ordering::Equal);
        let storing = Comparison { store: true, ..how };
        assert_eq!(compare(storing, &a, &b), Ordering::Greater);
    }
}
