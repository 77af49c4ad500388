//! Intset: a sorted array of integers of one width (2, 4 or 8 bytes), the
//! compact encoding of small all-integer sets (RDB type 11).
//!
//! Layout: width in bytes (u32 LE), count (u32 LE), the integers (LE).

use crate::error::BlobError;

fn err(reason: impl Into<String>) -> BlobError {
    BlobError::new("intset", reason)
}

/// Decodes an intset into its integers.
pub fn decode(blob: &[u8]) -> Result<Vec<i64>, BlobError> {
    Ok(IntsetRef::parse(blob)?.iter().collect())
}

/// A validated intset, borrowed from its blob: integers of one width in
/// strictly increasing order.
#[derive(Debug, Clone, Copy)]
pub struct IntsetRef<'a> {
    width: usize,
    body: &'a [u8],
}

impl<'a> IntsetRef<'a> {
    /// Validates `blob` (header, size, order) without copying it.
    pub fn parse(blob: &'a [u8]) -> Result<Self, BlobError> {
        let (width, body) = header(blob)?;
        let set = IntsetRef { width, body };
        let mut it = set.iter();
        if let Some(mut prev) = it.next() {
            for v in it {
                if prev >= v {
                    return Err(err("integers not in strictly increasing order"));
                }
                prev = v;
            }
        }
        Ok(set)
    }

    /// Bytes per integer: 2, 4 or 8.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Number of integers.
    pub fn len(&self) -> usize {
        self.body.len() / self.width
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    /// The integers, little-endian at [`Self::width`], in increasing order.
    pub fn raw(&self) -> &'a [u8] {
        self.body
    }

    /// The integers in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = i64> + 'a {
        let width = self.width;
        self.body.chunks_exact(width).map(move |chunk| match width {
            2 => i16::from_le_bytes(chunk.try_into().expect("2")) as i64,
            4 => i32::from_le_bytes(chunk.try_into().expect("4")) as i64,
            _ => i64::from_le_bytes(chunk.try_into().expect("8")),
        })
    }
}

/// Checks the header and size; returns the width and the integers' bytes.
fn header(blob: &[u8]) -> Result<(usize, &[u8]), BlobError> {
    if blob.len() < 8 {
        return Err(err("shorter than its header"));
    }
    let width = u32::from_le_bytes(blob[0..4].try_into().expect("4")) as usize;
    let count = u32::from_le_bytes(blob[4..8].try_into().expect("4")) as usize;
    if !matches!(width, 2 | 4 | 8) {
        return Err(err(format!("invalid integer width {width}")));
    }
    let body = &blob[8..];
    if count.checked_mul(width) != Some(body.len()) {
        return Err(err(format!(
            "{count} integers of {width} bytes do not fill {} bytes",
            body.len()
        )));
    }
    Ok((width, body))
}

/// Encodes integers as an intset (sorted, deduplicated, narrowest width).
pub fn encode(values: &[i64]) -> Vec<u8> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let width: usize = if sorted.iter().all(|&v| i16::try_from(v).is_ok()) {
        2
    } else if sorted.iter().all(|&v| i32::try_from(v).is_ok()) {
        4
    } else {
        8
    };
    let mut out = Vec::with_capacity(8 + sorted.len() * width);
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for v in sorted {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_each_width() {
        for values in [
            vec![3i64, -2, 1],
            vec![70_000, -5],
            vec![1 << 40, 0, -(1 << 40)],
        ] {
            let mut sorted = values.clone();
            sorted.sort();
            assert_eq!(decode(&encode(&values)).unwrap(), sorted);
        }
        assert_eq!(encode(&[1, 2])[0], 2);
        assert_eq!(encode(&[1, 70_000])[0], 4);
        assert_eq!(encode(&[1, 1 << 40])[0], 8);
    }

    #[test]
    fn malformed_intsets_are_errors() {
        let good = encode(&[1, 2, 3]);
        assert!(decode(&good[..good.len() - 1]).is_err());
        let mut bad_width = good.clone();
        bad_width[0] = 3;
        assert!(decode(&bad_width).is_err());
        let mut unsorted = good.clone();
        unsorted[8] = 9;
        assert!(decode(&unsorted).is_err());
    }
}
