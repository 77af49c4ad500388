//! Listpack: Redis 7's compact sequence of strings and integers, used for
//! small hashes, sorted sets, list nodes and stream nodes.
//!
//! Layout: total bytes (u32 LE), element count (u16 LE, 65535 when
//! unknown), elements, 0xFF. Each element is an encoding byte (which may
//! carry the value or a string length), its data, then a "backlen" giving
//! the element's size for backward iteration.

use crate::element::{Element, ElementRef};
use crate::error::BlobError;
use crate::length::parse_canonical_int;

const HEADER_LEN: usize = 6;
const END: u8 = 0xff;

fn err(reason: impl Into<String>) -> BlobError {
    BlobError::new("listpack", reason)
}

/// Decodes every element of a listpack.
pub fn decode(blob: &[u8]) -> Result<Vec<Element>, BlobError> {
    let mut elements = Vec::new();
    for_each(blob, |e| {
        elements.push(e.to_owned());
        Ok(())
    })?;
    Ok(elements)
}

/// The element count a listpack's header declares, `None` when it says
/// "unknown" (or the blob is too short to say).
pub fn declared_count(blob: &[u8]) -> Option<usize> {
    let declared = u16::from_le_bytes([*blob.get(4)?, *blob.get(5)?]);
    (declared != u16::MAX).then_some(declared as usize)
}

/// Validates a whole listpack while handing each element, borrowed, to
/// `each` (whose own error stops the walk); returns the element count. On an error some elements may have
/// been handed over already.
pub fn for_each<'a>(
    blob: &'a [u8],
    mut each: impl FnMut(ElementRef<'a>) -> Result<(), BlobError>,
) -> Result<usize, BlobError> {
    if blob.len() < HEADER_LEN + 1 {
        return Err(err("shorter than its header"));
    }
    let total = u32::from_le_bytes(blob[0..4].try_into().expect("4 bytes")) as usize;
    if total != blob.len() {
        return Err(err(format!(
            "header says {total} bytes, blob has {}",
            blob.len()
        )));
    }
    let declared = u16::from_le_bytes([blob[4], blob[5]]);
    let mut count = 0usize;
    let mut pos = HEADER_LEN;
    loop {
        let byte = *blob.get(pos).ok_or_else(|| err("missing end marker"))?;
        if byte == END {
            if pos + 1 != blob.len() {
                return Err(err("data after the end marker"));
            }
            break;
        }
        let (element, size) = decode_element(&blob[pos..])?;
        let backlen_size = backlen_size(size);
        let backlen_end = pos + size + backlen_size;
        if backlen_end > blob.len() {
            return Err(err("element runs past the end"));
        }
        if decode_backlen(&blob[pos + size..backlen_end]) != Some(size) {
            return Err(err(format!("bad back-length at byte {pos}")));
        }
        each(element)?;
        count += 1;
        pos = backlen_end;
    }
    if declared != u16::MAX && declared as usize != count {
        return Err(err(format!(
            "header says {declared} elements, found {count}"
        )));
    }
    Ok(count)
}

/// Decodes the element at the start of `data`; returns it and the size of
/// its encoding byte(s) plus data (without the backlen).
fn decode_element(data: &[u8]) -> Result<(ElementRef<'_>, usize), BlobError> {
    let need = |n: usize| -> Result<&[u8], BlobError> {
        data.get(..n)
            .ok_or_else(|| err("element runs past the end"))
    };
    let first = data[0];
    let signed = |raw: u64, bits: u32| -> i64 {
        let shift = 64 - bits;
        ((raw << shift) as i64) >> shift
    };
    Ok(if first & 0x80 == 0 {
        (ElementRef::Int((first & 0x7f) as i64), 1)
    } else if first & 0xc0 == 0x80 {
        let len = (first & 0x3f) as usize;
        (ElementRef::Bytes(&need(1 + len)?[1..]), 1 + len)
    } else if first & 0xe0 == 0xc0 {
        let bytes = need(2)?;
        let raw = (((first & 0x1f) as u64) << 8) | bytes[1] as u64;
        (ElementRef::Int(signed(raw, 13)), 2)
    } else if first & 0xf0 == 0xe0 {
        let bytes = need(2)?;
        let len = (((first & 0x0f) as usize) << 8) | bytes[1] as usize;
        (ElementRef::Bytes(&need(2 + len)?[2..]), 2 + len)
    } else {
        match first {
            0xf0 => {
                let bytes = need(5)?;
                let len = u32::from_le_bytes(bytes[1..5].try_into().expect("4")) as usize;
                let end = 5usize
                    .checked_add(len)
                    .ok_or_else(|| err("string length overflows"))?;
                (ElementRef::Bytes(&need(end)?[5..]), end)
            }
            0xf1..=0xf4 => {
                let width = match first {
                    0xf1 => 2,
                    0xf2 => 3,
                    0xf3 => 4,
                    _ => 8,
                };
                let bytes = need(1 + width)?;
                let mut raw = [0u8; 8];
                raw[..width].copy_from_slice(&bytes[1..1 + width]);
                let raw = u64::from_le_bytes(raw);
                (ElementRef::Int(signed(raw, (width * 8) as u32)), 1 + width)
            }
            other => return Err(err(format!("unknown encoding byte {other:#04x}"))),
        }
    })
}

