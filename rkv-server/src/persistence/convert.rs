//! Conversions between the server's values ([`crate::db::Value`]) and the
//! neutral model of `rkv-rdb` ([`rkv_rdb::Value`]).
//!
//! Saving writes straight from the server's structures through the typed
//! methods of [`RdbWriter`], borrowing elements rather than copying big
//! collections (streams, which the writer takes whole, are the exception).
//! Loading picks encodings with the configured thresholds, as Redis's
//! `rdbLoadObject` does.

use std::io::{self, Write};

use rkv_rdb::value as rdb;
use rkv_rdb::{KeyMeta, RdbWriter};

use crate::config::Config;
use crate::db::{StrValue, Value};
use crate::types::hash::HashLimits;
use crate::types::set::Member;
use crate::types::stream::{
    Consumer, ConsumerGroup, ParsedId, PendingEntry, StreamId, ENTRIES_READ_UNKNOWN,
};
use crate::types::zset::ZSetLimits;
use crate::types::{HashValue, ListValue, SetValue, StreamValue, ZSetValue};

/// The encoding thresholds used when building values from a dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `hash-max-listpack-*`.
    pub hash: HashLimits,
    /// `zset-max-listpack-*`.
    pub zset: ZSetLimits,
    /// `set-max-intset-entries`.
    pub max_intset: usize,
}

impl Limits {
    /// The thresholds currently configured.
    pub fn from_config(config: &Config) -> Self {
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        Limits {
            hash: HashLimits::from_config(config),
            zset: ZSetLimits {
                max_entries: size(config.zset_max_listpack_entries),
                max_value: size(config.zset_max_listpack_value),
            },
            max_intset: size(config.set_max_intset_entries),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            hash: HashLimits::default(),
            zset: ZSetLimits::default(),
            max_intset: 512,
        }
    }
}

/// Why a value read from a dump cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// An empty collection: Redis never stores one (a dump file's empty
    /// keys are skipped, RESTORE refuses them).
    #[error("empty key")]
    EmptyKey,
    /// A module value: rkv has no modules.
    #[error("value of module '{0}' cannot be loaded: rkv has no modules")]
    Module(String),
    /// Stream entries out of order.
    #[error("stream entry IDs are not increasing")]
    BadStream,
    /// A sorted set member whose score is NaN (Redis refuses those too).
    #[error("sorted set with a NaN score")]
    NanScore,
}

/// Writes `key` holding `value` through `writer`, borrowing its elements.
pub fn write_key<W: Write>(
    writer: &mut RdbWriter<W>,
    key: &[u8],
    value: &Value,
    meta: &KeyMeta,
) -> io::Result<()> {
    match value {
        Value::Str(s) => {
            let mut scratch = itoa::Buffer::new();
            writer.write_string_key(key, s.as_bytes(&mut scratch), meta)
        }
        Value::List(list) => {
            let items: Vec<&[u8]> = list.iter().collect();
            writer.write_list_key(key, &items, meta)
        }
        Value::Set(set) => match &**set {
            SetValue::Intset(ints) => {
                let members: Vec<Vec<u8>> = ints
                    .iter()
                    .map(|n| itoa::Buffer::new().format(n).as_bytes().to_vec())
                    .collect();
                writer.write_set_key(key, &members, meta)
            }
            SetValue::Table(_) => {
                let members: Vec<&[u8]> = set
                    .iter()
                    .filter_map(|m| match m {
                        Member::Bytes(b) => Some(b),
                        Member::Int(_) => None,
                    })
                    .collect();
                writer.write_set_key(key, &members, meta)
            }
        },
        Value::ZSet(zset) => {
            let members = zset_members(zset);
            writer.write_sorted_set_key(key, &members, meta)
        }
        Value::Hash(hash) => {
            let pairs = hash.pairs();
            writer.write_hash_key(key, pairs.iter().copied(), pairs.len(), meta)
        }
        Value::Stream(stream) => writer.write_stream_key(key, &stream_to_rdb(stream), meta),
    }
}

