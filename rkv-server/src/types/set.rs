//! [`SetValue`]: a set (SADD, SMEMBERS...), `intset` while it holds only
//! few integers, then a `hashtable`.
//!
//! As in Redis 7.0, a set is created as an intset (a sorted array of
//! integers, searched by bisection) and converted to a hash table as soon as
//! a member is not a canonical 64-bit decimal integer or the member count
//! goes over `set-max-intset-entries`. Adding never converts back; only
//! building a fresh set (SPOP's "keep the rest" strategy, the STORE
//! commands) can yield an intset again.

mod intset;

use std::cell::Cell;

pub use intset::Intset;

use crate::db::dict::Dict;
use crate::db::SmallBytes;

/// Redis caps the intset size at 2^30 entries whatever the configuration.
pub(crate) const INTSET_HARD_LIMIT: usize = 1 << 30;

/// A set of byte strings.
#[derive(Debug, Clone)]
pub enum SetValue {
    /// Small sets of integers: sorted ascending, as Redis's intset.
    Intset(Intset),
    /// Everything else: a hash table of members (boxed, so that small sets
    /// do not pay for the table header).
    Table(Box<Dict<SmallBytes, ()>>),
}

impl Default for SetValue {
    fn default() -> Self {
        SetValue::Intset(Intset::default())
    }
}

/// One member as a set stores it: an intset holds integers, a table bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Member<'a> {
    /// A member of an intset.
    Int(i64),
    /// A member of a hash table.
    Bytes(&'a [u8]),
}

impl Member<'_> {
    /// Calls `f` with the member's bytes (integers formatted in decimal).
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Member::Int(n) => f(itoa::Buffer::new().format(n).as_bytes()),
            Member::Bytes(b) => f(b),
        }
    }

    /// The member's bytes, copied.
    pub fn to_vec(self) -> Vec<u8> {
        self.with_bytes(<[u8]>::to_vec)
    }
}

/// Parses `s` as Redis's `string2ll` would accept it for an intset: the
/// canonical decimal form of an `i64`.
pub fn as_intset_member(s: &[u8]) -> Option<i64> {
    if s.len() > 20 {
        return None;
    }
    rkv_proto::request::parse_i64(s)
}

impl SetValue {
    /// Number of members.
    pub fn len(&self) -> usize {
        match self {
            SetValue::Intset(v) => v.len(),
            SetValue::Table(d) => d.len(),
        }
    }

