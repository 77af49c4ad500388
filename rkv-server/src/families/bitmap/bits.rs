//! Pure bit operations over byte strings, bit 0 being the most significant
//! bit of byte 0 as in Redis: offsets, BITCOUNT and BITPOS ranges (with
//! Redis's clamping and edge masks), BITOP.

/// The unit of BITCOUNT/BITPOS ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Ranges count bytes (the default).
    Byte,
    /// Ranges count bits (`BIT`, Redis 7.0).
    Bit,
}

/// Parses `BYTE`/`BIT` (any case).
pub fn parse_unit(arg: &[u8]) -> Option<Unit> {
    if arg.eq_ignore_ascii_case(b"bit") {
        Some(Unit::Bit)
    } else if arg.eq_ignore_ascii_case(b"byte") {
        Some(Unit::Byte)
    } else {
        None
    }
}

/// Redis's `getBitOffsetFromArgument`: a non-negative bit offset whose byte
/// stays below `proto-max-bulk-len`; with `field_bits`, a `#n` offset means
/// `n` fields of that width.
pub fn parse_bit_offset(arg: &[u8], field_bits: Option<u32>, max_bulk_len: u64) -> Option<u64> {
    let (digits, scale) = match (arg.first(), field_bits) {
        (Some(b'#'), Some(bits)) => (&arg[1..], i64::from(bits)),
        _ => (arg, 1),
    };
    let n = rkv_proto::request::parse_i64(digits)?.wrapping_mul(scale);
    if n < 0 || (n >> 3) as u64 >= max_bulk_len {
        return None;
    }
    Some(n as u64)
}

/// The bit at `offset` (0 past the end).
pub fn get_bit(s: &[u8], offset: u64) -> bool {
    let byte = (offset >> 3) as usize;
    s.get(byte).is_some_and(|b| b & (0x80 >> (offset & 7)) != 0)
}

/// Sets the bit at `offset` (inside `s`) to `on`; returns its old value.
pub fn set_bit(s: &mut [u8], offset: u64, on: bool) -> bool {
    let byte = (offset >> 3) as usize;
    let mask = 0x80u8 >> (offset & 7);
    let old = s[byte] & mask != 0;
    if on {
        s[byte] |= mask;
    } else {
        s[byte] &= !mask;
    }
    old
}

/// Number of set bits.
pub fn popcount(s: &[u8]) -> u64 {
    s.iter().map(|b| u64::from(b.count_ones())).sum()
}

/// Redis's `redisBitpos`: the first bit equal to `bit`; when there is none,
/// -1 for 1 and the bit just past the end for 0 (clear bits continue
/// forever to the right).
fn first_bit(s: &[u8], bit: bool) -> i64 {
    let skip = if bit { 0x00 } else { 0xff };
    match s.iter().position(|&b| b != skip) {
        Some(i) => {
            let b = if bit { s[i] } else { !s[i] };
            (i as i64) * 8 + i64::from(b.leading_zeros() as u8)
        }
        None if bit => -1,
        None => s.len() as i64 * 8,
    }
}

/// A range resolved to bytes, with masks of the out-of-range bits of its
/// first and last byte (bit ranges only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ByteSpan {
    start: i64,
    end: i64,
    first_mask: u8,
    last_mask: u8,
}

/// Redis's range arithmetic shared by BITCOUNT and BITPOS: negative
/// offsets from the end, clamped, bits turned into bytes plus masks.
fn resolve(len: usize, start: i64, end: i64, unit: Unit) -> ByteSpan {
    let total = if unit == Unit::Bit {
        (len as i64) << 3
    } else {
        len as i64
    };
    let mut start = if start < 0 { total + start } else { start }.max(0);
    let mut end = if end < 0 { total + end } else { end }.max(0);
    if end >= total {
        end = total - 1;
    }
    let (mut first_mask, mut last_mask) = (0, 0);
    if unit == Unit::Bit && start <= end {
        first_mask = !((1u32 << (8 - (start & 7))) - 1) as u8;
        last_mask = ((1u32 << (7 - (end & 7))) - 1) as u8;
        start >>= 3;
        end >>= 3;
    }
    ByteSpan {
        start,
        end,
        first_mask,
        last_mask,
    }
}