/// The members of a sorted set in score order, borrowed.
fn zset_members(zset: &ZSetValue) -> Vec<(&[u8], f64)> {
    match zset {
        ZSetValue::Listpack(lp) => {
            let mut out = Vec::with_capacity(lp.len() / 2);
            let mut it = lp.iter();
            while let (Some(member), Some(score)) = (it.next(), it.next()) {
                out.push((member, parse_score(score)));
            }
            out
        }
        ZSetValue::Skiplist(sorted) => {
            let list = &sorted.list;
            let mut out = Vec::with_capacity(list.len());
            let mut node = list.first();
            for _ in 0..list.len() {
                out.push(list.entry(node));
                node = list.next_node(node);
            }
            out
        }
    }
}

/// A listpack score's text as a double (`inf`, `-inf` included).
fn parse_score(text: &[u8]) -> f64 {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0.0)
}

/// An owned copy of `value` in the neutral model (DUMP).
pub fn to_rdb(value: &Value) -> rdb::Value {
    match value {
        Value::Str(s) => rdb::Value::String(s.to_vec()),
        Value::List(list) => rdb::Value::List(list.iter().map(<[u8]>::to_vec).collect()),
        Value::Set(set) => rdb::Value::Set(set.iter().map(Member::to_vec).collect()),
        Value::ZSet(zset) => rdb::Value::SortedSet(
            zset_members(zset)
                .into_iter()
                .map(|(m, s)| (m.to_vec(), s))
                .collect(),
        ),
        Value::Hash(hash) => rdb::Value::Hash(
            hash.pairs()
                .into_iter()
                .map(|(f, v)| (f.to_vec(), v.to_vec()))
                .collect(),
        ),
        Value::Stream(stream) => rdb::Value::Stream(Box::new(stream_to_rdb(stream))),
    }
}

fn id_to_rdb(id: StreamId) -> rdb::StreamId {
    rdb::StreamId {
        ms: id.ms,
        seq: id.seq,
    }
}

fn id_from_rdb(id: rdb::StreamId) -> StreamId {
    StreamId::new(id.ms, id.seq)
}

/// A stream in the neutral model, with its groups, PELs and consumers.
fn stream_to_rdb(stream: &StreamValue) -> rdb::Stream {
    let mut entries = Vec::with_capacity(stream.len());
    stream.for_each(|id, packed| {
        let mut fields = Vec::with_capacity(packed.len() / 2);
        let mut it = packed.iter();
        while let (Some(f), Some(v)) = (it.next(), it.next()) {
            fields.push((f.to_vec(), v.to_vec()));
        }
        entries.push(rdb::StreamEntry {
            id: id_to_rdb(id),
            fields,
        });
    });
    let groups = stream
        .groups
        .iter()
        .map(|(name, group)| rdb::ConsumerGroup {
            name: name.clone(),
            last_id: id_to_rdb(group.last_id),
            entries_read: u64::try_from(group.entries_read).ok(),
            pending: group
                .pel
                .iter()
                .map(|(id, p)| rdb::PendingEntry {
                    id: id_to_rdb(*id),
                    delivery_time_ms: p.delivery_time,
                    delivery_count: p.delivery_count,
                })
                .collect(),
            consumers: group
                .consumers
                .iter()
                .map(|(name, c)| rdb::Consumer {
                    name: name.clone(),
                    seen_time_ms: c.seen_time,
                    active_time_ms: None,
                    pending: c.pending.iter().map(|id| id_to_rdb(*id)).collect(),
                })
                .collect(),
        })
        .collect();
    rdb::Stream {
        entries,
        last_id: id_to_rdb(stream.last_id),
        first_id: id_to_rdb(stream.first_id()),
        max_deleted_id: id_to_rdb(stream.max_deleted_entry_id),
        entries_added: stream.entries_added,
        groups,
    }
}

