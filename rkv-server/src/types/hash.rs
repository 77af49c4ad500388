//! [`HashValue`]: a hash (HSET, HGET...), `listpack` while small, then a
//! `hashtable`.

use super::listpack::Listpack;
use crate::db::dict::Dict;
use crate::db::SmallBytes;

/// A map of fields to values.
#[derive(Debug, Clone)]
pub enum HashValue {
    /// Small: fields and values alternate in one listpack.
    Listpack(Listpack),
    /// Large: a hash table.
    Table(Dict<SmallBytes, SmallBytes>),
}

impl Default for HashValue {
    fn default() -> Self {
        HashValue::Listpack(Listpack::new())
    }
}

impl HashValue {
    /// Number of fields.
    pub fn len(&self) -> usize {
        match self {
            HashValue::Listpack(lp) => lp.len() / 2,
            HashValue::Table(d) => d.len(),
        }
    }

    /// Whether the hash has no fields (an empty hash is never stored).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Visits every field and value.
    pub fn for_each(&self, mut f: impl FnMut(&[u8], &[u8])) {
        match self {
            HashValue::Listpack(lp) => {
                let mut it = lp.iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    f(k, v);
                }
            }
            HashValue::Table(d) => {
                for (k, v) in d.iter() {
                    f(k, v);
                }
            }
        }
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            HashValue::Listpack(_) => "listpack",
            HashValue::Table(_) => "hashtable",
        }
    }

    /// Heap bytes owned by the hash.
    pub fn heap_size(&self) -> usize {
        match self {
            HashValue::Listpack(lp) => lp.bytes(),
            HashValue::Table(d) => d.approx_heap_bytes(),
        }
    }
}
