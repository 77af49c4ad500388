//! [`SmallBytes`]: a byte string stored inline when short, on the heap when not.
//!
//! Keys and short string values are the bulk of a keyspace; keeping up to 22
//! bytes inline saves an allocation and a pointer chase per key (Redis gets
//! the same effect from embedded `sds` strings).

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Longest string stored inline.
pub const INLINE_CAP: usize = 22;

/// An immutable byte string, inline up to [`INLINE_CAP`] bytes.
#[derive(Clone)]
pub enum SmallBytes {
    /// Short strings, stored in place.
    Inline {
        /// Bytes used in `buf`.
        len: u8,
        /// The bytes.
        buf: [u8; INLINE_CAP],
    },
    /// Longer strings.
    Heap(Box<[u8]>),
}

impl SmallBytes {
    /// Copies `bytes` into a new string.
    pub fn new(bytes: &[u8]) -> Self {
        if bytes.len() <= INLINE_CAP {
            let mut buf = [0u8; INLINE_CAP];
            buf[..bytes.len()].copy_from_slice(bytes);
            SmallBytes::Inline {
                len: bytes.len() as u8,
                buf,
            }
        } else {
            SmallBytes::Heap(bytes.into())
        }
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            SmallBytes::Inline { len, buf } => &buf[..*len as usize],
            SmallBytes::Heap(b) => b,
        }
    }

    /// Heap bytes owned beyond the struct itself.
    pub fn heap_size(&self) -> usize {
        match self {
            SmallBytes::Inline { .. } => 0,
            SmallBytes::Heap(b) => b.len(),
        }
    }
}

impl Deref for SmallBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl Borrow<[u8]> for SmallBytes {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for SmallBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

// Hash exactly as `[u8]` does, so lookups by `&[u8]` find the entry.
impl Hash for SmallBytes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl PartialEq for SmallBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for SmallBytes {}

impl PartialOrd for SmallBytes {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SmallBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl From<&[u8]> for SmallBytes {
    fn from(b: &[u8]) -> Self {
        SmallBytes::new(b)
    }
}

impl fmt::Debug for SmallBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_heap() {
        let short = SmallBytes::new(b"hello");
        assert!(matches!(short, SmallBytes::Inline { .. }));
        assert_eq!(&*short, b"hello");
        let long = SmallBytes::new(&[7u8; 40]);
        assert!(matches!(long, SmallBytes::Heap(_)));
        assert_eq!(long.len(), 40);
        assert_eq!(std::mem::size_of::<SmallBytes>(), 24);
    }

    #[test]
    fn hashes_like_a_slice() {
        use std::collections::hash_map::DefaultHasher;
        let h = |x: &dyn Fn(&mut DefaultHasher)| {
            let mut s = DefaultHasher::new();
            x(&mut s);
            s.finish()
        };
        let k = SmallBytes::new(b"key");
        assert_eq!(h(&|s| k.hash(s)), h(&|s| b"key"[..].hash(s)));
    }
}