    /// Whether the set is empty (an empty set is never stored).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Visits every member.
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        for m in self.iter() {
            m.with_bytes(&mut f);
        }
    }

    /// Every member, intsets in ascending order, tables in table order.
    pub fn iter(&self) -> impl Iterator<Item = Member<'_>> + '_ {
        let (ints, table) = match self {
            SetValue::Intset(v) => (Some(v.iter().map(Member::Int)), None),
            SetValue::Table(d) => (None, Some(d.iter().map(|(k, _)| Member::Bytes(k)))),
        };
        ints.into_iter()
            .flatten()
            .chain(table.into_iter().flatten())
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            SetValue::Intset(_) => "intset",
            SetValue::Table(_) => "hashtable",
        }
    }

    /// Heap bytes owned by the set.
    pub fn heap_size(&self) -> usize {
        match self {
            SetValue::Intset(v) => v.heap_size(),
            SetValue::Table(d) => {
                std::mem::size_of::<Dict<SmallBytes, ()>>()
                    + d.approx_heap_bytes()
                    + d.iter().map(|(k, _)| k.heap_size()).sum::<usize>()
            }
        }
    }

    /// Adds `member`; returns whether it was new. `max_intset` is
    /// `set-max-intset-entries`: an intset growing past it becomes a table.
    pub fn add(&mut self, member: &[u8], max_intset: usize) -> bool {
        if let SetValue::Intset(v) = self {
            let Some(n) = as_intset_member(member) else {
                self.convert_to_table();
                return self.add(member, max_intset);
            };
            if !v.insert(n) {
                return false;
            }
            if v.len() > max_intset.min(INTSET_HARD_LIMIT) {
                self.convert_to_table();
            }
            return true;
        }
        let SetValue::Table(d) = self else {
            unreachable!("intsets returned above")
        };
        if d.contains_key(member) {
            return false;
        }
        d.insert(SmallBytes::new(member), ());
        true
    }

    /// Adds a member read from another set.
    pub fn add_member(&mut self, member: Member<'_>, max_intset: usize) -> bool {
        match (member, &mut *self) {
            (Member::Int(n), SetValue::Intset(v)) => {
                if !v.insert(n) {
                    return false;
                }
                if v.len() > max_intset.min(INTSET_HARD_LIMIT) {
                    self.convert_to_table();
                }
                true
            }
            _ => member.with_bytes(|b| self.add(b, max_intset)),
        }
    }

    /// Removes `member`; returns whether it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            SetValue::Intset(v) => as_intset_member(member).is_some_and(|n| v.remove(n)),
            SetValue::Table(d) => {
                let removed = d.remove(member).is_some();
                if removed {
                    // Redis shrinks a set's table right after a removal.
                    d.shrink_if_needed();
                }
                removed
            }
        }
    }

    /// Whether `member` is in the set.
    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            SetValue::Intset(v) => as_intset_member(member).is_some_and(|n| v.contains(n)),
            SetValue::Table(d) => d.contains_key(member),
        }
    }

    /// Whether a member read from another set is in this one.
    pub fn contains_member(&self, member: Member<'_>) -> bool {
        match (member, self) {
            (Member::Int(n), SetValue::Intset(v)) => v.contains(n),
            _ => member.with_bytes(|b| self.contains(b)),
        }
    }

    /// A member chosen (close to) uniformly at random; `None` when empty.
    pub fn random(&self) -> Option<Member<'_>> {
        match self {
            SetValue::Intset(v) if v.is_empty() => None,
            SetValue::Intset(v) => Some(Member::Int(v.get(random_below(v.len())))),
            SetValue::Table(d) => d.random_entry().map(|(k, _)| Member::Bytes(k)),
        }
    }

    /// Removes and returns a random member; `None` when empty.
    pub fn pop_random(&mut self) -> Option<Vec<u8>> {
        let member = self.random()?.to_vec();
        self.remove(&member);
        Some(member)
    }

    /// One SSCAN step over a table (Redis's reverse-binary cursor): reports
    /// the members of the bucket(s) under `cursor` and returns the next
    /// cursor. An intset reports everything and returns 0.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(Member<'_>)) -> u64 {
        match self {
            SetValue::Intset(v) => {
                v.iter().for_each(|n| f(Member::Int(n)));
                0
            }
            SetValue::Table(d) => d.scan(cursor, |k, _| f(Member::Bytes(k))),
        }
    }

    /// Moves every member into a hash table (Redis's `setTypeConvert`).
    pub fn convert_to_table(&mut self) {
        let SetValue::Intset(v) = self else {
            return;
        };
        let mut d = Box::new(Dict::new());
        let mut buf = itoa::Buffer::new();
        for n in v.iter() {
            d.insert(SmallBytes::new(buf.format(n).as_bytes()), ());
        }
        *self = SetValue::Table(d);
    }
}

thread_local! {
    static RNG_STATE: Cell<u64> = Cell::new(seed());
}

/// A seed that differs between runs.
fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ u64::from(std::process::id()).rotate_left(32)
}

