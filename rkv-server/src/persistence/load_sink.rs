//! [`ServerSink`]: builds the server's values straight from a dump as the
//! reader decodes them (Redis's `rdbLoadObject`), with no intermediate
//! `rkv_rdb::Value` and no owned copy per element.
//!
//! Small collections are filled as compact encodings in file order, which
//! is already the order Redis keeps (a sorted set's listpack by score), and
//! checked once at the end: a file whose compact value breaks an invariant
//! (duplicate fields or members, scores out of order, limits exceeded) is
//! rebuilt through the general insert path, which gives exactly what
//! inserting element by element gives.

use std::cmp::Ordering;

use rkv_rdb::element::ElementRef;
use rkv_rdb::intset::IntsetRef;
use rkv_rdb::value as rdb;
use rkv_rdb::{Collection, ValueSink};

use super::convert::{self, Limits, LoadError};
use super::distinct::DistinctCheck;
use crate::db::dict::Dict;
use crate::db::{SmallBytes, StrValue, Value};
use crate::types::hash::HashTable;
use crate::types::listpack::Listpack;
use crate::types::set::{as_intset_member, Intset, INTSET_HARD_LIMIT};
use crate::types::zset::{cmp_entries, score_text};
use crate::types::{HashValue, ListValue, SetValue, ZSetValue};

/// Up to this many keys, duplicates are looked for pairwise; past it
/// through a hash table.
const PAIRWISE_LIMIT: usize = 16;

/// Most elements a big collection's table is sized for up front (the count
/// comes from the file, which may be corrupt); bigger ones grow as usual.
const RESERVE_LIMIT: usize = 1 << 20;

/// A sorted set listpack being filled in file order.
#[derive(Debug, Default)]
struct ZSetListpack {
    lp: Listpack,
    longest: usize,
    /// Score and member of the last entry, to check the order (the
    /// member's buffer is reused).
    last_score: Option<f64>,
    last_member: Vec<u8>,
    in_order: bool,
}

impl ZSetListpack {
    /// Checks that (`score`, `member`), just appended, sorts after the
    /// entry before it.
    fn note_order(&mut self, score: f64, member: &[u8]) {
        if self.in_order {
            self.in_order = match self.last_score {
                None => true,
                Some(s) => cmp_entries(s, &self.last_member, score, member) == Ordering::Less,
            };
            self.last_score = Some(score);
            self.last_member.clear();
            self.last_member.extend_from_slice(member);
        }
    }
}

/// The collection being built.
#[derive(Debug, Default)]
enum Building {
    #[default]
    Nothing,
    List(ListValue),
    Set(SetValue),
    /// A small hash: listpack in file order, plus whether a field or value
    /// is longer than `hash-max-listpack-value`.
    HashListpack(Listpack, bool),
    HashTable(HashTable),
    ZSetListpack(ZSetListpack),
    ZSet(ZSetValue),
}

/// Builds server values from a dump with the configured encoding limits.
#[derive(Debug)]
pub struct ServerSink {
    limits: Limits,
    building: Building,
    /// Whether the sorted set being built had a NaN score (refused).
    nan_score: bool,
    /// The element count the file declared for the collection being built.
    len_hint: usize,
    /// Hashes of a compact hash's fields or sorted set's members.
    distinct: DistinctCheck,
}

impl ServerSink {
    /// A sink choosing encodings with `limits`.
    pub fn new(limits: Limits) -> Self {
        ServerSink {
            limits,
            building: Building::Nothing,
            nan_score: false,
            len_hint: 0,
            distinct: DistinctCheck::default(),
        }
    }
}

/// Whether any two of `keys` are equal: pairwise for a few, else through
/// an open-addressing table of indexes (one hash per key, bytes compared
/// only when slots collide).
fn has_duplicates(keys: &[&[u8]]) -> bool {
    if keys.len() <= PAIRWISE_LIMIT {
        return keys
            .iter()
            .enumerate()
            .any(|(i, a)| keys[i + 1..].contains(a));
    }
    let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
    let mask = (keys.len() * 2).next_power_of_two() - 1;
    let mut slots = vec![u32::MAX; mask + 1];
    for (i, key) in keys.iter().enumerate() {
        let mut slot = hasher.hash_one(key) as usize & mask;
        loop {
            match slots[slot] {
                u32::MAX => {
                    slots[slot] = i as u32;
                    break;
                }
                j if keys[j as usize] == *key => return true,
                _ => slot = (slot + 1) & mask,
            }
        }
    }
    false
}

