//! Encoding one value as Redis 7.0 saves it (RDB version 10): listpacks and
//! intsets for small collections under Redis 7.0's default thresholds,
//! quicklist 2 for lists, STREAM_LISTPACKS_2 for streams.

use crate::intset;
use crate::length::{parse_canonical_int, write_int_string, write_length, write_lzf_header};
use crate::listpack::ListpackBuilder;
use crate::lzf;
use crate::rdb_type as t;
use crate::stream_node;
use crate::value::{ModuleField, Stream, StreamId, Value};

/// `hash-max-listpack-entries` (512 in Redis 7.0's config.c).
pub const MAX_HASH_LISTPACK_ENTRIES: usize = 512;
/// `zset-max-listpack-entries`.
pub const MAX_ZSET_LISTPACK_ENTRIES: usize = 128;
/// `hash-max-listpack-value` and `zset-max-listpack-value`.
pub const MAX_LISTPACK_VALUE: usize = 64;
/// `set-max-intset-entries`.
pub const MAX_INTSET_ENTRIES: usize = 512;
/// Byte limit of a list node (`list-max-listpack-size -2`, 8 KB).
pub const LIST_NODE_MAX_BYTES: usize = 8192;

const QUICKLIST_NODE_PACKED: u64 = 2;

/// Strings longer than this are LZF-compressed when compression is on.
const COMPRESS_MIN_LEN: usize = 20;

