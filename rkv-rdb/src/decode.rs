//! Decoding one value of a given RDB type from the input, whatever
//! encoding the file used for it.

use std::collections::HashSet;
use std::io::Read;

use crate::element::ElementRef;
use crate::error::{BlobError, RdbErrorKind, RdbResult};
use crate::input::Input;
use crate::rdb_type as t;
use crate::sink::{Collection, ValueBuilder, ValueSink};
use crate::value::{
    Consumer, ConsumerGroup, HashFieldWithExpiry, ModuleField, ModuleValue, PendingEntry, Stream,
    StreamId, Value,
};
use crate::{intset, listpack, stream_node, ziplist, zipmap};

const MODULE_OPCODE_EOF: u64 = 0;
const MODULE_OPCODE_SINT: u64 = 1;
const MODULE_OPCODE_UINT: u64 = 2;
const MODULE_OPCODE_FLOAT: u64 = 3;
const MODULE_OPCODE_DOUBLE: u64 = 4;
const MODULE_OPCODE_STRING: u64 = 5;

const QUICKLIST_NODE_PLAIN: u64 = 1;
const QUICKLIST_NODE_PACKED: u64 = 2;

/// Reusable buffers for the strings and blobs of the value being read.
#[derive(Debug, Default)]
pub struct Scratch {
    first: Vec<u8>,
    second: Vec<u8>,
}

/// Reads a value of RDB type `rdb_type` into the neutral model.
pub fn read_value<R: Read>(input: &mut Input<R>, rdb_type: u8) -> RdbResult<Value> {
    read_value_into(
        input,
        rdb_type,
        &mut ValueBuilder::default(),
        &mut Scratch::default(),
    )
}

