//! The stream type: entries ordered by [`StreamId`], each a packed list of
//! field/value pairs, plus the metadata Redis keeps (last ID, entries added,
//! largest deleted ID) and the consumer groups.
//!
//! Entries live in a `BTreeMap`, so a range read costs O(log N + M). Beside
//! them the stream tracks how Redis would group the entries into listpack
//! nodes ([`NodeInfo`]), because an approximate (`~`) trim removes whole
//! nodes only and its result depends on where their boundaries fall.

pub mod group;
pub mod id;
pub mod lp_size;

use std::collections::BTreeMap;
use std::ops::Bound;

pub use group::{Consumer, ConsumerGroup, PendingEntry, ENTRIES_READ_UNKNOWN};
pub use id::{ParsedId, StreamId, INVALID_ID};

use super::Listpack;

/// Entries per listpack node in Redis (`stream-node-max-entries`); an
/// approximate (`~`) trim removes whole nodes of this many entries.
pub const NODE_MAX_ENTRIES: usize = 100;

/// Redis's `stream-node-max-bytes`: a node this big takes no more entries.
pub const NODE_MAX_BYTES: usize = 4096;

/// Where Redis's listpack nodes begin and what they hold, keyed by the
/// node's first (master) ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeInfo {
    /// Entries ever placed in the node, deleted ones included.
    pub slots: usize,
    /// Entries still live.
    pub live: usize,
    /// An estimate of the node's listpack size in bytes.
    pub bytes: usize,
    /// The last ID placed in the node (deleted or not).
    pub last: StreamId,
    /// The field names of the node's master entry.
    pub master_fields: Vec<Vec<u8>>,
}

/// Listpack bytes of an entry appended to a node with `master` ID and
/// `master_fields`: flags, ID deltas, the fields unless they are the
/// master's, the values, and the trailing element count.
fn entry_bytes(
    pairs: &[&[u8]],
    master: StreamId,
    master_fields: &[Vec<u8>],
    id: StreamId,
) -> usize {
    let fields = pairs.iter().step_by(2);
    let values = pairs.iter().skip(1).step_by(2);
    let n = pairs.len() / 2;
    let same = n == master_fields.len()
        && fields
            .clone()
            .zip(master_fields)
            .all(|(a, b)| *a == b.as_slice());
    let mut size = lp_size::int_size(0)
        + lp_size::int_size(id.ms.wrapping_sub(master.ms) as i64)
        + lp_size::int_size(id.seq.wrapping_sub(master.seq) as i64);
    size += values.map(|v| lp_size::elem_size(v)).sum::<usize>();
    let count = if same {
        n
    } else {
        size += lp_size::int_size(n as i64) + fields.map(|f| lp_size::elem_size(f)).sum::<usize>();
        2 * n + 1
    };
    size + lp_size::int_size(count as i64 + 3)
}

/// Nodes of a compressed radix tree holding the sorted, distinct, equally
/// long `keys`, from the node starting at `depth`.
fn radix_nodes(keys: &[[u8; 16]], depth: usize) -> usize {
    if depth == 16 {
        return 1;
    }
    let first = keys[0][depth];
    if keys.iter().all(|k| k[depth] == first) {
        // A compressed run up to the next branch (or the key's end).
        let mut end = depth + 1;
        while end < 16 && keys.iter().all(|k| k[end] == keys[0][end]) {
            end += 1;
        }
        return 1 + radix_nodes(keys, end);
    }
    let mut total = 1;
    let mut start = 0;
    while start < keys.len() {
        let byte = keys[start][depth];
        let len = keys[start..]
            .iter()
            .take_while(|k| k[depth] == byte)
            .count();
        total += radix_nodes(&keys[start..start + len], depth + 1);
        start += len;
    }
    total
}

/// Why an append failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendError {
    /// The ID is not greater than the stream's last ID.
    IdTooSmall,
}

/// What an XADD / XTRIM trim keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrimStrategy {
    /// At most this many entries.
    MaxLen(u64),
    /// No entries with a smaller ID.
    MinId(StreamId),
}

/// A trim request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trim {
    /// What to keep.
    pub strategy: TrimStrategy,
    /// `~`: remove whole nodes only, never more than `limit` entries.
    pub approx: bool,
    /// With `approx`, the most entries to remove (0: no limit).
    pub limit: u64,
}

