//! [`DistinctCheck`]: whether the fields (or members) of a compact
//! collection read from a dump are all different, from a hash of each
//! taken as it is read: no second walk over the listpack, and no
//! allocation once the buffers have grown.

/// Hashes of the keys of the collection being read.
#[derive(Debug)]
pub struct DistinctCheck {
    hashes: Vec<u64>,
    slots: Vec<u64>,
    hasher: ahash::RandomState,
}

/// Up to this many keys, hashes are compared pairwise.
const PAIRWISE_LIMIT: usize = 16;

impl Default for DistinctCheck {
    fn default() -> Self {
        DistinctCheck {
            hashes: Vec::new(),
            slots: Vec::new(),
            hasher: ahash::RandomState::with_seeds(5, 6, 7, 8),
        }
    }
}

impl DistinctCheck {
    /// Forgets the keys of the previous collection.
    pub fn clear(&mut self) {
        self.hashes.clear();
    }

    /// Notes one key.
    pub fn note(&mut self, key: &[u8]) {
        // 0 marks an empty slot below.
        self.hashes.push(self.hasher.hash_one(key).max(1));
    }

    /// True when no two noted keys have the same hash, so none are equal;
    /// false means two may be equal and the caller must compare bytes.
    pub fn surely_distinct(&mut self) -> bool {
        let hashes = &self.hashes;
        if hashes.len() <= PAIRWISE_LIMIT {
            return !hashes
                .iter()
                .enumerate()
                .any(|(i, h)| hashes[i + 1..].contains(h));
        }
        let mask = (hashes.len() * 2).next_power_of_two() - 1;
        self.slots.clear();
        self.slots.resize(mask + 1, 0);
        for &h in hashes {
            let mut slot = h as usize & mask;
            loop {
                match self.slots[slot] {
                    0 => {
                        self.slots[slot] = h;
                        break;
                    }
                    seen if seen == h => return false,
                    _ => slot = (slot + 1) & mask,
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(keys: &[String]) -> bool {
        let mut d = DistinctCheck::default();
        d.clear();
        for k in keys {
            d.note(k.as_bytes());
        }
        d.surely_distinct()
    }

    #[test]
    fn distinct_keys_pass_and_a_repeat_is_caught_in_short_and_long_runs() {
        for n in [2, 10, 16, 17, 100, 600] {
            let mut keys: Vec<String> = (0..n).map(|i| format!("field:{i}")).collect();
            assert!(check(&keys), "{n} distinct keys");
            keys.push(format!("field:{}", n / 2));
            assert!(!check(&keys), "{n} keys and a repeat");
        }
    }

    #[test]
    fn clear_starts_a_new_collection() {
        let mut d = DistinctCheck::default();
        d.note(b"a");
        d.clear();
        d.note(b"a");
        assert!(d.surely_distinct());
    }
}
