//! XSETID: moves a stream's last ID (and its counters) forward.

use super::common::{id_or_reply, write_lookup, Found};
use crate::command::Ctx;
use crate::errors;
use crate::keyspace_events::class;
use crate::types::stream::StreamId;

/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
pub fn xsetid(ctx: &mut Ctx) {
    let Some(id) = id_or_reply(ctx, 2, 0, true) else {
        return;
    };
    let mut entries_added: Option<u64> = None;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < ctx.argc() {
        let more = ctx.argc() - 1 - i;
        let opt = ctx.arg(i);
        if opt.eq_ignore_ascii_case(b"entriesadded") && more > 0 {
            let Some(n) = ctx.i64_or_reply(i + 1) else {
                return;
            };
            if n < 0 {
                return ctx.error("ERR entries_added must be positive");
            }
            entries_added = Some(n as u64);
        } else if opt.eq_ignore_ascii_case(b"maxdeletedid") && more > 0 {
            let Some(max) = id_or_reply(ctx, i + 1, 0, true) else {
                return;
            };
            if id < max {
                return ctx.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
            }
            max_deleted = max;
        } else {
            return ctx.syntax_error();
        }
        i += 2;
    }
    let key = ctx.arg(1);
    let s = match write_lookup(ctx, key) {
        None => return,
        Some(Found::Missing) => return ctx.error(errors::NO_SUCH_KEY),
        Some(Found::Stream(s)) => s,
    };
    if let Some((top, _)) = s.last_entry() {
        if id < top {
            return ctx.error(
                "ERR The ID specified in XSETID is smaller than the target stream top item",
            );
        }
        if entries_added.is_some_and(|n| (s.len() as u64) > n) {
            return ctx.error("ERR The entries_added specified in XSETID is smaller than the target stream length");
        }
    }
    s.last_id = id;
    if let Some(n) = entries_added {
        s.entries_added = n;
    }
    if max_deleted != StreamId::MIN {
        s.max_deleted_entry_id = max_deleted;
    }
    ctx.dirty(1);
    ctx.out.ok();
    // Redis sends no modified signal here, only the event.
    ctx.notify(class::STREAM, "xsetid", key);
}