/// Appends `score`'s listpack text ([`score_text`]); whole numbers, the
/// common case, are formatted on the stack.
fn push_score(lp: &mut Listpack, score: f64) {
    // Below 2^53 a whole double is exactly an i64 and prints as one.
    let whole = score.fract() == 0.0 && score.abs() < 9.0e15;
    if whole && !(score == 0.0 && score.is_sign_negative()) {
        lp.push_back(itoa::Buffer::new().format(score as i64).as_bytes());
    } else {
        lp.push_back(score_text(score).as_bytes());
    }
}

/// Every other entry of `lp` starting with the first (fields, members).
fn even_entries(lp: &Listpack) -> Vec<&[u8]> {
    let mut keys = Vec::with_capacity(lp.len() / 2);
    let mut it = lp.iter();
    while let Some(key) = it.next() {
        keys.push(key);
        it.next();
    }
    keys
}

/// A listpack with room for `entries` short entries (it is shrunk to its
/// size once built).
fn listpack_reserve(entries: usize) -> Listpack {
    let mut lp = Listpack::new();
    lp.reserve(entries.min(1 << 12) * 12);
    lp
}

/// `value`, or the empty-key refusal when it has no element.
fn nonempty(value: Value, len: usize) -> Result<Value, LoadError> {
    if len == 0 {
        Err(LoadError::EmptyKey)
    } else {
        Ok(value)
    }
}

impl ServerSink {
    fn finish_hash_listpack(&mut self, mut lp: Listpack, too_long: bool) -> HashValue {
        lp.shrink_to_fit();
        let mut hash = HashValue::Listpack(lp);
        if too_long || hash.len() > self.limits.hash.max_entries {
            // Converting keeps the last value of a repeated field, as
            // setting the fields one by one does.
            hash.convert_to_table();
            return hash;
        }
        let HashValue::Listpack(lp) = &hash else {
            return hash;
        };
        if self.distinct.surely_distinct() || !has_duplicates(&even_entries(lp)) {
            return hash;
        }
        let mut rebuilt = HashValue::default();
        let mut it = lp.iter();
        while let (Some(f), Some(v)) = (it.next(), it.next()) {
            rebuilt.set(f, v, self.limits.hash);
        }
        rebuilt
    }

    fn finish_zset_listpack(&mut self, mut z: ZSetListpack) -> ZSetValue {
        z.lp.shrink_to_fit();
        let limits = self.limits.zset;
        let count = z.lp.len() / 2;
        let fits = count <= limits.max_entries && z.longest <= limits.max_value;
        if fits
            && z.in_order
            && (self.distinct.surely_distinct() || !has_duplicates(&even_entries(&z.lp)))
        {
            return ZSetValue::Listpack(z.lp);
        }
        let mut zset = ZSetValue::with_hint(count, z.longest, limits);
        let mut it = z.lp.iter();
        while let (Some(member), Some(score)) = (it.next(), it.next()) {
            let score = std::str::from_utf8(score)
                .ok()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0.0);
            zset.insert(member, score, limits);
        }
        zset
    }
}

impl ValueSink for ServerSink {
    type Value = Result<Value, LoadError>;

    fn string(&mut self, bytes: &mut Vec<u8>) -> Self::Value {
        Ok(Value::Str(StrValue::from_bytes(bytes)))
    }

