//! SORT and SORT_RO (Redis's `sortCommandGeneric`): load the elements,
//! weigh and sort them unless told not to, cut the LIMIT range, then reply
//! with the elements or their GET lookups, or store them as a list.

use super::options::{self, SortOptions};
use super::order::{self, Comparison, SortItem};
use super::pattern::{self, Target};
use crate::command::Ctx;
use crate::db::Value;
use crate::errors;
use crate::families::generic::key_writes::{delete_with_event, set_key};
use crate::keyspace_events::class;
use crate::types::zset::ZSetLimits;
use crate::types::{ListValue, ZSetValue};

/// Reply text when a numeric sort meets a weight that is not a double.
pub const NOT_A_DOUBLE: &str = "ERR One or more scores can't be converted into double";

/// `SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination]`
pub(super) fn sort(ctx: &mut Ctx) {
    sort_generic(ctx, false);
}

/// `SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]`
pub(super) fn sort_ro(ctx: &mut Ctx) {
    sort_generic(ctx, true);
}

/// The elements of the sorted key, loaded as Redis loads them.
struct Loaded {
    items: Vec<SortItem>,
    /// Number of elements in the key (before a direct LIMIT cut).
    len: usize,
    /// The LIMIT range was applied while loading.
    range_applied: bool,
}

fn sort_generic(ctx: &mut Ctx, readonly: bool) {
    let argv = ctx.argv;
    let mut opts = match options::parse(&argv[2..], readonly) {
        Ok(o) => o,
        Err(e) => return ctx.error(e),
    };
    let Some(mut loaded) = load(ctx, argv[1], &mut opts) else {
        return ctx.error(errors::WRONGTYPE);
    };
    let (mut start, mut end) = options::output_range(opts.limit, loaded.len);
    if loaded.range_applied {
        end -= start;
        start = 0;
    }
    let dont_sort = opts.dont_sort;
    let mut not_a_double = false;
    if !dont_sort {
        not_a_double = weigh(ctx, &mut loaded.items, &opts);
        let how = Comparison {
            desc: opts.desc,
            alpha: opts.alpha,
            by_pattern: opts.weight_pattern().is_some(),
            store: opts.store.is_some(),
        };
        order::sort_items(&mut loaded.items, how, start, end);
    }
    if not_a_double {
        return ctx.error(NOT_A_DOUBLE);
    }
    let chosen = if end >= start {
        &loaded.items[start as usize..=end as usize]
    } else {
        &[][..]
    };
    match opts.store {
        None => reply_rows(ctx, chosen, &opts.gets),
        Some(dst) => {
            let rows = output(ctx, chosen, &opts.gets);
            store(ctx, dst, rows);
        }
    }
}

/// Replies with each element, or each GET lookup for each element, looking
/// values up while the reply is written (a lookup's `keymiss` event lands
/// inside the reply, where Redis puts it).
fn reply_rows(ctx: &mut Ctx, chosen: &[SortItem], gets: &[&[u8]]) {
    if gets.is_empty() {
        ctx.out.array(chosen.len());
        for item in chosen {
            ctx.out.bulk(&item.elem);
        }
        return;
    }
    ctx.out.array(chosen.len() * gets.len());
    for item in chosen {
        for pat in gets {
            match lookup(ctx, pat, &item.elem) {
                Some(v) => ctx.out.bulk(&v),
                None => ctx.out.null(),
            }
        }
    }
}

/// Loads the key's elements (an absent key is an empty list), or `None`
/// for a key of another type. Lists and sorted sets that are not sorted
/// load just the LIMIT range, in the requested direction. A set that is not
/// sorted but stored is sorted ALPHA instead, as Redis does so that the
/// stored list does not depend on the table's order.
fn load(ctx: &mut Ctx, key: &[u8], opts: &mut SortOptions) -> Option<Loaded> {
    let dont_sort = opts.dont_sort;
    let (limit, desc) = (opts.limit, opts.desc);
    let mut is_set = false;
    let mut range_applied = false;
    let mut elems: Vec<Vec<u8>> = Vec::new();
    let len;
    match ctx.lookup_read(key).map(|e| &mut e.value) {
        None => len = 0,
        Some(Value::List(list)) => {
            len = list.len();
            let (start, end) = options::output_range(limit, len);
            if dont_sort {
                range_applied = true;
                if end >= start {
                    let (s, e) = (start as usize, end as usize);
                    if desc {
                        elems = list
                            .iter()
                            .rev()
                            .skip(s)
                            .take(e - s + 1)
                            .map(<[u8]>::to_vec)
                            .collect();
                    } else {
                        elems = list.range(s, e).map(<[u8]>::to_vec).collect();
                    }
                }
            } else {
                elems = list.iter().map(<[u8]>::to_vec).collect();
            }
        }
        Some(Value::Set(set)) => {
            len = set.len();
            is_set = true;
            elems = set.iter().map(|m| m.to_vec()).collect();
        }
        Some(Value::ZSet(zset)) => {
            to_skiplist(zset);
            len = zset.len();
            let (start, end) = options::output_range(limit, len);
            if dont_sort {
                range_applied = true;
                if end >= start {
                    let (s, e) = (start as usize, end as usize);
                    // Ranks counted from the end when descending.
                    let (from, to) = if desc {
                        (len - 1 - e, len - 1 - s)
                    } else {
                        (s, e)
                    };
                    zset.range_by_rank(from, to, desc, |m, _| elems.push(m.to_vec()));
                }
            } else {
                zset.range_by_rank(0, len, false, |m, _| elems.push(m.to_vec()));
            }
        }
        Some(_) => return None,
    }
    if is_set && dont_sort && opts.store.is_some() {
        opts.dont_sort = false;
        opts.by = None;
        opts.alpha = true;
    }
    Some(Loaded {
        items: elems.into_iter().map(SortItem::new).collect(),
        len,
        range_applied,
    })
}

