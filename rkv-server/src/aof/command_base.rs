//! The dataset written as commands (a base file under
//! `aof-use-rdb-preamble no`), in the forms of Redis 7.0's
//! `rewriteAppendOnlyFileRio`: FUNCTION LOAD per library, SELECT per
//! non-empty database, SET for strings, RPUSH / SADD / ZADD / HMSET in
//! batches of at most [`ITEMS_PER_CMD`] items, streams with their groups
//! and pending entries, PEXPIREAT after a key with a time to live.

use std::io::{self, Write};

use rkv_proto::reply::format_double;

use crate::db::Value;
use crate::server::Server;
use crate::types::stream::StreamValue;

/// Items per variadic command (Redis's `AOF_REWRITE_ITEMS_PER_CMD`).
pub const ITEMS_PER_CMD: usize = 64;

/// Writes `srv`'s functions and keyspace as commands to `out`.
pub fn write_keyspace_commands(srv: &Server, out: &mut dyn Write) -> io::Result<()> {
    let mut w = CommandWriter { out };
    for lib in srv.scripting.functions.libraries() {
        w.header(3)?;
        w.bulk(b"FUNCTION")?;
        w.bulk(b"LOAD")?;
        w.bulk(&lib.code)?;
    }
    for (index, db) in srv.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        w.header(2)?;
        w.bulk(b"SELECT")?;
        w.bulk(index.to_string().as_bytes())?;
        for (key, entry) in db.iter() {
            write_value(&mut w, key, &entry.value)?;
            if let Some(at) = db.expire_at(key) {
                w.header(3)?;
                w.bulk(b"PEXPIREAT")?;
                w.bulk(key)?;
                w.bulk(at.to_string().as_bytes())?;
            }
        }
    }
    Ok(())
}

/// The commands rebuilding one key.
fn write_value(w: &mut CommandWriter<'_>, key: &[u8], value: &Value) -> io::Result<()> {
    match value {
        Value::Str(s) => {
            let mut scratch = itoa::Buffer::new();
            w.header(3)?;
            w.bulk(b"SET")?;
            w.bulk(key)?;
            w.bulk(s.as_bytes(&mut scratch))
        }
        Value::List(l) => {
            let mut batch = Batch::new(w, b"RPUSH", key, l.len(), 1);
            l.for_each(|item| batch.item(&[item]));
            batch.finish()
        }
        Value::Set(s) => {
            let mut batch = Batch::new(w, b"SADD", key, s.len(), 1);
            s.for_each(|member| batch.item(&[member]));
            batch.finish()
        }
        Value::ZSet(z) => {
            let mut batch = Batch::new(w, b"ZADD", key, z.len(), 2);
            z.for_each(|member, score| batch.item(&[format_double(score).as_bytes(), member]));
            batch.finish()
        }
        Value::Hash(h) => {
            let mut batch = Batch::new(w, b"HMSET", key, h.len(), 2);
            h.for_each(|field, value| batch.item(&[field, value]));
            batch.finish()
        }
        Value::Stream(s) => write_stream(w, key, s),
    }
}

/// A stream as Redis's `rewriteStreamObject` writes it: XADD per entry
/// (an empty stream through `XADD … MAXLEN 0 0-1 x y`), XSETID with the
/// counters, then per group XGROUP CREATE … ENTRIESREAD, and per consumer
/// an XCLAIM … JUSTID FORCE for each pending entry, or XGROUP
/// CREATECONSUMER when it has none.
fn write_stream(w: &mut CommandWriter<'_>, key: &[u8], s: &StreamValue) -> io::Result<()> {
    let mut result = Ok(());
    if s.is_empty() {
        w.command(&[b"XADD", key, b"MAXLEN", b"0", b"0-1", b"x", b"y"])?;
    } else {
        s.for_each(|id, fields| {
            if result.is_err() {
                return;
            }
            let id = id.to_string();
            let mut args: Vec<&[u8]> = vec![b"XADD", key, id.as_bytes()];
            args.extend(fields.iter());
            result = w.command(&args);
        });
    }
    result?;
    let (last, added, max_deleted) = (
        s.last_id.to_string(),
        s.entries_added.to_string(),
        s.max_deleted_entry_id.to_string(),
    );
    w.command(&[
        b"XSETID",
        key,
        last.as_bytes(),
        b"ENTRIESADDED",
        added.as_bytes(),
        b"MAXDELETEDID",
        max_deleted.as_bytes(),
    ])?;
    for (name, group) in &s.groups {
        let (last, read) = (group.last_id.to_string(), group.entries_read.to_string());
        w.command(&[
            b"XGROUP",
            b"CREATE",
            key,
            name,
            last.as_bytes(),
            b"ENTRIESREAD",
            read.as_bytes(),
        ])?;
        for (consumer_name, consumer) in &group.consumers {
            if consumer.pending.is_empty() {
                w.command(&[b"XGROUP", b"CREATECONSUMER", key, name, consumer_name])?;
                continue;
            }
            for id in &consumer.pending {
                let Some(nack) = group.pel.get(id) else {
                    continue;
                };
                let (id, time, count) = (
                    id.to_string(),
                    nack.delivery_time.to_string(),
                    nack.delivery_count.to_string(),
                );
                w.command(&[
                    b"XCLAIM",
                    key,
                    name,
                    consumer_name,
                    b"0",
                    id.as_bytes(),
                    b"TIME",
                    time.as_bytes(),
                    b"RETRYCOUNT",
                    count.as_bytes(),
                    b"JUSTID",
                    b"FORCE",
                ])?;
            }
        }
    }
    Ok(())
}

