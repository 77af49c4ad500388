//! A fixed-size ring buffer of recent values, for sparklines and charts.

use std::collections::VecDeque;

/// The last `capacity` values pushed, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct History<T> {
    values: VecDeque<T>,
    capacity: usize,
}

impl<T: Copy> History<T> {
    /// An empty history that keeps at most `capacity` values.
    pub fn new(capacity: usize) -> Self {
        History {
            values: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Appends a value, dropping the oldest when full.
    pub fn push(&mut self, value: T) {
        if self.values.len() == self.capacity {
            self.values.pop_front();
        }
        self.values.push_back(value);
    }

    /// The values, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = T> + ExactSizeIterator + '_ {
        self.values.iter().copied()
    }

    /// The newest value.
    pub fn last(&self) -> Option<T> {
        self.values.back().copied()
    }

    /// How many values are kept now.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether nothing has been pushed yet.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Forgets every value.
    pub fn clear(&mut self) {
        self.values.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_newest_values() {
        let mut h = History::new(3);
        for v in 1..=5 {
            h.push(v);
        }
        assert_eq!(h.iter().collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(h.last(), Some(5));
        h.clear();
        assert!(h.is_empty());
    }
}
