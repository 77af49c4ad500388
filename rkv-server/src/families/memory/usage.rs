//! MEMORY USAGE: what a key would cost in Redis 7.0, computed from Redis's
//! data layout (object headers, sds strings, dict entries, listpacks,
//! quicklist nodes, skiplist nodes) and jemalloc's size classes, so the
//! figure means what operators expect from Redis whatever rkv's own layout.
//! Nested values are sampled like Redis's `objectComputeSize`.

use crate::db::{Entry, StrValue, Value};
use crate::memory::size_class;
use crate::types::{HashValue, ListValue, SetValue, StreamValue, ZSetValue};

/// `sizeof(robj)`.
const ROBJ: usize = 16;
/// `sizeof(dictEntry)`.
const DICT_ENTRY: usize = 24;
/// `sizeof(dict)`.
const DICT: usize = 56;
/// `sizeof(quicklist)` and `sizeof(quicklistNode)`.
const QUICKLIST: usize = 40;
const QUICKLIST_NODE: usize = 40;
/// `sizeof(zset)` + `sizeof(zskiplist)`.
const ZSET_HEADERS: usize = 16 + 32;
/// The skiplist header node: 32 levels (allocated once per sorted set).
const ZSKIPLIST_HEADER: usize = 24 + 32 * 16;
/// Expected allocation of one skiplist node (levels drawn with p = 1/4).
const ZSKIPLIST_NODE_AVG: f64 = 0.75 * 48.0 + 0.1875 * 64.0 + 0.047 * 80.0 + 0.0156 * 96.0;
/// `sizeof(stream)`.
const STREAM: usize = 80;
/// Redis preallocates each stream listpack node to this many bytes.
const STREAM_NODE_PREALLOC: usize = 4096;
/// The quicklist node size limit for `list-max-listpack-size -2`.
const DEFAULT_NODE_BYTES: usize = 8192;

/// Bytes Redis would use for `key` and its entry: the value as
/// `objectComputeSize` measures it (nested values sampled `samples` times,
/// all when `None`), the key's sds and its dict entry.
pub fn key_usage(key: &[u8], entry: &Entry, samples: Option<usize>, list_fill: i32) -> usize {
    let samples = samples.unwrap_or(usize::MAX).max(1);
    value_usage(&entry.value, samples, list_fill) + sds_alloc(key.len()) + DICT_ENTRY
}

fn value_usage(value: &Value, samples: usize, list_fill: i32) -> usize {
    match value {
        Value::Str(s) => string_usage(s),
        Value::List(l) => list_usage(l, samples, list_fill),
        Value::Set(s) => set_usage(s, samples),
        Value::Hash(h) => hash_usage(h, samples),
        Value::ZSet(z) => zset_usage(z, samples),
        Value::Stream(s) => stream_usage(s, samples),
    }
}

/// An sds string's header size for a length, as `sdsReqType` picks it.
fn sds_header(len: usize) -> usize {
    match len {
        0..=31 => 1,
        32..=255 => 3,
        256..=65535 => 5,
        65536..=0xFFFF_FFFF => 9,
        _ => 17,
    }
}

/// Allocation of an sds holding `len` bytes (header, bytes, terminator).
fn sds_alloc(len: usize) -> usize {
    size_class(sds_header(len) + len + 1)
}

fn string_usage(s: &StrValue) -> usize {
    match s {
        StrValue::Int(_) => ROBJ,
        // An embstr is one allocation: the object, an sds8 header and the bytes.
        StrValue::Emb(b) => size_class(ROBJ + 3 + b.len() + 1),
        StrValue::Raw(v) => {
            let len = v.capacity().max(v.len());
            size_class(sds_header(v.len()) + len + 1) + ROBJ
        }
    }
}

/// Bytes one element takes in a listpack: encoding header, data, and the
/// back-length that lets it be walked backwards.
fn listpack_entry(e: &[u8]) -> usize {
    let body = match parse_lp_int(e) {
        Some(n) => match n {
            0..=127 => 1,
            -4096..=4095 => 2,
            -32768..=32767 => 3,
            -8_388_608..=8_388_607 => 4,
            -2_147_483_648..=2_147_483_647 => 5,
            _ => 9,
        },
        None => match e.len() {
            0..=63 => 1 + e.len(),
            64..=4095 => 2 + e.len(),
            _ => 5 + e.len(),
        },
    };
    let backlen = match body {
        0..=127 => 1,
        128..=16383 => 2,
        16384..=2_097_151 => 3,
        2_097_152..=268_435_455 => 4,
        _ => 5,
    };
    body + backlen
}

/// The integer a listpack would store `e` as (canonical decimal only).
fn parse_lp_int(e: &[u8]) -> Option<i64> {
    if e.is_empty() || e.len() > 20 {
        return None;
    }
    let s = std::str::from_utf8(e).ok()?;
    let n: i64 = s.parse().ok()?;
    (itoa::Buffer::new().format(n).as_bytes() == e).then_some(n)
}