/// Number of bytes the backlen of an element of `size` bytes takes.
fn backlen_size(size: usize) -> usize {
    match size {
        0..=127 => 1,
        128..=16_382 => 2,
        16_383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

/// Reads a backlen stored left to right (most significant group first, all
/// bytes but the first flagged with 0x80).
fn decode_backlen(bytes: &[u8]) -> Option<usize> {
    let mut value = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if (i == 0) != (b & 0x80 == 0) {
            return None;
        }
        value = (value << 7) | (b & 0x7f) as usize;
    }
    Some(value)
}

fn encode_backlen(out: &mut Vec<u8>, size: usize) {
    let n = backlen_size(size);
    for i in (0..n).rev() {
        let group = ((size >> (7 * i)) & 0x7f) as u8;
        out.push(if i == n - 1 { group } else { group | 0x80 });
    }
}

/// Bytes of one element as [`ListpackBuilder::push_bytes`] encodes it,
/// backlen included.
pub fn element_len(value: &[u8]) -> usize {
    let size = match parse_canonical_int(value) {
        Some(v) => int_len(v),
        None if value.len() < 64 => 1 + value.len(),
        None if value.len() < 4096 => 2 + value.len(),
        None => 5 + value.len(),
    };
    size + backlen_size(size)
}

/// Bytes of an integer's encoding (without backlen), as
/// [`ListpackBuilder::push_int`] writes it.
pub fn int_len(v: i64) -> usize {
    if (0..=127).contains(&v) {
        1
    } else if (-4096..=4095).contains(&v) {
        2
    } else if i16::try_from(v).is_ok() {
        3
    } else if (-(1 << 23)..(1 << 23)).contains(&v) {
        4
    } else if i32::try_from(v).is_ok() {
        5
    } else {
        9
    }
}

/// Bytes of a listpack holding `items` (as [`ListpackBuilder`] builds it),
/// computed without building it.
pub fn encoded_len<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> usize {
    HEADER_LEN + 1 + items.into_iter().map(element_len).sum::<usize>()
}

/// Builds a listpack, one element at a time.
#[derive(Debug, Clone)]
pub struct ListpackBuilder {
    buf: Vec<u8>,
    count: usize,
}

impl Default for ListpackBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ListpackBuilder {
    /// An empty listpack.
    pub fn new() -> Self {
        ListpackBuilder {
            buf: vec![0; HEADER_LEN],
            count: 0,
        }
    }

    /// Size the listpack would have if finished now.
    pub fn len_bytes(&self) -> usize {
        self.buf.len() + 1
    }

    /// Number of elements so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Appends a string, stored as an integer when it spells one canonically
    /// (as Redis does).
    pub fn push_bytes(&mut self, value: &[u8]) {
        match parse_canonical_int(value) {
            Some(v) => self.push_int(v),
            None => self.push_string(value),
        }
    }

    fn push_string(&mut self, value: &[u8]) {
        let start = self.buf.len();
        let len = value.len();
        if len < 64 {
            self.buf.push(0x80 | len as u8);
        } else if len < 4096 {
            self.buf.push(0xe0 | (len >> 8) as u8);
            self.buf.push(len as u8);
        } else {
            self.buf.push(0xf0);
            self.buf.extend_from_slice(&(len as u32).to_le_bytes());
        }
        self.buf.extend_from_slice(value);
        self.finish_element(start);
    }

    /// Appends an integer in its smallest encoding.
    pub fn push_int(&mut self, v: i64) {
        let start = self.buf.len();
        if (0..=127).contains(&v) {
            self.buf.push(v as u8);
        } else if (-4096..=4095).contains(&v) {
            let raw = (v as u64) & 0x1fff;
            self.buf.push(0xc0 | (raw >> 8) as u8);
            self.buf.push(raw as u8);
        } else {
            let (code, width) = if i16::try_from(v).is_ok() {
                (0xf1, 2)
            } else if (-(1 << 23)..(1 << 23)).contains(&v) {
                (0xf2, 3)
            } else if i32::try_from(v).is_ok() {
                (0xf3, 4)
            } else {
                (0xf4, 8)
            };
            self.buf.push(code);
            self.buf.extend_from_slice(&v.to_le_bytes()[..width]);
        }
        self.finish_element(start);
    }

    fn finish_element(&mut self, start: usize) {
        let size = self.buf.len() - start;
        encode_backlen(&mut self.buf, size);
        self.count += 1;
    }

    /// The finished listpack bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(END);
        let total = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        let count = u16::try_from(self.count).unwrap_or(u16::MAX);
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_strings_and_every_integer_width() {
        let ints = [
            0i64,
            127,
            128,
            -1,
            4095,
            -4096,
            4096,
            -32768,
            32767,
            1 << 20,
            -(1 << 23),
            1 << 30,
            i64::MAX,
            i64::MIN,
        ];
        let long = vec![b'z'; 5000];
        let mid = vec![b'm'; 100];
        let mut builder = ListpackBuilder::new();
        for v in ints {
            builder.push_int(v);
        }
        builder.push_bytes(b"hello");
        builder.push_bytes(&mid);
        builder.push_bytes(&long);
        builder.push_bytes(b"");
        builder.push_bytes(b"007");
        let blob = builder.finish();
        let mut expected: Vec<Element> = ints.iter().map(|&v| Element::Int(v)).collect();
        expected.extend([
            Element::Bytes(b"hello".to_vec()),
            Element::Bytes(mid),
            Element::Bytes(long),
            Element::Bytes(vec![]),
            Element::Bytes(b"007".to_vec()),
        ]);
        assert_eq!(decode(&blob).unwrap(), expected);
    }

    #[test]
    fn decodes_a_hand_built_listpack() {
        // Two elements: the string "a" and the 7-bit integer 1.
        let blob = [0x0c, 0, 0, 0, 0x02, 0, 0x81, b'a', 0x02, 0x01, 0x01, 0xff];
        assert_eq!(
            decode(&blob).unwrap(),
            vec![Element::Bytes(b"a".to_vec()), Element::Int(1)]
        );
    }

    #[test]
    fn corrupt_listpacks_are_errors() {
        let good = {
            let mut b = ListpackBuilder::new();
            b.push_bytes(b"abc");
            b.push_int(1000);
            b.finish()
        };
        for cut in 0..good.len() {
            assert!(decode(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut bad_count = good.clone();
        bad_count[4] = 3;
        assert!(decode(&bad_count).is_err());
        let mut bad_backlen = good.clone();
        bad_backlen[6 + 4] = 9;
        assert!(decode(&bad_backlen).is_err());
    }

    #[test]
    fn sizes_match_what_the_builder_writes() {
        let long = vec![b'x'; 5000];
        let mid = vec![b'y'; 100];
        let items: Vec<&[u8]> = vec![
            b"0",
            b"127",
            b"128",
            b"-1",
            b"4095",
            b"-4097",
            b"32767",
            b"-32769",
            b"8388607",
            b"8388608",
            b"2147483648",
            b"-9223372036854775808",
            b"007",
            b"",
            b"abc",
            &mid,
            &long,
        ];
        let mut lp = ListpackBuilder::new();
        for item in &items {
            lp.push_bytes(item);
            assert_eq!(element_len(item) + 7, {
                let mut one = ListpackBuilder::new();
                one.push_bytes(item);
                one.finish().len()
            });
        }
        assert_eq!(encoded_len(items.iter().copied()), lp.finish().len());
        assert_eq!(
            encoded_len(std::iter::empty()),
            ListpackBuilder::new().finish().len()
        );
    }

    #[test]
    fn backlen_sizes_round_trip() {
        for size in [1usize, 127, 128, 16_382, 16_383, 2_097_150, 2_097_151] {
            let mut out = Vec::new();
            encode_backlen(&mut out, size);
            assert_eq!(out.len(), backlen_size(size));
            assert_eq!(decode_backlen(&out), Some(size));
        }
    }
}
