//! An element of a compact encoding (listpack, ziplist, intset): an
//! integer or a byte string, as those encodings distinguish them.

/// One element of a compact encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    /// Stored as an integer.
    Int(i64),
    /// Stored as bytes.
    Bytes(Vec<u8>),
}

impl Element {
    /// The element as Redis shows it: integers in decimal.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Element::Int(v) => v.to_string().into_bytes(),
            Element::Bytes(b) => b,
        }
    }

    /// The element as an integer, if it is one or spells one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Element::Int(v) => Some(*v),
            Element::Bytes(b) => std::str::from_utf8(b).ok()?.parse().ok(),
        }
    }
}