/// A dict's bucket array for `len` entries (power of two, at least 4).
fn dict_buckets(len: usize) -> usize {
    8 * len.next_power_of_two().max(4)
}

/// Average of the first `samples` items' costs, times the item count.
fn sampled<I: Iterator<Item = usize>>(costs: I, total: usize, samples: usize) -> usize {
    let (mut sum, mut n) = (0usize, 0usize);
    for c in costs.take(samples) {
        sum += c;
        n += 1;
    }
    if n == 0 {
        0
    } else {
        (sum as f64 / n as f64 * total as f64) as usize
    }
}

/// Redis packs list elements into quicklist nodes of at most 8 KB (or
/// `fill` entries when positive); each node is a listpack.
fn list_usage(l: &ListValue, samples: usize, fill: i32) -> usize {
    let max_bytes = match fill {
        -1 => 4096,
        -3 => 16384,
        -4 => 32768,
        -5 => 65536,
        _ => DEFAULT_NODE_BYTES,
    };
    let max_entries = if fill > 0 { fill as usize } else { usize::MAX };
    let mut nodes: Vec<usize> = Vec::new();
    let (mut bytes, mut count) = (7usize, 0usize);
    let mut seen = 0usize;
    for e in l.iter() {
        let add = listpack_entry(e);
        let full = if fill > 0 {
            count >= max_entries
        } else {
            bytes + add > max_bytes
        };
        if count > 0 && full {
            nodes.push(QUICKLIST_NODE + size_class(bytes));
            if nodes.len() >= samples {
                break;
            }
            bytes = 7;
            count = 0;
        }
        bytes += add;
        count += 1;
        seen += 1;
    }
    if count > 0 && nodes.len() < samples {
        nodes.push(QUICKLIST_NODE + size_class(bytes));
    }
    let sampled_bytes: usize = nodes.iter().sum();
    let total = if seen >= l.len() || seen == 0 {
        sampled_bytes
    } else {
        (sampled_bytes as f64 / seen as f64 * l.len() as f64) as usize
    };
    ROBJ + QUICKLIST + total
}

fn set_usage(s: &SetValue, samples: usize) -> usize {
    match s {
        SetValue::Intset(is) => {
            let width = is.iter().map(int_width).max().unwrap_or(2);
            ROBJ + size_class(8 + is.len() * width)
        }
        SetValue::Table(d) => {
            let costs = d.iter().map(|(m, _)| DICT_ENTRY + sds_alloc(m.len()));
            ROBJ + DICT + dict_buckets(d.len()) + sampled(costs, d.len(), samples)
        }
    }
}

/// Bytes per member of an intset holding `n`.
fn int_width(n: i64) -> usize {
    if i16::try_from(n).is_ok() {
        2
    } else if i32::try_from(n).is_ok() {
        4
    } else {
        8
    }
}

fn hash_usage(h: &HashValue, samples: usize) -> usize {
    match h {
        HashValue::Listpack(_) => {
            let mut bytes = 7;
            h.for_each(|f, v| bytes += listpack_entry(f) + listpack_entry(v));
            ROBJ + size_class(bytes)
        }
        HashValue::Table(_) => {
            let mut costs = Vec::new();
            h.for_each(|f, v| {
                if costs.len() < samples {
                    costs.push(DICT_ENTRY + sds_alloc(f.len()) + sds_alloc(v.len()));
                }
            });
            let n = h.len();
            ROBJ + DICT + dict_buckets(n) + sampled(costs.into_iter(), n, samples)
        }
    }
}

/// How a listpack sorted set stores a score: as an integer when it is
/// one, else as the `%.17g` text (17 significant digits).
fn score_entry(score: f64) -> usize {
    if score.fract() == 0.0 && score.abs() < 9.0e15 {
        listpack_entry(itoa::Buffer::new().format(score as i64).as_bytes())
    } else {
        listpack_entry(&vec![b'0'; g17_len(score)])
    }
}

