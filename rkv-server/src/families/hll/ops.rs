//! HyperLogLog operations on whole strings, free of any connection: adding
//! elements, counting (with the header cache), merging registers.

use super::dense::{self, REGISTERS};
use super::header::{self, Encoding, HEADER_LEN};
use super::murmur::murmur64a;
use super::{estimate, sparse, Corrupt};

/// Seed Redis hashes elements with.
const SEED: u32 = 0xadc8_3b19;

/// The register an element falls in and the length of its `0..01` run
/// (Redis's `hllPatLen`): 1..=51.
pub fn pattern(element: &[u8]) -> (usize, u8) {
    let hash = murmur64a(element, SEED);
    let index = (hash as usize) & (REGISTERS - 1);
    // A sentinel bit past the 50 usable bits bounds the run.
    let rest = (hash >> 14) | (1 << 50);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// Adds `element` to the HyperLogLog string `s` (already checked with
/// [`header::check`]); whether a register changed (PFADD's `updated`).
pub fn add(s: &mut Vec<u8>, element: &[u8], sparse_max_bytes: u64) -> Result<bool, Corrupt> {
    let (index, count) = pattern(element);
    match header::check(s) {
        Some(Encoding::Dense) => Ok(dense::raise(&mut s[HEADER_LEN..], index, count)),
        Some(Encoding::Sparse) => sparse::set(s, index, count, sparse_max_bytes),
        None => Err(Corrupt),
    }
}

/// The estimated cardinality of `s` computed from its registers.
pub fn estimate(s: &[u8]) -> Result<u64, Corrupt> {
    let hist = match header::check(s) {
        Some(Encoding::Dense) => dense::histogram(&s[HEADER_LEN..]),
        Some(Encoding::Sparse) => match sparse::histogram(s) {
            (hist, true) => hist,
            (_, false) => return Err(Corrupt),
        },
        None => return Err(Corrupt),
    };
    Ok(estimate::cardinality(&hist))
}

/// PFCOUNT of one key: the cached cardinality, or a fresh estimate that is
/// then cached in the header. Returns the count and whether the string
/// changed (a cache refresh counts as a change, as in Redis).
pub fn count_cached(s: &mut [u8]) -> Result<(u64, bool), Corrupt> {
    if let Some(card) = header::cached(s) {
        return Ok((card, false));
    }
    let card = estimate(s)?;
    header::store_cache(s, card);
    Ok((card, true))
}

/// Raises each `max[i]` to register `i` of `s` (Redis's `hllMerge`).
pub fn merge_into(max: &mut [u8; REGISTERS], s: &[u8]) -> Result<(), Corrupt> {
    match header::check(s) {
        Some(Encoding::Dense) => {
            let regs = &s[HEADER_LEN..];
            for (i, m) in max.iter_mut().enumerate() {
                *m = (*m).max(dense::get(regs, i));
            }
            Ok(())
        }
        Some(Encoding::Sparse) => sparse::merge_into(max, s),
        None => Err(Corrupt),
    }
}

/// The estimate for a plain register array (multi-key PFCOUNT).
pub fn estimate_registers(max: &[u8; REGISTERS]) -> u64 {
    let mut hist = [0u32; 64];
    for &r in max {
        hist[usize::from(r)] += 1;
    }
    estimate::cardinality(&hist)
}

/// Writes the merged registers `max` into the destination string `s`
/// (PFMERGE): converted to dense first when `to_dense`, each non-zero
/// register raised, the cache invalidated.
pub fn store_merged(
    s: &mut Vec<u8>,
    max: &[u8; REGISTERS],
    to_dense: bool,
    sparse_max_bytes: u64,
) -> Result<(), Corrupt> {
    if to_dense && header::check(s) == Some(Encoding::Sparse) {
        *s = sparse::to_dense(s)?;
    }
    for (i, &m) in max.iter().enumerate() {
        if m == 0 {
            continue;
        }
        if header::check(s) == Some(Encoding::Dense) {
            dense::raise(&mut s[HEADER_LEN..], i, m);
        } else {
            // Redis ignores a failure here: the destination was already
            // validated by merging it as a source.
            let _ = sparse::set(s, i, m, sparse_max_bytes);
        }
    }
    header::invalidate_cache(s);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::families::hll::header::new_sparse;

    /// `(element, register, run length)` as Redis 7.0.15 stores them: read
    /// from `GET` of a one-element HyperLogLog made with PFADD.
    const REDIS_PATTERNS: &[(&[u8], usize, u8)] = include!("redis_patterns.in");

    #[test]
    fn patterns_match_redis() {
        for &(element, index, count) in REDIS_PATTERNS {
            assert_eq!(
                pattern(element),
                (index, count),
                "{}",
                String::from_utf8_lossy(element)
            );
        }
    }

    #[test]
    fn counts_are_close_and_sparse_equals_dense() {
        let mut sparse_hll = new_sparse();
        let mut dense_hll = sparse::to_dense(&new_sparse()).unwrap();
        for i in 0..2000 {
            let e = format!("element:{i}");
            add(&mut sparse_hll, e.as_bytes(), 1_000_000).unwrap();
            add(&mut dense_hll, e.as_bytes(), 3000).unwrap();
        }
        assert_eq!(header::check(&sparse_hll), Some(Encoding::Sparse));
        let n = estimate(&sparse_hll).unwrap();
        assert_eq!(n, estimate(&dense_hll).unwrap());
        assert!((1950..=2050).contains(&n), "{n}");
        assert_eq!(
            sparse::to_dense(&sparse_hll).unwrap()[HEADER_LEN..],
            dense_hll[HEADER_LEN..]
        );
    }

    #[test]
    fn the_cache_is_filled_then_used() {
        let mut s = new_sparse();
        add(&mut s, b"a", 3000).unwrap();
        header::invalidate_cache(&mut s);
        assert_eq!(count_cached(&mut s), Ok((1, true)));
        assert_eq!(count_cached(&mut s), Ok((1, false)));
    }

    #[test]
    fn merge_takes_the_maximum() {
        let mut a = new_sparse();
        let mut b = new_sparse();
        for i in 0..100 {
            add(&mut a, format!("a{i}").as_bytes(), 3000).unwrap();
            add(&mut b, format!("b{i}").as_bytes(), 3000).unwrap();
        }
        let mut max = [0u8; REGISTERS];
        merge_into(&mut max, &a).unwrap();
        merge_into(&mut max, &b).unwrap();
        let mut dest = new_sparse();
        store_merged(&mut dest, &max, false, 3000).unwrap();
        let mut both = new_sparse();
        for i in 0..100 {
            add(&mut both, format!("a{i}").as_bytes(), 3000).unwrap();
            add(&mut both, format!("b{i}").as_bytes(), 3000).unwrap();
        }
        assert_eq!(estimate(&dest), estimate(&both));
        assert_eq!(estimate_registers(&max), estimate(&both).unwrap());
    }
}
