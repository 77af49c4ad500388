//! Estimates of the memory a key takes in Redis 7.0, modelled on what
//! `MEMORY USAGE` counts: jemalloc size classes, sds headers, robj, dict
//! entries and tables, quicklist and skiplist nodes, stream radix trees.

use crate::encode::{
    format_score, MAX_HASH_LISTPACK_ENTRIES, MAX_INTSET_ENTRIES, MAX_LISTPACK_VALUE,
    MAX_ZSET_LISTPACK_ENTRIES,
};
use crate::intset;
use crate::length::parse_canonical_int;
use crate::listpack;
use crate::rdb_type as t;
use crate::stream_node;
use crate::value::{Stream, Value};

const ROBJ: usize = 16;
const DICT_ENTRY: usize = 24;
const DICT: usize = 56;
const QUICKLIST: usize = 40;
const QUICKLIST_NODE: usize = 40;
const ZSET_STRUCT: usize = 16;
const ZSKIPLIST: usize = 32;
/// Header node of a skiplist: 24 bytes plus 32 levels of 16.
const ZSKIPLIST_HEADER: usize = 24 + 32 * 16;
/// Average allocation of a skiplist node (levels drawn with p = 1/4).
const ZSKIPLIST_NODE_AVG: usize = 53;
const STREAM_STRUCT: usize = 80;
const STREAM_CG: usize = 40;
const STREAM_NACK: usize = 24;
const STREAM_CONSUMER: usize = 24;
const EMBSTR_MAX: usize = 44;

/// The jemalloc size class serving a request of `size` bytes.
pub fn jemalloc_class(size: usize) -> usize {
    if size <= 8 {
        return 8;
    }
    if size <= 128 {
        return size.div_ceil(16) * 16;
    }
    let step = size.next_power_of_two() / 8;
    size.div_ceil(step) * step
}

/// Allocation of an sds string of `len` bytes (header by length class).
pub fn sds_alloc(len: usize) -> usize {
    let header = match len {
        1..=31 => 1,
        0 | 32..=255 => 3,
        256..=65_535 => 5,
        _ => 9,
    };
    jemalloc_class(header + len + 1)
}

fn sds_alloc_sdshdr8_min(len: usize) -> usize {
    let header = match len {
        0..=255 => 3,
        256..=65_535 => 5,
        _ => 9,
    };
    jemalloc_class(header + len + 1)
}

fn dict_table(len: usize) -> usize {
    let slots = if len == 0 {
        0
    } else {
        len.next_power_of_two().max(4)
    };
    DICT + 8 * slots
}

fn string_size(s: &[u8]) -> usize {
    if s.len() <= 20 && parse_canonical_int(s).is_some() {
        ROBJ
    } else if s.len() <= EMBSTR_MAX {
        jemalloc_class(ROBJ + 3 + s.len() + 1)
    } else {
        ROBJ + sds_alloc_sdshdr8_min(s.len())
    }
}

fn radix_tree(elements: usize) -> usize {
    // Redis counts 4 bytes plus 30 pointers per node; an empty tree has
    // its root, each key adds about two nodes.
    let nodes = if elements == 0 { 1 } else { 2 * elements };
    nodes * 4 + elements * 16 + nodes * 8 * 30
}

fn stream_size(stream: &Stream) -> usize {
    let nodes = stream_node::split_into_nodes(&stream.entries);
    let mut size = ROBJ + STREAM_STRUCT + radix_tree(nodes.len());
    size += nodes
        .iter()
        .map(|n| jemalloc_class(stream_node::encode(n).len()))
        .sum::<usize>();
    for group in &stream.groups {
        size += STREAM_CG + radix_tree(group.pending.len()) + STREAM_NACK * group.pending.len();
        for consumer in &group.consumers {
            size += STREAM_CONSUMER + consumer.name.len() + radix_tree(consumer.pending.len());
        }
    }
    size
}

fn listpack_of<'a>(items: impl Iterator<Item = &'a [u8]>) -> usize {
    jemalloc_class(listpack::encoded_len(items))
}