/// RESP encoding of commands onto the output.
struct CommandWriter<'a> {
    out: &'a mut dyn Write,
}

impl CommandWriter<'_> {
    fn header(&mut self, args: usize) -> io::Result<()> {
        write!(self.out, "*{args}\r\n")
    }

    fn command(&mut self, args: &[&[u8]]) -> io::Result<()> {
        self.header(args.len())?;
        for a in args {
            self.bulk(a)?;
        }
        Ok(())
    }

    fn bulk(&mut self, bytes: &[u8]) -> io::Result<()> {
        write!(self.out, "${}\r\n", bytes.len())?;
        self.out.write_all(bytes)?;
        self.out.write_all(b"\r\n")
    }
}

/// A variadic command repeated over a collection, [`ITEMS_PER_CMD`] items
/// (each `width` arguments) at a time; the first error stops it.
struct Batch<'w, 'a> {
    w: &'w mut CommandWriter<'a>,
    name: &'static [u8],
    key: &'w [u8],
    remaining: usize,
    width: usize,
    in_command: usize,
    result: io::Result<()>,
}

impl<'w, 'a> Batch<'w, 'a> {
    fn new(
        w: &'w mut CommandWriter<'a>,
        name: &'static [u8],
        key: &'w [u8],
        items: usize,
        width: usize,
    ) -> Self {
        Batch {
            w,
            name,
            key,
            remaining: items,
            width,
            in_command: 0,
            result: Ok(()),
        }
    }

    fn item(&mut self, args: &[&[u8]]) {
        if self.result.is_ok() {
            self.result = self.write_item(args);
        }
    }

    fn write_item(&mut self, args: &[&[u8]]) -> io::Result<()> {
        if self.in_command == 0 {
            let items = self.remaining.min(ITEMS_PER_CMD);
            self.w.header(2 + items * self.width)?;
            self.w.bulk(self.name)?;
            self.w.bulk(self.key)?;
        }
        for a in args {
            self.w.bulk(a)?;
        }
        self.in_command += 1;
        if self.in_command == ITEMS_PER_CMD {
            self.in_command = 0;
        }
        self.remaining = self.remaining.saturating_sub(1);
        Ok(())
    }

    fn finish(self) -> io::Result<()> {
        self.result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Client;
    use crate::command::dispatch::execute;
    use crate::config::Config;

    fn server_with(lines: &[&str]) -> Server {
        let mut srv = Server::new(Config::from_args(&[]).unwrap());
        let mut c = Client::new(1, "t".into(), "t".into(), -1, srv.now_ms, true);
        for line in lines {
            let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
            execute(&mut srv, &mut c, &argv, &mut Vec::new());
        }
        srv
    }

    fn commands(srv: &Server) -> Vec<Vec<String>> {
        let mut bytes = Vec::new();
        write_keyspace_commands(srv, &mut bytes).unwrap();
        let mut out = Vec::new();
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let (frame, used) = rkv_proto::parse_frame(rest).unwrap().unwrap();
            rest = &rest[used..];
            let rkv_proto::Frame::Array(items) = frame else {
                panic!("not a command")
            };
            out.push(
                items
                    .into_iter()
                    .map(|f| match f {
                        rkv_proto::Frame::Bulk(b) => String::from_utf8(b).unwrap(),
                        other => panic!("{other:?}"),
                    })
                    .collect(),
            );
        }
        out
    }

    #[test]
    fn a_long_list_is_pushed_64_items_at_a_time() {
        let items: Vec<String> = (0..130).map(|i| i.to_string()).collect();
        let srv = server_with(&[&format!("RPUSH l {}", items.join(" "))]);
        let cmds = commands(&srv);
        assert_eq!(cmds[0], ["SELECT", "0"]);
        let sizes: Vec<usize> = cmds[1..].iter().map(Vec::len).collect();
        assert_eq!(sizes, [66, 66, 4]);
        assert_eq!(cmds[3], ["RPUSH", "l", "128", "129"]);
    }

    #[test]
    fn scores_strings_and_expiries_take_redis_forms() {
        let srv = server_with(&[
            "SELECT 2",
            "ZADD z 1.5 a",
            "SET s 12",
            "PEXPIREAT s 99999999999999",
        ]);
        let mut cmds = commands(&srv);
        assert_eq!(cmds.remove(0), ["SELECT", "2"]);
        cmds.sort();
        assert_eq!(
            cmds,
            [
                vec!["PEXPIREAT", "s", "99999999999999"],
                vec!["SET", "s", "12"],
                vec!["ZADD", "z", "1.5", "a"],
            ]
        );
    }
}
