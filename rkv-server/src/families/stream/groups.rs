//! Consumer group management: XGROUP (CREATE, SETID, DESTROY,
//! CREATECONSUMER, DELCONSUMER, HELP), XACK and XPENDING.

use super::common::{id_arg_or_reply, id_or_reply, write_id, write_lookup, Found};
use crate::command::Ctx;
use crate::db::Value;
use crate::errors;
use crate::keyspace_events::class;
use crate::types::stream::{ConsumerGroup, StreamId, StreamValue, ENTRIES_READ_UNKNOWN};

/// `addReplySubcommandSyntaxError` for XGROUP.
fn subcommand_syntax_error(ctx: &mut Ctx) {
    let sub = String::from_utf8_lossy(ctx.arg(1)).into_owned();
    ctx.error(&format!(
        "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try XGROUP HELP."
    ));
}

/// The NOGROUP error of the XGROUP subcommands that need the group.
fn no_group_error(ctx: &mut Ctx) {
    let (group, key) = (
        String::from_utf8_lossy(ctx.arg(3)).into_owned(),
        String::from_utf8_lossy(ctx.arg(2)).into_owned(),
    );
    ctx.error(&format!(
        "NOGROUP No such consumer group '{group}' for key name '{key}'"
    ));
}

/// Options after the fixed arguments of CREATE / SETID.
struct GroupOptions {
    mkstream: bool,
    entries_read: i64,
}

/// Parses `[MKSTREAM] [ENTRIESREAD n]` from argument 5 as `xgroupCommand`
/// does; `None` after replying an error.
fn parse_options(ctx: &mut Ctx, create: bool, setid: bool) -> Option<GroupOptions> {
    let mut opts = GroupOptions {
        mkstream: false,
        entries_read: ENTRIES_READ_UNKNOWN,
    };
    let mut i = 5;
    while i < ctx.argc() {
        let opt = ctx.arg(i);
        if create && opt.eq_ignore_ascii_case(b"mkstream") {
            opts.mkstream = true;
            i += 1;
        } else if (create || setid)
            && opt.eq_ignore_ascii_case(b"entriesread")
            && i + 1 < ctx.argc()
        {
            let n = ctx.i64_or_reply(i + 1)?;
            if n < 0 && n != ENTRIES_READ_UNKNOWN {
                ctx.error("ERR value for ENTRIESREAD must be positive or -1");
                return None;
            }
            opts.entries_read = n;
            i += 2;
        } else {
            subcommand_syntax_error(ctx);
            return None;
        }
    }
    Some(opts)
}

/// The stream for an XGROUP subcommand: `None` after replying (wrong type,
/// missing key without MKSTREAM, unknown group where one is needed).
fn group_target<'c>(
    ctx: &'c mut Ctx,
    mkstream: bool,
    needs_group: bool,
) -> Option<Option<&'c mut StreamValue>> {
    let (key, name) = (ctx.arg(2), ctx.arg(3));
    let s = match write_lookup(ctx, key)? {
        Found::Missing if mkstream => return Some(None),
        Found::Missing => {
            ctx.error("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.");
            return None;
        }
        Found::Stream(s) => s,
    };
    if needs_group && !s.groups.contains_key(name) {
        no_group_error(ctx);
        return None;
    }
    let Some(Found::Stream(s)) = write_lookup(ctx, key) else {
        unreachable!("checked above");
    };
    Some(Some(s))
}

/// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]
pub fn create(ctx: &mut Ctx) {
    let Some(opts) = parse_options(ctx, true, false) else {
        return;
    };
    let key = ctx.arg(2);
    let now = ctx.now_ms();
    let Some(existing) = group_target(ctx, opts.mkstream, false) else {
        return;
    };
    let last = existing.as_ref().map(|s| s.last_id);
    if ctx.argc() > 8 {
        return subcommand_syntax_error(ctx);
    }
    let id = if ctx.arg(4) == b"$" {
        last.unwrap_or_default()
    } else {
        match id_or_reply(ctx, 4, 0, true) {
            Some(id) => id,
            None => return,
        }
    };
    if last.is_none() {
        ctx.db().set(key, Value::Stream(Box::default()), false, now);
        ctx.signal_modified(key);
    }
    let name = ctx.arg(3);
    let Some(Found::Stream(s)) = write_lookup(ctx, key) else {
        unreachable!("exists now");
    };
    if s.groups.contains_key(name) {
        return ctx.error("BUSYGROUP Consumer Group name already exists");
    }
    s.groups
        .insert(name.to_vec(), ConsumerGroup::new(id, opts.entries_read));
    ctx.dirty(1);
    ctx.out.ok();
    ctx.notify(class::STREAM, "xgroup-create", key);
}

