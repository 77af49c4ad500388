//! [`HashValue`]: a hash (HSET, HGET...), `listpack` while small, then a
//! `hashtable` for good.
//!
//! The switch follows Redis 7.0's `t_hash.c`: a listpack hash becomes a
//! table as soon as a field or value longer than `hash-max-listpack-value`
//! is written, or it grows past `hash-max-listpack-entries` fields. A table
//! never goes back, and lowering the limits only affects later writes.

use super::listpack::Listpack;
use crate::config::Config;
use crate::db::dict::Dict;
use crate::db::SmallBytes;

/// The table encoding: one lean node per field (two inline-or-boxed
/// strings and a chain link).
pub type HashTable = Dict<SmallBytes, SmallBytes>;

/// The two limits deciding when a listpack hash becomes a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashLimits {
    /// `hash-max-listpack-entries`: most fields kept in a listpack.
    pub max_entries: usize,
    /// `hash-max-listpack-value`: longest field or value kept in a listpack.
    pub max_value: usize,
}

impl HashLimits {
    /// The limits currently configured.
    pub fn from_config(config: &Config) -> Self {
        HashLimits {
            max_entries: usize::try_from(config.hash_max_listpack_entries).unwrap_or(usize::MAX),
            max_value: usize::try_from(config.hash_max_listpack_value).unwrap_or(usize::MAX),
        }
    }
}

impl Default for HashLimits {
    /// Redis's defaults: 512 entries, 64 bytes.
    fn default() -> Self {
        HashLimits {
            max_entries: 512,
            max_value: 64,
        }
    }
}

/// A map of fields to values.
#[derive(Debug, Clone)]
pub enum HashValue {
    /// Small: fields and values alternate in one listpack.
    Listpack(Listpack),
    /// Large: a hash table (boxed so small hashes stay small).
    Table(Box<HashTable>),
}

impl Default for HashValue {
    fn default() -> Self {
        HashValue::Listpack(Listpack::new())
    }
}

/// Index (in entries) of `field` in a listpack of field/value pairs.
fn listpack_position(lp: &Listpack, field: &[u8]) -> Option<usize> {
    let mut it = lp.iter();
    let mut i = 0;
    while let (Some(f), Some(_)) = (it.next(), it.next()) {
        if f == field {
            return Some(i);
        }
        i += 2;
    }
    None
}

impl HashValue {
    /// Number of fields.
    pub fn len(&self) -> usize {
        match self {
            HashValue::Listpack(lp) => lp.len() / 2,
            HashValue::Table(d) => d.len(),
        }
    }