/// Reads a value of RDB type `rdb_type`, handing its contents to `sink` as
/// they are decoded; `scratch` holds the current string or blob.
pub fn read_value_into<R: Read, S: ValueSink>(
    input: &mut Input<R>,
    rdb_type: u8,
    sink: &mut S,
    scratch: &mut Scratch,
) -> RdbResult<S::Value> {
    let buf = &mut scratch.first;
    Ok(match rdb_type {
        t::STRING => {
            input.read_string_into(buf)?;
            sink.string(buf)
        }
        t::LIST | t::SET => {
            let n = input.read_count()?;
            let kind = if rdb_type == t::LIST {
                Collection::List
            } else {
                Collection::Set
            };
            sink.begin(kind, n);
            for _ in 0..n {
                input.read_string_into(buf)?;
                sink.element(ElementRef::Bytes(buf));
            }
            sink.finish()
        }
        t::ZSET | t::ZSET_2 => {
            let n = input.read_count()?;
            sink.begin(Collection::SortedSet, n);
            for _ in 0..n {
                input.read_string_into(buf)?;
                let score = if rdb_type == t::ZSET {
                    input.read_text_double()?
                } else {
                    input.read_f64()?
                };
                sink.scored(ElementRef::Bytes(buf), score);
            }
            sink.finish()
        }
        t::HASH => {
            let n = input.read_count()?;
            sink.begin(Collection::Hash, n);
            let value = &mut scratch.second;
            for _ in 0..n {
                input.read_string_into(buf)?;
                input.read_string_into(value)?;
                sink.pair(ElementRef::Bytes(buf), ElementRef::Bytes(value));
            }
            sink.finish()
        }
        t::HASH_ZIPMAP => {
            let at = read_blob_into(input, buf)?;
            let hint = buf.first().filter(|&&n| n < 254).copied().unwrap_or(0);
            sink.begin(Collection::Hash, hint as usize);
            zipmap::for_each_pair(buf, |f, v| {
                sink.pair(ElementRef::Bytes(f), ElementRef::Bytes(v));
            })
            .map_err(|e| e.at(at))?;
            sink.finish()
        }
        t::LIST_ZIPLIST | t::SET_LISTPACK => {
            let at = read_blob_into(input, buf)?;
            let ziplist = rdb_type == t::LIST_ZIPLIST;
            if ziplist {
                sink.begin(Collection::List, ziplist_count(buf));
            } else {
                sink.begin(Collection::Set, listpack::declared_count(buf).unwrap_or(0));
            }
            let elements = |e| {
                sink.element(e);
                Ok(())
            };
            let walked = if ziplist {
                ziplist::for_each(buf, elements)
            } else {
                listpack::for_each(buf, elements)
            };
            walked.map_err(|e| e.at(at))?;
            sink.finish()
        }
        t::SET_INTSET => {
            let at = read_blob_into(input, buf)?;
            let set = intset::IntsetRef::parse(buf).map_err(|e| e.at(at))?;
            sink.intset(set)
        }
        t::ZSET_ZIPLIST | t::ZSET_LISTPACK | t::HASH_ZIPLIST | t::HASH_LISTPACK => {
            let at = read_blob_into(input, buf)?;
            let ziplist = matches!(rdb_type, t::ZSET_ZIPLIST | t::HASH_ZIPLIST);
            let zset = matches!(rdb_type, t::ZSET_ZIPLIST | t::ZSET_LISTPACK);
            let count = if ziplist {
                ziplist_count(buf)
            } else {
                listpack::declared_count(buf).unwrap_or(0)
            };
            let (kind, what) = if zset {
                (Collection::SortedSet, "sorted set")
            } else {
                (Collection::Hash, "hash")
            };
            sink.begin(kind, count / 2);
            let mut first: Option<ElementRef<'_>> = None;
            let pairs = |e| {
                let Some(key) = first.take() else {
                    first = Some(e);
                    return Ok(());
                };
                if zset {
                    sink.scored_element(key, e, element_score(e)?);
                } else {
                    sink.pair(key, e);
                }
                Ok(())
            };
            let walked = if ziplist {
                ziplist::for_each(buf, pairs)
            } else {
                listpack::for_each(buf, pairs)
            };
            walked.map_err(|e| e.at(at))?;
            if first.is_some() {
                return Err(BlobError::new(what, "odd number of elements").at(at));
            }
            sink.finish()
        }
        t::LIST_QUICKLIST => {
            let nodes = input.read_count()?;
            sink.begin(Collection::List, 0);
            for _ in 0..nodes {
                let at = read_blob_into(input, buf)?;
                ziplist::for_each(buf, |e| {
                    sink.element(e);
                    Ok(())
                })
                .map_err(|e| e.at(at))?;
            }
            sink.finish()
        }
        t::LIST_QUICKLIST_2 => {
            let nodes = input.read_count()?;
            let mut begun = false;
            for _ in 0..nodes {
                let container = input.read_length()?;
                let at = read_blob_into(input, buf)?;
                if !begun {
                    // Nodes are filled alike but for the last: the first
                    // one's count, times the nodes, sizes the list.
                    let per_node = match container {
                        QUICKLIST_NODE_PACKED => listpack::declared_count(buf).unwrap_or(0),
                        _ => 1,
                    };
                    sink.begin(Collection::List, per_node.saturating_mul(nodes));
                    begun = true;
                }
                match container {
                    QUICKLIST_NODE_PLAIN => sink.element(ElementRef::Bytes(buf)),
                    QUICKLIST_NODE_PACKED => {
                        listpack::for_each(buf, |e| {
                            sink.element(e);
                            Ok(())
                        })
                        .map_err(|e| e.at(at))?;
                    }
                    other => {
                        return Err(
                            input.corrupt("quicklist", format!("unknown node container {other}"))
                        )
                    }
                }
            }
            if !begun {
                sink.begin(Collection::List, 0);
            }
            sink.finish()
        }
        other => sink.other(read_unstreamed_value(input, other)?),
    })
}

/// The entry count a ziplist's header declares (0 when unknown).
fn ziplist_count(blob: &[u8]) -> usize {
    match blob.get(8..10) {
        Some(&[lo, hi]) if u16::from_le_bytes([lo, hi]) != u16::MAX => {
            u16::from_le_bytes([lo, hi]) as usize
        }
        _ => 0,
    }
}

/// A sorted set score stored as a listpack or ziplist element.
fn element_score(e: ElementRef<'_>) -> Result<f64, BlobError> {
    match e {
        ElementRef::Int(v) => Ok(v as f64),
        ElementRef::Bytes(b) => std::str::from_utf8(b)
            .ok()
            .and_then(parse_score)
            .ok_or_else(|| BlobError::new("sorted set", "score is not a number")),
    }
}

