//! RDB length encoding: the variable-size integers that prefix strings and
//! collections, and the "special" forms that mark integer-encoded and
//! LZF-compressed strings.
//!
//! The top two bits of the first byte choose the form: `00` six bits, `01`
//! fourteen bits (big-endian), `10` a 32-bit (`0x80`) or 64-bit (`0x81`)
//! big-endian number following, `11` a special string encoding.

/// A string stored as a signed 8-bit integer.
pub const ENC_INT8: u8 = 0;
/// A string stored as a little-endian signed 16-bit integer.
pub const ENC_INT16: u8 = 1;
/// A string stored as a little-endian signed 32-bit integer.
pub const ENC_INT32: u8 = 2;
/// An LZF-compressed string: compressed length, plain length, data.
pub const ENC_LZF: u8 = 3;

const LEN_6BIT: u8 = 0;
const LEN_14BIT: u8 = 1;
const LEN_32BIT: u8 = 0x80;
const LEN_64BIT: u8 = 0x81;
const ENCVAL: u8 = 3;

/// What the first byte of a length announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthPrefix {
    /// The whole length is in this byte.
    Done(u64),
    /// Fourteen bits: these six high bits and one more byte.
    Follow14(u8),
    /// A 32-bit big-endian length follows.
    Follow32,
    /// A 64-bit big-endian length follows.
    Follow64,
    /// A special string encoding (one of the `ENC_*` constants).
    Special(u8),
    /// Not a valid first byte.
    Invalid(u8),
}

/// Classifies the first byte of a length.
pub fn classify(first: u8) -> LengthPrefix {
    match first >> 6 {
        LEN_6BIT => LengthPrefix::Done((first & 0x3f) as u64),
        LEN_14BIT => LengthPrefix::Follow14(first & 0x3f),
        ENCVAL => LengthPrefix::Special(first & 0x3f),
        _ => match first {
            LEN_32BIT => LengthPrefix::Follow32,
            LEN_64BIT => LengthPrefix::Follow64,
            other => LengthPrefix::Invalid(other),
        },
    }
}

/// Appends `len` in the shortest length encoding.
pub fn write_length(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.push((LEN_14BIT << 6) | (len >> 8) as u8);
        out.push(len as u8);
    } else if len <= u32::MAX as u64 {
        out.push(LEN_32BIT);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(LEN_64BIT);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// Appends the integer form of a string whose value is `value`, when it fits
/// 32 bits (Redis stores such strings as integers); false otherwise.
pub fn write_int_string(out: &mut Vec<u8>, value: i64) -> bool {
    let special = ENCVAL << 6;
    if let Ok(v) = i8::try_from(value) {
        out.push(special | ENC_INT8);
        out.push(v as u8);
    } else if let Ok(v) = i16::try_from(value) {
        out.push(special | ENC_INT16);
        out.extend_from_slice(&v.to_le_bytes());
    } else if let Ok(v) = i32::try_from(value) {
        out.push(special | ENC_INT32);
        out.extend_from_slice(&v.to_le_bytes());
    } else {
        return false;
    }
    true
}

/// Appends the header of an LZF string: marker, compressed and plain lengths.
pub fn write_lzf_header(out: &mut Vec<u8>, compressed_len: usize, plain_len: usize) {
    out.push((ENCVAL << 6) | ENC_LZF);
    write_length(out, compressed_len as u64);
    write_length(out, plain_len as u64);
}

/// The integer a string spells when Redis would store it as one: canonical
/// decimal (no sign on zero, no leading zeros or '+', no spaces).
pub fn parse_canonical_int(bytes: &[u8]) -> Option<i64> {
    let (negative, digits) = match bytes.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, bytes),
    };
    // No sign alone, no leading zero, no "-0": only what i64's Display writes.
    if digits.is_empty()
        || digits.len() > 19
        || (digits[0] == b'0' && (digits.len() > 1 || negative))
    {
        return None;
    }
    // Accumulated negatively so that i64::MIN fits.
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_sub(i64::from(d - b'0'))?;
    }
    if negative {
        Some(value)
    } else {
        value.checked_neg()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(len: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write_length(&mut out, len);
        out
    }

    #[test]
    fn canonical_integers_are_exactly_what_display_writes() {
        let reference = |bytes: &[u8]| -> Option<i64> {
            let value: i64 = std::str::from_utf8(bytes).ok()?.parse().ok()?;
            (value.to_string().as_bytes() == bytes).then_some(value)
        };
        let cases: &[&[u8]] = &[
            b"0",
            b"-0",
            b"7",
            b"-7",
            b"007",
            b"+5",
            b"",
            b"-",
            b"12a",
            b" 1",
            b"1 ",
            b"9223372036854775807",
            b"9223372036854775808",
            b"-9223372036854775808",
            b"-9223372036854775809",
            b"99999999999999999999",
            b"1.5",
            b"10",
            b"-10",
        ];
        for case in cases {
            assert_eq!(parse_canonical_int(case), reference(case), "{case:?}");
        }
    }

    #[test]
    fn lengths_use_the_shortest_form() {
        assert_eq!(encoded(5), [5]);
        assert_eq!(encoded(63), [63]);
        assert_eq!(encoded(64), [0x40, 64]);
        assert_eq!(encoded(16383), [0x7f, 0xff]);
        assert_eq!(encoded(16384), [0x80, 0, 0, 0x40, 0]);
        assert_eq!(encoded(1 << 32), [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn first_bytes_classify() {
        assert_eq!(classify(0x3f), LengthPrefix::Done(63));
        assert_eq!(classify(0x41), LengthPrefix::Follow14(1));
        assert_eq!(classify(0x80), LengthPrefix::Follow32);
        assert_eq!(classify(0x81), LengthPrefix::Follow64);
        assert_eq!(classify(0x82), LengthPrefix::Invalid(0x82));
        assert_eq!(classify(0xc3), LengthPrefix::Special(ENC_LZF));
    }

    #[test]
    fn integer_strings_pick_the_smallest_width() {
        let mut out = Vec::new();
        assert!(write_int_string(&mut out, -5));
        assert_eq!(out, [0xc0, 0xfb]);
        out.clear();
        assert!(write_int_string(&mut out, 1000));
        assert_eq!(out, [0xc1, 0xe8, 0x03]);
        out.clear();
        assert!(write_int_string(&mut out, 100_000));
        assert_eq!(out, [0xc2, 0xa0, 0x86, 0x01, 0x00]);
        assert!(!write_int_string(&mut out, 1 << 40));
    }

    #[test]
    fn only_canonical_decimals_are_integers() {
        assert_eq!(parse_canonical_int(b"123"), Some(123));
        assert_eq!(parse_canonical_int(b"-9"), Some(-9));
        assert_eq!(parse_canonical_int(b"0"), Some(0));
        for text in [
            &b"007"[..],
            b"+1",
            b"-0",
            b" 1",
            b"",
            b"1.0",
            b"99999999999999999999",
        ] {
            assert_eq!(parse_canonical_int(text), None, "{text:?}");
        }
    }
}