    /// Whether the hash has no fields (an empty hash is never stored).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of `field`.
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            HashValue::Listpack(lp) => {
                let mut it = lp.iter();
                while let (Some(f), Some(v)) = (it.next(), it.next()) {
                    if f == field {
                        return Some(v);
                    }
                }
                None
            }
            HashValue::Table(d) => d.get(field).map(|v| v.as_slice()),
        }
    }

    /// Whether `field` is present.
    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Redis's `hashTypeTryConversion`: converts to a table up front when
    /// any of `args` (fields and values about to be written) is too long for
    /// a listpack. HSET and HMSET call it before writing anything.
    pub fn convert_if_any_too_long<'a>(
        &mut self,
        args: impl IntoIterator<Item = &'a [u8]>,
        limits: HashLimits,
    ) {
        if matches!(self, HashValue::Listpack(_))
            && args.into_iter().any(|a| a.len() > limits.max_value)
        {
            self.convert_to_table();
        }
    }

    /// Sets `field` to `value`; returns whether the field is new. Converts
    /// to a table when either is too long or the hash grows past the limit.
    pub fn set(&mut self, field: &[u8], value: &[u8], limits: HashLimits) -> bool {
        if matches!(self, HashValue::Listpack(_))
            && (field.len() > limits.max_value || value.len() > limits.max_value)
        {
            self.convert_to_table();
        }
        match self {
            HashValue::Listpack(lp) => {
                let added = match listpack_position(lp, field) {
                    Some(i) => {
                        lp.replace(i + 1, value);
                        false
                    }
                    None => {
                        lp.push_back(field);
                        lp.push_back(value);
                        true
                    }
                };
                if lp.len() / 2 > limits.max_entries {
                    self.convert_to_table();
                }
                added
            }
            HashValue::Table(d) => match d.get_mut(field) {
                Some(old) => {
                    *old = SmallBytes::new(value);
                    false
                }
                None => {
                    d.insert(SmallBytes::new(field), SmallBytes::new(value));
                    true
                }
            },
        }
    }

    /// Removes `field`; returns whether it was present.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            HashValue::Listpack(lp) => match listpack_position(lp, field) {
                Some(i) => {
                    lp.remove_range(i, 2);
                    true
                }
                None => false,
            },
            HashValue::Table(d) => {
                let removed = d.remove(field).is_some();
                if removed {
                    d.shrink_if_needed();
                }
                removed
            }
        }
    }

    /// Gives a listpack's spare capacity back, as Redis's listpack is always
    /// allocated to its exact size; write commands call it once when done
    /// (a table manages its own size).
    pub fn shrink_to_fit(&mut self) {
        if let HashValue::Listpack(lp) = self {
            lp.shrink_to_fit();
        }
    }

    /// Switches a listpack hash to the table encoding (no-op on a table).
    pub fn convert_to_table(&mut self) {
        if let HashValue::Listpack(lp) = self {
            let mut table = HashTable::new();
            let mut it = lp.iter();
            while let (Some(f), Some(v)) = (it.next(), it.next()) {
                table.insert(SmallBytes::new(f), SmallBytes::new(v));
            }
            *self = HashValue::Table(Box::new(table));
        }
    }

    /// Visits every field and value.
    pub fn for_each(&self, mut f: impl FnMut(&[u8], &[u8])) {
        match self {
            HashValue::Listpack(lp) => {
                let mut it = lp.iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    f(k, v);
                }
            }
            HashValue::Table(d) => {
                for (k, v) in d.iter() {
                    f(k, v);
                }
            }
        }
    }

    /// Every field and value, in iteration order.
    pub fn pairs(&self) -> Vec<(&[u8], &[u8])> {
        let mut out = Vec::with_capacity(self.len());
        match self {
            HashValue::Listpack(lp) => {
                let mut it = lp.iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    out.push((k, v));
                }
            }
            HashValue::Table(d) => out.extend(d.iter().map(|(k, v)| (&**k, &**v))),
        }
        out
    }

    /// One random field and its value (`None` when empty). A table picks
    /// as Redis's `dictGetFairRandomKey`; a listpack uniformly via `pick`,
    /// which maps a length to an index below it.
    pub fn random_pair(&self, pick: &mut impl FnMut(usize) -> usize) -> Option<(&[u8], &[u8])> {
        match self {
            HashValue::Listpack(lp) => {
                let n = lp.len() / 2;
                if n == 0 {
                    return None;
                }
                let i = pick(n) * 2;
                Some((lp.get(i)?, lp.get(i + 1)?))
            }
            HashValue::Table(d) => d.random_entry().map(|(k, v)| (&**k, &**v)),
        }
    }

    /// One HSCAN step: visits the fields under `cursor` and returns the
    /// next cursor. A listpack is visited whole in one step (cursor 0), as
    /// Redis does; a table uses the dictionary's reverse-binary scan.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
        match self {
            HashValue::Listpack(_) => {
                self.for_each(f);
                0
            }
            HashValue::Table(d) => d.scan(cursor, |k, v| f(k, v)),
        }
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            HashValue::Listpack(_) => "listpack",
            HashValue::Table(_) => "hashtable",
        }
    }

    /// Heap bytes owned by the hash.
    pub fn heap_size(&self) -> usize {
        match self {
            HashValue::Listpack(lp) => lp.bytes(),
            HashValue::Table(d) => {
                let mut strings = 0;
                for (k, v) in d.iter() {
                    strings += k.heap_size() + v.heap_size();
                }
                std::mem::size_of::<HashTable>() + d.approx_heap_bytes() + strings
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: HashLimits = HashLimits {
        max_entries: 4,
        max_value: 8,
    };

    fn sorted_pairs(h: &HashValue) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut v: Vec<_> = h
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn listpack_set_get_replace_remove() {
        let mut h = HashValue::default();
        assert!(h.set(b"a", b"1", LIMITS));
        assert!(h.set(b"b", b"2", LIMITS));
        assert!(!h.set(b"a", b"11", LIMITS));
        assert_eq!(h.get(b"a"), Some(&b"11"[..]));
        assert_eq!(h.get(b"b"), Some(&b"2"[..]));
        assert_eq!(h.get(b"1"), None, "values are not fields");
        assert_eq!(h.len(), 2);
        assert!(h.remove(b"a"));
        assert!(!h.remove(b"a"));
        assert_eq!(h.pairs(), vec![(&b"b"[..], &b"2"[..])]);
        assert_eq!(h.encoding(), "listpack");
        assert!(h.remove(b"b"));
        assert!(h.is_empty());
    }

    #[test]
    fn too_many_entries_converts_once_past_the_limit() {
        let mut h = HashValue::default();
        for i in 0..4 {
            h.set(format!("f{i}").as_bytes(), b"v", LIMITS);
        }
        assert_eq!(h.encoding(), "listpack");
        h.set(b"f4", b"v", LIMITS);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 5);
        for i in 0..5 {
            h.remove(format!("f{i}").as_bytes());
        }
        h.set(b"x", b"y", LIMITS);
        assert_eq!(h.encoding(), "hashtable", "never converts back");
    }

    #[test]
    fn long_field_or_value_converts() {
        let mut h = HashValue::default();
        h.set(b"f", &[b'v'; 8], LIMITS);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"g", &[b'v'; 9], LIMITS);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"f"), Some(&[b'v'; 8][..]));

        let mut h = HashValue::default();
        h.set(&[b'f'; 9], b"v", LIMITS);
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn try_conversion_looks_at_every_argument() {
        let mut h = HashValue::default();
        h.convert_if_any_too_long([&b"short"[..], &b"tiny"[..]], LIMITS);
        assert_eq!(h.encoding(), "listpack");
        h.convert_if_any_too_long([&b"short"[..], &[b'x'; 9][..]], LIMITS);
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn conversion_keeps_contents() {
        let mut h = HashValue::default();
        h.set(b"a", b"1", LIMITS);
        h.set(b"b", b"2", LIMITS);
        let before = sorted_pairs(&h);
        h.convert_to_table();
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(sorted_pairs(&h), before);
        let copy = h.clone();
        assert_eq!(sorted_pairs(&copy), before);
    }

    #[test]
    fn scan_listpack_in_one_step_and_table_to_completion() {
        let mut h = HashValue::default();
        h.set(b"a", b"1", LIMITS);
        h.set(b"b", b"2", LIMITS);
        let mut seen = Vec::new();
        assert_eq!(h.scan(0, |k, _| seen.push(k.to_vec())), 0);
        assert_eq!(seen.len(), 2);

        let big = HashLimits::default();
        let mut t = HashValue::default();
        for i in 0..1000 {
            t.set(format!("f{i}").as_bytes(), b"v", big);
        }
        assert_eq!(t.encoding(), "hashtable");
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            cursor = t.scan(cursor, |k, _| {
                seen.insert(k.to_vec());
            });
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 1000);
    }

    #[test]
    fn random_pairs_are_members() {
        let mut h = HashValue::default();
        assert!(h.random_pair(&mut |_| 0).is_none());
        h.set(b"a", b"1", LIMITS);
        h.set(b"b", b"2", LIMITS);
        assert_eq!(h.random_pair(&mut |_| 1), Some((&b"b"[..], &b"2"[..])));
        h.convert_to_table();
        let (k, v) = h.random_pair(&mut |_| 0).unwrap();
        assert_eq!(h.get(k), Some(v));
    }
}