/// Reads a value of one of the types [`read_value_into`] does not stream
/// (hashes with field expiries, streams, module values) into the neutral
/// model; refuses unknown types.
fn read_unstreamed_value<R: Read>(input: &mut Input<R>, rdb_type: u8) -> RdbResult<Value> {
    Ok(match rdb_type {
        t::HASH_LISTPACK_EX | t::HASH_LISTPACK_EX_PRE_GA => {
            if rdb_type == t::HASH_LISTPACK_EX {
                input.read_millis()?;
            }
            let (blob, at) = read_blob(input)?;
            let elements = listpack::decode(&blob).map_err(|e| e.at(at))?;
            if !elements.len().is_multiple_of(3) {
                return Err(BlobError::new("hash", "elements not in triples").at(at));
            }
            let mut fields = Vec::with_capacity(elements.len() / 3);
            let mut it = elements.into_iter();
            while let (Some(f), Some(v), Some(ttl)) = (it.next(), it.next(), it.next()) {
                let ttl = ttl
                    .as_int()
                    .ok_or_else(|| BlobError::new("hash", "non-integer field TTL").at(at))?;
                fields.push(HashFieldWithExpiry {
                    field: f.into_bytes(),
                    value: v.into_bytes(),
                    expire_ms: (ttl != 0).then_some(ttl as u64),
                });
            }
            Value::HashWithFieldExpiry(fields)
        }
        t::HASH_METADATA | t::HASH_METADATA_PRE_GA => {
            let min_expire = if rdb_type == t::HASH_METADATA {
                Some(input.read_u64_le()?)
            } else {
                None
            };
            let n = input.read_count()?;
            let mut fields = Vec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                let ttl = input.read_length()?;
                let expire_ms = match (ttl, min_expire) {
                    (0, _) => None,
                    (ttl, Some(min)) => Some(ttl.wrapping_add(min).wrapping_sub(1)),
                    (ttl, None) => Some(ttl),
                };
                let field = input.read_string()?;
                let value = input.read_string()?;
                fields.push(HashFieldWithExpiry {
                    field,
                    value,
                    expire_ms,
                });
            }
            Value::HashWithFieldExpiry(fields)
        }
        t::STREAM_LISTPACKS | t::STREAM_LISTPACKS_2 | t::STREAM_LISTPACKS_3 => {
            Value::Stream(Box::new(read_stream(input, rdb_type)?))
        }
        t::MODULE_2 => {
            let type_id = input.read_length()?;
            Value::Module(ModuleValue {
                type_id,
                fields: read_module_fields(input)?,
            })
        }
        t::MODULE_PRE_GA => {
            let type_id = input.read_length()?;
            return Err(input.error(RdbErrorKind::UnreadableModule(
                crate::value::module_type_name(type_id),
            )));
        }
        other => return Err(input.error(RdbErrorKind::UnknownType(other))),
    })
}

/// Reads a string holding an encoded blob; returns it with its offset.
fn read_blob<R: Read>(input: &mut Input<R>) -> RdbResult<(Vec<u8>, u64)> {
    let at = input.offset();
    Ok((input.read_string()?, at))
}

/// Reads a string holding an encoded blob into `buf`; returns its offset.
fn read_blob_into<R: Read>(input: &mut Input<R>, buf: &mut Vec<u8>) -> RdbResult<u64> {
    let at = input.offset();
    input.read_string_into(buf)?;
    Ok(at)
}

