//! The JSON form of an RDB file: JSON Lines, one object per auxiliary
//! field, function library and key, exact in both directions.
//!
//! Byte strings are JSON strings when valid UTF-8, else `{"hex": "..."}`.
//! Scores are JSON numbers, or the strings "inf" / "-inf" / "nan".
//! Records: `{"aux": [name, value]}`, `{"function": code}`,
//! `{"db": 0, "key": k, "type": "hash", "value": ..., "expire_ms": n,
//! "idle": n, "freq": n}` (the last three only when present).

use serde_json::{json, Map, Value as Json};

use crate::reader::KeyEntry;
use crate::value::{
    Consumer, ConsumerGroup, HashFieldWithExpiry, ModuleField, ModuleValue, Pairs, PendingEntry,
    Stream, StreamEntry, StreamId, Value,
};
use crate::writer::KeyMeta;

/// A record of the JSON form.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// An auxiliary field.
    Aux(Vec<u8>, Vec<u8>),
    /// A function library's source.
    Function(Vec<u8>),
    /// A key.
    Key {
        /// Database number.
        db: u64,
        /// Key name.
        key: Vec<u8>,
        /// Value.
        value: Value,
        /// Expiry and eviction metadata.
        meta: KeyMeta,
    },
}

/// Encodes bytes as a JSON string or `{"hex": ...}`.
pub fn bytes_to_json(bytes: &[u8]) -> Json {
    match std::str::from_utf8(bytes) {
        Ok(text) => Json::String(text.to_owned()),
        Err(_) => json!({ "hex": hex(bytes) }),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn score_to_json(score: f64) -> Json {
    if score.is_nan() {
        json!("nan")
    } else if score.is_infinite() {
        json!(if score > 0.0 { "inf" } else { "-inf" })
    } else {
        json!(score)
    }
}

fn id_to_json(id: StreamId) -> Json {
    Json::String(id.to_string())
}

fn pairs_to_json(pairs: &[(Vec<u8>, Vec<u8>)]) -> Json {
    Json::Array(
        pairs
            .iter()
            .map(|(a, b)| Json::Array(vec![bytes_to_json(a), bytes_to_json(b)]))
            .collect(),
    )
}

/// The JSON form of a value.
pub fn value_to_json(value: &Value) -> Json {
    match value {
        Value::String(s) => bytes_to_json(s),
        Value::List(items) | Value::Set(items) => {
            Json::Array(items.iter().map(|i| bytes_to_json(i)).collect())
        }
        Value::SortedSet(members) => Json::Array(
            members
                .iter()
                .map(|(m, s)| Json::Array(vec![bytes_to_json(m), score_to_json(*s)]))
                .collect(),
        ),
        Value::Hash(pairs) => pairs_to_json(pairs),
        Value::HashWithFieldExpiry(fields) => Json::Array(
            fields
                .iter()
                .map(|f| {
                    json!([
                        bytes_to_json(&f.field),
                        bytes_to_json(&f.value),
                        f.expire_ms
                    ])
                })
                .collect(),
        ),
        Value::Stream(stream) => stream_to_json(stream),
        Value::Module(module) => json!({
            "module": module.name(),
            "type_id": module.type_id,
            "fields": module.fields.iter().map(|f| match f {
                ModuleField::Signed(v) => json!({"signed": v}),
                ModuleField::Unsigned(v) => json!({"unsigned": v}),
                ModuleField::Float(v) => json!({"float": v}),
                ModuleField::Double(v) => json!({"double": v}),
                ModuleField::String(s) => json!({"string": bytes_to_json(s)}),
            }).collect::<Vec<_>>(),
        }),
    }
}

fn stream_to_json(stream: &Stream) -> Json {
    json!({
        "entries": stream.entries.iter().map(|e| json!({
            "id": id_to_json(e.id),
            "fields": pairs_to_json(&e.fields),
        })).collect::<Vec<_>>(),
        "last_id": id_to_json(stream.last_id),
        "first_id": id_to_json(stream.first_id),
        "max_deleted_id": id_to_json(stream.max_deleted_id),
        "entries_added": stream.entries_added,
        "groups": stream.groups.iter().map(|g| json!({
            "name": bytes_to_json(&g.name),
            "last_id": id_to_json(g.last_id),
            "entries_read": g.entries_read,
            "pending": g.pending.iter().map(|p| json!({
                "id": id_to_json(p.id),
                "delivery_time_ms": p.delivery_time_ms,
                "delivery_count": p.delivery_count,
            })).collect::<Vec<_>>(),
            "consumers": g.consumers.iter().map(|c| json!({
                "name": bytes_to_json(&c.name),
                "seen_time_ms": c.seen_time_ms,
                "active_time_ms": c.active_time_ms,
                "pending": c.pending.iter().map(|id| id_to_json(*id)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// The JSON record of a key.
pub fn key_to_json(entry: &KeyEntry) -> Json {
    let mut record = Map::new();
    record.insert("db".into(), json!(entry.db));
    record.insert("key".into(), bytes_to_json(&entry.key));
    record.insert("type".into(), json!(entry.value.type_name()));
    record.insert("value".into(), value_to_json(&entry.value));
    if let Some(ms) = entry.expire_ms {
        record.insert("expire_ms".into(), json!(ms));
    }
    if let Some(idle) = entry.idle {
        record.insert("idle".into(), json!(idle));
    }
    if let Some(freq) = entry.freq {
        record.insert("freq".into(), json!(freq));
    }
    Json::Object(record)
}

/// The JSON record of an auxiliary field.
pub fn aux_to_json(key: &[u8], value: &[u8]) -> Json {
    json!({ "aux": [bytes_to_json(key), bytes_to_json(value)] })
}

/// The JSON record of a function library.
pub fn function_to_json(code: &[u8]) -> Json {
    json!({ "function": bytes_to_json(code) })
}

/// Why a JSON record could not be understood.
pub type JsonError = String;

fn bytes_from(json: &Json, what: &str) -> Result<Vec<u8>, JsonError> {
    match json {
        Json::String(s) => Ok(s.as_bytes().to_vec()),
        Json::Object(map) => {
            let hex = map
                .get("hex")
                .and_then(Json::as_str)
                .ok_or_else(|| format!("{what}: expected a string or {{\"hex\": ...}}"))?;
            if hex.len() % 2 != 0 {
                return Err(format!("{what}: odd-length hex"));
            }
            (0..hex.len())
                .step_by(2)
                .map(|i| {
                    u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| format!("{what}: bad hex"))
                })
                .collect()
        }
        _ => Err(format!("{what}: expected a string")),
    }
}

fn array<'a>(json: &'a Json, what: &str) -> Result<&'a Vec<Json>, JsonError> {
    json.as_array()
        .ok_or_else(|| format!("{what}: expected an array"))
}

fn u64_from(json: &Json, what: &str) -> Result<u64, JsonError> {
    json.as_u64()
        .ok_or_else(|| format!("{what}: expected an unsigned integer"))
}

fn i64_from(json: &Json, what: &str) -> Result<i64, JsonError> {
    json.as_i64()
        .ok_or_else(|| format!("{what}: expected an integer"))
}

fn score_from(json: &Json) -> Result<f64, JsonError> {
    match json {
        Json::String(s) if s == "inf" => Ok(f64::INFINITY),
        Json::String(s) if s == "-inf" => Ok(f64::NEG_INFINITY),
        Json::String(s) if s == "nan" => Ok(f64::NAN),
        other => other
            .as_f64()
            .ok_or_else(|| "score: expected a number".to_owned()),
    }
}

fn id_from(json: &Json, what: &str) -> Result<StreamId, JsonError> {
    let text = json
        .as_str()
        .ok_or_else(|| format!("{what}: expected an ID string"))?;
    let (ms, seq) = text
        .split_once('-')
        .ok_or_else(|| format!("{what}: bad ID {text}"))?;
    Ok(StreamId {
        ms: ms.parse().map_err(|_| format!("{what}: bad ID {text}"))?,
        seq: seq.parse().map_err(|_| format!("{what}: bad ID {text}"))?,
    })
}

fn pairs_from(json: &Json, what: &str) -> Result<Pairs, JsonError> {
    array(json, what)?
        .iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([a, b]) => Ok((bytes_from(a, what)?, bytes_from(b, what)?)),
            _ => Err(format!("{what}: expected [field, value] pairs")),
        })
        .collect()
}

fn field<'a>(map: &'a Json, name: &str) -> Result<&'a Json, JsonError> {
    map.get(name).ok_or_else(|| format!("missing \"{name}\""))
}

/// Parses a value of type `type_name` from its JSON form.
pub fn value_from_json(type_name: &str, json: &Json) -> Result<Value, JsonError> {
    Ok(match type_name {
        "string" => Value::String(bytes_from(json, "string")?),
        "list" => Value::List(
            array(json, "list")?
                .iter()
                .map(|i| bytes_from(i, "list"))
                .collect::<Result<_, _>>()?,
        ),
        "set" => Value::Set(
            array(json, "set")?
                .iter()
                .map(|i| bytes_from(i, "set"))
                .collect::<Result<_, _>>()?,
        ),
        "zset" => Value::SortedSet(
            array(json, "zset")?
                .iter()
                .map(|pair| match pair.as_array().map(Vec::as_slice) {
                    Some([m, s]) => Ok((bytes_from(m, "zset member")?, score_from(s)?)),
                    _ => Err("zset: expected [member, score] pairs".to_owned()),
                })
                .collect::<Result<_, _>>()?,
        ),
        "hash" => {
            let items = array(json, "hash")?;
            if items
                .iter()
                .any(|i| i.as_array().is_some_and(|a| a.len() == 3))
            {
                Value::HashWithFieldExpiry(
                    items
                        .iter()
                        .map(|i| match i.as_array().map(Vec::as_slice) {
                            Some([f, v, e]) => Ok(HashFieldWithExpiry {
                                field: bytes_from(f, "hash field")?,
                                value: bytes_from(v, "hash value")?,
                                expire_ms: if e.is_null() {
                                    None
                                } else {
                                    Some(u64_from(e, "field expiry")?)
                                },
                            }),
                            _ => Err("hash: expected [field, value, expiry] triples".to_owned()),
                        })
                        .collect::<Result<_, _>>()?,
                )
            } else {
                Value::Hash(pairs_from(json, "hash")?)
            }
        }
        "stream" => Value::Stream(Box::new(stream_from_json(json)?)),
        "module" => Value::Module(ModuleValue {
            type_id: u64_from(field(json, "type_id")?, "type_id")?,
            fields: array(field(json, "fields")?, "fields")?
                .iter()
                .map(|f| {
                    let (kind, v) = f
                        .as_object()
                        .and_then(|m| m.iter().next())
                        .ok_or_else(|| "module field: expected {kind: value}".to_owned())?;
                    Ok(match kind.as_str() {
                        "signed" => ModuleField::Signed(u64_from(v, "signed")?),
                        "unsigned" => ModuleField::Unsigned(u64_from(v, "unsigned")?),
                        "float" => {
                            ModuleField::Float(v.as_f64().ok_or("float: expected a number")? as f32)
                        }
                        "double" => {
                            ModuleField::Double(v.as_f64().ok_or("double: expected a number")?)
                        }
                        "string" => ModuleField::String(bytes_from(v, "string")?),
                        other => return Err(format!("unknown module field kind {other}")),
                    })
                })
                .collect::<Result<_, JsonError>>()?,
        }),
        other => return Err(format!("unknown type \"{other}\"")),
    })
}

fn stream_from_json(json: &Json) -> Result<Stream, JsonError> {
    let entries = array(field(json, "entries")?, "entries")?
        .iter()
        .map(|e| {
            Ok(StreamEntry {
                id: id_from(field(e, "id")?, "entry id")?,
                fields: pairs_from(field(e, "fields")?, "entry fields")?,
            })
        })
        .collect::<Result<_, JsonError>>()?;
    let groups = array(field(json, "groups")?, "groups")?
        .iter()
        .map(|g| {
            let entries_read = field(g, "entries_read")?;
            Ok(ConsumerGroup {
                name: bytes_from(field(g, "name")?, "group name")?,
                last_id: id_from(field(g, "last_id")?, "group last_id")?,
                entries_read: if entries_read.is_null() {
                    None
                } else {
                    Some(u64_from(entries_read, "entries_read")?)
                },
                pending: array(field(g, "pending")?, "pending")?
                    .iter()
                    .map(|p| {
                        Ok(PendingEntry {
                            id: id_from(field(p, "id")?, "pending id")?,
                            delivery_time_ms: i64_from(
                                field(p, "delivery_time_ms")?,
                                "delivery_time_ms",
                            )?,
                            delivery_count: u64_from(
                                field(p, "delivery_count")?,
                                "delivery_count",
                            )?,
                        })
                    })
                    .collect::<Result<_, JsonError>>()?,
                consumers: array(field(g, "consumers")?, "consumers")?
                    .iter()
                    .map(|c| {
                        let active = field(c, "active_time_ms")?;
                        Ok(Consumer {
                            name: bytes_from(field(c, "name")?, "consumer name")?,
                            seen_time_ms: i64_from(field(c, "seen_time_ms")?, "seen_time_ms")?,
                            active_time_ms: if active.is_null() {
                                None
                            } else {
                                Some(i64_from(active, "active_time_ms")?)
                            },
                            pending: array(field(c, "pending")?, "consumer pending")?
                                .iter()
                                .map(|id| id_from(id, "consumer pending id"))
                                .collect::<Result<_, _>>()?,
                        })
                    })
                    .collect::<Result<_, JsonError>>()?,
            })
        })
        .collect::<Result<_, JsonError>>()?;
    Ok(Stream {
        entries,
        last_id: id_from(field(json, "last_id")?, "last_id")?,
        first_id: id_from(field(json, "first_id")?, "first_id")?,
        max_deleted_id: id_from(field(json, "max_deleted_id")?, "max_deleted_id")?,
        entries_added: u64_from(field(json, "entries_added")?, "entries_added")?,
        groups,
    })
}

/// Parses one line of the JSON form.
pub fn record_from_json(json: &Json) -> Result<Record, JsonError> {
    if let Some(aux) = json.get("aux") {
        return match aux.as_array().map(Vec::as_slice) {
            Some([k, v]) => Ok(Record::Aux(
                bytes_from(k, "aux name")?,
                bytes_from(v, "aux value")?,
            )),
            _ => Err("aux: expected [name, value]".to_owned()),
        };
    }
    if let Some(code) = json.get("function") {
        return Ok(Record::Function(bytes_from(code, "function")?));
    }
    let type_name = field(json, "type")?
        .as_str()
        .ok_or("type: expected a string")?;
    let optional_u64 = |name: &str| -> Result<Option<u64>, JsonError> {
        json.get(name).map(|v| u64_from(v, name)).transpose()
    };
    Ok(Record::Key {
        db: u64_from(field(json, "db")?, "db")?,
        key: bytes_from(field(json, "key")?, "key")?,
        value: value_from_json(type_name, field(json, "value")?)?,
        meta: KeyMeta {
            expire_ms: json
                .get("expire_ms")
                .map(|v| i64_from(v, "expire_ms"))
                .transpose()?,
            idle: optional_u64("idle")?,
            freq: optional_u64("freq")?.map(|f| f.min(255) as u8),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_strings_use_hex() {
        assert_eq!(bytes_to_json(b"ok"), json!("ok"));
        let binary = b"\x00\xff";
        assert_eq!(bytes_to_json(binary), json!({"hex": "00ff"}));
        assert_eq!(
            bytes_from(&bytes_to_json(binary), "x").unwrap(),
            binary.to_vec()
        );
    }

    #[test]
    fn values_round_trip_through_text() {
        let values = [
            ("string", Value::String(b"\x01bin".to_vec())),
            (
                "zset",
                Value::SortedSet(vec![
                    (b"a".to_vec(), 0.1),
                    (b"b".to_vec(), f64::NEG_INFINITY),
                    (b"c".to_vec(), 1e300),
                ]),
            ),
            ("hash", Value::Hash(vec![(b"f".to_vec(), b"v".to_vec())])),
            (
                "hash",
                Value::HashWithFieldExpiry(vec![HashFieldWithExpiry {
                    field: b"f".to_vec(),
                    value: b"v".to_vec(),
                    expire_ms: Some(5),
                }]),
            ),
        ];
        for (type_name, value) in values {
            let text = value_to_json(&value).to_string();
            let parsed: Json = serde_json::from_str(&text).unwrap();
            assert_eq!(value_from_json(type_name, &parsed).unwrap(), value);
        }
    }
}
