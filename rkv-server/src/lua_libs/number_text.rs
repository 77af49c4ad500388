//! Numbers as text the way the C library does it: `printf("%.14g")` for
//! output and glibc `strtod` for input (which also takes hex floats,
//! `inf`/`infinity` and `nan(...)`, as lua_cjson's decoder relies on).

use std::io::Write;

/// Appends `x` formatted like C's `printf("%.<precision>g", x)` (glibc),
/// including "inf", "-inf", "nan" and "-nan".
pub fn push_g(out: &mut Vec<u8>, x: f64, precision: usize) {
    if x.is_nan() {
        out.extend_from_slice(if x.is_sign_negative() {
            b"-nan"
        } else {
            b"nan"
        });
        return;
    }
    if x.is_infinite() {
        out.extend_from_slice(if x < 0.0 { b"-inf" } else { b"inf" });
        return;
    }
    let p = precision.max(1);
    // Rust's `{:.Ne}` rounds the exact binary value half-to-even, as glibc
    // does, so the digits match; only the layout needs %g's rules.
    let mut buf = [0u8; 64];
    let mut cursor = &mut buf[..];
    let _ = write!(cursor, "{:.*e}", p - 1, x);
    let written = 64 - cursor.len();
    let text = &buf[..written];
    let e_pos = text.iter().position(|&b| b == b'e').unwrap_or(written);
    let exp: i32 = std::str::from_utf8(&text[e_pos + 1..])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mantissa = &text[..e_pos];
    let (negative, mantissa) = match mantissa.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, mantissa),
    };
    let mut digits = [0u8; 32];
    let mut ndigits = 0;
    for &b in mantissa.iter().filter(|b| b.is_ascii_digit()) {
        if ndigits < digits.len() {
            digits[ndigits] = b;
            ndigits += 1;
        }
    }
    let digits = &digits[..ndigits];
    if negative {
        out.push(b'-');
    }
    if exp < -4 || exp >= p as i32 {
        out.push(digits[0]);
        let frac = trim_zeros(&digits[1..]);
        if !frac.is_empty() {
            out.push(b'.');
            out.extend_from_slice(frac);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let abs = exp.unsigned_abs();
        if abs < 10 {
            out.push(b'0');
        }
        let _ = write!(out, "{abs}");
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        out.extend_from_slice(&digits[..int_len]);
        let frac = trim_zeros(&digits[int_len..]);
        if !frac.is_empty() {
            out.push(b'.');
            out.extend_from_slice(frac);
        }
    } else {
        out.extend_from_slice(b"0.");
        for _ in 0..(-exp - 1) {
            out.push(b'0');
        }
        out.extend_from_slice(trim_zeros(digits));
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let end = digits.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
    &digits[..end]
}

/// Parses a number at the start of `s` as glibc's `strtod` does (no leading
/// white space skipping: callers never need it). Returns the value and the
/// number of bytes consumed, or `None` when no conversion is possible.
pub fn strtod(s: &[u8]) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    let negative = match at(0) {
        b'-' => {
            i = 1;
            true
        }
        b'+' => {
            i = 1;
            false
        }
        _ => false,
    };
    let sign = if negative { -1.0 } else { 1.0 };
    let rest = &s[i.min(s.len())..];
    if starts_with_ignore_case(rest, b"inf") {
        let len = if starts_with_ignore_case(rest, b"infinity") {
            8
        } else {
            3
        };
        return Some((sign * f64::INFINITY, i + len));
    }
    if starts_with_ignore_case(rest, b"nan") {
        let mut end = i + 3;
        if at(end) == b'(' {
            let mut j = end + 1;
            while at(j).is_ascii_alphanumeric() || at(j) == b'_' {
                j += 1;
            }
            if at(j) == b')' {
                end = j + 1;
            }
        }
        return Some((sign * f64::NAN, end));
    }
    if at(i) == b'0' && (at(i + 1) | 0x20) == b'x' {
        let start = i + 2;
        if at(start).is_ascii_hexdigit() || (at(start) == b'.' && at(start + 1).is_ascii_hexdigit())
        {
            let (value, len) = parse_hex(&s[start..]);
            return Some((sign * value, start + len));
        }
        return Some((sign * 0.0, i + 1));
    }
    let start = i;
    let mut digits = 0;
    while at(i).is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if at(i) == b'.' {
        i += 1;
        while at(i).is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if at(i) | 0x20 == b'e' {
        let mut j = i + 1;
        if at(j) == b'+' || at(j) == b'-' {
            j += 1;
        }
        if at(j).is_ascii_digit() {
            while at(j).is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    let text = std::str::from_utf8(&s[start..i]).ok()?;
    let value: f64 = text.parse().ok()?;
    Some((sign * value, i))
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Parses hex digits `[h*][.h*][p[+-]d+]` (after "0x"), correctly rounded
/// to nearest-even. Returns the magnitude and the bytes consumed.
fn parse_hex(s: &[u8]) -> (f64, usize) {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut mantissa: u64 = 0;
    let mut sticky = false;
    let mut exp2: i64 = 0;
    let mut i = 0;
    let mut seen_point = false;
    loop {
        let c = at(i);
        if c == b'.' && !seen_point {
            seen_point = true;
            i += 1;
            continue;
        }
        let Some(d) = (c as char).to_digit(16) else {
            break;
        };
        if mantissa >> 56 == 0 {
            mantissa = (mantissa << 4) | u64::from(d);
            if seen_point {
                exp2 -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_point {
                exp2 += 4;
            }
        }
        i += 1;
    }
    if at(i) | 0x20 == b'p' {
        let mut j = i + 1;
        let neg = match at(j) {
            b'-' => {
                j += 1;
                true
            }
            b'+' => {
                j += 1;
                false
            }
            _ => false,
        };
        if at(j).is_ascii_digit() {
            let mut e: i64 = 0;
            while at(j).is_ascii_digit() {
                e = (e * 10 + i64::from(at(j) - b'0')).min(1 << 20);
                j += 1;
            }
            exp2 += if neg { -e } else { e };
            i = j;
        }
    }
    (scale_binary(mantissa, sticky, exp2), i)
}

/// `mantissa * 2^exp2` (plus a sticky fraction below the last bit) rounded
/// to the nearest double, ties to even, with subnormals.
fn scale_binary(mut mantissa: u64, sticky: bool, mut exp2: i64) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let bits = 64 - i64::from(mantissa.leading_zeros());
    let top = bits - 1 + exp2;
    if top > 1023 {
        return f64::INFINITY;
    }
    let precision = if top < -1022 { 53 - (-1022 - top) } else { 53 };
    let drop = bits - precision;
    if drop > 0 {
        if drop > 64 {
            return 0.0;
        }
        let rem = if drop == 64 {
            mantissa
        } else {
            mantissa & ((1u64 << drop) - 1)
        };
        let half = 1u64 << (drop - 1);
        mantissa = if drop == 64 { 0 } else { mantissa >> drop };
        if rem > half || (rem == half && (sticky || mantissa & 1 == 1)) {
            mantissa += 1;
        }
        exp2 += drop;
    }
    let mut value = mantissa as f64;
    // Scale in two steps so no intermediate power of two leaves the range.
    let first = exp2.clamp(-1000, 1000);
    value *= 2f64.powi(first as i32);
    value *= 2f64.powi((exp2 - first) as i32);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(x: f64, p: usize) -> String {
        let mut out = Vec::new();
        push_g(&mut out, x, p);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn g_format_matches_printf() {
        // Expected values from C printf("%.14g") (glibc).
        assert_eq!(g(0.1, 14), "0.1");
        assert_eq!(g(1.0 / 3.0, 14), "0.33333333333333");
        assert_eq!(g(1e15, 14), "1e+15");
        assert_eq!(g(123456789012345.0, 14), "1.2345678901234e+14");
        assert_eq!(g(12345678901234.0, 14), "12345678901234");
        assert_eq!(g(0.0001, 14), "0.0001");
        assert_eq!(g(0.00001, 14), "1e-05");
        assert_eq!(g(-0.0, 14), "-0");
        assert_eq!(g(1e300, 14), "1e+300");
        assert_eq!(g(1.23456, 3), "1.23");
        assert_eq!(g(f64::INFINITY, 14), "inf");
        assert_eq!(g(f64::NEG_INFINITY, 14), "-inf");
        assert_eq!(g(5e-324, 14), "4.9406564584125e-324");
        assert_eq!(g(100.0, 1), "1e+02");
    }

    #[test]
    fn strtod_forms() {
        assert_eq!(strtod(b"12.5e1x"), Some((125.0, 6)));
        assert_eq!(strtod(b"1.5e+"), Some((1.5, 3)));
        assert_eq!(strtod(b"-.5"), Some((-0.5, 3)));
        assert_eq!(strtod(b"0x1A,"), Some((26.0, 4)));
        assert_eq!(strtod(b"0x"), Some((0.0, 1)));
        assert_eq!(strtod(b"0x1p-2"), Some((0.25, 6)));
        assert_eq!(strtod(b"0x.8"), Some((0.5, 4)));
        assert_eq!(strtod(b"-Infinity"), Some((f64::NEG_INFINITY, 9)));
        assert_eq!(strtod(b"inFx"), Some((f64::INFINITY, 3)));
        assert_eq!(strtod(b"1e400"), Some((f64::INFINITY, 5)));
        assert_eq!(strtod(b"-"), None);
        assert_eq!(strtod(b"+"), None);
        assert_eq!(strtod(b"."), None);
        let (nan, len) = strtod(b"nan(abc)]").unwrap();
        assert!(nan.is_nan());
        assert_eq!(len, 8);
        assert_eq!(strtod(b"nan(ab").unwrap().1, 3);
        assert_eq!(
            strtod(b"0x1fffffffffffff8"),
            Some((144115188075855872.0, 17))
        );
        assert_eq!(strtod(b"0x1p-1074").unwrap().0, 5e-324);
        assert_eq!(strtod(b"0x1p1024").unwrap().0, f64::INFINITY);
    }
}