/// Appends a string the way Redis's `rdbSaveRawString` does: as an integer
/// when it spells a 32-bit one, LZF-compressed when long and worth it,
/// else raw.
pub fn write_string(out: &mut Vec<u8>, s: &[u8], compress: bool) {
    if s.len() <= 11 {
        if let Some(v) = parse_canonical_int(s) {
            if write_int_string(out, v) {
                return;
            }
        }
    }
    if compress && s.len() > COMPRESS_MIN_LEN {
        if let Some(packed) = lzf::compress(s, s.len() - 4) {
            write_lzf_header(out, packed.len(), s.len());
            out.extend_from_slice(&packed);
            return;
        }
    }
    write_length(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// Appends the body of `value` and returns its RDB type byte.
pub fn write_value(out: &mut Vec<u8>, value: &Value, compress: bool) -> u8 {
    match value {
        Value::String(s) => {
            write_string(out, s, compress);
            t::STRING
        }
        Value::List(items) => {
            write_list(out, items, compress);
            t::LIST_QUICKLIST_2
        }
        Value::Set(members) => write_set(out, members, compress),
        Value::SortedSet(members) => write_sorted_set(out, members, compress),
        Value::Hash(pairs) => write_hash(
            out,
            pairs.iter().map(|(f, v)| (f.as_slice(), v.as_slice())),
            pairs.len(),
            compress,
        ),
        Value::HashWithFieldExpiry(fields) => write_hash(
            out,
            fields
                .iter()
                .map(|f| (f.field.as_slice(), f.value.as_slice())),
            fields.len(),
            compress,
        ),
        Value::Stream(stream) => {
            write_stream(out, stream, compress);
            t::STREAM_LISTPACKS_2
        }
        Value::Module(module) => {
            write_length(out, module.type_id);
            for field in &module.fields {
                match field {
                    ModuleField::Signed(v) => {
                        write_length(out, 1);
                        write_length(out, *v);
                    }
                    ModuleField::Unsigned(v) => {
                        write_length(out, 2);
                        write_length(out, *v);
                    }
                    ModuleField::Float(v) => {
                        write_length(out, 3);
                        out.extend_from_slice(&v.to_le_bytes());
                    }
                    ModuleField::Double(v) => {
                        write_length(out, 4);
                        out.extend_from_slice(&v.to_le_bytes());
                    }
                    ModuleField::String(s) => {
                        write_length(out, 5);
                        write_string(out, s, compress);
                    }
                }
            }
            write_length(out, 0);
            t::MODULE_2
        }
    }
}

/// A score as Redis 7.0 writes it into a listpack (`d2string`): integral
/// values in decimal, infinities as "inf"/"-inf", others as C's `%.17g`.
pub fn format_score(score: f64) -> String {
    if score.is_nan() {
        return "nan".to_owned();
    }
    if score.is_infinite() {
        return if score > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if score == 0.0 {
        return if score.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    if score.fract() == 0.0 && score.abs() < 9_007_199_254_740_992.0 {
        return itoa::Buffer::new().format(score as i64).to_owned();
    }
    format_g17(score)
}

/// C's `printf("%.17g")`: 17 significant digits, trailing zeros dropped,
/// exponent form when the exponent is below -4 or at least 17.
fn format_g17(value: f64) -> String {
    let sci = format!("{:.16e}", value.abs());
    let (mantissa, exponent) = sci.split_once('e').expect("exponent form");
    let exponent: i32 = exponent.parse().expect("integer exponent");
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let sign = if value < 0.0 { "-" } else { "" };
    if !(-4..17).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}{rest}e{exp_sign}{:02}", exponent.abs());
    }
    if exponent < 0 {
        let zeros = "0".repeat((-exponent - 1) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let int_len = exponent as usize + 1;
    if digits.len() <= int_len {
        format!("{sign}{digits}{}", "0".repeat(int_len - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
    }
}

/// Appends a list body (quicklist 2 of listpack nodes); its type is
/// [`t::LIST_QUICKLIST_2`].
pub fn write_list<T: AsRef<[u8]>>(out: &mut Vec<u8>, items: &[T], compress: bool) {
    let mut nodes = Vec::new();
    let mut node = ListpackBuilder::new();
    for item in items {
        let item = item.as_ref();
        if node.count() > 0 && node.len_bytes() + item.len() + 11 > LIST_NODE_MAX_BYTES {
            nodes.push(std::mem::take(&mut node).finish());
        }
        node.push_bytes(item);
    }
    if node.count() > 0 {
        nodes.push(node.finish());
    }
    write_length(out, nodes.len() as u64);
    for node in nodes {
        write_length(out, QUICKLIST_NODE_PACKED);
        write_string(out, &node, compress);
    }
}

/// Appends a set body (intset when small and all integers); returns its
/// type.
pub fn write_set<T: AsRef<[u8]>>(out: &mut Vec<u8>, members: &[T], compress: bool) -> u8 {
    if members.len() <= MAX_INTSET_ENTRIES {
        let ints: Option<Vec<i64>> = members
            .iter()
            .map(|m| parse_canonical_int(m.as_ref()))
            .collect();
        if let Some(ints) = ints {
            write_string(out, &intset::encode(&ints), compress);
            return t::SET_INTSET;
        }
    }
    write_length(out, members.len() as u64);
    for member in members {
        write_string(out, member.as_ref(), compress);
    }
    t::SET
}

/// Appends a sorted set body from members lowest first (listpack when
/// small, else binary doubles, greatest first as Redis writes them);
/// returns its type.
pub fn write_sorted_set<T: AsRef<[u8]>>(
    out: &mut Vec<u8>,
    members: &[(T, f64)],
    compress: bool,
) -> u8 {
    let small = members.len() <= MAX_ZSET_LISTPACK_ENTRIES
        && members
            .iter()
            .all(|(m, _)| m.as_ref().len() <= MAX_LISTPACK_VALUE);
    if small {
        let mut lp = ListpackBuilder::new();
        for (member, score) in members {
            lp.push_bytes(member.as_ref());
            lp.push_bytes(format_score(*score).as_bytes());
        }
        write_string(out, &lp.finish(), compress);
        t::ZSET_LISTPACK
    } else {
        write_length(out, members.len() as u64);
        // Greatest first, as Redis writes them: each member a loader
        // inserts then goes at the head of its skip list, in O(1).
        for (member, score) in members.iter().rev() {
            write_string(out, member.as_ref(), compress);
            out.extend_from_slice(&score.to_le_bytes());
        }
        t::ZSET_2
    }
}

/// Appends a hash body (listpack when small, else field/value strings)
/// from `len` pairs; returns its type.
pub fn write_hash<'a>(
    out: &mut Vec<u8>,
    pairs: impl Iterator<Item = (&'a [u8], &'a [u8])> + Clone,
    len: usize,
    compress: bool,
) -> u8 {
    let small = len <= MAX_HASH_LISTPACK_ENTRIES
        && pairs
            .clone()
            .all(|(f, v)| f.len() <= MAX_LISTPACK_VALUE && v.len() <= MAX_LISTPACK_VALUE);
    if small {
        let mut lp = ListpackBuilder::new();
        for (field, value) in pairs {
            lp.push_bytes(field);
            lp.push_bytes(value);
        }
        write_string(out, &lp.finish(), compress);
        t::HASH_LISTPACK
    } else {
        write_length(out, len as u64);
        for (field, value) in pairs {
            write_string(out, field, compress);
            write_string(out, value, compress);
        }
        t::HASH
    }
}

fn write_stream_id(out: &mut Vec<u8>, id: StreamId) {
    write_length(out, id.ms);
    write_length(out, id.seq);
}

/// Appends a stream body; its type is [`t::STREAM_LISTPACKS_2`].
pub fn write_stream(out: &mut Vec<u8>, stream: &Stream, compress: bool) {
    let nodes = stream_node::split_into_nodes(&stream.entries);
    write_length(out, nodes.len() as u64);
    for node in nodes {
        write_string(out, &node[0].id.to_be_bytes(), compress);
        write_string(out, &stream_node::encode(node), compress);
    }
    write_length(out, stream.entries.len() as u64);
    write_stream_id(out, stream.last_id);
    write_stream_id(out, stream.first_id);
    write_stream_id(out, stream.max_deleted_id);
    write_length(out, stream.entries_added);
    write_length(out, stream.groups.len() as u64);
    for group in &stream.groups {
        write_string(out, &group.name, compress);
        write_stream_id(out, group.last_id);
        // Redis saves its "invalid" marker -1 as an unsigned length.
        write_length(out, group.entries_read.unwrap_or(u64::MAX));
        write_length(out, group.pending.len() as u64);
        for pending in &group.pending {
            out.extend_from_slice(&pending.id.to_be_bytes());
            out.extend_from_slice(&pending.delivery_time_ms.to_le_bytes());
            write_length(out, pending.delivery_count);
        }
        write_length(out, group.consumers.len() as u64);
        for consumer in &group.consumers {
            write_string(out, &consumer.name, compress);
            out.extend_from_slice(&consumer.seen_time_ms.to_le_bytes());
            write_length(out, consumer.pending.len() as u64);
            for id in &consumer.pending {
                out.extend_from_slice(&id.to_be_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::read_value;
    use crate::input::Input;
    use crate::value::{Consumer, ConsumerGroup, PendingEntry, StreamEntry};

    fn round_trip(value: &Value, compress: bool) -> (u8, Value) {
        let mut out = Vec::new();
        let rdb_type = write_value(&mut out, value, compress);
        let mut input = Input::new(&out[..]);
        let back = read_value(&mut input, rdb_type).unwrap();
        assert!(input.at_end().unwrap());
        (rdb_type, back)
    }

    fn b(s: &str) -> Vec<u8> {
        s.as_bytes().to_vec()
    }

    #[test]
    fn strings_pick_int_lzf_or_raw() {
        for (s, compress) in [
            ("12345", true),
            ("hello", true),
            (&"x".repeat(100)[..], true),
            (&"y".repeat(100)[..], false),
        ] {
            assert_eq!(
                round_trip(&Value::String(b(s)), compress).1,
                Value::String(b(s))
            );
        }
        let mut out = Vec::new();
        write_string(&mut out, &b(&"x".repeat(100)), true);
        assert!(out.len() < 20);
    }

    #[test]
    fn collections_use_compact_encodings_under_thresholds() {
        let small_hash = Value::Hash(vec![(b("a"), b("1")), (b("b"), b("two"))]);
        assert_eq!(
            round_trip(&small_hash, true),
            (t::HASH_LISTPACK, small_hash.clone())
        );
        let big_hash = Value::Hash((0..600).map(|i| (b(&format!("f{i}")), b("v"))).collect());
        assert_eq!(round_trip(&big_hash, true), (t::HASH, big_hash.clone()));
        let long_value = Value::Hash(vec![(b("f"), vec![b'v'; 65])]);
        assert_eq!(round_trip(&long_value, true).0, t::HASH);

        let intset = Value::Set(vec![b("1"), b("-5"), b("100000")]);
        let (ty, back) = round_trip(&intset, true);
        assert_eq!(ty, t::SET_INTSET);
        assert_eq!(back, Value::Set(vec![b("-5"), b("1"), b("100000")]));
        let strset = Value::Set(vec![b("a"), b("1")]);
        assert_eq!(round_trip(&strset, true), (t::SET, strset.clone()));

        let zset = Value::SortedSet(vec![
            (b("a"), 1.0),
            (b("b"), 2.5),
            (b("c"), f64::INFINITY),
            (b("d"), -0.1),
        ]);
        assert_eq!(round_trip(&zset, true), (t::ZSET_LISTPACK, zset.clone()));
        let big_zset = Value::SortedSet(
            (0..300)
                .map(|i| (b(&format!("m{i}")), i as f64 / 3.0))
                .collect(),
        );
        assert_eq!(round_trip(&big_zset, true), (t::ZSET_2, big_zset.clone()));
    }

    #[test]
    fn a_big_sorted_set_is_written_greatest_first_as_redis_does() {
        let members: Vec<(Vec<u8>, f64)> = (0..200)
            .map(|i| (b(&format!("m{i:03}")), i as f64))
            .collect();
        let mut out = Vec::new();
        assert_eq!(write_sorted_set(&mut out, &members, false), t::ZSET_2);
        // Length 200 (two bytes: 14-bit form), then the member "m199".
        assert_eq!(&out[..7], &[0x40, 200, 4, b'm', b'1', b'9', b'9']);
    }

    #[test]
    fn long_lists_span_several_nodes() {
        let list = Value::List((0..5000).map(|i| b(&format!("element-{i}"))).collect());
        let mut out = Vec::new();
        write_value(&mut out, &list, false);
        assert!(out[0] > 1, "several quicklist nodes");
        assert_eq!(round_trip(&list, true), (t::LIST_QUICKLIST_2, list.clone()));
    }

    #[test]
    fn streams_round_trip_with_groups() {
        let entries: Vec<StreamEntry> = (0..150)
            .map(|i| StreamEntry {
                id: StreamId {
                    ms: 1000 + i / 2,
                    seq: i % 2,
                },
                fields: vec![(b("n"), b(&i.to_string())), (b("k"), b("v"))],
            })
            .collect();
        let stream = Stream {
            last_id: entries.last().unwrap().id,
            first_id: entries[0].id,
            max_deleted_id: StreamId { ms: 5, seq: 0 },
            entries_added: 152,
            groups: vec![
                ConsumerGroup {
                    name: b("g"),
                    last_id: entries[3].id,
                    entries_read: Some(4),
                    pending: vec![PendingEntry {
                        id: entries[1].id,
                        delivery_time_ms: 1_700_000_000_000,
                        delivery_count: 2,
                    }],
                    consumers: vec![Consumer {
                        name: b("alice"),
                        seen_time_ms: 1_700_000_000_001,
                        active_time_ms: None,
                        pending: vec![entries[1].id],
                    }],
                },
                ConsumerGroup {
                    name: b("fresh"),
                    last_id: StreamId::default(),
                    entries_read: None,
                    pending: vec![],
                    consumers: vec![],
                },
            ],
            entries,
        };
        let value = Value::Stream(Box::new(stream));
        assert_eq!(
            round_trip(&value, true),
            (t::STREAM_LISTPACKS_2, value.clone())
        );
    }

    #[test]
    fn scores_format_like_redis() {
        assert_eq!(format_score(3.0), "3");
        assert_eq!(format_score(-2.5), "-2.5");
        assert_eq!(format_score(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_score(1e100), "1e+100");
        assert_eq!(format_score(1.5e-9), "1.5e-09");
        assert_eq!(format_score(0.1), "0.10000000000000001");
        assert_eq!(format_score(10.0 / 7.0), "1.4285714285714286");
        assert_eq!(format_score(123456.5), "123456.5");
        assert_eq!(format_score(0.00012), "0.00012");
        assert_eq!(format_score(-0.0), "-0");
    }
}
