//! [`ListValue`]: a list (LPUSH, LRANGE...). Redis 7.0 always reports the
//! `quicklist` encoding for lists, whatever their size.
//!
//! Elements live in a ring buffer of [`SmallBytes`]: pushes and pops at
//! both ends are O(1), indexing is O(1), and short elements are stored
//! inline, so LRANGE walks contiguous memory.

use std::collections::VecDeque;

use crate::db::SmallBytes;

/// One end of a list (LEFT = head, RIGHT = tail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The head (LPUSH, LPOP, `LEFT`).
    Head,
    /// The tail (RPUSH, RPOP, `RIGHT`).
    Tail,
}

/// A list of byte strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListValue {
    items: VecDeque<SmallBytes>,
}

impl ListValue {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty list with room for `n` elements (a loader's count).
    pub fn with_capacity(n: usize) -> Self {
        ListValue {
            items: VecDeque::with_capacity(n),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the list is empty (an empty list is never stored).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Appends at the tail.
    pub fn push_back(&mut self, v: &[u8]) {
        self.items.push_back(SmallBytes::new(v));
    }

    /// Prepends at the head.
    pub fn push_front(&mut self, v: &[u8]) {
        self.items.push_front(SmallBytes::new(v));
    }

    /// Adds an element at `end`.
    pub fn push(&mut self, end: End, v: &[u8]) {
        match end {
            End::Head => self.push_front(v),
            End::Tail => self.push_back(v),
        }
    }

    /// Adds an already built element at `end` (moves between lists).
    pub fn push_item(&mut self, end: End, v: SmallBytes) {
        match end {
            End::Head => self.items.push_front(v),
            End::Tail => self.items.push_back(v),
        }
    }

    /// Removes and returns the element at `end`.
    pub fn pop(&mut self, end: End) -> Option<SmallBytes> {
        match end {
            End::Head => self.items.pop_front(),
            End::Tail => self.items.pop_back(),
        }
    }

    /// The element at `i` (0 = head).
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.items.get(i).map(SmallBytes::as_slice)
    }

    /// Replaces the element at `i`; false when out of range.
    pub fn set(&mut self, i: usize, v: &[u8]) -> bool {
        match self.items.get_mut(i) {
            Some(slot) => {
                *slot = SmallBytes::new(v);
                true
            }
            None => false,
        }
    }

    /// Inserts `v` so that it ends up at index `i`.
    pub fn insert(&mut self, i: usize, v: &[u8]) {
        self.items.insert(i, SmallBytes::new(v));
    }

    /// Elements `start..=end` (clamped to the list), head to tail.
    pub fn range(&self, start: usize, end: usize) -> impl Iterator<Item = &[u8]> + '_ {
        let stop = (end + 1).min(self.items.len());
        let start = start.min(stop);
        self.items.range(start..stop).map(SmallBytes::as_slice)
    }

    /// Elements head to tail.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &[u8]> + ExactSizeIterator + '_ {
        self.items.iter().map(SmallBytes::as_slice)
    }

    /// Keeps only elements `start..=end`; an empty range empties the list.
    pub fn retain_range(&mut self, start: usize, end: usize) {
        if start > end || start >= self.items.len() {
            self.items.clear();
            return;
        }
        self.items.truncate(end + 1);
        self.items.drain(..start);
    }

    /// Removes up to `limit` elements equal to `v` (0 = all), scanning from
    /// `from`; returns how many went.
    pub fn remove_matching(&mut self, v: &[u8], limit: usize, from: End) -> usize {
        let mut removed = 0;
        match from {
            End::Head => {
                let mut i = 0;
                while i < self.items.len() && (limit == 0 || removed < limit) {
                    if &*self.items[i] == v {
                        self.items.remove(i);
                        removed += 1;
                    } else {
                        i += 1;
                    }
                }
            }
            End::Tail => {
                let mut i = self.items.len();
                while i > 0 && (limit == 0 || removed < limit) {
                    i -= 1;
                    if &*self.items[i] == v {
                        self.items.remove(i);
                        removed += 1;
                    }
                }
            }
        }
        removed
    }

    /// Visits every element, head to tail.
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        for item in &self.items {
            f(item);
        }
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Heap bytes owned by the list.
    pub fn heap_size(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<SmallBytes>()
            + self.items.iter().map(SmallBytes::heap_size).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> ListValue {
        let mut l = ListValue::new();
        for i in items {
            l.push_back(i.as_bytes());
        }
        l
    }

    fn items(l: &ListValue) -> Vec<String> {
        l.iter()
            .map(|b| String::from_utf8(b.to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn push_pop_both_ends() {
        let mut l = ListValue::new();
        l.push(End::Head, b"b");
        l.push(End::Head, b"a");
        l.push(End::Tail, b"c");
        assert_eq!(items(&l), ["a", "b", "c"]);
        assert_eq!(l.pop(End::Tail).as_deref(), Some(&b"c"[..]));
        assert_eq!(l.pop(End::Head).as_deref(), Some(&b"a"[..]));
        assert_eq!(l.len(), 1);
    }

    #[test]
    fn ranges_clamp_and_trim() {
        let l = list(&["a", "b", "c", "d"]);
        assert_eq!(l.range(1, 10).count(), 3);
        assert_eq!(l.range(5, 10).count(), 0);
        let mut t = l.clone();
        t.retain_range(1, 2);
        assert_eq!(items(&t), ["b", "c"]);
        let mut t = l.clone();
        t.retain_range(3, 1);
        assert!(t.is_empty());
    }

    #[test]
    fn remove_matching_from_either_end() {
        let mut l = list(&["x", "a", "x", "b", "x"]);
        assert_eq!(l.remove_matching(b"x", 2, End::Tail), 2);
        assert_eq!(items(&l), ["x", "a", "b"]);
        let mut l = list(&["x", "a", "x", "b", "x"]);
        assert_eq!(l.remove_matching(b"x", 0, End::Head), 3);
        assert_eq!(items(&l), ["a", "b"]);
    }

    #[test]
    fn set_insert_get() {
        let mut l = list(&["a", "c"]);
        l.insert(1, b"b");
        assert!(l.set(0, b"A"));
        assert!(!l.set(3, b"z"));
        assert_eq!(l.get(1), Some(&b"b"[..]));
        assert_eq!(items(&l), ["A", "b", "c"]);
    }
}