/// A uniformly distributed index below `n` (`n > 0`), from a wyrand stream.
pub fn random_below(n: usize) -> usize {
    let x = RNG_STATE.with(|s| {
        let state = s.get().wrapping_add(0xa076_1d64_78bd_642f);
        s.set(state);
        let wide = u128::from(state) * u128::from(state ^ 0xe703_7ed1_a0b4_28db);
        ((wide >> 64) ^ wide) as u64
    });
    // Multiply-shift maps 64 random bits onto 0..n with negligible bias.
    ((u128::from(x) * n as u128) >> 64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(s: &SetValue) -> Vec<Vec<u8>> {
        s.iter().map(Member::to_vec).collect()
    }

    #[test]
    fn intset_stays_sorted_and_unique() {
        let mut s = SetValue::default();
        for m in ["5", "-3", "100", "5", "0", "-9223372036854775808"] {
            s.add(m.as_bytes(), 512);
        }
        assert_eq!(s.encoding(), "intset");
        assert_eq!(
            members(&s),
            ["-9223372036854775808", "-3", "0", "5", "100"].map(|m| m.as_bytes().to_vec())
        );
        assert!(s.contains(b"100"));
        assert!(!s.contains(b"101"));
        assert!(!s.contains(b"abc"));
        assert!(s.remove(b"-3"));
        assert!(!s.remove(b"-3"));
        assert_eq!(s.len(), 4);
    }

    #[test]
    fn non_canonical_integers_convert_to_a_table() {
        for m in [
            "01",
            "+1",
            "-0",
            " 1",
            "1 ",
            "9223372036854775808",
            "1.0",
            "",
        ] {
            let mut s = SetValue::default();
            s.add(b"1", 512);
            s.add(m.as_bytes(), 512);
            assert_eq!(s.encoding(), "hashtable", "{m:?}");
            assert!(s.contains(b"1"));
            assert!(s.contains(m.as_bytes()));
        }
    }

    #[test]
    fn intset_converts_past_the_entry_limit_and_never_back() {
        let mut s = SetValue::default();
        for n in 0..4 {
            s.add(n.to_string().as_bytes(), 4);
        }
        assert_eq!(s.encoding(), "intset");
        s.add(b"4", 4);
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(s.len(), 5);
        s.remove(b"4");
        s.remove(b"3");
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"0") && s.contains(b"2") && !s.contains(b"3"));
    }

    #[test]
    fn a_zero_limit_converts_the_first_integer() {
        let mut s = SetValue::default();
        s.add(b"7", 0);
        assert_eq!(s.encoding(), "hashtable");
    }

    #[test]
    fn members_cross_encodings() {
        let mut ints = SetValue::default();
        ints.add(b"12", 512);
        let mut table = SetValue::default();
        table.add(b"x", 512);
        table.add(b"12", 512);
        assert!(table.contains_member(Member::Int(12)));
        assert!(ints.contains_member(Member::Bytes(b"12")));
        assert!(!ints.contains_member(Member::Bytes(b"x")));
        assert!(ints.add_member(Member::Bytes(b"13"), 512));
        assert_eq!(ints.encoding(), "intset");
        assert!(ints.add_member(Member::Bytes(b"y"), 512));
        assert_eq!(ints.encoding(), "hashtable");
    }

    #[test]
    fn random_and_pop_return_members() {
        let mut s = SetValue::default();
        for n in 0..50 {
            s.add(format!("m{n}").as_bytes(), 512);
        }
        let picked = s.random().expect("non-empty").to_vec();
        assert!(s.contains(&picked));
        let mut seen = std::collections::HashSet::new();
        while let Some(m) = s.pop_random() {
            assert!(seen.insert(m));
        }
        assert_eq!(seen.len(), 50);
        assert!(s.random().is_none());
    }

    #[test]
    fn random_below_stays_in_range_and_covers_it() {
        let mut hits = [0u32; 7];
        for _ in 0..7000 {
            hits[random_below(7)] += 1;
        }
        assert!(hits.iter().all(|&h| h > 700), "{hits:?}");
    }

    #[test]
    fn scan_of_an_intset_returns_everything_at_once() {
        let mut s = SetValue::default();
        s.add(b"2", 512);
        s.add(b"1", 512);
        let mut got = Vec::new();
        assert_eq!(s.scan(0, |m| got.push(m.to_vec())), 0);
        assert_eq!(got, vec![b"1".to_vec(), b"2".to_vec()]);
    }

    #[test]
    fn scan_of_a_table_visits_every_member() {
        let mut s = SetValue::default();
        for n in 0..1000 {
            s.add(format!("k{n}").as_bytes(), 512);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        loop {
            cursor = s.scan(cursor, |m| {
                seen.insert(m.to_vec());
            });
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 1000);
    }
}