    fn begin(&mut self, kind: Collection, len_hint: usize) {
        self.nan_score = false;
        self.len_hint = len_hint;
        self.distinct.clear();
        self.building = match kind {
            Collection::List => {
                Building::List(ListValue::with_capacity(len_hint.min(RESERVE_LIMIT)))
            }
            Collection::Set => {
                let mut set = SetValue::default();
                if len_hint > self.limits.max_intset {
                    set.convert_to_table();
                    if let SetValue::Table(d) = &mut set {
                        d.reserve(len_hint.min(RESERVE_LIMIT));
                    }
                }
                Building::Set(set)
            }
            Collection::Hash if len_hint > self.limits.hash.max_entries => {
                let mut table = HashTable::new();
                table.reserve(len_hint.min(RESERVE_LIMIT));
                Building::HashTable(table)
            }
            Collection::Hash => Building::HashListpack(listpack_reserve(2 * len_hint), false),
            Collection::SortedSet if len_hint > self.limits.zset.max_entries => {
                let mut zset = ZSetValue::with_hint(len_hint, 0, self.limits.zset);
                zset.reserve(len_hint.min(RESERVE_LIMIT));
                Building::ZSet(zset)
            }
            Collection::SortedSet => Building::ZSetListpack(ZSetListpack {
                lp: listpack_reserve(2 * len_hint),
                in_order: true,
                ..ZSetListpack::default()
            }),
        };
    }

    fn element(&mut self, element: ElementRef<'_>) {
        let max_intset = self.limits.max_intset;
        match &mut self.building {
            Building::List(list) => element.with_bytes(|b| list.push_back(b)),
            Building::Set(SetValue::Table(d)) => {
                element.with_bytes(|b| d.insert(SmallBytes::new(b), ()));
            }
            Building::Set(set) => element.with_bytes(|b| {
                // A set whose first member is not an integer is a table
                // from the start, sized for the declared count (as Redis
                // expands on that conversion).
                if set.is_empty() && as_intset_member(b).is_none() {
                    let mut table = Dict::new();
                    table.reserve(self.len_hint.min(RESERVE_LIMIT));
                    *set = SetValue::Table(Box::new(table));
                }
                set.add(b, max_intset);
            }),
            _ => {}
        }
    }

    fn scored_element(&mut self, member: ElementRef<'_>, stored: ElementRef<'_>, score: f64) {
        // The file's text is kept (`score` is what it reads as): no
        // formatting on the load path.
        if score.is_nan() || !matches!(self.building, Building::ZSetListpack(_)) {
            return self.scored(member, score);
        }
        if let Building::ZSetListpack(z) = &mut self.building {
            member.with_bytes(|m| {
                z.lp.push_back(m);
                self.distinct.note(m);
                z.longest = z.longest.max(m.len());
                z.note_order(score, m);
            });
            stored.with_bytes(|t| z.lp.push_back(t));
        }
    }

    fn pair(&mut self, field: ElementRef<'_>, value: ElementRef<'_>) {
        let max_value = self.limits.hash.max_value;
        match &mut self.building {
            Building::HashListpack(lp, too_long) => {
                field.with_bytes(|f| {
                    lp.push_back(f);
                    self.distinct.note(f);
                });
                value.with_bytes(|v| lp.push_back(v));
                *too_long |= field.len() > max_value || value.len() > max_value;
            }
            Building::HashTable(d) => {
                let f = field.with_bytes(SmallBytes::new);
                d.insert(f, value.with_bytes(SmallBytes::new));
            }
            _ => {}
        }
    }

    fn scored(&mut self, member: ElementRef<'_>, score: f64) {
        if score.is_nan() {
            self.nan_score = true;
            return;
        }
        let limits = self.limits.zset;
        match &mut self.building {
            Building::ZSetListpack(z) => member.with_bytes(|m| {
                z.lp.push_back(m);
                self.distinct.note(m);
                push_score(&mut z.lp, score);
                z.longest = z.longest.max(m.len());
                z.note_order(score, m);
            }),
            Building::ZSet(zset) => member.with_bytes(|m| zset.load_insert(m, score, limits)),
            _ => {}
        }
    }

    fn finish(&mut self) -> Self::Value {
        if self.nan_score {
            self.building = Building::Nothing;
            return Err(LoadError::NanScore);
        }
        let value = match std::mem::take(&mut self.building) {
            Building::Nothing => return Err(LoadError::EmptyKey),
            Building::List(list) => Value::List(Box::new(list)),
            Building::Set(set) => Value::Set(Box::new(set)),
            Building::HashListpack(lp, too_long) => {
                Value::Hash(Box::new(self.finish_hash_listpack(lp, too_long)))
            }
            Building::HashTable(d) => Value::Hash(Box::new(HashValue::Table(Box::new(d)))),
            Building::ZSetListpack(z) => Value::ZSet(Box::new(self.finish_zset_listpack(z))),
            Building::ZSet(zset) => Value::ZSet(Box::new(zset)),
        };
        let len = match &value {
            Value::List(l) => l.len(),
            Value::Set(s) => s.len(),
            Value::Hash(h) => h.len(),
            Value::ZSet(z) => z.len(),
            _ => 1,
        };
        nonempty(value, len)
    }