/// XGROUP SETID key group id|$ [ENTRIESREAD entries-read]
pub fn setid(ctx: &mut Ctx) {
    let Some(opts) = parse_options(ctx, false, true) else {
        return;
    };
    let Some(Some(s)) = group_target(ctx, false, true) else {
        return;
    };
    let last = s.last_id;
    if ctx.argc() != 5 && ctx.argc() != 7 {
        return subcommand_syntax_error(ctx);
    }
    let id = if ctx.arg(4) == b"$" {
        last
    } else {
        match id_or_reply(ctx, 4, 0, false) {
            Some(id) => id,
            None => return,
        }
    };
    let (key, name) = (ctx.arg(2), ctx.arg(3));
    let Some(Found::Stream(s)) = write_lookup(ctx, key) else {
        unreachable!("checked above");
    };
    if let Some(g) = s.groups.get_mut(name) {
        g.last_id = id;
        g.entries_read = opts.entries_read;
    }
    ctx.dirty(1);
    ctx.out.ok();
    ctx.notify(class::STREAM, "xgroup-setid", key);
}

/// XGROUP DESTROY key group
pub fn destroy(ctx: &mut Ctx) {
    let name = ctx.arg(3);
    let Some(Some(s)) = group_target(ctx, false, false) else {
        return;
    };
    let removed = s.groups.remove(name).is_some();
    ctx.out.int(i64::from(removed));
    if removed {
        ctx.dirty(1);
        ctx.notify(class::STREAM, "xgroup-destroy", ctx.arg(2));
    }
}

/// XGROUP CREATECONSUMER key group consumer
pub fn createconsumer(ctx: &mut Ctx) {
    let now = ctx.now_ms();
    let (name, consumer) = (ctx.arg(3), ctx.arg(4));
    let Some(Some(s)) = group_target(ctx, false, true) else {
        return;
    };
    let group = s.groups.get_mut(name).expect("checked by group_target");
    let created = !group.consumers.contains_key(consumer);
    if created {
        group
            .consumers
            .entry(consumer.to_vec())
            .or_default()
            .seen_time = now;
        ctx.dirty(1);
        ctx.notify(class::STREAM, "xgroup-createconsumer", ctx.arg(2));
    }
    ctx.out.int(i64::from(created));
}

/// XGROUP DELCONSUMER key group consumer
pub fn delconsumer(ctx: &mut Ctx) {
    let (name, consumer) = (ctx.arg(3), ctx.arg(4));
    let Some(Some(s)) = group_target(ctx, false, true) else {
        return;
    };
    let group = s.groups.get_mut(name).expect("checked by group_target");
    let pending = group.remove_consumer(consumer);
    if pending.is_some() {
        ctx.dirty(1);
        ctx.notify(class::STREAM, "xgroup-delconsumer", ctx.arg(2));
    }
    ctx.out.int(pending.unwrap_or(0) as i64);
}

/// XGROUP HELP
pub fn help(ctx: &mut Ctx) {
    const LINES: &[&str] = &[
        "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
        "HELP",
        "    Prints this help.",
    ];
    ctx.out.array(LINES.len());
    for line in LINES {
        ctx.out.simple(line);
    }
}

/// XACK key group id [id ...]
pub fn xack(ctx: &mut Ctx) {
    let (key, name) = (ctx.arg(1), ctx.arg(2));
    let has_group = match ctx.lookup_read(key).map(|e| &e.value) {
        None => false,
        Some(Value::Stream(s)) => s.groups.contains_key(name),
        Some(_) => return ctx.error(errors::WRONGTYPE),
    };
    if !has_group {
        return ctx.out.int(0);
    }
    let mut ids = Vec::with_capacity(ctx.argc() - 3);
    for i in 3..ctx.argc() {
        let Some(id) = id_or_reply(ctx, i, 0, true) else {
            return;
        };
        ids.push(id);
    }
    let Some(Found::Stream(s)) = write_lookup(ctx, key) else {
        unreachable!("checked above");
    };
    let group = s.groups.get_mut(name).expect("checked above");
    let acked = ids.iter().filter(|id| group.ack(**id)).count();
    ctx.dirty(acked as u64);
    ctx.out.int(acked as i64);
}

