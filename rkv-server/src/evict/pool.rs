//! [`EvictionPool`]: Redis's eviction pool. Each round samples a few keys
//! per database and keeps the best 16 candidates seen so far, sorted by
//! score (higher = better to evict), across rounds; eviction takes the best
//! one that still exists.

use crate::db::small_bytes::SmallBytes;

/// Redis's EVPOOL_SIZE.
pub const POOL_SIZE: usize = 16;

/// One candidate: a key, its database and its score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Idle time, inverted frequency or inverted expiry: higher evicts first.
    pub score: u64,
    /// Database index.
    pub db: usize,
    /// The key.
    pub key: SmallBytes,
}

/// The best candidates seen, ascending by score (the best is last).
#[derive(Debug, Default)]
pub struct EvictionPool {
    entries: Vec<Candidate>,
}

impl EvictionPool {
    /// An empty pool.
    pub fn new() -> Self {
        EvictionPool {
            entries: Vec::with_capacity(POOL_SIZE),
        }
    }

    /// Number of candidates held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the pool holds no candidate.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Offers a sampled key. Like Redis, it goes before the first entry
    /// with a score not lower than its own; when the pool is full the worst
    /// candidate makes room, and a key worse than all of a full pool is
    /// dropped. A key already present is not added twice.
    pub fn offer(&mut self, score: u64, db: usize, key: &[u8]) {
        if self
            .entries
            .iter()
            .any(|c| c.db == db && c.key.as_ref() == key)
        {
            return;
        }
        let at = self.entries.partition_point(|c| c.score < score);
        if self.entries.len() == POOL_SIZE {
            if at == 0 {
                return;
            }
            self.entries.remove(0);
            self.entries.insert(at - 1, candidate(score, db, key));
        } else {
            self.entries.insert(at, candidate(score, db, key));
        }
    }

    /// Takes the best candidate out of the pool.
    pub fn pop_best(&mut self) -> Option<Candidate> {
        self.entries.pop()
    }

    /// Forgets every candidate (their keys may be gone: FLUSHALL, policy change).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

fn candidate(score: u64, db: usize, key: &[u8]) -> Candidate {
    Candidate {
        score,
        db,
        key: SmallBytes::new(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_sixteen_in_order() {
        let mut pool = EvictionPool::new();
        for i in 0..40u64 {
            // Scores in a scrambled order.
            let score = (i * 17) % 40;
            pool.offer(score, 0, format!("k{score}").as_bytes());
        }
        assert_eq!(pool.len(), POOL_SIZE);
        let mut got = Vec::new();
        while let Some(c) = pool.pop_best() {
            got.push(c.score);
        }
        let want: Vec<u64> = (24..40).rev().collect();
        assert_eq!(got, want);
    }

    #[test]
    fn a_worse_key_does_not_enter_a_full_pool() {
        let mut pool = EvictionPool::new();
        for i in 10..26u64 {
            pool.offer(i, 0, &i.to_be_bytes());
        }
        pool.offer(1, 0, b"low");
        assert!(pool.entries.iter().all(|c| c.key.as_ref() != b"low"));
        assert_eq!(pool.pop_best().unwrap().score, 25);
    }

    #[test]
    fn duplicates_are_ignored() {
        let mut pool = EvictionPool::new();
        pool.offer(3, 0, b"a");
        pool.offer(3, 0, b"a");
        pool.offer(3, 1, b"a");
        assert_eq!(pool.len(), 2);
    }
}