    fn intset(&mut self, set: IntsetRef<'_>) -> Self::Value {
        let max = self.limits.max_intset.min(INTSET_HARD_LIMIT);
        let value = if set.len() > max {
            let mut table = Box::new(Dict::new());
            let mut buf = itoa::Buffer::new();
            for n in set.iter() {
                table.insert(SmallBytes::new(buf.format(n).as_bytes()), ());
            }
            SetValue::Table(table)
        } else {
            let ints = Intset::from_sorted_raw(set.width(), set.raw())
                .expect("a validated intset has a valid width and size");
            SetValue::Intset(ints)
        };
        nonempty(Value::Set(Box::new(value)), set.len())
    }

    fn other(&mut self, value: rdb::Value) -> Self::Value {
        convert::from_rdb(value, &self.limits)
    }
}

#[cfg(test)]
mod tests {
    //! Each encoding a dump can hold, built by hand, loaded through the
    //! sink and compared with the neutral path (`rkv_rdb::Value` then
    //! `convert::from_rdb`), which decides encodings element by element.

    use super::*;
    use crate::persistence::convert::to_rdb;
    use crate::types::hash::HashLimits;
    use rkv_rdb::crc64::crc64;
    use rkv_rdb::length::write_length;
    use rkv_rdb::listpack::ListpackBuilder;
    use rkv_rdb::rdb_type as t;
    use rkv_rdb::{intset, Item, RdbErrorKind, RdbReader, Step, ValueBuilder};

    fn string(out: &mut Vec<u8>, s: &[u8]) {
        write_length(out, s.len() as u64);
        out.extend_from_slice(s);
    }

    /// A version-10 file holding one key `k` of `rdb_type` whose payload
    /// is `payload`.
    fn file(rdb_type: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = b"REDIS0010".to_vec();
        out.push(rdb_type);
        string(&mut out, b"k");
        out.extend_from_slice(payload);
        out.push(t::OPCODE_EOF);
        let crc = crc64(0, &out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    fn blob(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        string(&mut out, bytes);
        out
    }

    fn listpack(items: &[&[u8]]) -> Vec<u8> {
        let mut lp = ListpackBuilder::new();
        for item in items {
            match std::str::from_utf8(item).ok().and_then(|s| s.parse().ok()) {
                Some(n) => lp.push_int(n),
                None => lp.push_bytes(item),
            }
        }
        lp.finish()
    }

    /// A ziplist of short strings (Redis 2.6 to 6.2).
    fn ziplist(items: &[&[u8]]) -> Vec<u8> {
        let mut entries = Vec::new();
        let mut prev = 0usize;
        for item in items {
            let start = entries.len();
            entries.push(prev as u8);
            entries.push(item.len() as u8);
            entries.extend_from_slice(item);
            prev = entries.len() - start;
        }
        let total = 10 + entries.len() + 1;
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&(total as u32).to_le_bytes());
        out.extend_from_slice(&((total - 1 - prev) as u32).to_le_bytes());
        out.extend_from_slice(&(items.len() as u16).to_le_bytes());
        out.extend_from_slice(&entries);
        out.push(0xff);
        out
    }

    /// A zipmap of short strings (Redis before 2.6).
    fn zipmap(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut out = vec![pairs.len() as u8];
        for (k, v) in pairs {
            out.push(k.len() as u8);
            out.extend_from_slice(k);
            out.push(v.len() as u8);
            out.push(0);
            out.extend_from_slice(v);
        }
        out.push(0xff);
        out
    }

    fn through_sink(bytes: &[u8], limits: Limits) -> Result<Value, LoadError> {
        let mut reader = RdbReader::new(bytes).unwrap();
        let mut sink = ServerSink::new(limits);
        loop {
            match reader.next_step(&mut sink).unwrap().unwrap() {
                Step::Key(_, value) => return value,
                Step::Item(Item::End { .. }) => panic!("no key"),
                Step::Item(_) => {}
            }
        }
    }

    fn through_neutral(bytes: &[u8], limits: Limits) -> Result<Value, LoadError> {
        let mut reader = RdbReader::new(bytes).unwrap();
        loop {
            match reader
                .next_step(&mut ValueBuilder::default())
                .unwrap()
                .unwrap()
            {
                Step::Key(_, value) => return convert::from_rdb(value, &limits),
                Step::Item(Item::End { .. }) => panic!("no key"),
                Step::Item(_) => {}
            }
        }
    }

    /// The value in the neutral model with set members and table-encoded
    /// hash fields sorted (a table's order depends on its history).
    fn normalized(value: &Value) -> rdb::Value {
        match to_rdb(value) {
            rdb::Value::Set(mut members) => {
                members.sort();
                rdb::Value::Set(members)
            }
            rdb::Value::Hash(mut pairs) => {
                pairs.sort();
                rdb::Value::Hash(pairs)
            }
            other => other,
        }
    }

    /// Loads `payload` both ways and checks they agree; returns the
    /// encoding.
    fn same_both_ways(rdb_type: u8, payload: &[u8], limits: Limits) -> &'static str {
        let bytes = file(rdb_type, payload);
        let fast = through_sink(&bytes, limits).unwrap();
        let slow = through_neutral(&bytes, limits).unwrap();
        assert_eq!(fast.encoding(), slow.encoding(), "type {rdb_type}");
        assert_eq!(normalized(&fast), normalized(&slow), "type {rdb_type}");
        fast.encoding()
    }

