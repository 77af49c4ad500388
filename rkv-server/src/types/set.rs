//! [`SetValue`]: a set (SADD, SMEMBERS...), `intset` while it holds only
//! few integers, then a `hashtable`.

use crate::db::dict::Dict;
use crate::db::SmallBytes;

/// A set of byte strings.
#[derive(Debug, Clone)]
pub enum SetValue {
    /// Small sets of integers: sorted, as Redis's intset.
    Intset(Vec<i64>),
    /// Everything else: a hash table of members.
    Table(Dict<SmallBytes, ()>),
}

impl Default for SetValue {
    fn default() -> Self {
        SetValue::Intset(Vec::new())
    }
}

impl SetValue {
    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            SetValue::Intset(v) => v.len(),
            SetValue::Table(d) => d.len(),
        }
    }

    /// Whether the set is empty (an empty set is never stored).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Visits every member.
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        match self {
            SetValue::Intset(v) => {
                let mut buf = itoa::Buffer::new();
                for n in v {
                    f(buf.format(*n).as_bytes());
                }
            }
            SetValue::Table(d) => {
                for (k, _) in d.iter() {
                    f(k);
                }
            }
        }
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            SetValue::Intset(_) => "intset",
            SetValue::Table(_) => "hashtable",
        }
    }

    /// Heap bytes owned by the set.
    pub fn heap_size(&self) -> usize {
        match self {
            SetValue::Intset(v) => v.capacity() * 8,
            SetValue::Table(d) => d.approx_heap_bytes(),
        }
    }
}
