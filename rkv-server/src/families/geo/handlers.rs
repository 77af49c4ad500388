//! Handlers of the geo commands. Points live in a sorted set whose scores
//! are 52-bit geohashes, so GEOADD is ZADD with computed scores and the
//! searches are score-range scans of the sorted set.

use super::format::{distance_text, reply_coordinate};
use super::hash;
use super::parse::{self, lon_lat, Query, Sort, Variant};
use super::search::{order_and_cut, scan, Found};
use crate::command::Ctx;
use crate::errors;
use crate::families::zset::common::{limits, with_zset};
use crate::families::zset::handlers::op_zadd;
use crate::families::zset::ranges::op_store_items;
use crate::keyspace_events::class;
use crate::types::zset::AddFlags;
use crate::types::ZSetValue;

/// `GEOADD key [NX|XX] [CH] longitude latitude member [...]`
pub fn geoadd(ctx: &mut Ctx) {
    let mut flags = AddFlags::default();
    let mut ch = false;
    let mut first = 2;
    while first < ctx.argc() {
        match ctx.arg(first).to_ascii_lowercase().as_slice() {
            b"nx" => flags.nx = true,
            b"xx" => flags.xx = true,
            b"ch" => ch = true,
            _ => break,
        }
        first += 1;
    }
    let rest = ctx.argc() - first;
    // Redis hands the rewritten command to ZADD, which refuses no elements.
    if !rest.is_multiple_of(3) || rest == 0 || (flags.nx && flags.xx) {
        return ctx.syntax_error();
    }
    let mut pairs = Vec::with_capacity(rest / 3);
    for i in (first..ctx.argc()).step_by(3) {
        match lon_lat(ctx.arg(i), ctx.arg(i + 1)) {
            Ok([lon, lat]) => pairs.push((hash::score_of(lon, lat) as f64, ctx.arg(i + 2))),
            Err(e) => return ctx.error(&e),
        }
    }
    let (key, limits, now) = (ctx.arg(1), limits(ctx), ctx.now_ms());
    match op_zadd(ctx.db(), key, flags, &pairs, limits, now) {
        Err(e) => ctx.error(&e.to_string()),
        Ok(t) => {
            // A created key's `new` event precedes the reply, as in Redis.
            ctx.drain_pending();
            ctx.dirty((t.added + t.updated) as u64);
            let n = if ch { t.added + t.updated } else { t.added };
            ctx.out.int(n as i64);
            // Redis runs GEOADD as ZADD: its events are ZADD's.
            if t.added + t.updated > 0 {
                ctx.signal_modified(key);
                ctx.notify(class::ZSET, "zadd", key);
            }
        }
    }
}

/// `GEODIST key member1 member2 [m|km|ft|mi]`
pub fn geodist(ctx: &mut Ctx) {
    let to_meters = match ctx.argc() {
        5 => match parse::unit(ctx.arg(4)) {
            Ok(u) => u,
            Err(e) => return ctx.error(&e),
        },
        4 => 1.0,
        _ => return ctx.syntax_error(),
    };
    let (a, b) = (ctx.arg(2), ctx.arg(3));
    with_zset(ctx, ctx.arg(1), |zset, out| {
        let scores = zset.and_then(|z| Some((z.score(a)?, z.score(b)?)));
        match scores {
            None => out.null(),
            Some((sa, sb)) => {
                let [lon1, lat1] = hash::decode_score(sa);
                let [lon2, lat2] = hash::decode_score(sb);
                let d = super::area::distance(lon1, lat1, lon2, lat2) / to_meters;
                out.bulk(distance_text(d).as_bytes());
            }
        }
    });
}

/// `GEOHASH key [member ...]`
pub fn geohash(ctx: &mut Ctx) {
    let members = &ctx.argv[2..];
    with_zset(ctx, ctx.arg(1), |zset, out| {
        out.array(members.len());
        for m in members {
            match zset.and_then(|z| z.score(m)) {
                Some(score) => out.bulk(&hash::standard_geohash(score)),
                None => out.null(),
            }
        }
    });
}

/// `GEOPOS key [member ...]`
pub fn geopos(ctx: &mut Ctx) {
    let members = &ctx.argv[2..];
    with_zset(ctx, ctx.arg(1), |zset, out| {
        out.array(members.len());
        for m in members {
            match zset.and_then(|z| z.score(m)) {
                Some(score) => {
                    let [lon, lat] = hash::decode_score(score);
                    out.array(2);
                    reply_coordinate(out, lon);
                    reply_coordinate(out, lat);
                }
                None => out.null_array(),
            }
        }
    });
}

/// `GEORADIUS key longitude latitude radius unit [options]`
pub fn georadius(ctx: &mut Ctx) {
    search_generic(ctx, Variant::Radius { ro: false });
}

