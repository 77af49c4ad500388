//! XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS, XINFO HELP.

use rkv_proto::ReplyWriter;

use super::common::{write_entries, write_entry, write_id};
use crate::command::Ctx;
use crate::db::Value;
use crate::errors;
use crate::types::stream::{ConsumerGroup, StreamId, StreamValue, ENTRIES_READ_UNKNOWN};

/// `addReplySubcommandSyntaxError` for XINFO.
fn subcommand_syntax_error(ctx: &mut Ctx) {
    let sub = String::from_utf8_lossy(ctx.arg(1)).into_owned();
    ctx.error(&format!(
        "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try XINFO HELP."
    ));
}

/// Whether `key` holds a stream; `false` after replying "no such key" or
/// WRONGTYPE.
fn check_stream(ctx: &mut Ctx, key: &[u8]) -> bool {
    match ctx.lookup_read(key).map(|e| &e.value) {
        Some(Value::Stream(_)) => true,
        None => {
            ctx.error(errors::NO_SUCH_KEY);
            false
        }
        Some(_) => {
            ctx.error(errors::WRONGTYPE);
            false
        }
    }
}

/// The stream under `key` with the reply writer (after [`check_stream`]).
fn stream_and_out<'c, 'a>(
    ctx: &'c mut Ctx<'a>,
    key: &[u8],
) -> (&'c StreamValue, &'c mut ReplyWriter<'a>) {
    let now = ctx.now_ms();
    let (db, out) = super::read::split(ctx);
    match db.peek(key, now).map(|e| &e.value) {
        Some(Value::Stream(s)) => (s, out),
        _ => unreachable!("checked by check_stream"),
    }
}

/// A group's lag, or null when it cannot be known (`streamReplyWithCGLag`).
fn write_lag(out: &mut ReplyWriter, s: &StreamValue, g: &ConsumerGroup) {
    let added = s.entries_added as i64;
    let lag = if added == 0 {
        Some(0)
    } else if g.entries_read != ENTRIES_READ_UNKNOWN && !s.has_tombstones_from(g.last_id) {
        Some(added - g.entries_read)
    } else {
        let read = s.entries_before_and_at(g.last_id);
        (read != ENTRIES_READ_UNKNOWN).then(|| added - read)
    };
    match lag {
        Some(n) => out.int(n),
        None => out.null(),
    }
}

/// A group's entries-read counter, null when unknown.
fn write_entries_read(out: &mut ReplyWriter, g: &ConsumerGroup) {
    if g.entries_read == ENTRIES_READ_UNKNOWN {
        out.null();
    } else {
        out.int(g.entries_read);
    }
}