/// BITCOUNT with a range (the caller handles Redis's early `0` for two
/// negative offsets with start > end).
pub fn count_range(s: &[u8], start: i64, end: i64, unit: Unit) -> u64 {
    let span = resolve(s.len(), start, end, unit);
    if span.start > span.end {
        return 0;
    }
    let (start, end) = (span.start as usize, span.end as usize);
    let edges = [s[start] & span.first_mask, s[end] & span.last_mask];
    popcount(&s[start..=end]) - popcount(&edges)
}

/// BITPOS: the first `bit` in `start..=end` (`end` absent: to the end of
/// the string, with clear bits assumed past it), -1 when none.
pub fn position(s: &[u8], bit: bool, start: i64, end: Option<i64>, unit: Unit) -> i64 {
    let end_given = end.is_some();
    let len = s.len() as i64;
    let end = end.unwrap_or(match unit {
        Unit::Bit => (len << 3) + 7,
        Unit::Byte => len - 1,
    });
    let span = resolve(s.len(), start, end, unit);
    if span.start > span.end {
        return -1;
    }
    let (mut start, end) = (span.start, span.end);
    let (first_mask, last_mask) = (span.first_mask, span.last_mask);
    // Masked edge bytes are searched as if their out-of-range bits could
    // not match.
    let masked = |byte: u8, mask: u8| if bit { byte & !mask } else { byte | mask };
    let mut bytes = end - start + 1;
    let pos = 'search: {
        if first_mask != 0 {
            let mut edge = masked(s[start as usize], first_mask);
            if last_mask != 0 && bytes == 1 {
                edge = masked(edge, last_mask);
            }
            let pos = first_bit(&[edge], bit);
            if bytes == 1 || (pos != -1 && pos != 8) {
                break 'search pos;
            }
            start += 1;
            bytes -= 1;
        }
        let middle = bytes - i64::from(last_mask != 0);
        if middle > 0 {
            let from = start as usize;
            let pos = first_bit(&s[from..from + middle as usize], bit);
            if bytes == middle || (pos != -1 && pos != middle << 3) {
                break 'search pos;
            }
            start += middle;
            bytes -= middle;
        }
        first_bit(&[masked(s[end as usize], last_mask)], bit)
    };
    // With an explicit end, the bits right of the range are not assumed clear.
    if end_given && !bit && pos == bytes << 3 {
        return -1;
    }
    if pos == -1 {
        -1
    } else {
        pos + (start << 3)
    }
}

/// A BITOP operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOp {
    /// AND
    And,
    /// OR
    Or,
    /// XOR
    Xor,
    /// NOT (one source)
    Not,
}

impl BitOp {
    /// Parses an operation name (any case).
    pub fn parse(name: &[u8]) -> Option<BitOp> {
        [
            (&b"and"[..], BitOp::And),
            (b"or", BitOp::Or),
            (b"xor", BitOp::Xor),
            (b"not", BitOp::Not),
        ]
        .into_iter()
        .find(|(n, _)| name.eq_ignore_ascii_case(n))
        .map(|(_, op)| op)
    }
}