/// Parses an XPENDING interval bound (`(` exclusive).
fn pending_bound(ctx: &mut Ctx, i: usize, missing_seq: u64) -> Option<(StreamId, bool)> {
    let arg = ctx.arg(i);
    if arg.len() > 1 && arg[0] == b'(' {
        Some((id_arg_or_reply(ctx, &arg[1..], missing_seq, true)?, true))
    } else {
        Some((id_or_reply(ctx, i, missing_seq, false)?, false))
    }
}

/// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
pub fn xpending(ctx: &mut Ctx) {
    let argc = ctx.argc();
    if argc != 3 && !(6..=9).contains(&argc) {
        return ctx.syntax_error();
    }
    let mut range = None;
    let mut consumer: Option<&[u8]> = None;
    let mut min_idle = 0;
    if argc >= 6 {
        let mut at = 3;
        if ctx.arg(3).eq_ignore_ascii_case(b"idle") {
            let Some(n) = ctx.i64_or_reply(4) else {
                return;
            };
            min_idle = n;
            if argc < 8 {
                return ctx.syntax_error();
            }
            at += 2;
        }
        let Some(count) = ctx.i64_or_reply(at + 2) else {
            return;
        };
        let Some((mut start, start_ex)) = pending_bound(ctx, at, 0) else {
            return;
        };
        if start_ex {
            match start.incr() {
                Some(s) => start = s,
                None => return ctx.error("ERR invalid start ID for the interval"),
            }
        }
        let Some((mut end, end_ex)) = pending_bound(ctx, at + 1, u64::MAX) else {
            return;
        };
        if end_ex {
            match end.decr() {
                Some(e) => end = e,
                None => return ctx.error("ERR invalid end ID for the interval"),
            }
        }
        if at + 3 < argc {
            consumer = Some(ctx.arg(at + 3));
        }
        range = Some((start, end, count.max(0) as usize));
    }
    let (key, name) = (ctx.arg(1), ctx.arg(2));
    let now = ctx.now_ms();
    let (found, out) = ctx.lookup_read_and_reply(key);
    let group = match found.map(|e| &e.value) {
        Some(Value::Stream(s)) => s.groups.get(name),
        Some(_) => return ctx.error(errors::WRONGTYPE),
        None => None,
    };
    let Some(group) = group else {
        let msg = format!(
            "NOGROUP No such key '{}' or consumer group '{}'",
            String::from_utf8_lossy(key),
            String::from_utf8_lossy(name)
        );
        return ctx.error(&msg);
    };
    let Some((start, end, count)) = range else {
        out.array(4);
        out.int(group.pel.len() as i64);
        let (Some(first), Some(last)) = (group.pel.keys().next(), group.pel.keys().next_back())
        else {
            out.null();
            out.null();
            out.null_array();
            return;
        };
        write_id(out, *first);
        write_id(out, *last);
        let owners: Vec<_> = group
            .consumers
            .iter()
            .filter(|(_, c)| !c.pending.is_empty())
            .collect();
        out.array(owners.len());
        for (name, c) in owners {
            out.array(2);
            out.bulk(name);
            out.bulk_int(c.pending.len() as i64);
        }
        return;
    };
    let ids: Vec<StreamId> = match consumer {
        Some(c) => match group.consumers.get(c) {
            None => return out.array(0),
            Some(c) => c.pending.range(start..).copied().collect(),
        },
        None => group.pel.range(start..).map(|(k, _)| *k).collect(),
    };
    let rows: Vec<_> = ids
        .into_iter()
        .take_while(|id| *id <= end)
        .filter_map(|id| group.pel.get(&id).map(|p| (id, p)))
        .filter(|(_, p)| min_idle == 0 || now - p.delivery_time >= min_idle)
        .take(count)
        .collect();
    out.array(rows.len());
    for (id, p) in rows {
        out.array(4);
        write_id(out, id);
        out.bulk(&p.consumer);
        out.int(now - p.delivery_time);
        out.int(p.delivery_count as i64);
    }
}
