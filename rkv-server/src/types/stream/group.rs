//! Consumer groups: a last-delivered ID, a pending entries list (PEL) of
//! entries delivered but not acknowledged, and the consumers owning them.

use std::collections::{BTreeMap, BTreeSet};

use super::id::StreamId;

/// Redis's `SCG_INVALID_ENTRIES_READ`: the group's read counter is unknown.
pub const ENTRIES_READ_UNKNOWN: i64 = -1;

/// One delivered, unacknowledged entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEntry {
    /// When it was last delivered (ms since the epoch).
    pub delivery_time: i64,
    /// How many times it was delivered.
    pub delivery_count: u64,
    /// The consumer that owns it.
    pub consumer: Vec<u8>,
}

/// A consumer of a group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consumer {
    /// When it last did anything (ms since the epoch).
    pub seen_time: i64,
    /// The IDs it owns in the group's PEL.
    pub pending: BTreeSet<StreamId>,
}

/// A consumer group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumerGroup {
    /// The last ID delivered to any consumer.
    pub last_id: StreamId,
    /// The logical count of entries read, or [`ENTRIES_READ_UNKNOWN`].
    pub entries_read: i64,
    /// Pending entries, by ID.
    pub pel: BTreeMap<StreamId, PendingEntry>,
    /// Consumers, by name (Redis keeps them in a radix tree, so in byte order).
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

impl ConsumerGroup {
    /// A group starting after `last_id`.
    pub fn new(last_id: StreamId, entries_read: i64) -> Self {
        ConsumerGroup {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    /// Records a delivery of `id` to `consumer` at `now`: a new PEL entry or
    /// a change of owner for an existing one.
    pub fn deliver(&mut self, id: StreamId, consumer: &[u8], now: i64) {
        let previous = self.pel.insert(
            id,
            PendingEntry {
                delivery_time: now,
                delivery_count: 1,
                consumer: consumer.to_vec(),
            },
        );
        if let Some(old) = previous {
            if let Some(c) = self.consumers.get_mut(&old.consumer) {
                c.pending.remove(&id);
            }
        }
        self.consumers
            .entry(consumer.to_vec())
            .or_default()
            .pending
            .insert(id);
    }

    /// Acknowledges `id`; whether it was pending.
    pub fn ack(&mut self, id: StreamId) -> bool {
        let Some(entry) = self.pel.remove(&id) else {
            return false;
        };
        if let Some(c) = self.consumers.get_mut(&entry.consumer) {
            c.pending.remove(&id);
        }
        true
    }

    /// Deletes a consumer with its pending entries; how many it had.
    pub fn remove_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let consumer = self.consumers.remove(name)?;
        for id in &consumer.pending {
            self.pel.remove(id);
        }
        Some(consumer.pending.len())
    }

    /// Heap bytes owned by the group (an estimate).
    pub fn heap_size(&self) -> usize {
        let pel: usize = self.pel.values().map(|p| 48 + p.consumer.capacity()).sum();
        let consumers: usize = self
            .consumers
            .iter()
            .map(|(k, c)| 48 + k.capacity() + c.pending.len() * 24)
            .sum();
        pel + consumers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pel_bookkeeping() {
        let mut g = ConsumerGroup::new(StreamId::MIN, 0);
        let (a, b) = (StreamId::new(1, 0), StreamId::new(2, 0));
        g.deliver(a, b"alice", 10);
        g.deliver(b, b"alice", 10);
        g.deliver(b, b"bob", 20);
        assert_eq!(g.pel.len(), 2);
        assert_eq!(g.consumers[&b"alice"[..]].pending.len(), 1);
        assert_eq!(g.consumers[&b"bob"[..]].pending.len(), 1);
        assert!(g.ack(a));
        assert!(!g.ack(a));
        assert!(g.consumers[&b"alice"[..]].pending.is_empty());
        assert_eq!(g.remove_consumer(b"bob"), Some(1));
        assert!(g.pel.is_empty());
        assert_eq!(g.remove_consumer(b"bob"), None);
    }
}