/// Estimated bytes of the value alone, as Redis 7.0 would encode it after
/// loading an RDB value of type `rdb_type`.
pub fn value_size(value: &Value, rdb_type: u8) -> usize {
    match value {
        Value::String(s) => string_size(s),
        Value::List(items) => {
            let mut size = ROBJ + QUICKLIST;
            // Node sizes added up as a listpack would grow, without building it.
            let empty = listpack::encoded_len(std::iter::empty());
            let (mut node_bytes, mut node_count) = (empty, 0usize);
            for item in items {
                if node_count > 0
                    && node_bytes + item.len() + 11 > crate::encode::LIST_NODE_MAX_BYTES
                {
                    size += QUICKLIST_NODE + jemalloc_class(node_bytes);
                    (node_bytes, node_count) = (empty, 0);
                }
                node_bytes += listpack::element_len(item);
                node_count += 1;
            }
            if node_count > 0 {
                size += QUICKLIST_NODE + jemalloc_class(node_bytes);
            }
            size
        }
        Value::Set(members) => {
            let ints: Option<Vec<i64>> = members.iter().map(|m| parse_canonical_int(m)).collect();
            match ints {
                Some(ints) if members.len() <= MAX_INTSET_ENTRIES => {
                    ROBJ + jemalloc_class(intset::encode(&ints).len())
                }
                _ => {
                    ROBJ + dict_table(members.len())
                        + members
                            .iter()
                            .map(|m| DICT_ENTRY + sds_alloc(m.len()))
                            .sum::<usize>()
                }
            }
        }
        Value::SortedSet(members) => {
            let compact = rdb_type == t::ZSET_LISTPACK
                || rdb_type == t::ZSET_ZIPLIST
                || (members.len() <= MAX_ZSET_LISTPACK_ENTRIES
                    && members.iter().all(|(m, _)| m.len() <= MAX_LISTPACK_VALUE));
            if compact {
                let bytes = listpack::encoded_len(members.iter().map(|(m, _)| m.as_slice()))
                    + members.iter().map(|(_, s)| score_len(*s)).sum::<usize>();
                ROBJ + jemalloc_class(bytes)
            } else {
                ROBJ + ZSET_STRUCT
                    + ZSKIPLIST
                    + dict_table(members.len())
                    + jemalloc_class(ZSKIPLIST_HEADER)
                    + members
                        .iter()
                        .map(|(m, _)| sds_alloc(m.len()) + DICT_ENTRY + ZSKIPLIST_NODE_AVG)
                        .sum::<usize>()
            }
        }
        Value::Hash(pairs) => hash_size(
            pairs.iter().map(|(f, v)| (f.as_slice(), v.as_slice())),
            pairs.len(),
        ),
        Value::HashWithFieldExpiry(fields) => hash_size(
            fields
                .iter()
                .map(|f| (f.field.as_slice(), f.value.as_slice())),
            fields.len(),
        ),
        Value::Stream(stream) => stream_size(stream),
        Value::Module(module) => {
            ROBJ + module
                .fields
                .iter()
                .map(|f| match f {
                    crate::value::ModuleField::String(s) => s.len(),
                    _ => 8,
                })
                .sum::<usize>()
        }
    }
}

/// Bytes of a score's listpack element: whole numbers as integers, others
/// as their text.
fn score_len(score: f64) -> usize {
    if score.fract() == 0.0 && score.abs() < 9_007_199_254_740_992.0 && score != 0.0 {
        let size = listpack::int_len(score as i64);
        return size + 1;
    }
    listpack::element_len(format_score(score).as_bytes())
}

fn hash_size<'a>(pairs: impl Iterator<Item = (&'a [u8], &'a [u8])> + Clone, len: usize) -> usize {
    let compact = len <= MAX_HASH_LISTPACK_ENTRIES
        && pairs
            .clone()
            .all(|(f, v)| f.len() <= MAX_LISTPACK_VALUE && v.len() <= MAX_LISTPACK_VALUE);
    if compact {
        ROBJ + listpack_of(pairs.flat_map(|(f, v)| [f, v]))
    } else {
        ROBJ + dict_table(len)
            + pairs
                .map(|(f, v)| DICT_ENTRY + sds_alloc(f.len()) + sds_alloc(v.len()))
                .sum::<usize>()
    }
}

/// Estimated `MEMORY USAGE` of a key: its value, its name and its entry in
/// the keyspace.
pub fn key_size(key: &[u8], value: &Value, rdb_type: u8) -> usize {
    value_size(value, rdb_type) + sds_alloc(key.len()) + DICT_ENTRY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_follow_jemalloc() {
        let pairs = [
            (1, 8),
            (8, 8),
            (9, 16),
            (17, 32),
            (100, 112),
            (129, 160),
            (257, 320),
            (4097, 5120),
            (16385, 20480),
        ];
        for (request, class) in pairs {
            assert_eq!(jemalloc_class(request), class, "{request}");
        }
    }

    #[test]
    fn score_lengths_match_their_text() {
        for score in [
            0.0,
            -0.0,
            1.0,
            -3.0,
            127.0,
            1e9,
            1.5,
            0.1,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ] {
            assert_eq!(
                score_len(score),
                listpack::element_len(format_score(score).as_bytes()),
                "{score}"
            );
        }
    }

    #[test]
    fn strings_by_encoding() {
        assert_eq!(value_size(&Value::String(b"12345".to_vec()), t::STRING), 16);
        assert_eq!(value_size(&Value::String(b"hello".to_vec()), t::STRING), 32);
        assert_eq!(
            value_size(&Value::String(vec![b'x'; 100]), t::STRING),
            16 + 112
        );
    }
}