/// A stream value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamValue {
    entries: BTreeMap<StreamId, Listpack>,
    nodes: BTreeMap<StreamId, NodeInfo>,
    /// The largest ID ever added.
    pub last_id: StreamId,
    /// The largest ID deleted by XDEL.
    pub max_deleted_entry_id: StreamId,
    /// Entries ever added (XADD count, or as set by XSETID).
    pub entries_added: u64,
    /// Consumer groups by name.
    pub groups: BTreeMap<Vec<u8>, ConsumerGroup>,
}

impl StreamValue {
    /// An empty stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries. Redis keeps empty streams as keys, so
    /// this never means the key must go.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The encoding OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        "stream"
    }

    /// Heap bytes owned by the stream (an estimate).
    pub fn heap_size(&self) -> usize {
        let entries: usize = self.entries.values().map(|lp| 32 + lp.bytes()).sum();
        let groups: usize = self
            .groups
            .iter()
            .map(|(k, g)| 64 + k.capacity() + g.heap_size())
            .sum();
        entries + groups
    }

    /// Visits every entry in ID order with its flat field/value list.
    pub fn for_each(&self, mut f: impl FnMut(StreamId, &Listpack)) {
        for (id, fields) in &self.entries {
            f(*id, fields);
        }
    }

    /// How many listpack nodes Redis would hold (XINFO `radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The node count of Redis's radix tree over the node keys (XINFO
    /// `radix-tree-nodes`), for a tree built by insertions only: a node at
    /// the root, at each branch, after each compressed run and per key.
    pub fn radix_tree_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self
            .nodes
            .keys()
            .map(|id| {
                let mut k = [0u8; 16];
                k[..8].copy_from_slice(&id.ms.to_be_bytes());
                k[8..].copy_from_slice(&id.seq.to_be_bytes());
                k
            })
            .collect();
        if keys.is_empty() {
            return 1;
        }
        radix_nodes(&keys, 0)
    }

    /// The first entry's ID, `0-0` when empty.
    pub fn first_id(&self) -> StreamId {
        self.entries.keys().next().copied().unwrap_or_default()
    }

    /// The first entry.
    pub fn first_entry(&self) -> Option<(StreamId, &Listpack)> {
        self.entries.iter().next().map(|(k, v)| (*k, v))
    }

    /// The last entry.
    pub fn last_entry(&self) -> Option<(StreamId, &Listpack)> {
        self.entries.iter().next_back().map(|(k, v)| (*k, v))
    }

    /// The entry with this ID.
    pub fn get(&self, id: StreamId) -> Option<&Listpack> {
        self.entries.get(&id)
    }

    /// The ID XADD would pick: generated from `now_ms` (`*`), with a
    /// generated sequence (`<ms>-*`), or as given; it must exceed the last.
    pub fn next_id(
        &self,
        requested: Option<ParsedId>,
        now_ms: u64,
    ) -> Result<StreamId, AppendError> {
        let last = self.last_id;
        let id = match requested {
            Some(p) if p.seq_given => p.id,
            Some(p) if p.id.ms == last.ms => last
                .incr()
                .filter(|n| n.ms == last.ms)
                .ok_or(AppendError::IdTooSmall)?,
            Some(p) => p.id,
            None if now_ms > last.ms => StreamId::new(now_ms, 0),
            None => last.incr().ok_or(AppendError::IdTooSmall)?,
        };
        if id <= last {
            return Err(AppendError::IdTooSmall);
        }
        Ok(id)
    }

    /// Appends an entry of field/value pairs, returning its ID.
    pub fn append(
        &mut self,
        pairs: &[&[u8]],
        requested: Option<ParsedId>,
        now_ms: u64,
    ) -> Result<StreamId, AppendError> {
        let id = self.next_id(requested, now_ms)?;
        let mut packed = Listpack::new();
        // Each entry is its length (a varint, at most 10 bytes) and bytes.
        packed.reserve(pairs.iter().map(|p| p.len() + 10).sum());
        for p in pairs {
            packed.push_back(p);
        }
        self.entries.insert(id, packed);
        self.place_in_node(id, pairs);
        self.last_id = id;
        self.entries_added += 1;
        Ok(id)
    }

    /// Records `id` in the last node, or opens a node as Redis's
    /// `streamAppendItem` does when the last one is full.
    fn place_in_node(&mut self, id: StreamId, pairs: &[&[u8]]) {
        let payload: usize = pairs.iter().map(|p| p.len()).sum();
        if let Some((&master, node)) = self.nodes.iter_mut().next_back() {
            if node.bytes + payload < NODE_MAX_BYTES && node.slots < NODE_MAX_ENTRIES {
                node.bytes += entry_bytes(pairs, master, &node.master_fields, id);
                node.slots += 1;
                node.live += 1;
                node.last = id;
                return;
            }
        }
        let master_fields: Vec<Vec<u8>> = pairs.iter().step_by(2).map(|f| f.to_vec()).collect();
        // Header and end byte, then the master entry: live and deleted
        // counts, the field count, the field names and a terminator.
        let master_bytes = 7
            + 3 * lp_size::int_size(1)
            + master_fields
                .iter()
                .map(|f| lp_size::elem_size(f))
                .sum::<usize>()
            + lp_size::int_size(0);
        let bytes = master_bytes + entry_bytes(pairs, id, &master_fields, id);
        let node = NodeInfo {
            slots: 1,
            live: 1,
            bytes,
            last: id,
            master_fields,
        };
        self.nodes.insert(id, node);
    }

    /// The node holding `id`.
    fn node_of(&mut self, id: StreamId) -> Option<(StreamId, &mut NodeInfo)> {
        self.nodes
            .range_mut(..=id)
            .next_back()
            .map(|(k, v)| (*k, v))
    }

    /// Marks `id` deleted in its node, dropping the node once nothing in it
    /// is live.
    fn unplace(&mut self, id: StreamId) {
        if let Some((master, node)) = self.node_of(id) {
            node.live -= 1;
            if node.live == 0 {
                self.nodes.remove(&master);
            }
        }
    }

    /// Entries with `start <= id <= end`, forwards or (`rev`) backwards,
    /// at most `count` (0: all).
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        count: usize,
    ) -> Vec<(StreamId, &Listpack)> {
        if start > end {
            return Vec::new();
        }
        let limit = if count == 0 { usize::MAX } else { count };
        let iter = self
            .entries
            .range((Bound::Included(start), Bound::Included(end)))
            .map(|(k, v)| (*k, v));
        if rev {
            iter.rev().take(limit).collect()
        } else {
            iter.take(limit).collect()
        }
    }

    /// Deletes one entry (XDEL); whether it existed.
    pub fn delete(&mut self, id: StreamId) -> bool {
        if self.entries.remove(&id).is_none() {
            return false;
        }
        self.unplace(id);
        if id > self.max_deleted_entry_id {
            self.max_deleted_entry_id = id;
        }
        true
    }

    /// Whether an XDEL may have left a gap at or after `start`
    /// (`streamRangeHasTombstones` with an open end).
    pub fn has_tombstones_from(&self, start: StreamId) -> bool {
        let max_del = self.max_deleted_entry_id;
        if self.is_empty() || max_del == StreamId::MIN || self.first_id() > max_del {
            return false;
        }
        start <= max_del
    }

    /// How many entries were added up to and including `id`, when that can
    /// be known (`streamEstimateDistanceFromFirstEverEntry`); else
    /// [`ENTRIES_READ_UNKNOWN`].
    pub fn entries_before_and_at(&self, id: StreamId) -> i64 {
        let added = self.entries_added as i64;
        if added == 0 {
            return 0;
        }
        if self.is_empty() && id <= self.last_id {
            return added;
        }
        if id == self.last_id {
            return added;
        }
        if id > self.last_id {
            return ENTRIES_READ_UNKNOWN;
        }
        let first = self.first_id();
        let max_del = self.max_deleted_entry_id;
        if max_del == StreamId::MIN || max_del < first {
            if id < first {
                return added - self.len() as i64;
            } else if id == first {
                return added - self.len() as i64 + 1;
            }
        }
        ENTRIES_READ_UNKNOWN
    }

    /// Advances `group`'s last delivered ID to `id` with its read counter,
    /// as a delivery of new entries does.
    pub fn advance_group(&self, group: &mut ConsumerGroup, id: StreamId) {
        if id <= group.last_id {
            return;
        }
        if group.entries_read != ENTRIES_READ_UNKNOWN && !self.has_tombstones_from(id) {
            group.entries_read += 1;
        } else if self.entries_added != 0 {
            group.entries_read = self.entries_before_and_at(id);
        }
        group.last_id = id;
    }

    /// Delivers up to `count` (0: all) entries after `group`'s last ID to
    /// `consumer` (XREADGROUP `>`): advances the group and, unless `noack`,
    /// records them as pending. Returns the IDs; `None` without the group.
    pub fn deliver_new(
        &mut self,
        group: &[u8],
        consumer: &[u8],
        count: usize,
        noack: bool,
        now_ms: i64,
    ) -> Option<Vec<StreamId>> {
        let mut g = self.groups.remove(group)?;
        let ids: Vec<StreamId> = match g.last_id.incr() {
            Some(start) => self
                .range(start, StreamId::MAX, false, count)
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
            None => Vec::new(),
        };
        g.consumers.entry(consumer.to_vec()).or_default().seen_time = now_ms;
        for id in &ids {
            self.advance_group(&mut g, *id);
            if !noack {
                g.deliver(*id, consumer, now_ms);
            }
        }
        self.groups.insert(group.to_vec(), g);
        Some(ids)
    }

    /// Re-delivers `consumer`'s pending entries from `start`, at most
    /// `count` (0: all): each ID with whether its entry still exists
    /// (existing ones count a new delivery). `None` without the group.
    pub fn deliver_history(
        &mut self,
        group: &[u8],
        consumer: &[u8],
        start: StreamId,
        count: usize,
        now_ms: i64,
    ) -> Option<Vec<(StreamId, bool)>> {
        let g = self.groups.get_mut(group)?;
        let c = g.consumers.entry(consumer.to_vec()).or_default();
        c.seen_time = now_ms;
        let limit = if count == 0 { usize::MAX } else { count };
        let ids: Vec<StreamId> = c.pending.range(start..).take(limit).copied().collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let exists = self.entries.contains_key(&id);
            if exists {
                if let Some(p) = g.pel.get_mut(&id) {
                    p.delivery_time = now_ms;
                    p.delivery_count += 1;
                }
            }
            out.push((id, exists));
        }
        Some(out)
    }

    /// Trims from the oldest end as Redis's `streamTrim` does: whole nodes
    /// while they may all go, then (unless approximate) single entries.
    /// Returns how many entries were removed.
    pub fn trim(&mut self, trim: Trim) -> usize {
        let mut removed = 0;
        while let Some((&master, node)) = self.nodes.iter().next() {
            if let TrimStrategy::MaxLen(max) = trim.strategy {
                if self.entries.len() as u64 <= max {
                    break;
                }
            }
            if trim.limit != 0 && (removed + node.live) as u64 > trim.limit {
                break;
            }
            let whole = match trim.strategy {
                TrimStrategy::MaxLen(max) => (self.entries.len() - node.live) as u64 >= max,
                TrimStrategy::MinId(min) => node.last < min,
            };
            if whole {
                let ids: Vec<StreamId> = self
                    .entries
                    .range(master..=node.last)
                    .map(|(k, _)| *k)
                    .collect();
                for id in &ids {
                    self.entries.remove(id);
                }
                removed += ids.len();
                self.nodes.remove(&master);
                continue;
            }
            if trim.approx {
                break;
            }
            let in_node = self.entries.range(master..=node.last).map(|(k, _)| *k);
            let doomed: Vec<StreamId> = match trim.strategy {
                TrimStrategy::MaxLen(max) => {
                    let excess = (self.entries.len() as u64).saturating_sub(max);
                    in_node.take(excess as usize).collect()
                }
                TrimStrategy::MinId(min) => in_node.take_while(|id| *id < min).collect(),
            };
            for id in &doomed {
                self.entries.remove(id);
                self.unplace(*id);
            }
            removed += doomed.len();
            break;
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(ms: u64, seq: u64) -> Option<ParsedId> {
        Some(ParsedId {
            id: StreamId::new(ms, seq),
            seq_given: true,
        })
    }

    fn star_seq(ms: u64) -> Option<ParsedId> {
        Some(ParsedId {
            id: StreamId::new(ms, 0),
            seq_given: false,
        })
    }

    #[test]
    fn generates_ids() {
        let mut s = StreamValue::new();
        assert_eq!(
            s.append(&[b"f", b"v"], None, 100),
            Ok(StreamId::new(100, 0))
        );
        assert_eq!(s.append(&[b"f", b"v"], None, 90), Ok(StreamId::new(100, 1)));
        assert_eq!(
            s.append(&[b"f", b"v"], star_seq(100), 0),
            Ok(StreamId::new(100, 2))
        );
        assert_eq!(
            s.append(&[b"f", b"v"], star_seq(200), 0),
            Ok(StreamId::new(200, 0))
        );
        assert_eq!(
            s.append(&[b"f", b"v"], star_seq(150), 0),
            Err(AppendError::IdTooSmall)
        );
        assert_eq!(
            s.append(&[b"f", b"v"], given(200, 0), 0),
            Err(AppendError::IdTooSmall)
        );
        assert_eq!(
            s.append(&[b"f", b"v"], given(200, 5), 0),
            Ok(StreamId::new(200, 5))
        );
        assert_eq!(s.len(), 5);
        assert_eq!(s.entries_added, 5);
        let mut fresh = StreamValue::new();
        assert_eq!(
            fresh.append(&[b"f", b"v"], star_seq(0), 0),
            Ok(StreamId::new(0, 1))
        );
    }

    fn numbered(n: u64) -> StreamValue {
        let mut s = StreamValue::new();
        for i in 1..=n {
            s.append(&[b"f", b"v"], given(i, 0), 0).unwrap();
        }
        s
    }

    #[test]
    fn range_reads() {
        let s = numbered(10);
        let ids = |v: Vec<(StreamId, &Listpack)>| v.iter().map(|(id, _)| id.ms).collect::<Vec<_>>();
        assert_eq!(
            ids(s.range(StreamId::new(3, 0), StreamId::new(5, 0), false, 0)),
            [3, 4, 5]
        );
        assert_eq!(ids(s.range(StreamId::MIN, StreamId::MAX, true, 2)), [10, 9]);
        assert!(s
            .range(StreamId::new(5, 0), StreamId::new(3, 0), false, 0)
            .is_empty());
        let (_, fields) = s.first_entry().unwrap();
        assert_eq!(fields.iter().collect::<Vec<_>>(), [&b"f"[..], b"v"]);
    }

    #[test]
    fn group_deliveries_track_the_pel() {
        let mut s = numbered(5);
        s.groups
            .insert(b"g".to_vec(), ConsumerGroup::new(StreamId::new(2, 0), 2));
        let got = s.deliver_new(b"g", b"c", 2, false, 100).unwrap();
        assert_eq!(got, [StreamId::new(3, 0), StreamId::new(4, 0)]);
        let g = &s.groups[&b"g"[..]];
        assert_eq!(g.last_id, StreamId::new(4, 0));
        assert_eq!(g.entries_read, 4);
        assert_eq!(g.pel.len(), 2);
        assert!(s.delete(StreamId::new(3, 0)));
        let history = s
            .deliver_history(b"g", b"c", StreamId::MIN, 0, 200)
            .unwrap();
        assert_eq!(
            history,
            [(StreamId::new(3, 0), false), (StreamId::new(4, 0), true)]
        );
        assert_eq!(
            s.groups[&b"g"[..]].pel[&StreamId::new(4, 0)].delivery_count,
            2
        );
        // An unknown counter is known again once the last entry is read.
        s.groups.get_mut(&b"g"[..]).unwrap().entries_read = ENTRIES_READ_UNKNOWN;
        let none = s.deliver_new(b"g", b"d", 0, true, 300).unwrap();
        assert_eq!(s.groups[&b"g"[..]].entries_read, 5);
        assert_eq!(none, [StreamId::new(5, 0)]);
        assert_eq!(s.groups[&b"g"[..]].pel.len(), 2);
        assert!(s.deliver_new(b"nope", b"c", 0, false, 0).is_none());
    }

    #[test]
    fn deletes_and_trims() {
        let mut s = numbered(10);
        assert!(s.delete(StreamId::new(4, 0)));
        assert!(!s.delete(StreamId::new(4, 0)));
        assert_eq!(s.max_deleted_entry_id, StreamId::new(4, 0));
        let exact = |strategy| Trim {
            strategy,
            approx: false,
            limit: 0,
        };
        assert_eq!(s.trim(exact(TrimStrategy::MaxLen(5))), 4);
        assert_eq!(s.first_id(), StreamId::new(6, 0));
        assert_eq!(s.trim(exact(TrimStrategy::MinId(StreamId::new(8, 0)))), 2);
        assert_eq!(s.len(), 3);
        assert_eq!(s.last_id, StreamId::new(10, 0));

        let mut big = numbered(250);
        let approx = Trim {
            strategy: TrimStrategy::MaxLen(10),
            approx: true,
            limit: 0,
        };
        assert_eq!(big.trim(approx), 200);
        let mut limited = numbered(250);
        assert_eq!(
            limited.trim(Trim {
                limit: 150,
                ..approx
            }),
            100
        );
    }
}
