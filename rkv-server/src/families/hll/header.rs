//! The 16-byte header every HyperLogLog string starts with: `HYLL`, the
//! encoding byte, three unused bytes, and the cached cardinality as 8
//! little-endian bytes whose top bit marks the cache stale.

use super::dense::{DENSE_REGISTER_BYTES, REGISTERS};
use super::sparse;

/// Header size in bytes.
pub const HEADER_LEN: usize = 16;
/// Offset of the encoding byte.
pub const ENCODING: usize = 4;
/// Encoding byte of the dense form.
pub const DENSE: u8 = 0;
/// Encoding byte of the sparse form.
pub const SPARSE: u8 = 1;
/// Offset of the cached cardinality.
const CARD: usize = 8;
/// Size of a whole dense string.
pub const DENSE_LEN: usize = HEADER_LEN + DENSE_REGISTER_BYTES;

/// The encoding of a string that passes Redis's `isHLLObjectOrReply`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// 16384 packed 6-bit registers.
    Dense,
    /// Run-length opcodes.
    Sparse,
}

/// The encoding of `s` if it looks like a HyperLogLog: magic, a known
/// encoding, and the exact size when dense. Sparse opcodes are checked
/// only when used, as Redis does.
pub fn check(s: &[u8]) -> Option<Encoding> {
    if s.len() < HEADER_LEN || &s[..4] != b"HYLL" {
        return None;
    }
    match s[ENCODING] {
        DENSE if s.len() == DENSE_LEN => Some(Encoding::Dense),
        SPARSE => Some(Encoding::Sparse),
        _ => None,
    }
}

/// A new, empty, sparse HyperLogLog string (cache valid, cardinality 0).
pub fn new_sparse() -> Vec<u8> {
    let mut s = Vec::with_capacity(HEADER_LEN + REGISTERS / 8);
    s.extend_from_slice(b"HYLL");
    s.push(SPARSE);
    s.extend_from_slice(&[0; HEADER_LEN - 5]);
    s.extend_from_slice(&sparse::empty_opcodes());
    s
}

/// The cached cardinality, if the cache is valid.
pub fn cached(s: &[u8]) -> Option<u64> {
    let card = u64::from_le_bytes(s[CARD..HEADER_LEN].try_into().expect("8 bytes"));
    (card >> 63 == 0).then_some(card)
}

/// Stores `card` as the cached cardinality.
pub fn store_cache(s: &mut [u8], card: u64) {
    s[CARD..HEADER_LEN].copy_from_slice(&card.to_le_bytes());
}

/// Marks the cached cardinality stale.
pub fn invalidate_cache(s: &mut [u8]) {
    s[HEADER_LEN - 1] |= 0x80;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_checks_follow_redis() {
        let s = new_sparse();
        assert_eq!(s.len(), 18);
        assert_eq!(check(&s), Some(Encoding::Sparse));
        assert_eq!(cached(&s), Some(0));
        assert_eq!(check(b"HYLL"), None);
        let mut d = vec![0u8; DENSE_LEN];
        d[..4].copy_from_slice(b"HYLL");
        assert_eq!(check(&d), Some(Encoding::Dense));
        assert_eq!(check(&d[..DENSE_LEN - 1]), None);
        d[ENCODING] = 2;
        assert_eq!(check(&d), None);
    }

    #[test]
    fn cache_round_trip() {
        let mut s = new_sparse();
        store_cache(&mut s, 12345);
        assert_eq!(cached(&s), Some(12345));
        invalidate_cache(&mut s);
        assert_eq!(cached(&s), None);
    }
}