/// Builds a server value from a dump's value, choosing encodings with
/// `limits` as Redis does on load.
pub fn from_rdb(value: rdb::Value, limits: &Limits) -> Result<Value, LoadError> {
    if value.is_empty() && !matches!(value, rdb::Value::Stream(_)) {
        return Err(LoadError::EmptyKey);
    }
    Ok(match value {
        rdb::Value::String(bytes) => Value::Str(StrValue::from_bytes(&bytes)),
        rdb::Value::List(items) => {
            let mut list = ListValue::new();
            for item in &items {
                list.push_back(item);
            }
            Value::List(Box::new(list))
        }
        rdb::Value::Set(members) => {
            let mut set = SetValue::default();
            if members.len() > limits.max_intset {
                set.convert_to_table();
            }
            for member in &members {
                set.add(member, limits.max_intset);
            }
            Value::Set(Box::new(set))
        }
        rdb::Value::SortedSet(members) => {
            if members.iter().any(|(_, s)| s.is_nan()) {
                return Err(LoadError::NanScore);
            }
            let longest = members.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
            let mut zset = ZSetValue::with_hint(members.len(), longest, limits.zset);
            for (member, score) in &members {
                zset.insert(member, *score, limits.zset);
            }
            Value::ZSet(Box::new(zset))
        }
        rdb::Value::Hash(pairs) => Value::Hash(Box::new(hash_from_pairs(
            pairs.iter().map(|(f, v)| (f.as_slice(), v.as_slice())),
            pairs.len(),
            limits,
        ))),
        rdb::Value::HashWithFieldExpiry(fields) => Value::Hash(Box::new(hash_from_pairs(
            fields
                .iter()
                .map(|f| (f.field.as_slice(), f.value.as_slice())),
            fields.len(),
            limits,
        ))),
        rdb::Value::Stream(stream) => Value::Stream(Box::new(stream_from_rdb(*stream)?)),
        rdb::Value::Module(module) => return Err(LoadError::Module(module.name())),
    })
}

fn hash_from_pairs<'a>(
    pairs: impl Iterator<Item = (&'a [u8], &'a [u8])>,
    len: usize,
    limits: &Limits,
) -> HashValue {
    let mut hash = HashValue::default();
    if len > limits.hash.max_entries {
        hash.convert_to_table();
    }
    for (field, value) in pairs {
        hash.set(field, value, limits.hash);
    }
    hash
}

