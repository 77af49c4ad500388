//! Pure string operations behind the counters and range commands, free of
//! any connection so they can be tested directly.

use crate::command::ctx::parse_f64;
use crate::db::StrValue;
use crate::errors::OpError;

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

/// The float a stored string holds (missing keys count as 0).
pub fn stored_f64(v: Option<&StrValue>) -> Result<f64, OpError> {
    match v {
        None => Ok(0.0),
        Some(StrValue::Int(n)) => Ok(*n as f64),
        Some(other) => {
            let mut scratch = itoa::Buffer::new();
            parse_f64(other.as_bytes(&mut scratch)).ok_or(OpError::NotFloat)
        }
    }
}

/// Significant decimal digits kept when printing an INCRBYFLOAT result.
///
/// Redis adds in `long double` and prints `%.17Lf` with trailing zeros
/// removed. We only have `f64`, whose sums of decimal inputs carry noise in
/// the 16th-17th significant digit (0.1 + 0.2 = 0.30000000000000004), where
/// Redis's 64-bit mantissa prints `0.3`. Rounding to 15 significant digits
/// (what `f64` holds reliably) and never more than 17 decimals gives Redis's
/// text for sums of short decimals (`10.5 + 0.1` -> `10.6`). Results whose
/// exact long double expansion shows noise in Redis
/// (`1.1 + 5e3` -> `5001.10000000000000009`) or that need more than 15
/// digits differ.
const FLOAT_SIGNIFICANT_DIGITS: i32 = 15;

/// Formats an INCRBYFLOAT result: fixed notation, no exponent, no trailing
/// zeros, `-0` printed as `0` (see [`FLOAT_SIGNIFICANT_DIGITS`]).
pub fn format_float_human(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (FLOAT_SIGNIFICANT_DIGITS - 1 - magnitude).clamp(0, 17) as usize;
    let mut s = format!("{v:.decimals$}");
    if s.contains('.') {
        let kept = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(kept);
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

/// `current + incr` for INCRBYFLOAT, refusing NaN and infinite results.
pub fn add_float(current: f64, incr: f64) -> Result<f64, OpError> {
    let v = current + incr;
    if v.is_nan() || v.is_infinite() {
        return Err(OpError::Other(crate::errors::FLOAT_NAN_OR_INF.to_string()));
    }
    Ok(v)
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
    fn floats_print_as_redis_for_short_decimals() {
        assert_eq!(format_float_human(10.5 + 0.1), "10.6");
        assert_eq!(format_float_human(0.1 + 0.2), "0.3");
        assert_eq!(format_float_human(3.0), "3");
        assert_eq!(format_float_human(-0.0), "0");
        assert_eq!(format_float_human(1e20), "100000000000000000000");
        assert_eq!(format_float_human(-2.5), "-2.5");
        assert_eq!(format_float_human(100.01), "100.01");
        assert_eq!(format_float_human(1e-20), "0");
        assert_eq!(format_float_human(1.5e-10), "0.00000000015");
        assert!(add_float(f64::INFINITY, 1.0).is_err());
        assert!(add_float(f64::INFINITY, f64::NEG_INFINITY).is_err());
        assert_eq!(stored_f64(None), Ok(0.0));
        assert_eq!(stored_f64(Some(&StrValue::from_bytes(b"1e3"))), Ok(1000.0));
        assert_eq!(
            stored_f64(Some(&StrValue::from_bytes(b"x"))),
            Err(OpError::NotFloat)
        );
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