    fn numbered(prefix: &str, n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| format!("{prefix}{i}").into_bytes())
            .collect()
    }

    fn refs(v: &[Vec<u8>]) -> Vec<&[u8]> {
        v.iter().map(Vec::as_slice).collect()
    }

    #[test]
    fn compact_blobs_become_compact_encodings() {
        let limits = Limits::default();
        let lp_hash = listpack(&[b"f1", b"v1", b"f2", b"22", b"f3", b"-7"]);
        assert_eq!(
            same_both_ways(t::HASH_LISTPACK, &blob(&lp_hash), limits),
            "listpack"
        );
        let zl_hash = ziplist(&[b"f1", b"v1", b"f2", b"v2"]);
        assert_eq!(
            same_both_ways(t::HASH_ZIPLIST, &blob(&zl_hash), limits),
            "listpack"
        );
        let zm = zipmap(&[(b"a", b"1"), (b"b", b"two")]);
        assert_eq!(
            same_both_ways(t::HASH_ZIPMAP, &blob(&zm), limits),
            "listpack"
        );
        let lp_zset = listpack(&[b"a", b"1", b"b", b"1.5", b"c", b"2", b"d", b"inf"]);
        assert_eq!(
            same_both_ways(t::ZSET_LISTPACK, &blob(&lp_zset), limits),
            "listpack"
        );
        let zl_zset = ziplist(&[b"x", b"-1.25", b"y", b"3"]);
        assert_eq!(
            same_both_ways(t::ZSET_ZIPLIST, &blob(&zl_zset), limits),
            "listpack"
        );
        for ints in [&[1i64, 5, -3][..], &[70_000, 2], &[1 << 40, 0]] {
            let set = intset::encode(ints);
            assert_eq!(same_both_ways(t::SET_INTSET, &blob(&set), limits), "intset");
        }
        let lp_set = listpack(&[b"a", b"b", b"17"]);
        assert_eq!(
            same_both_ways(t::SET_LISTPACK, &blob(&lp_set), limits),
            "hashtable"
        );
        let lp_int_set = listpack(&[b"3", b"1", b"2"]);
        assert_eq!(
            same_both_ways(t::SET_LISTPACK, &blob(&lp_int_set), limits),
            "intset"
        );
    }

    #[test]
    fn whole_scores_print_as_score_text_does() {
        for score in [
            0.0,
            -0.0,
            1.0,
            -2.0,
            1.5,
            1e15,
            -8.9e15,
            9.1e15,
            1e20,
            f64::INFINITY,
        ] {
            let mut lp = Listpack::new();
            push_score(&mut lp, score);
            assert_eq!(lp.get(0), Some(score_text(score).as_bytes()), "{score}");
        }
    }

    #[test]
    fn duplicates_are_found_in_short_and_long_runs() {
        let many = numbered("k", 300);
        assert!(!has_duplicates(&refs(&many)));
        for (a, b) in [(0, 1), (5, 299), (150, 17)] {
            let mut keys = refs(&many);
            keys[b] = keys[a];
            assert!(has_duplicates(&keys), "{a} {b}");
            let mut few = refs(&many[..10]);
            few[b % 10] = few[a % 10];
            assert_eq!(has_duplicates(&few), a % 10 != b % 10);
        }
        let lp: Listpack = [&b"f"[..], b"1", b"g", b"1"].into_iter().collect();
        assert_eq!(even_entries(&lp), [&b"f"[..], b"g"]);
    }

    #[test]
    fn lists_in_every_layout() {
        let limits = Limits::default();
        assert_eq!(
            same_both_ways(t::LIST_ZIPLIST, &blob(&ziplist(&[b"a", b"b"])), limits),
            "quicklist"
        );
        let mut v1 = Vec::new();
        write_length(&mut v1, 2);
        v1.extend(blob(&ziplist(&[b"a", b"b"])));
        v1.extend(blob(&ziplist(&[b"c"])));
        same_both_ways(t::LIST_QUICKLIST, &v1, limits);
        let mut v2 = Vec::new();
        write_length(&mut v2, 3);
        write_length(&mut v2, 2);
        v2.extend(blob(&listpack(&[b"a", b"12", b"-3"])));
        write_length(&mut v2, 1);
        v2.extend(blob(&[b'p'; 300]));
        write_length(&mut v2, 2);
        v2.extend(blob(&listpack(&[b"z"])));
        let bytes = file(t::LIST_QUICKLIST_2, &v2);
        let Value::List(list) = through_sink(&bytes, limits).unwrap() else {
            panic!("not a list");
        };
        let items: Vec<&[u8]> = list.iter().collect();
        assert_eq!(items, [&b"a"[..], b"12", b"-3", &[b'p'; 300], b"z"]);
        same_both_ways(t::LIST_QUICKLIST_2, &v2, limits);
        let mut plain = Vec::new();
        write_length(&mut plain, 2);
        string(&mut plain, b"x");
        string(&mut plain, b"y");
        same_both_ways(t::LIST, &plain, limits);
    }

    #[test]
    fn big_and_plain_collections_go_to_tables() {
        let limits = Limits::default();
        let fields = numbered("field:", 600);
        let mut hash = Vec::new();
        write_length(&mut hash, 600);
        for f in &fields {
            string(&mut hash, f);
            string(&mut hash, b"v");
        }
        assert_eq!(same_both_ways(t::HASH, &hash, limits), "hashtable");
        let mut zset = Vec::new();
        write_length(&mut zset, 600);
        for (i, m) in fields.iter().enumerate() {
            string(&mut zset, m);
            zset.extend_from_slice(&(i as f64 / 3.0).to_le_bytes());
        }
        assert_eq!(same_both_ways(t::ZSET_2, &zset, limits), "skiplist");
        let mut set = Vec::new();
        write_length(&mut set, 600);
        for m in &fields {
            string(&mut set, m);
        }
        assert_eq!(same_both_ways(t::SET, &set, limits), "hashtable");
        let ints: Vec<i64> = (0..600).collect();
        let big = intset::encode(&ints);
        assert_eq!(
            same_both_ways(t::SET_INTSET, &blob(&big), limits),
            "hashtable"
        );
        let mut small_zset = Vec::new();
        write_length(&mut small_zset, 2);
        string(&mut small_zset, b"b");
        small_zset.extend_from_slice(&2.0f64.to_le_bytes());
        string(&mut small_zset, b"a");
        small_zset.extend_from_slice(&1.0f64.to_le_bytes());
        assert_eq!(same_both_ways(t::ZSET_2, &small_zset, limits), "listpack");
    }

    #[test]
    fn blobs_past_the_configured_limits_are_converted() {
        let limits = Limits {
            hash: HashLimits {
                max_entries: 2,
                max_value: 4,
            },
            zset: crate::types::zset::ZSetLimits {
                max_entries: 2,
                max_value: 4,
            },
            max_intset: 2,
        };
        let many = listpack(&[b"a", b"1", b"b", b"2", b"c", b"3"]);
        assert_eq!(
            same_both_ways(t::HASH_LISTPACK, &blob(&many), limits),
            "hashtable"
        );
        let long = listpack(&[b"a", b"longvalue"]);
        assert_eq!(
            same_both_ways(t::HASH_LISTPACK, &blob(&long), limits),
            "hashtable"
        );
        assert_eq!(
            same_both_ways(t::ZSET_LISTPACK, &blob(&many), limits),
            "skiplist"
        );
        let long_member = listpack(&[b"longmember", b"1"]);
        assert_eq!(
            same_both_ways(t::ZSET_LISTPACK, &blob(&long_member), limits),
            "skiplist"
        );
        let three = intset::encode(&[1, 2, 3]);
        assert_eq!(
            same_both_ways(t::SET_INTSET, &blob(&three), limits),
            "hashtable"
        );
    }

    #[test]
    fn broken_invariants_load_as_inserting_would() {
        let limits = Limits::default();
        let dup_fields = listpack(&[b"f", b"1", b"g", b"2", b"f", b"3"]);
        let bytes = file(t::HASH_LISTPACK, &blob(&dup_fields));
        let Value::Hash(hash) = through_sink(&bytes, limits).unwrap() else {
            panic!("not a hash");
        };
        assert_eq!((hash.len(), hash.get(b"f")), (2, Some(&b"3"[..])));
        same_both_ways(t::HASH_LISTPACK, &blob(&dup_fields), limits);
        let unsorted = listpack(&[b"b", b"2", b"a", b"1", b"c", b"0"]);
        assert_eq!(
            same_both_ways(t::ZSET_LISTPACK, &blob(&unsorted), limits),
            "listpack"
        );
        let dup_members = listpack(&[b"a", b"1", b"b", b"2", b"a", b"3"]);
        let bytes = file(t::ZSET_LISTPACK, &blob(&dup_members));
        let Value::ZSet(zset) = through_sink(&bytes, limits).unwrap() else {
            panic!("not a sorted set");
        };
        assert_eq!((zset.len(), zset.score(b"a")), (2, Some(3.0)));
        same_both_ways(t::ZSET_LISTPACK, &blob(&dup_members), limits);
        let many_dups: Vec<&[u8]> = (0..40).flat_map(|_| [&b"same"[..], b"1"]).collect();
        assert_eq!(
            same_both_ways(t::HASH_LISTPACK, &blob(&listpack(&many_dups)), limits),
            "listpack"
        );
        let fields = numbered("f", 40);
        let mut pairs: Vec<&[u8]> = refs(&fields).into_iter().flat_map(|f| [f, b"v"]).collect();
        pairs.extend([&b"f7"[..], b"last"]);
        let bytes = file(t::HASH_LISTPACK, &blob(&listpack(&pairs)));
        let Value::Hash(hash) = through_sink(&bytes, limits).unwrap() else {
            panic!("not a hash");
        };
        assert_eq!((hash.len(), hash.get(b"f7")), (40, Some(&b"last"[..])));
    }

    #[test]
    fn empty_values_are_refused_and_corruption_names_the_offset() {
        let limits = Limits::default();
        let empty_lp = listpack(&[]);
        for rdb_type in [t::HASH_LISTPACK, t::ZSET_LISTPACK, t::SET_LISTPACK] {
            let bytes = file(rdb_type, &blob(&empty_lp));
            assert_eq!(
                through_sink(&bytes, limits).unwrap_err(),
                LoadError::EmptyKey
            );
        }
        let empty_ints = intset::encode(&[]);
        let bytes = file(t::SET_INTSET, &blob(&empty_ints));
        assert_eq!(
            through_sink(&bytes, limits).unwrap_err(),
            LoadError::EmptyKey
        );

        let odd = listpack(&[b"f", b"v", b"g"]);
        let bytes = file(t::HASH_LISTPACK, &blob(&odd));
        let err = RdbReader::new(&bytes[..])
            .unwrap()
            .next_step(&mut ServerSink::new(limits))
            .unwrap_err();
        // The blob starts after the magic (9), the type (1) and "k" (2).
        assert_eq!((err.offset, err.key.as_deref()), (12, Some(&b"k"[..])));

        let mut bad_lp = listpack(&[b"a", b"1"]);
        let last = bad_lp.len() - 2;
        bad_lp[last] ^= 0x7f;
        let bytes = file(t::ZSET_LISTPACK, &blob(&bad_lp));
        let err = RdbReader::new(&bytes[..])
            .unwrap()
            .next_step(&mut ServerSink::new(limits))
            .unwrap_err();
        assert!(matches!(err.kind, RdbErrorKind::Corrupt { .. }), "{err}");
        assert_eq!(err.offset, 12);

        let mut module = Vec::new();
        write_length(&mut module, 0x1234_5678_9abc_d000);
        write_length(&mut module, 0);
        let bytes = file(t::MODULE_2, &module);
        assert!(matches!(
            through_sink(&bytes, limits).unwrap_err(),
            LoadError::Module(_)
        ));
        let bytes = file(t::MODULE_PRE_GA, &module);
        let err = RdbReader::new(&bytes[..])
            .unwrap()
            .next_step(&mut ServerSink::new(limits))
            .unwrap_err();
        assert!(matches!(err.kind, RdbErrorKind::UnreadableModule(_)));
        let bytes = file(8, b"");
        let err = RdbReader::new(&bytes[..])
            .unwrap()
            .next_step(&mut ServerSink::new(limits))
            .unwrap_err();
        assert!(matches!(err.kind, RdbErrorKind::UnknownType(8)));
        assert_eq!(err.offset, 12);
    }

    #[test]
    fn nan_scores_are_refused() {
        let mut zset = Vec::new();
        write_length(&mut zset, 2);
        string(&mut zset, b"a");
        zset.extend_from_slice(&f64::NAN.to_le_bytes());
        string(&mut zset, b"b");
        zset.extend_from_slice(&1.0f64.to_le_bytes());
        let bytes = file(t::ZSET_2, &zset);
        assert_eq!(
            through_sink(&bytes, Limits::default()).unwrap_err(),
            LoadError::NanScore
        );
        assert_eq!(
            through_neutral(&bytes, Limits::default()).unwrap_err(),
            LoadError::NanScore
        );
    }

    /// Every single-byte corruption of a file holding every streamed
    /// encoding loads or fails with an error, never a panic.
    #[test]
    fn corrupted_dumps_never_panic() {
        let mut body = b"REDIS0010".to_vec();
        let fields = numbered("f", 20);
        let pairs: Vec<&[u8]> = refs(&fields).into_iter().flat_map(|f| [f, b"7"]).collect();
        let blobs: [(u8, Vec<u8>); 8] = [
            (t::HASH_LISTPACK, listpack(&pairs)),
            (t::ZSET_LISTPACK, listpack(&[b"a", b"1", b"b", b"2.5"])),
            (t::HASH_ZIPLIST, ziplist(&[b"f", b"v", b"g", b"w"])),
            (t::ZSET_ZIPLIST, ziplist(&[b"m", b"1", b"n", b"2"])),
            (t::LIST_ZIPLIST, ziplist(&[b"x", b"y"])),
            (t::HASH_ZIPMAP, zipmap(&[(b"a", b"1")])),
            (t::SET_INTSET, intset::encode(&[1, 2, 70_000])),
            (t::SET_LISTPACK, listpack(&[b"p", b"q"])),
        ];
        for (i, (rdb_type, payload)) in blobs.iter().enumerate() {
            body.push(*rdb_type);
            string(&mut body, format!("k{i}").as_bytes());
            string(&mut body, payload);
        }
        body.push(t::LIST_QUICKLIST_2);
        string(&mut body, b"q");
        write_length(&mut body, 1);
        write_length(&mut body, 2);
        string(&mut body, &listpack(&[b"a", b"1"]));
        body.push(t::OPCODE_EOF);
        body.extend_from_slice(&[0; 8]);
        let load = |bytes: &[u8]| {
            let Ok(mut loader) =
                super::super::load::DumpLoader::from_reader(bytes, Limits::default(), false, 0)
            else {
                return;
            };
            let mut dbs = vec![crate::db::Db::new()];
            while let Ok(false) = loader.step(&mut dbs, usize::MAX) {}
        };
        load(&body);
        for at in 9..body.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = body.clone();
                bad[at] ^= flip;
                load(&bad);
            }
            load(&body[..at]);
        }
    }
}