/// XINFO STREAM key [FULL [COUNT count]]
pub fn stream(ctx: &mut Ctx) {
    let key = ctx.arg(2);
    if !check_stream(ctx, key) {
        return;
    }
    let opts = ctx.argc() - 3;
    let mut full = false;
    let mut count: i64 = 10;
    if opts > 0 {
        if (opts != 1 && opts != 3) || !ctx.arg(3).eq_ignore_ascii_case(b"full") {
            return subcommand_syntax_error(ctx);
        }
        full = true;
        if opts == 3 {
            if !ctx.arg(4).eq_ignore_ascii_case(b"count") {
                return subcommand_syntax_error(ctx);
            }
            let Some(n) = ctx.i64_or_reply(5) else {
                return;
            };
            count = if n < 0 { 10 } else { n };
        }
    }
    let (s, out) = stream_and_out(ctx, key);
    out.map(if full { 9 } else { 10 });
    out.bulk(b"length");
    out.int(s.len() as i64);
    out.bulk(b"radix-tree-keys");
    out.int(s.node_count() as i64);
    out.bulk(b"radix-tree-nodes");
    out.int(s.radix_tree_nodes() as i64);
    out.bulk(b"last-generated-id");
    write_id(out, s.last_id);
    out.bulk(b"max-deleted-entry-id");
    write_id(out, s.max_deleted_entry_id);
    out.bulk(b"entries-added");
    out.int(s.entries_added as i64);
    out.bulk(b"recorded-first-entry-id");
    write_id(out, s.first_id());
    if !full {
        out.bulk(b"groups");
        out.int(s.groups.len() as i64);
        out.bulk(b"first-entry");
        match s.first_entry() {
            Some((id, fields)) => write_entry(out, id, fields),
            None => out.null(),
        }
        out.bulk(b"last-entry");
        match s.last_entry() {
            Some((id, fields)) => write_entry(out, id, fields),
            None => out.null(),
        }
        return;
    }
    let limit = count as usize;
    let take = |n: usize| if limit == 0 { n } else { n.min(limit) };
    out.bulk(b"entries");
    write_entries(out, &s.range(StreamId::MIN, StreamId::MAX, false, limit));
    out.bulk(b"groups");
    out.array(s.groups.len());
    for (name, g) in &s.groups {
        out.map(7);
        out.bulk(b"name");
        out.bulk(name);
        out.bulk(b"last-delivered-id");
        write_id(out, g.last_id);
        out.bulk(b"entries-read");
        write_entries_read(out, g);
        out.bulk(b"lag");
        write_lag(out, s, g);
        out.bulk(b"pel-count");
        out.int(g.pel.len() as i64);
        out.bulk(b"pending");
        out.array(take(g.pel.len()));
        for (id, p) in g.pel.iter().take(take(g.pel.len())) {
            out.array(4);
            write_id(out, *id);
            out.bulk(&p.consumer);
            out.int(p.delivery_time);
            out.int(p.delivery_count as i64);
        }
        out.bulk(b"consumers");
        out.array(g.consumers.len());
        for (cname, c) in &g.consumers {
            out.map(4);
            out.bulk(b"name");
            out.bulk(cname);
            out.bulk(b"seen-time");
            out.int(c.seen_time);
            out.bulk(b"pel-count");
            out.int(c.pending.len() as i64);
            out.bulk(b"pending");
            out.array(take(c.pending.len()));
            for id in c.pending.iter().take(take(c.pending.len())) {
                let p = &g.pel[id];
                out.array(3);
                write_id(out, *id);
                out.int(p.delivery_time);
                out.int(p.delivery_count as i64);
            }
        }
    }
}

/// XINFO GROUPS key
pub fn groups(ctx: &mut Ctx) {
    let key = ctx.arg(2);
    if !check_stream(ctx, key) {
        return;
    }
    let (s, out) = stream_and_out(ctx, key);
    out.array(s.groups.len());
    for (name, g) in &s.groups {
        out.map(6);
        out.bulk(b"name");
        out.bulk(name);
        out.bulk(b"consumers");
        out.int(g.consumers.len() as i64);
        out.bulk(b"pending");
        out.int(g.pel.len() as i64);
        out.bulk(b"last-delivered-id");
        write_id(out, g.last_id);
        out.bulk(b"entries-read");
        write_entries_read(out, g);
        out.bulk(b"lag");
        write_lag(out, s, g);
    }
}

/// XINFO CONSUMERS key group
pub fn consumers(ctx: &mut Ctx) {
    let (key, name) = (ctx.arg(2), ctx.arg(3));
    if !check_stream(ctx, key) {
        return;
    }
    let now = ctx.now_ms();
    let (s, out) = stream_and_out(ctx, key);
    let Some(g) = s.groups.get(name) else {
        let msg = format!(
            "NOGROUP No such consumer group '{}' for key name '{}'",
            String::from_utf8_lossy(name),
            String::from_utf8_lossy(key)
        );
        return ctx.error(&msg);
    };
    out.array(g.consumers.len());
    for (cname, c) in &g.consumers {
        out.map(3);
        out.bulk(b"name");
        out.bulk(cname);
        out.bulk(b"pending");
        out.int(c.pending.len() as i64);
        out.bulk(b"idle");
        out.int((now - c.seen_time).max(0));
    }
}

/// XINFO HELP
pub fn help(ctx: &mut Ctx) {
    const LINES: &[&str] = &[
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    ];
    ctx.out.array(LINES.len());
    for line in LINES {
        ctx.out.simple(line);
    }
}
