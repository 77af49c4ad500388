//! A neutral model of the values an RDB file holds, independent of how the
//! file encoded them and of how a server stores them.

/// Field/value pairs of a hash (or a stream entry), in order.
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// A key's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string (integers are strings in decimal).
    String(Vec<u8>),
    /// A list, head first.
    List(Vec<Vec<u8>>),
    /// A set's members.
    Set(Vec<Vec<u8>>),
    /// A sorted set's members and scores.
    SortedSet(Vec<(Vec<u8>, f64)>),
    /// A hash's fields and values.
    Hash(Vec<(Vec<u8>, Vec<u8>)>),
    /// A hash some of whose fields expire (RDB 12, Redis 7.4).
    HashWithFieldExpiry(Vec<HashFieldWithExpiry>),
    /// A stream.
    Stream(Box<Stream>),
    /// A module value, kept opaque.
    Module(ModuleValue),
}

impl Value {
    /// The type name `TYPE` replies with.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::SortedSet(_) => "zset",
            Value::Hash(_) | Value::HashWithFieldExpiry(_) => "hash",
            Value::Stream(_) => "stream",
            Value::Module(_) => "module",
        }
    }

    /// Number of elements (1 for a string, entries for a stream).
    pub fn len(&self) -> usize {
        match self {
            Value::String(_) | Value::Module(_) => 1,
            Value::List(v) | Value::Set(v) => v.len(),
            Value::SortedSet(v) => v.len(),
            Value::Hash(v) => v.len(),
            Value::HashWithFieldExpiry(v) => v.len(),
            Value::Stream(s) => s.entries.len(),
        }
    }

    /// True for an empty collection.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A hash field with an optional expiry (unix time in milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashFieldWithExpiry {
    /// Field name.
    pub field: Vec<u8>,
    /// Field value.
    pub value: Vec<u8>,
    /// When the field expires, if it does.
    pub expire_ms: Option<u64>,
}

/// A stream entry ID: milliseconds and sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct StreamId {
    /// Milliseconds part.
    pub ms: u64,
    /// Sequence part.
    pub seq: u64,
}

impl StreamId {
    /// The ID from its 16-byte big-endian form (rax keys, PEL entries).
    pub fn from_be_bytes(bytes: [u8; 16]) -> Self {
        StreamId {
            ms: u64::from_be_bytes(bytes[..8].try_into().expect("8")),
            seq: u64::from_be_bytes(bytes[8..].try_into().expect("8")),
        }
    }

    /// The 16-byte big-endian form.
    pub fn to_be_bytes(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.ms.to_be_bytes());
        out[8..].copy_from_slice(&self.seq.to_be_bytes());
        out
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// One stream entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEntry {
    /// Its ID.
    pub id: StreamId,
    /// Field/value pairs in insertion order.
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// A stream with its metadata and consumer groups.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stream {
    /// Live entries in ID order.
    pub entries: Vec<StreamEntry>,
    /// Greatest ID ever added.
    pub last_id: StreamId,
    /// ID of the first live entry (0-0 when empty).
    pub first_id: StreamId,
    /// Greatest ID ever deleted.
    pub max_deleted_id: StreamId,
    /// Count of entries ever added.
    pub entries_added: u64,
    /// Consumer groups.
    pub groups: Vec<ConsumerGroup>,
}

/// A consumer group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerGroup {
    /// Group name.
    pub name: Vec<u8>,
    /// Last delivered ID.
    pub last_id: StreamId,
    /// Entries read counter, `None` when Redis marks it invalid.
    pub entries_read: Option<u64>,
    /// Pending entries: delivered, not acknowledged.
    pub pending: Vec<PendingEntry>,
    /// Consumers.
    pub consumers: Vec<Consumer>,
}

/// An entry of a group's pending entries list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingEntry {
    /// Entry ID.
    pub id: StreamId,
    /// Last delivery, unix milliseconds.
    pub delivery_time_ms: i64,
    /// Number of deliveries.
    pub delivery_count: u64,
}

/// A consumer of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// Consumer name.
    pub name: Vec<u8>,
    /// Last time seen, unix milliseconds.
    pub seen_time_ms: i64,
    /// Last successful read, unix milliseconds (`None` before RDB 11, where
    /// Redis takes it equal to the seen time).
    pub active_time_ms: Option<i64>,
    /// IDs of the pending entries owned by this consumer (each also in the
    /// group's list).
    pub pending: Vec<StreamId>,
}

/// A module value, kept as the typed fields its module saved.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleValue {
    /// 64-bit module type ID: 9-character name and 10-bit encoding version.
    pub type_id: u64,
    /// The fields in file order.
    pub fields: Vec<ModuleField>,
}

impl ModuleValue {
    /// The module type's 9-character name.
    pub fn name(&self) -> String {
        module_type_name(self.type_id)
    }
}

/// The 9-character name encoded in a module type ID.
pub fn module_type_name(type_id: u64) -> String {
    const CHARSET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let name_bits = type_id >> 10;
    (0..9)
        .map(|i| CHARSET[((name_bits >> (6 * (8 - i))) & 63) as usize] as char)
        .collect()
}

/// One field of a module value, as the module API saved it.
#[derive(Debug, Clone, PartialEq)]
pub enum ModuleField {
    /// `RedisModule_SaveSigned`.
    Signed(u64),
    /// `RedisModule_SaveUnsigned`.
    Unsigned(u64),
    /// `RedisModule_SaveFloat`.
    Float(f32),
    /// `RedisModule_SaveDouble`.
    Double(f64),
    /// `RedisModule_SaveString`.
    String(Vec<u8>),
}
