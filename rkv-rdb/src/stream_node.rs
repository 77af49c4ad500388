//! The listpack layout of a stream node: a master entry naming the fields
//! most entries share, then entries stored as differences from the node's
//! master ID, each ending with its own element count.
//!
//! Master entry: count, deleted, number of master fields, the fields, 0.
//! Entry: flags, ms delta, seq delta, then either the values alone (flag
//! SAMEFIELDS) or a field count and field/value pairs; then the entry's
//! element count (for iterating backwards).

use crate::element::Element;
use crate::error::BlobError;
use crate::listpack::{self, ListpackBuilder};
use crate::value::{StreamEntry, StreamId};

const FLAG_DELETED: i64 = 1;
const FLAG_SAMEFIELDS: i64 = 2;

/// Most entries Redis puts in one node (`stream-node-max-entries`).
pub const NODE_MAX_ENTRIES: usize = 100;
/// Most bytes Redis lets a node grow to (`stream-node-max-bytes`).
pub const NODE_MAX_BYTES: usize = 4096;

fn err(reason: impl Into<String>) -> BlobError {
    BlobError::new("stream listpack", reason)
}

/// Decodes the live (not deleted) entries of a node whose master ID is
/// `master`.
pub fn decode(master: StreamId, blob: &[u8]) -> Result<Vec<StreamEntry>, BlobError> {
    let elements = listpack::decode(blob)?;
    let limit = blob.len() as i64;
    let it = &mut elements.into_iter();
    let count = next_int(it, "entry count")?;
    let deleted = next_int(it, "deleted count")?;
    let master_field_count = next_int(it, "master field count")?;
    if !(0..=limit).contains(&master_field_count) || count < 0 || deleted < 0 {
        return Err(err("negative or implausible counts in the master entry"));
    }
    let mut master_fields = Vec::with_capacity(master_field_count as usize);
    for _ in 0..master_field_count {
        master_fields.push(next_bytes(it, "master field")?);
    }
    if next_int(it, "master terminator")? != 0 {
        return Err(err("master entry does not end with 0"));
    }
    let mut entries = Vec::new();
    let mut seen = 0i64;
    while let Some(flags) = it.next() {
        let flags = flags.as_int().ok_or_else(|| err("non-integer flags"))?;
        let ms_delta = next_int(it, "ms delta")?;
        let seq_delta = next_int(it, "seq delta")?;
        let id = StreamId {
            ms: master.ms.wrapping_add(ms_delta as u64),
            seq: master.seq.wrapping_add(seq_delta as u64),
        };
        let fields = if flags & FLAG_SAMEFIELDS != 0 {
            let mut fields = Vec::with_capacity(master_fields.len());
            for field in &master_fields {
                fields.push((field.clone(), next_bytes(it, "value")?));
            }
            fields
        } else {
            let n = next_int(it, "field count")?;
            if !(0..=limit).contains(&n) {
                return Err(err("bad field count"));
            }
            let mut fields = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let field = next_bytes(it, "field")?;
                fields.push((field, next_bytes(it, "value")?));
            }
            fields
        };
        next_int(it, "entry element count")?;
        seen += 1;
        if flags & FLAG_DELETED == 0 {
            entries.push(StreamEntry { id, fields });
        }
    }
    if count.checked_add(deleted) != Some(seen) || entries.len() as i64 != count {
        return Err(err(format!(
            "master entry counts {count} live and {deleted} deleted, found {seen} entries ({} live)",
            entries.len()
        )));
    }
    Ok(entries)
}

fn next_int(it: &mut impl Iterator<Item = Element>, what: &str) -> Result<i64, BlobError> {
    it.next()
        .and_then(|e| e.as_int())
        .ok_or_else(|| err(format!("missing or non-integer {what}")))
}

fn next_bytes(it: &mut impl Iterator<Item = Element>, what: &str) -> Result<Vec<u8>, BlobError> {
    it.next()
        .map(Element::into_bytes)
        .ok_or_else(|| err(format!("missing {what}")))
}

