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

/// One element of a compact encoding, borrowed from the blob holding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementRef<'a> {
    /// Stored as an integer.
    Int(i64),
    /// Stored as bytes.
    Bytes(&'a [u8]),
}

impl ElementRef<'_> {
    /// An owned copy.
    pub fn to_owned(self) -> Element {
        match self {
            ElementRef::Int(v) => Element::Int(v),
            ElementRef::Bytes(b) => Element::Bytes(b.to_vec()),
        }
    }

    /// The element as Redis shows it (integers in decimal), owned.
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            ElementRef::Int(v) => itoa::Buffer::new().format(v).as_bytes().to_vec(),
            ElementRef::Bytes(b) => b.to_vec(),
        }
    }

    /// Calls `f` with the element's bytes, integers formatted in decimal on
    /// the stack.
    pub fn with_bytes<T>(self, f: impl FnOnce(&[u8]) -> T) -> T {
        match self {
            ElementRef::Int(v) => f(itoa::Buffer::new().format(v).as_bytes()),
            ElementRef::Bytes(b) => f(b),
        }
    }

    /// Length of the element as bytes.
    pub fn len(self) -> usize {
        match self {
            ElementRef::Int(v) => itoa::Buffer::new().format(v).len(),
            ElementRef::Bytes(b) => b.len(),
        }
    }

    /// True for an empty byte string.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}
