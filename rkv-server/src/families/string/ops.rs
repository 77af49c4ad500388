//! Pure string operations behind the counters and range commands, free of
//! any connection so they can be tested directly.

use crate::db::StrValue;
use crate::errors::{OpError, FLOAT_NAN_OR_INF};
use crate::util::long_double::{LongDouble, Parsed};

/// The integer a stored string holds, as Redis's `getLongLongFromObject`
/// reads it (strict decimal, no spaces, in `i64` range).
pub fn stored_i64(v: &StrValue) -> Result<i64, OpError> {
    match v {
        StrValue::Int(n) => Ok(*n),
        other => {
            let mut scratch = itoa::Buffer::new();
            rkv_proto::request::parse_i64(other.as_bytes(&mut scratch)).ok_or(OpError::NotInteger)
        }
    }
}

/// `current + incr` with Redis's overflow rule (INCR, INCRBY, DECR, DECRBY).
pub fn add_checked(current: i64, incr: i64) -> Result<i64, OpError> {
    current.checked_add(incr).ok_or(OpError::Overflow)
}

/// The long double a stored string holds, as `getLongDoubleFromObject`
/// reads it (missing keys count as 0).
fn stored_long_double(v: Option<&StrValue>) -> Result<Parsed, OpError> {
    match v {
        None => Ok(Parsed::Finite(LongDouble::ZERO)),
        Some(StrValue::Int(n)) => Ok(Parsed::Finite(LongDouble::from_i64(*n))),
        Some(other) => {
            let mut scratch = itoa::Buffer::new();
            LongDouble::parse(other.as_bytes(&mut scratch)).ok_or(OpError::NotFloat)
        }
    }
}

/// INCRBYFLOAT's arithmetic: the stored value plus `incr`, in emulated
/// `long double`, as the text Redis stores and replies with.
pub fn incr_by_float(current: Option<&StrValue>, incr: &[u8]) -> Result<String, OpError> {
    let value = stored_long_double(current)?;
    let incr = LongDouble::parse(incr).ok_or(OpError::NotFloat)?;
    let not_finite = || OpError::Other(FLOAT_NAN_OR_INF.to_string());
    match (value, incr) {
        (Parsed::Finite(a), Parsed::Finite(b)) => a
            .checked_add(b)
            .map(LongDouble::to_human_string)
            .ok_or_else(not_finite),
        _ => Err(not_finite()),
    }
}

/// The bytes GETRANGE returns for `start..=end` (negative = from the end,
/// clamped to the string as Redis does).
pub fn byte_range(s: &[u8], start: i64, end: i64) -> &[u8] {
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        return &[];
    }
    let start = if start < 0 {
        (len + start).max(0)
    } else {
        start
    };
    let mut end = if end < 0 { (len + end).max(0) } else { end };
    if end >= len {
        end = len - 1;
    }
    if len == 0 || start > end {
        return &[];
    }
    &s[start as usize..=end as usize]
}

/// Redis's `checkStringLength`: whether a string of `size + append` bytes
/// stays within `proto-max-bulk-len`.
pub fn check_string_length(size: u64, append: u64, max: u64) -> Result<(), OpError> {
    match size.checked_add(append) {
        Some(total) if total <= max => Ok(()),
        _ => Err(OpError::TooLong),
    }
}

/// Writes `value` at `offset` in `buf`, growing it with zero bytes first.
pub fn write_at(buf: &mut Vec<u8>, offset: usize, value: &[u8]) {
    let end = offset + value.len();
    if buf.len() < end {
        buf.resize(end, 0);
    }
    buf[offset..end].copy_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_from_stored_strings() {
        assert_eq!(stored_i64(&StrValue::Int(-3)), Ok(-3));
        assert_eq!(
            stored_i64(&StrValue::from_bytes(b"007")),
            Err(OpError::NotInteger)
        );
        assert_eq!(
            stored_i64(&StrValue::from_bytes(b" 1")),
            Err(OpError::NotInteger)
        );
        assert_eq!(
            stored_i64(&StrValue::from_bytes(b"9223372036854775808")),
            Err(OpError::NotInteger)
        );
        assert_eq!(stored_i64(&StrValue::Raw(b"12".to_vec())), Ok(12));
    }

    #[test]
    fn increments_overflow_like_redis() {
        assert_eq!(add_checked(i64::MAX - 1, 1), Ok(i64::MAX));
        assert_eq!(add_checked(i64::MAX, 1), Err(OpError::Overflow));
        assert_eq!(add_checked(i64::MIN, -1), Err(OpError::Overflow));
        assert_eq!(add_checked(-1, i64::MIN), Err(OpError::Overflow));
        assert_eq!(add_checked(0, i64::MIN), Ok(i64::MIN));
    }

    #[test]
    fn float_increments() {
        let v = StrValue::from_bytes(b"10.5");
        assert_eq!(incr_by_float(Some(&v), b"0.1").as_deref(), Ok("10.6"));
        assert_eq!(incr_by_float(None, b"3").as_deref(), Ok("3"));
        let n = StrValue::Int(1000);
        assert_eq!(
            incr_by_float(Some(&n), b"3.0e-2").as_deref(),
            Ok("1000.03000000000000003")
        );
        assert_eq!(incr_by_float(None, b"abc"), Err(OpError::NotFloat));
        let bad = StrValue::from_bytes(b"x");
        assert_eq!(incr_by_float(Some(&bad), b"1"), Err(OpError::NotFloat));
        let nan = OpError::Other(FLOAT_NAN_OR_INF.to_string());
        assert_eq!(incr_by_float(None, b"inf"), Err(nan.clone()));
        let inf = StrValue::from_bytes(b"-inf");
        assert_eq!(incr_by_float(Some(&inf), b"1"), Err(nan));
    }

    #[test]
    fn ranges_clamp_like_getrange() {
        let s = b"Hello World";
        assert_eq!(byte_range(s, 0, 4), b"Hello");
        assert_eq!(byte_range(s, -3, -1), b"rld");
        assert_eq!(byte_range(s, 0, -1), s);
        assert_eq!(byte_range(s, 10, 100), b"d");
        assert_eq!(byte_range(s, -100, 2), b"Hel");
        assert_eq!(byte_range(s, -1, -5), b"");
        assert_eq!(byte_range(s, 5, 3), b"");
        assert_eq!(byte_range(s, 20, 30), b"");
        assert_eq!(byte_range(s, -100, -50), b"H");
        assert_eq!(byte_range(b"", 0, -1), b"");
        assert_eq!(byte_range(s, i64::MIN, i64::MAX), s);
    }

    #[test]
    fn setrange_helpers() {
        let mut v = b"Hello".to_vec();
        write_at(&mut v, 7, b"x");
        assert_eq!(v, b"Hello\0\0x");
        write_at(&mut v, 0, b"J");
        assert_eq!(v, b"Jello\0\0x");
        assert_eq!(check_string_length(10, 5, 15), Ok(()));
        assert_eq!(check_string_length(10, 6, 15), Err(OpError::TooLong));
        assert_eq!(
            check_string_length(u64::MAX, 1, u64::MAX),
            Err(OpError::TooLong)
        );
    }
}