/// A server stream from the neutral model: entries re-appended in order
/// (so the node layout is rebuilt), then the saved metadata and groups.
fn stream_from_rdb(stream: rdb::Stream) -> Result<StreamValue, LoadError> {
    let mut value = StreamValue::new();
    let mut flat: Vec<&[u8]> = Vec::new();
    for entry in &stream.entries {
        flat.clear();
        for (f, v) in &entry.fields {
            flat.push(f);
            flat.push(v);
        }
        let requested = ParsedId {
            id: id_from_rdb(entry.id),
            seq_given: true,
        };
        value
            .append(&flat, Some(requested), 0)
            .map_err(|_| LoadError::BadStream)?;
    }
    value.last_id = id_from_rdb(stream.last_id);
    value.max_deleted_entry_id = id_from_rdb(stream.max_deleted_id);
    value.entries_added = stream.entries_added;
    for group in stream.groups {
        let entries_read = group
            .entries_read
            .and_then(|n| i64::try_from(n).ok())
            .unwrap_or(ENTRIES_READ_UNKNOWN);
        let mut built = ConsumerGroup::new(id_from_rdb(group.last_id), entries_read);
        for consumer in group.consumers {
            let pending = consumer.pending.iter().map(|id| id_from_rdb(*id)).collect();
            for id in &consumer.pending {
                if let Some(p) = group.pending.iter().find(|p| p.id == *id) {
                    built.pel.insert(
                        id_from_rdb(*id),
                        PendingEntry {
                            delivery_time: p.delivery_time_ms,
                            delivery_count: p.delivery_count,
                            consumer: consumer.name.clone(),
                        },
                    );
                }
            }
            built.consumers.insert(
                consumer.name,
                Consumer {
                    seen_time: consumer.seen_time_ms,
                    pending,
                },
            );
        }
        value.groups.insert(group.name, built);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rkv_rdb::{Item, RdbReader, WriteOptions};

    fn round_trip(value: &Value) -> Value {
        let mut writer = RdbWriter::new(Vec::new(), WriteOptions::default()).unwrap();
        write_key(&mut writer, b"k", value, &KeyMeta::default()).unwrap();
        let bytes = writer.finish().unwrap();
        let key = RdbReader::new(&bytes[..])
            .unwrap()
            .map(Result::unwrap)
            .find_map(|item| match item {
                Item::Key(k) => Some(k),
                _ => None,
            })
            .unwrap();
        assert_eq!(key.value, to_rdb(value));
        from_rdb(key.value, &Limits::default()).unwrap()
    }

    /// The value in the neutral model with set members sorted (a table's
    /// order depends on its history).
    fn normalized(value: &Value) -> rdb::Value {
        match to_rdb(value) {
            rdb::Value::Set(mut members) => {
                members.sort();
                rdb::Value::Set(members)
            }
            other => other,
        }
    }

    fn same(a: &Value, b: &Value) -> bool {
        a.encoding() == b.encoding() && normalized(a) == normalized(b)
    }

    #[test]
    fn every_type_survives_a_dump() {
        let mut list = ListValue::new();
        list.push_back(b"a");
        list.push_back(b"123");
        let mut ints = SetValue::default();
        ints.add(b"5", 512);
        ints.add(b"-3", 512);
        let mut words = SetValue::default();
        words.add(b"x", 512);
        words.add(b"y", 512);
        let mut small = ZSetValue::default();
        small.insert(b"m", 1.5, ZSetLimits::default());
        small.insert(b"n", f64::INFINITY, ZSetLimits::default());
        let mut big = ZSetValue::default();
        for i in 0..300 {
            big.insert(
                format!("m{i}").as_bytes(),
                i as f64 / 3.0,
                ZSetLimits::default(),
            );
        }
        let mut hash = HashValue::default();
        hash.set(b"f", b"v", HashLimits::default());
        let mut stream = StreamValue::new();
        stream
            .append(
                &[b"f", b"v"],
                Some(ParsedId {
                    id: StreamId::new(5, 1),
                    seq_given: true,
                }),
                0,
            )
            .unwrap();
        let mut group = ConsumerGroup::new(StreamId::new(5, 1), 1);
        group.deliver(StreamId::new(5, 1), b"alice", 1000);
        stream.groups.insert(b"g".to_vec(), group);
        let values = [
            Value::string(b"hello"),
            Value::string(b"-42"),
            Value::string(&[b'x'; 100]),
            Value::List(Box::new(list)),
            Value::Set(Box::new(ints)),
            Value::Set(Box::new(words)),
            Value::ZSet(Box::new(small)),
            Value::ZSet(Box::new(big)),
            Value::Hash(Box::new(hash)),
            Value::Stream(Box::new(stream.clone())),
        ];
        for value in &values {
            let back = round_trip(value);
            assert!(same(value, &back), "{value:?} came back as {back:?}");
        }
        let Value::Stream(back) = round_trip(&Value::Stream(Box::new(stream.clone()))) else {
            panic!("not a stream");
        };
        assert_eq!(back.groups, stream.groups);
        assert_eq!(back.last_id, stream.last_id);
    }

    #[test]
    fn encodings_follow_the_configured_limits() {
        let limits = Limits {
            max_intset: 2,
            ..Limits::default()
        };
        let three = rdb::Value::Set(vec![b"1".to_vec(), b"2".to_vec(), b"3".to_vec()]);
        assert_eq!(from_rdb(three, &limits).unwrap().encoding(), "hashtable");
        let two = rdb::Value::Set(vec![b"1".to_vec(), b"2".to_vec()]);
        assert_eq!(from_rdb(two, &limits).unwrap().encoding(), "intset");
        let long = rdb::Value::Hash(vec![(b"f".to_vec(), vec![b'v'; 65])]);
        assert_eq!(from_rdb(long, &limits).unwrap().encoding(), "hashtable");
    }

    #[test]
    fn empty_collections_and_modules_are_refused() {
        assert_eq!(
            from_rdb(rdb::Value::List(Vec::new()), &Limits::default()).unwrap_err(),
            LoadError::EmptyKey
        );
        let empty_stream = rdb::Value::Stream(Box::default());
        assert!(from_rdb(empty_stream, &Limits::default()).is_ok());
    }
}