/// Encodes entries (in ID order, at least one) as one node; its master ID
/// is the first entry's ID, its master fields the first entry's fields.
pub fn encode(entries: &[StreamEntry]) -> Vec<u8> {
    let master = entries[0].id;
    let master_fields: Vec<&[u8]> = entries[0]
        .fields
        .iter()
        .map(|(f, _)| f.as_slice())
        .collect();
    let mut lp = ListpackBuilder::new();
    lp.push_int(entries.len() as i64);
    lp.push_int(0);
    lp.push_int(master_fields.len() as i64);
    for field in &master_fields {
        lp.push_bytes(field);
    }
    lp.push_int(0);
    for entry in entries {
        let same = entry.fields.len() == master_fields.len()
            && entry
                .fields
                .iter()
                .zip(&master_fields)
                .all(|((f, _), m)| f == m);
        lp.push_int(if same { FLAG_SAMEFIELDS } else { 0 });
        lp.push_int(entry.id.ms.wrapping_sub(master.ms) as i64);
        lp.push_int(entry.id.seq.wrapping_sub(master.seq) as i64);
        if same {
            for (_, value) in &entry.fields {
                lp.push_bytes(value);
            }
            lp.push_int(entry.fields.len() as i64 + 3);
        } else {
            lp.push_int(entry.fields.len() as i64);
            for (field, value) in &entry.fields {
                lp.push_bytes(field);
                lp.push_bytes(value);
            }
            lp.push_int(2 * entry.fields.len() as i64 + 4);
        }
    }
    lp.finish()
}

/// Splits entries into runs that each fit one node as Redis sizes them.
pub fn split_into_nodes(entries: &[StreamEntry]) -> Vec<&[StreamEntry]> {
    let mut nodes = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, entry) in entries.iter().enumerate() {
        let size: usize = entry
            .fields
            .iter()
            .map(|(f, v)| f.len() + v.len() + 4)
            .sum::<usize>()
            + 8;
        if i > start && (i - start >= NODE_MAX_ENTRIES || bytes + size > NODE_MAX_BYTES) {
            nodes.push(&entries[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += size;
    }
    if start < entries.len() {
        nodes.push(&entries[start..]);
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ms: u64, seq: u64, fields: &[(&str, &str)]) -> StreamEntry {
        StreamEntry {
            id: StreamId { ms, seq },
            fields: fields
                .iter()
                .map(|(f, v)| (f.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn round_trips_same_and_different_fields() {
        let entries = vec![
            entry(1000, 0, &[("a", "1"), ("b", "x")]),
            entry(1000, 1, &[("a", "2"), ("b", "y")]),
            entry(2000, 0, &[("c", "3")]),
            entry(2001, 5, &[]),
        ];
        let blob = encode(&entries);
        assert_eq!(decode(entries[0].id, &blob).unwrap(), entries);
    }

    #[test]
    fn deleted_entries_are_skipped() {
        let mut lp = ListpackBuilder::new();
        for v in [1, 1, 1] {
            lp.push_int(v);
        }
        lp.push_bytes(b"f");
        lp.push_int(0);
        for v in [FLAG_SAMEFIELDS | FLAG_DELETED, 0, 0] {
            lp.push_int(v);
        }
        lp.push_bytes(b"gone");
        lp.push_int(4);
        for v in [FLAG_SAMEFIELDS, 0, 1] {
            lp.push_int(v);
        }
        lp.push_bytes(b"kept");
        lp.push_int(4);
        let entries = decode(StreamId { ms: 5, seq: 0 }, &lp.finish()).unwrap();
        assert_eq!(entries, vec![entry(5, 1, &[("f", "kept")])]);
    }

    #[test]
    fn nodes_respect_the_entry_limit() {
        let entries: Vec<StreamEntry> = (0..250).map(|i| entry(i, 0, &[("k", "v")])).collect();
        let sizes: Vec<usize> = split_into_nodes(&entries).iter().map(|n| n.len()).collect();
        assert_eq!(sizes, vec![100, 100, 50]);
    }
}