/// Redis converts a sorted set it sorts to the skiplist encoding for good
/// (`zsetConvert` in `sort.c`), which OBJECT ENCODING shows afterwards.
fn to_skiplist(zset: &mut ZSetValue) {
    if zset.encoding() == "skiplist" {
        return;
    }
    // No listpack fits these limits, so the new set starts as a skiplist.
    let limits = ZSetLimits {
        max_entries: 0,
        max_value: 0,
    };
    let mut big = ZSetValue::with_hint(zset.len(), 0, limits);
    zset.for_each(|member, score| {
        big.insert(member, score, limits);
    });
    *zset = big;
}

/// Loads each item's weight (its own value, or the BY lookup); returns
/// whether some weight is not a double in a numeric sort. Missing BY keys
/// leave the weight at 0 (or absent for ALPHA).
fn weigh(ctx: &mut Ctx, items: &mut [SortItem], opts: &SortOptions) -> bool {
    let by = opts.weight_pattern();
    let mut not_a_double = false;
    for item in items.iter_mut() {
        let looked_up = match by {
            Some(p) => match lookup(ctx, p, &item.elem) {
                Some(w) => Some(w),
                None => continue,
            },
            None => None,
        };
        if opts.alpha {
            item.by_text = looked_up;
        } else {
            match order::parse_weight(looked_up.as_deref().unwrap_or(&item.elem)) {
                Some(score) => item.score = score,
                None => not_a_double = true,
            }
        }
    }
    not_a_double
}

/// The value `pattern` names for `elem`: a string, a hash field, the
/// element itself, or `None`. Lookups count as keyspace hits or misses.
fn lookup(ctx: &mut Ctx, pat: &[u8], elem: &[u8]) -> Option<Vec<u8>> {
    let (key, field) = match pattern::resolve(pat, elem) {
        Target::Element => return Some(elem.to_vec()),
        Target::Nothing => return None,
        Target::Key { key, field } => (key, field),
    };
    let value = &ctx.lookup_read(&key)?.value;
    match (field, value) {
        (Some(f), Value::Hash(h)) => h.get(&f).map(<[u8]>::to_vec),
        (None, Value::Str(s)) => Some(s.to_vec()),
        _ => None,
    }
}

/// The rows STORE saves: each element, or each GET lookup for each element.
fn output(ctx: &mut Ctx, chosen: &[SortItem], gets: &[&[u8]]) -> Vec<Option<Vec<u8>>> {
    if gets.is_empty() {
        return chosen.iter().map(|i| Some(i.elem.clone())).collect();
    }
    let mut rows = Vec::with_capacity(chosen.len() * gets.len());
    for item in chosen {
        for pat in gets {
            rows.push(lookup(ctx, pat, &item.elem));
        }
    }
    rows
}

/// STORE: the rows become a list at `dst` (missing GETs as empty strings,
/// any TTL dropped), or `dst` is deleted when there are none.
fn store(ctx: &mut Ctx, dst: &[u8], rows: Vec<Option<Vec<u8>>>) {
    let count = rows.len();
    if count > 0 {
        let mut list = ListValue::new();
        for row in &rows {
            list.push_back(row.as_deref().unwrap_or_default());
        }
        set_key(ctx, dst, Value::List(Box::new(list)), false);
        ctx.notify(class::LIST, "sortstore", dst);
        ctx.dirty(count as u64);
    } else {
        delete_with_event(ctx, dst);
    }
    ctx.out.int(count as i64);
}
