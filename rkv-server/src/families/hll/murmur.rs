//! MurmurHash64A, the 64-bit MurmurHash2 variant Redis hashes HyperLogLog
//! elements with, reading 8-byte blocks as little endian on every platform
//! (as Redis's endian-neutral copy does).

const MULTIPLIER: u64 = 0xc6a4_a793_5bd1_e995;
const SHIFT: u32 = 47;

/// Hashes `data` with `seed`, bit for bit as Redis's `MurmurHash64A`.
pub fn murmur64a(data: &[u8], seed: u32) -> u64 {
    let mut h = u64::from(seed) ^ (data.len() as u64).wrapping_mul(MULTIPLIER);
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let mut k = u64::from_le_bytes(block.try_into().expect("8-byte chunk"));
        k = k.wrapping_mul(MULTIPLIER);
        k ^= k >> SHIFT;
        k = k.wrapping_mul(MULTIPLIER);
        h ^= k;
        h = h.wrapping_mul(MULTIPLIER);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(MULTIPLIER);
    }
    h ^= h >> SHIFT;
    h = h.wrapping_mul(MULTIPLIER);
    h ^= h >> SHIFT;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_depends_only_on_the_seed() {
        assert_eq!(murmur64a(b"", 0), 0);
        assert_ne!(murmur64a(b"", 0xadc8_3b19), 0);
    }

    #[test]
    fn every_tail_length_and_block_contributes() {
        let data = b"0123456789abcdefXYZ";
        let hashes: Vec<u64> = (0..=data.len())
            .map(|n| murmur64a(&data[..n], 0xadc8_3b19))
            .collect();
        for (i, a) in hashes.iter().enumerate() {
            for b in &hashes[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
