//! [`ListValue`]: a list (LPUSH, LRANGE...). Redis 7.0 always reports the
//! `quicklist` encoding for lists.

use std::collections::VecDeque;

use crate::db::SmallBytes;

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