/// Length of C's `%.17g` rendering of `x`: 17 significant digits with
/// trailing zeros dropped, fixed notation for exponents -4..17.
fn g17_len(x: f64) -> usize {
    if !x.is_finite() {
        return if x.is_nan() {
            3
        } else {
            3 + usize::from(x < 0.0)
        };
    }
    let sci = format!("{:.16e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits = mantissa.replace('.', "");
    let n = digits.trim_end_matches('0').len().max(1) as i32;
    let sign = usize::from(x < 0.0);
    let body = if (-4..17).contains(&exp) {
        if exp >= 0 {
            let int_digits = exp + 1;
            if n > int_digits {
                n + 1
            } else {
                int_digits
            }
        } else {
            2 + (-exp - 1) + n
        }
    } else {
        let exp_len = if exp.abs() >= 100 { 5 } else { 4 };
        n + i32::from(n > 1) + exp_len
    };
    sign + body as usize
}

fn zset_usage(z: &ZSetValue, samples: usize) -> usize {
    match z {
        ZSetValue::Listpack(_) => {
            let mut bytes = 7;
            z.for_each(|m, s| bytes += listpack_entry(m) + score_entry(s));
            ROBJ + size_class(bytes)
        }
        ZSetValue::Skiplist(_) => {
            let mut costs = Vec::new();
            z.for_each(|m, _| {
                if costs.len() < samples {
                    costs.push(sds_alloc(m.len()) + DICT_ENTRY + ZSKIPLIST_NODE_AVG as usize);
                }
            });
            let n = z.len();
            ROBJ + ZSET_HEADERS
                + DICT
                + dict_buckets(n)
                + size_class(ZSKIPLIST_HEADER)
                + sampled(costs.into_iter(), n, samples)
        }
    }
}

/// A stream: its header, the radix tree over node IDs (as Redis's
/// `streamRadixTreeMemoryUsage` rates it) and one listpack per node. A node
/// holds a master entry with the field names, then per entry its flags, ID
/// deltas, values (fields are shared with the master entry) and a count.
/// Full nodes were shrunk to fit; the last one is still preallocated.
fn stream_usage(s: &StreamValue, samples: usize) -> usize {
    let nodes = s.node_count().max(usize::from(!s.is_empty()));
    let per_node = s.len().div_ceil(nodes.max(1)).max(1);
    let mut node_bytes: Vec<usize> = Vec::new();
    let mut bytes = 0usize;
    let mut master = crate::types::stream::StreamId::default();
    let mut index = 0usize;
    s.for_each(|id, fields| {
        if index.is_multiple_of(per_node) {
            if index > 0 {
                node_bytes.push(bytes);
            }
            master = id;
            // Header, count, deleted, field count, names, terminator, end.
            bytes = 7 + 2 + 2 + 2 + 2;
            for (i, f) in fields.iter().enumerate() {
                if i % 2 == 0 {
                    bytes += listpack_entry(f);
                }
            }
        }
        let ms = itoa::Buffer::new().format(id.ms - master.ms).len();
        let seq = itoa::Buffer::new()
            .format(id.seq.wrapping_sub(master.seq))
            .len();
        bytes += 2 + listpack_int_digits(ms) + listpack_int_digits(seq) + 2;
        for (i, v) in fields.iter().enumerate() {
            if i % 2 == 1 {
                bytes += listpack_entry(v);
            }
        }
        index += 1;
    });
    let mut lists = 0;
    if index > 0 {
        let last = size_class(bytes.max(STREAM_NODE_PREALLOC));
        let full = nodes - 1;
        if full > 0 {
            let sampled_nodes = node_bytes.iter().take(samples).map(|b| size_class(*b));
            lists += sampled(sampled_nodes, full, samples);
        }
        lists += last;
    }
    let rax = s.node_count() * 16 + s.radix_tree_nodes() * (4 + 8 * 30);
    let groups: usize = s.groups.values().map(|g| g.heap_size()).sum();
    ROBJ + STREAM + rax + lists + groups
}

/// Listpack bytes of a small integer with `digits` decimal digits.
fn listpack_int_digits(digits: usize) -> usize {
    match digits {
        0..=2 => 2,
        3 => 3,
        4 => 3,
        5..=7 => 5,
        _ => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(value: Value, key: &[u8]) -> usize {
        let entry = Entry { value, lru: 0 };
        key_usage(key, &entry, Some(5), -2)
    }

    #[test]
    fn strings_match_redis_figures() {
        // Redis 7.0 with jemalloc: SET foo bar -> 64; SET foo 123 -> 48 (int); 100-byte raw -> 160.
        assert_eq!(usage(Value::string(b"bar"), b"foo"), 64);
        assert_eq!(usage(Value::string(b"123"), b"foo"), 48);
        assert_eq!(usage(Value::string(&[b'x'; 100]), b"foo"), 160);
    }

    #[test]
    fn listpack_entries() {
        assert_eq!(listpack_entry(b"5"), 2);
        assert_eq!(listpack_entry(b"1000"), 3);
        assert_eq!(listpack_entry(b"abc"), 5);
        assert_eq!(listpack_entry(b"05"), 4);
        assert_eq!(listpack_entry(&[b'a'; 100]), 103);
    }

    #[test]
    fn g17_lengths() {
        for (x, text) in [
            (0.1, "0.10000000000000001"),
            (1.5, "1.5"),
            (10.1, "10.1"),
            (-2.25, "-2.25"),
            (1e20, "1e+20"),
            (1.5e-7, "1.4999999999999999e-07"),
            (123456.789, "123456.789"),
        ] {
            assert_eq!(g17_len(x), text.len(), "{x}");
        }
    }

    #[test]
    fn sampling_extrapolates() {
        assert_eq!(sampled([10, 20].into_iter(), 10, 5), 150);
        assert_eq!(sampled(std::iter::empty(), 10, 5), 0);
    }
}
