//! The values a key can hold, with the encodings OBJECT ENCODING reports.

use super::small_bytes::SmallBytes;
use crate::types::{HashValue, ListValue, SetValue, StreamValue, ZSetValue};

/// Strings longer than this are `raw`, shorter ones `embstr` (Redis's
/// `OBJ_ENCODING_EMBSTR_SIZE_LIMIT`).
pub const EMBSTR_LIMIT: usize = 44;

/// A string value in one of Redis's three encodings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrValue {
    /// A string that is the canonical decimal form of an `i64` (`int`).
    Int(i64),
    /// A short string, never modified in place (`embstr`).
    Emb(SmallBytes),
    /// A string built by APPEND/SETRANGE or longer than 44 bytes (`raw`).
    Raw(Vec<u8>),
}

impl StrValue {
    /// Encodes freshly written bytes the way Redis's `tryObjectEncoding` does:
    /// integers of at most 20 characters become `int`, short strings `embstr`.
    pub fn from_bytes(b: &[u8]) -> Self {
        if b.len() <= 20 {
            if let Some(n) = rkv_proto::request::parse_i64(b) {
                return StrValue::Int(n);
            }
        }
        Self::from_bytes_no_int(b)
    }

    /// Encodes bytes as `embstr` or `raw` by length only, never `int`: what
    /// Redis's `createStringObject` does for computed strings (INCRBYFLOAT).
    pub fn from_bytes_no_int(b: &[u8]) -> Self {
        if b.len() <= EMBSTR_LIMIT {
            StrValue::Emb(SmallBytes::new(b))
        } else {
            StrValue::Raw(b.to_vec())
        }
    }

    /// The value as bytes, formatting integers into `scratch`.
    pub fn as_bytes<'a>(&'a self, scratch: &'a mut itoa::Buffer) -> &'a [u8] {
        match self {
            StrValue::Int(n) => scratch.format(*n).as_bytes(),
            StrValue::Emb(b) => b,
            StrValue::Raw(v) => v,
        }
    }

    /// An owned copy of the bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut s = itoa::Buffer::new();
        self.as_bytes(&mut s).to_vec()
    }

    /// Length in bytes of the string form.
    pub fn len(&self) -> usize {
        match self {
            StrValue::Int(n) => itoa::Buffer::new().format(*n).len(),
            StrValue::Emb(b) => b.len(),
            StrValue::Raw(v) => v.len(),
        }
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Turns the value into a mutable `raw` string (APPEND, SETRANGE).
    pub fn make_raw(&mut self) -> &mut Vec<u8> {
        if !matches!(self, StrValue::Raw(_)) {
            *self = StrValue::Raw(self.to_vec());
        }
        match self {
            StrValue::Raw(v) => v,
            _ => unreachable!("just converted to raw"),
        }
    }

    /// The encoding name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            StrValue::Int(_) => "int",
            StrValue::Emb(_) => "embstr",
            StrValue::Raw(_) => "raw",
        }
    }

    /// Heap bytes owned by the value (for memory accounting).
    pub fn heap_size(&self) -> usize {
        match self {
            StrValue::Int(_) => 0,
            StrValue::Emb(b) => b.heap_size(),
            StrValue::Raw(v) => v.capacity(),
        }
    }
}

/// The value stored under a key. Collections are boxed so a string key's
/// entry stays small.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string (also bitmaps and HyperLogLogs).
    Str(StrValue),
    /// A list.
    List(Box<ListValue>),
    /// A hash.
    Hash(Box<HashValue>),
    /// A set.
    Set(Box<SetValue>),
    /// A sorted set.
    ZSet(Box<ZSetValue>),
    /// A stream.
    Stream(Box<StreamValue>),
}

impl Value {
    /// A string value from bytes, encoded as Redis would.
    pub fn string(b: &[u8]) -> Self {
        Value::Str(StrValue::from_bytes(b))
    }

    /// The name TYPE reports.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(s) => s.encoding(),
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::Stream(s) => s.encoding(),
        }
    }

    /// Heap bytes owned by the value (for memory accounting).
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Str(s) => s.heap_size(),
            Value::List(l) => std::mem::size_of::<ListValue>() + l.heap_size(),
            Value::Hash(h) => std::mem::size_of::<HashValue>() + h.heap_size(),
            Value::Set(s) => std::mem::size_of::<SetValue>() + s.heap_size(),
            Value::ZSet(z) => std::mem::size_of::<ZSetValue>() + z.heap_size(),
            Value::Stream(s) => std::mem::size_of::<StreamValue>() + s.heap_size(),
        }
    }
}

/// Typed access to a value: `Some` when it holds that type (callers turn
/// `None` into WRONGTYPE).
macro_rules! typed_access {
    ($get:ident, $get_mut:ident, $variant:ident, $ty:ty, $what:literal) => {
        #[doc = concat!("The ", $what, " inside, if this is one.")]
        pub fn $get(&self) -> Option<&$ty> {
            match self {
                Value::$variant(v) => Some(v),
                _ => None,
            }
        }

        #[doc = concat!("The ", $what, " inside, mutably, if this is one.")]
        pub fn $get_mut(&mut self) -> Option<&mut $ty> {
            match self {
                Value::$variant(v) => Some(v),
                _ => None,
            }
        }
    };
}

impl Value {
    typed_access!(as_str, as_str_mut, Str, StrValue, "string");
    typed_access!(as_list, as_list_mut, List, ListValue, "list");
    typed_access!(as_hash, as_hash_mut, Hash, HashValue, "hash");
    typed_access!(as_set, as_set_mut, Set, SetValue, "set");
    typed_access!(as_zset, as_zset_mut, ZSet, ZSetValue, "sorted set");
    typed_access!(as_stream, as_stream_mut, Stream, StreamValue, "stream");

    /// Whether a collection has become empty (and its key must be deleted,
    /// as Redis never keeps empty collections).
    pub fn is_empty_collection(&self) -> bool {
        match self {
            Value::Str(_) => false,
            Value::List(l) => l.is_empty(),
            Value::Hash(h) => h.is_empty(),
            Value::Set(s) => s.is_empty(),
            Value::ZSet(z) => z.is_empty(),
            // Redis keeps a stream whose entries are all gone.
            Value::Stream(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_redis() {
        assert_eq!(StrValue::from_bytes(b"12345").encoding(), "int");
        assert_eq!(StrValue::from_bytes(b"-0").encoding(), "embstr");
        assert_eq!(StrValue::from_bytes(b"007").encoding(), "embstr");
        assert_eq!(StrValue::from_bytes(&[b'a'; 44]).encoding(), "embstr");
        assert_eq!(StrValue::from_bytes(&[b'a'; 45]).encoding(), "raw");
        let mut v = StrValue::from_bytes(b"12");
        v.make_raw().extend_from_slice(b"3");
        assert_eq!(v.encoding(), "raw");
        assert_eq!(v.to_vec(), b"123");
        assert_eq!(StrValue::from_bytes_no_int(b"3").encoding(), "embstr");
        assert_eq!(StrValue::from_bytes_no_int(&[b'1'; 45]).encoding(), "raw");
    }
}
