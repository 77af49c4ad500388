//! Ziplist: the compact sequence Redis used before 7.0 for small lists,
//! hashes and sorted sets (RDB types 10, 12, 13, and quicklist v1 nodes).
//!
//! Layout: total bytes (u32 LE), offset of the last entry (u32 LE), entry
//! count (u16 LE), entries, 0xFF. Each entry: length of the previous entry
//! (1 byte, or 0xFE and a u32 LE), an encoding header, the data.

use crate::element::{Element, ElementRef};
use crate::error::BlobError;

const HEADER_LEN: usize = 10;
const END: u8 = 0xff;

fn err(reason: impl Into<String>) -> BlobError {
    BlobError::new("ziplist", reason)
}

/// Decodes every entry of a ziplist.
pub fn decode(blob: &[u8]) -> Result<Vec<Element>, BlobError> {
    let mut elements = Vec::new();
    for_each(blob, |e| {
        elements.push(e.to_owned());
        Ok(())
    })?;
    Ok(elements)
}

/// Validates a whole ziplist while handing each entry, borrowed, to
/// `each` (whose own error stops the walk); returns the entry count. On an error some entries may have been
/// handed over already.
pub fn for_each<'a>(
    blob: &'a [u8],
    mut each: impl FnMut(ElementRef<'a>) -> Result<(), BlobError>,
) -> Result<usize, BlobError> {
    if blob.len() < HEADER_LEN + 1 {
        return Err(err("shorter than its header"));
    }
    let total = u32::from_le_bytes(blob[0..4].try_into().expect("4")) as usize;
    if total != blob.len() {
        return Err(err(format!(
            "header says {total} bytes, blob has {}",
            blob.len()
        )));
    }
    let declared = u16::from_le_bytes([blob[8], blob[9]]);
    let mut count = 0usize;
    let mut pos = HEADER_LEN;
    let mut prev_size = 0usize;
    loop {
        let first = *blob.get(pos).ok_or_else(|| err("missing end marker"))?;
        if first == END {
            if pos + 1 != blob.len() {
                return Err(err("data after the end marker"));
            }
            break;
        }
        let start = pos;
        let (stored_prev, prev_len_size) = if first < 254 {
            (first as usize, 1)
        } else {
            let bytes = blob
                .get(pos + 1..pos + 5)
                .ok_or_else(|| err("truncated prevlen"))?;
            (u32::from_le_bytes(bytes.try_into().expect("4")) as usize, 5)
        };
        if stored_prev != prev_size {
            return Err(err(format!("bad previous-entry length at byte {pos}")));
        }
        pos += prev_len_size;
        let (element, used) = decode_entry_body(&blob[pos..])?;
        pos += used;
        if pos > blob.len() - 1 {
            return Err(err("entry runs past the end"));
        }
        prev_size = pos - start;
        each(element)?;
        count += 1;
    }
    if declared != u16::MAX && declared as usize != count {
        return Err(err(format!(
            "header says {declared} entries, found {count}"
        )));
    }
    Ok(count)
}

