//! The commands that recreate a key on a server, as an AOF rewrite writes
//! them: collections in batches of 64 elements, streams with their groups,
//! consumers and pending entries, the expiry as PEXPIREAT.

use crate::encode::format_score;
use crate::value::{Stream, StreamId, Value};

/// Elements per command, as Redis's AOF rewrite batches them.
const ITEMS_PER_COMMAND: usize = 64;

/// One command: its arguments, name first.
pub type Command = Vec<Vec<u8>>;

fn cmd(parts: &[&[u8]]) -> Command {
    parts.iter().map(|p| p.to_vec()).collect()
}

fn batched<T>(
    out: &mut Vec<Command>,
    name: &str,
    key: &[u8],
    items: &[T],
    push: impl Fn(&mut Command, &T),
) {
    for chunk in items.chunks(ITEMS_PER_COMMAND) {
        let mut command = cmd(&[name.as_bytes(), key]);
        for item in chunk {
            push(&mut command, item);
        }
        out.push(command);
    }
}

/// The commands that recreate `key` with `value` and optional expiry.
/// Module values have no command form: none are returned for them.
pub fn key_commands(key: &[u8], value: &Value, expire_ms: Option<i64>) -> Vec<Command> {
    let mut out = Vec::new();
    match value {
        Value::String(s) => out.push(cmd(&[b"SET", key, s])),
        Value::List(items) => batched(&mut out, "RPUSH", key, items, |c, i| c.push(i.clone())),
        Value::Set(members) => batched(&mut out, "SADD", key, members, |c, m| c.push(m.clone())),
        Value::SortedSet(members) => batched(&mut out, "ZADD", key, members, |c, (m, s)| {
            c.push(format_score(*s).into_bytes());
            c.push(m.clone());
        }),
        Value::Hash(pairs) => batched(&mut out, "HSET", key, pairs, |c, (f, v)| {
            c.push(f.clone());
            c.push(v.clone());
        }),
        Value::HashWithFieldExpiry(fields) => {
            batched(&mut out, "HSET", key, fields, |c, f| {
                c.push(f.field.clone());
                c.push(f.value.clone());
            });
            for f in fields {
                if let Some(at) = f.expire_ms {
                    out.push(cmd(&[
                        b"HPEXPIREAT",
                        key,
                        at.to_string().as_bytes(),
                        b"FIELDS",
                        b"1",
                        &f.field,
                    ]));
                }
            }
        }
        Value::Stream(stream) => stream_commands(&mut out, key, stream),
        Value::Module(_) => return out,
    }
    if let Some(at) = expire_ms {
        out.push(cmd(&[b"PEXPIREAT", key, at.to_string().as_bytes()]));
    }
    out
}

fn stream_commands(out: &mut Vec<Command>, key: &[u8], stream: &Stream) {
    for entry in &stream.entries {
        let mut command = cmd(&[b"XADD", key, entry.id.to_string().as_bytes()]);
        for (f, v) in &entry.fields {
            command.push(f.clone());
            command.push(v.clone());
        }
        out.push(command);
    }
    if stream.entries.is_empty() {
        // An XADD trimmed to nothing creates the empty key; XSETID below
        // restores its IDs (0-0 cannot be added, 0-1 stands in for it).
        let id = if stream.last_id == StreamId::default() {
            StreamId { ms: 0, seq: 1 }
        } else {
            stream.last_id
        };
        out.push(cmd(&[
            b"XADD",
            key,
            b"MAXLEN",
            b"0",
            id.to_string().as_bytes(),
            b"x",
            b"y",
        ]));
    }
    out.push(cmd(&[
        b"XSETID",
        key,
        stream.last_id.to_string().as_bytes(),
        b"ENTRIESADDED",
        stream.entries_added.to_string().as_bytes(),
        b"MAXDELETEDID",
        stream.max_deleted_id.to_string().as_bytes(),
    ]));
    for group in &stream.groups {
        let mut create = cmd(&[
            b"XGROUP",
            b"CREATE",
            key,
            &group.name,
            group.last_id.to_string().as_bytes(),
        ]);
        if let Some(read) = group.entries_read {
            create.push(b"ENTRIESREAD".to_vec());
            create.push(read.to_string().into_bytes());
        }
        out.push(create);
        for consumer in &group.consumers {
            out.push(cmd(&[
                b"XGROUP",
                b"CREATECONSUMER",
                key,
                &group.name,
                &consumer.name,
            ]));
            for id in &consumer.pending {
                let Some(pending) = group.pending.iter().find(|p| p.id == *id) else {
                    continue;
                };
                out.push(cmd(&[
                    b"XCLAIM",
                    key,
                    &group.name,
                    &consumer.name,
                    b"0",
                    id.to_string().as_bytes(),
                    b"TIME",
                    pending.delivery_time_ms.to_string().as_bytes(),
                    b"RETRYCOUNT",
                    pending.delivery_count.to_string().as_bytes(),
                    b"JUSTID",
                    b"FORCE",
                ]));
            }
        }
    }
}

/// Appends `command` in RESP (an array of bulk strings).
pub fn write_resp(out: &mut Vec<u8>, command: &Command) {
    out.extend_from_slice(format!("*{}\r\n", command.len()).as_bytes());
    for arg in command {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// Appends `command` as one line, arguments quoted as redis-cli accepts
/// them when they need it.
pub fn write_line(out: &mut Vec<u8>, command: &Command) {
    for (i, arg) in command.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        let plain = !arg.is_empty()
            && arg
                .iter()
                .all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
        if plain {
            out.extend_from_slice(arg);
            continue;
        }
        out.push(b'"');
        for &b in arg {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                b' '..=b'~' => out.push(b),
                other => out.extend_from_slice(format!("\\x{other:02x}").as_bytes()),
            }
        }
        out.push(b'"');
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_collections_are_batched_and_expiry_follows() {
        let list = Value::List((0..130).map(|i| i.to_string().into_bytes()).collect());
        let commands = key_commands(b"l", &list, Some(99));
        assert_eq!(commands.len(), 4);
        assert_eq!(commands[0].len(), 66);
        assert_eq!(commands[3], cmd(&[b"PEXPIREAT", b"l", b"99"]));
    }

    #[test]
    fn lines_quote_what_needs_it() {
        let mut out = Vec::new();
        write_line(&mut out, &cmd(&[b"SET", b"a b", b"x\x00\"y"]));
        assert_eq!(out, b"SET \"a b\" \"x\\x00\\\"y\"\n");
        let mut out = Vec::new();
        write_resp(&mut out, &cmd(&[b"SET", b"k", b""]));
        assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    }
}
