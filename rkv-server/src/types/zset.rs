//! [`ZSetValue`]: a sorted set (ZADD, ZRANGE...), `listpack` while small,
//! then a `skiplist` (an ordered index with ranks plus a member-to-score
//! table).

use super::listpack::Listpack;
use crate::db::dict::Dict;
use crate::db::SmallBytes;

/// The large encoding: members by score with O(log N) rank, plus a table
/// from member to score.
#[derive(Debug, Clone, Default)]
pub struct SortedSet {
    /// Member to score.
    pub scores: Dict<SmallBytes, f64>,
}

/// A sorted set.
#[derive(Debug, Clone)]
pub enum ZSetValue {
    /// Small: member and score (as text) alternate, ordered by score then member.
    Listpack(Listpack),
    /// Large.
    Skiplist(Box<SortedSet>),
}

impl Default for ZSetValue {
    fn default() -> Self {
        ZSetValue::Listpack(Listpack::new())
    }
}

impl ZSetValue {
    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            ZSetValue::Listpack(lp) => lp.len() / 2,
            ZSetValue::Skiplist(s) => s.scores.len(),
        }
    }

    /// Whether the sorted set is empty (an empty one is never stored).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Visits every member with its score, in score order.
    pub fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            ZSetValue::Listpack(lp) => {
                let mut it = lp.iter();
                while let (Some(m), Some(s)) = (it.next(), it.next()) {
                    let score = std::str::from_utf8(s)
                        .ok()
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0.0);
                    f(m, score);
                }
            }
            ZSetValue::Skiplist(s) => {
                for (m, score) in s.scores.iter() {
                    f(m, *score);
                }
            }
        }
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            ZSetValue::Listpack(_) => "listpack",
            ZSetValue::Skiplist(_) => "skiplist",
        }
    }

    /// Heap bytes owned by the sorted set.
    pub fn heap_size(&self) -> usize {
        match self {
            ZSetValue::Listpack(lp) => lp.bytes(),
            ZSetValue::Skiplist(s) => s.scores.approx_heap_bytes(),
        }
    }
}