/// `GEORADIUS_RO key longitude latitude radius unit [options]`
pub fn georadius_ro(ctx: &mut Ctx) {
    search_generic(ctx, Variant::Radius { ro: true });
}

/// `GEORADIUSBYMEMBER key member radius unit [options]`
pub fn georadiusbymember(ctx: &mut Ctx) {
    search_generic(ctx, Variant::ByMember { ro: false });
}

/// `GEORADIUSBYMEMBER_RO key member radius unit [options]`
pub fn georadiusbymember_ro(ctx: &mut Ctx) {
    search_generic(ctx, Variant::ByMember { ro: true });
}

/// `GEOSEARCH key FROMMEMBER|FROMLONLAT ... BYRADIUS|BYBOX ... [options]`
pub fn geosearch(ctx: &mut Ctx) {
    search_generic(ctx, Variant::Search);
}

/// `GEOSEARCHSTORE destination source ... [STOREDIST]`
pub fn geosearchstore(ctx: &mut Ctx) {
    search_generic(ctx, Variant::SearchStore);
}

/// The source sorted set, if `key` holds one (no side effects).
fn source<'d>(ctx: &'d mut Ctx, key: &[u8]) -> Option<&'d ZSetValue> {
    let now = ctx.now_ms();
    ctx.db().peek(key, now).and_then(|e| e.value.as_zset())
}

/// Every search command (Redis's `georadiusGeneric`).
fn search_generic(ctx: &mut Ctx, variant: Variant) {
    let src = ctx.arg(variant.source_index());
    let exists = match ctx.lookup_read(src) {
        None => false,
        Some(e) if e.value.as_zset().is_some() => true,
        Some(_) => return ctx.error(errors::WRONGTYPE),
    };
    let argv = ctx.argv;
    let query = match parse::query(argv, variant, source(ctx, src)) {
        Ok(q) => q,
        Err(e) => return ctx.error(&e),
    };
    if !exists {
        return match query.store {
            Some(store) => {
                let dst = argv[store.key_index];
                if ctx.db().remove(dst).is_some() {
                    ctx.dirty(1);
                    ctx.signal_modified(dst);
                    ctx.notify(class::GENERIC, "del", dst);
                }
                ctx.out.int(0);
            }
            None => ctx.out.array(0),
        };
    }
    let count = usize::try_from(query.count).unwrap_or(usize::MAX);
    let found = match source(ctx, src) {
        Some(z) => scan(z, &query.shape, if query.any { count } else { 0 }),
        None => Vec::new(),
    };
    if found.is_empty() && query.store.is_none() {
        return ctx.out.array(0);
    }
    // COUNT picks the nearest points unless ANY says any will do.
    let sort = if query.count != 0 && query.sort == Sort::None && !query.any {
        Sort::Asc
    } else {
        query.sort
    };
    let results = order_and_cut(found, sort, count);
    match query.store {
        None => reply_results(ctx, &query, &results),
        Some(store) => {
            let conversion = query.shape.conversion;
            let items: Vec<(Vec<u8>, f64)> = results
                .into_iter()
                .map(|f| {
                    let score = if store.dist {
                        f.dist / conversion
                    } else {
                        f.score
                    };
                    (f.member, score)
                })
                .collect();
            let (dst, limits, now) = (argv[store.key_index], limits(ctx), ctx.now_ms());
            let (n, changed) = op_store_items(ctx.db(), dst, &items, limits, now);
            if n > 0 {
                ctx.dirty(n as u64);
                ctx.signal_modified(dst);
                let event = match variant {
                    Variant::Search | Variant::SearchStore => "geosearchstore",
                    _ => "georadiusstore",
                };
                ctx.notify(class::ZSET, event, dst);
            } else if changed {
                ctx.dirty(1);
                ctx.signal_modified(dst);
                ctx.notify(class::GENERIC, "del", dst);
            }
            ctx.out.int(items.len() as i64);
        }
    }
}

fn reply_results(ctx: &mut Ctx, query: &Query, results: &[Found]) {
    let extras =
        usize::from(query.with_dist) + usize::from(query.with_hash) + usize::from(query.with_coord);
    let out = &mut ctx.out;
    out.array(results.len());
    for f in results {
        if extras > 0 {
            out.array(extras + 1);
        }
        out.bulk(&f.member);
        if query.with_dist {
            out.bulk(distance_text(f.dist / query.shape.conversion).as_bytes());
        }
        if query.with_hash {
            out.int(f.score as i64);
        }
        if query.with_coord {
            out.array(2);
            reply_coordinate(out, f.lon);
            reply_coordinate(out, f.lat);
        }
    }
}