fn decode_entry_body(data: &[u8]) -> Result<(ElementRef<'_>, usize), BlobError> {
    let need = |n: usize| -> Result<&[u8], BlobError> {
        data.get(..n).ok_or_else(|| err("entry runs past the end"))
    };
    let first = *data.first().ok_or_else(|| err("entry runs past the end"))?;
    let string = |header: usize, len: usize| -> Result<(ElementRef<'_>, usize), BlobError> {
        let end = header
            .checked_add(len)
            .ok_or_else(|| err("length overflows"))?;
        Ok((ElementRef::Bytes(&need(end)?[header..]), end))
    };
    let int = |width: usize| -> Result<(ElementRef<'_>, usize), BlobError> {
        let bytes = need(1 + width)?;
        let mut raw = [0u8; 8];
        raw[..width].copy_from_slice(&bytes[1..1 + width]);
        let shift = 64 - 8 * width as u32;
        let value = ((u64::from_le_bytes(raw) << shift) as i64) >> shift;
        Ok((ElementRef::Int(value), 1 + width))
    };
    match first >> 6 {
        0 => string(1, (first & 0x3f) as usize),
        1 => {
            let bytes = need(2)?;
            string(2, (((first & 0x3f) as usize) << 8) | bytes[1] as usize)
        }
        2 => {
            let bytes = need(5)?;
            string(
                5,
                u32::from_be_bytes(bytes[1..5].try_into().expect("4")) as usize,
            )
        }
        _ => match first {
            0xc0 => int(2),
            0xd0 => int(4),
            0xe0 => int(8),
            0xf0 => int(3),
            0xfe => int(1),
            0xf1..=0xfd => Ok((ElementRef::Int((first & 0x0f) as i64 - 1), 1)),
            other => Err(err(format!("unknown encoding byte {other:#04x}"))),
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a ziplist the way Redis lays one out, for tests of old formats.
    pub(crate) fn build(elements: &[Element]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut prev = 0usize;
        let mut last_offset = HEADER_LEN;
        for element in elements {
            let start = body.len();
            last_offset = HEADER_LEN + start;
            if prev < 254 {
                body.push(prev as u8);
            } else {
                body.push(0xfe);
                body.extend_from_slice(&(prev as u32).to_le_bytes());
            }
            match element {
                Element::Int(v @ 0..=12) => body.push(0xf1 + *v as u8),
                Element::Int(v) if i8::try_from(*v).is_ok() => {
                    body.push(0xfe);
                    body.push(*v as i8 as u8);
                }
                Element::Int(v) if i16::try_from(*v).is_ok() => {
                    body.push(0xc0);
                    body.extend_from_slice(&(*v as i16).to_le_bytes());
                }
                Element::Int(v) if (-(1 << 23)..(1 << 23)).contains(v) => {
                    body.push(0xf0);
                    body.extend_from_slice(&v.to_le_bytes()[..3]);
                }
                Element::Int(v) if i32::try_from(*v).is_ok() => {
                    body.push(0xd0);
                    body.extend_from_slice(&(*v as i32).to_le_bytes());
                }
                Element::Int(v) => {
                    body.push(0xe0);
                    body.extend_from_slice(&v.to_le_bytes());
                }
                Element::Bytes(b) if b.len() < 64 => {
                    body.push(b.len() as u8);
                    body.extend_from_slice(b);
                }
                Element::Bytes(b) if b.len() < 16384 => {
                    body.push(0x40 | (b.len() >> 8) as u8);
                    body.push(b.len() as u8);
                    body.extend_from_slice(b);
                }
                Element::Bytes(b) => {
                    body.push(0x80);
                    body.extend_from_slice(&(b.len() as u32).to_be_bytes());
                    body.extend_from_slice(b);
                }
            }
            prev = body.len() - start;
        }
        let mut out = Vec::new();
        out.extend_from_slice(&((HEADER_LEN + body.len() + 1) as u32).to_le_bytes());
        out.extend_from_slice(&(last_offset as u32).to_le_bytes());
        out.extend_from_slice(&(elements.len() as u16).to_le_bytes());
        out.extend_from_slice(&body);
        out.push(END);
        out
    }

    #[test]
    fn round_trips_every_encoding() {
        let elements = vec![
            Element::Int(0),
            Element::Int(12),
            Element::Int(13),
            Element::Int(-100),
            Element::Int(30000),
            Element::Int(1 << 22),
            Element::Int(1 << 30),
            Element::Int(1 << 40),
            Element::Bytes(b"short".to_vec()),
            Element::Bytes(vec![b'm'; 300]),
            Element::Bytes(vec![b'l'; 20000]),
        ];
        assert_eq!(decode(&build(&elements)).unwrap(), elements);
    }

    #[test]
    fn truncations_are_errors() {
        let blob = build(&[Element::Bytes(b"abc".to_vec()), Element::Int(7)]);
        for cut in 0..blob.len() {
            assert!(decode(&blob[..cut]).is_err());
        }
    }
}