/// Parses a score as Redis prints them ("inf", "-inf" included).
fn parse_score(text: &str) -> Option<f64> {
    match text {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

fn read_stream_id<R: Read>(input: &mut Input<R>) -> RdbResult<StreamId> {
    Ok(StreamId {
        ms: input.read_length()?,
        seq: input.read_length()?,
    })
}

fn read_raw_stream_id<R: Read>(input: &mut Input<R>) -> RdbResult<StreamId> {
    let mut raw = [0u8; 16];
    input.read_into(&mut raw)?;
    Ok(StreamId::from_be_bytes(raw))
}

fn read_stream<R: Read>(input: &mut Input<R>, rdb_type: u8) -> RdbResult<Stream> {
    let mut stream = Stream::default();
    let nodes = input.read_count()?;
    for _ in 0..nodes {
        let at = input.offset();
        let master = input.read_string()?;
        let master: [u8; 16] = master
            .try_into()
            .map_err(|_| input.corrupt("stream", "node key is not a 16-byte ID"))?;
        let master = StreamId::from_be_bytes(master);
        let (blob, blob_at) = read_blob(input)?;
        let entries = stream_node::decode(master, &blob).map_err(|e| e.at(blob_at))?;
        if entries.is_empty() && blob.len() <= 7 {
            return Err(BlobError::new("stream", "empty node").at(at));
        }
        stream.entries.extend(entries);
    }
    let length = input.read_length()?;
    if length != stream.entries.len() as u64 {
        return Err(input.corrupt(
            "stream",
            format!(
                "declares {length} entries, nodes hold {}",
                stream.entries.len()
            ),
        ));
    }
    stream.last_id = read_stream_id(input)?;
    if rdb_type >= t::STREAM_LISTPACKS_2 {
        stream.first_id = read_stream_id(input)?;
        stream.max_deleted_id = read_stream_id(input)?;
        stream.entries_added = input.read_length()?;
    } else {
        stream.first_id = stream.entries.first().map(|e| e.id).unwrap_or_default();
        stream.entries_added = length;
    }
    let groups = input.read_count()?;
    for _ in 0..groups {
        let name = input.read_string()?;
        let last_id = read_stream_id(input)?;
        let entries_read = if rdb_type >= t::STREAM_LISTPACKS_2 {
            let raw = input.read_length()?;
            // Redis writes its "invalid" marker, -1, as an unsigned length.
            (raw as i64 >= 0).then_some(raw)
        } else {
            None
        };
        let pel_size = input.read_count()?;
        let mut pending = Vec::with_capacity(pel_size.min(1 << 16));
        for _ in 0..pel_size {
            let id = read_raw_stream_id(input)?;
            let delivery_time_ms = input.read_millis()?;
            let delivery_count = input.read_length()?;
            pending.push(PendingEntry {
                id,
                delivery_time_ms,
                delivery_count,
            });
        }
        let pending_ids: HashSet<StreamId> = pending.iter().map(|p| p.id).collect();
        let consumer_count = input.read_count()?;
        let mut consumers = Vec::with_capacity(consumer_count.min(1 << 16));
        for _ in 0..consumer_count {
            let name = input.read_string()?;
            let seen_time_ms = input.read_millis()?;
            let active_time_ms = if rdb_type >= t::STREAM_LISTPACKS_3 {
                Some(input.read_millis()?)
            } else {
                None
            };
            let owned = input.read_count()?;
            let mut ids = Vec::with_capacity(owned.min(1 << 16));
            for _ in 0..owned {
                let id = read_raw_stream_id(input)?;
                if !pending_ids.contains(&id) {
                    return Err(input.corrupt(
                        "stream",
                        format!("consumer PEL entry {id} missing from the group PEL"),
                    ));
                }
                ids.push(id);
            }
            consumers.push(Consumer {
                name,
                seen_time_ms,
                active_time_ms,
                pending: ids,
            });
        }
        stream.groups.push(ConsumerGroup {
            name,
            last_id,
            entries_read,
            pending,
            consumers,
        });
    }
    Ok(stream)
}

/// Reads module fields up to the module EOF opcode.
pub fn read_module_fields<R: Read>(input: &mut Input<R>) -> RdbResult<Vec<ModuleField>> {
    let mut fields = Vec::new();
    loop {
        let field = match input.read_length()? {
            MODULE_OPCODE_EOF => return Ok(fields),
            MODULE_OPCODE_SINT => ModuleField::Signed(input.read_length()?),
            MODULE_OPCODE_UINT => ModuleField::Unsigned(input.read_length()?),
            MODULE_OPCODE_FLOAT => ModuleField::Float(input.read_f32()?),
            MODULE_OPCODE_DOUBLE => ModuleField::Double(input.read_f64()?),
            MODULE_OPCODE_STRING => ModuleField::String(input.read_string()?),
            other => return Err(input.corrupt("module value", format!("unknown opcode {other}"))),
        };
        fields.push(field);
    }
}