/// The BITOP result over `sources` (missing keys are empty strings; shorter
/// strings are padded with zero bytes to the longest).
pub fn bitop(op: BitOp, sources: &[Vec<u8>]) -> Vec<u8> {
    let len = sources.iter().map(Vec::len).max().unwrap_or(0);
    let byte = |src: &Vec<u8>, i: usize| src.get(i).copied().unwrap_or(0);
    (0..len)
        .map(|i| {
            let first = byte(&sources[0], i);
            let rest = sources[1..].iter().map(|s| byte(s, i));
            match op {
                BitOp::And => rest.fold(first, |a, b| a & b),
                BitOp::Or => rest.fold(first, |a, b| a | b),
                BitOp::Xor => rest.fold(first, |a, b| a ^ b),
                BitOp::Not => !first,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: u64 = 512 * 1024 * 1024;

    #[test]
    fn offsets() {
        assert_eq!(parse_bit_offset(b"7", None, MAX), Some(7));
        assert_eq!(parse_bit_offset(b"4294967295", None, MAX), Some(4294967295));
        assert_eq!(parse_bit_offset(b"4294967296", None, MAX), None);
        assert_eq!(parse_bit_offset(b"-1", None, MAX), None);
        assert_eq!(parse_bit_offset(b"#3", None, MAX), None);
        assert_eq!(parse_bit_offset(b"#3", Some(8), MAX), Some(24));
        assert_eq!(parse_bit_offset(b"#", Some(8), MAX), None);
        assert_eq!(parse_bit_offset(b"100", Some(8), 8), None);
    }

    #[test]
    fn bits_are_msb_first() {
        let mut s = vec![0u8; 2];
        assert!(!set_bit(&mut s, 1, true));
        assert_eq!(s, [0x40, 0]);
        assert!(get_bit(&s, 1));
        assert!(!get_bit(&s, 100));
        assert!(set_bit(&mut s, 1, false));
        assert_eq!(s, [0, 0]);
    }

    #[test]
    fn bitcount_ranges() {
        let s = b"foobar";
        assert_eq!(popcount(s), 26);
        assert_eq!(count_range(s, 0, 0, Unit::Byte), 4);
        assert_eq!(count_range(s, 1, 1, Unit::Byte), 6);
        assert_eq!(count_range(s, 1, 1, Unit::Bit), 1);
        assert_eq!(count_range(s, 5, 30, Unit::Bit), 17);
        assert_eq!(count_range(s, -2, -1, Unit::Byte), 7);
        assert_eq!(count_range(s, 100, 200, Unit::Byte), 0);
        assert_eq!(count_range(b"", 0, -1, Unit::Byte), 0);
    }

    #[test]
    fn bitpos_edges() {
        let s = [0xff, 0xf0, 0x00];
        assert_eq!(position(&s, false, 0, None, Unit::Byte), 12);
        assert_eq!(position(&s, true, 2, None, Unit::Byte), -1);
        assert_eq!(position(&[0xff, 0xff], false, 0, None, Unit::Byte), 16);
        assert_eq!(position(&[0xff, 0xff], false, 0, Some(-1), Unit::Byte), -1);
        assert_eq!(position(&s, true, 7, Some(15), Unit::Bit), 7);
        assert_eq!(position(&s, false, 7, Some(15), Unit::Bit), 12);
        assert_eq!(position(&s, true, 12, Some(15), Unit::Bit), -1);
        assert_eq!(position(&s, false, 1, Some(3), Unit::Bit), -1);
        assert_eq!(position(&s, true, 5, Some(2), Unit::Byte), -1);
        assert_eq!(position(&[0x00], true, 0, None, Unit::Byte), -1);
    }

    #[test]
    fn bitops_pad_with_zeroes() {
        let a = vec![0xf0, 0xff];
        let b = vec![0x3c];
        assert_eq!(bitop(BitOp::And, &[a.clone(), b.clone()]), [0x30, 0x00]);
        assert_eq!(bitop(BitOp::Or, &[a.clone(), b.clone()]), [0xfc, 0xff]);
        assert_eq!(bitop(BitOp::Xor, &[a.clone(), b]), [0xcc, 0xff]);
        assert_eq!(bitop(BitOp::Not, &[a]), [0x0f, 0x00]);
        assert_eq!(BitOp::parse(b"xOr"), Some(BitOp::Xor));
        assert_eq!(BitOp::parse(b"nand"), None);
    }
}
