//! Running a search over a sorted set: scan the score ranges of the nine
//! cells in Redis's order, keep the points inside the shape, then order
//! and cut the results as `georadiusGeneric` does.

use super::area::{score_range, search_cells, Shape};
use super::hash;
use super::parse::Sort;
use super::sort::{merge_sort, partial_sort};
use crate::types::zset::ScoreRange;
use crate::types::ZSetValue;
use std::cmp::Ordering;

/// A point found by a search.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The member.
    pub member: Vec<u8>,
    /// Its score (the 52-bit geohash).
    pub score: f64,
    /// Decoded longitude.
    pub lon: f64,
    /// Decoded latitude.
    pub lat: f64,
    /// Distance from the centre, in metres.
    pub dist: f64,
}

/// Appends to `found` the members of `zset` with scores in `[min, max)`
/// that lie inside `shape`, stopping once `found` holds `limit` points
/// (0 = no limit).
fn points_in_range(
    zset: &ZSetValue,
    min: u64,
    max: u64,
    shape: &Shape,
    found: &mut Vec<Found>,
    limit: usize,
) {
    let range = ScoreRange {
        min: min as f64,
        max: max as f64,
        min_exclusive: false,
        max_exclusive: true,
    };
    let Some((first, last)) = zset.score_ranks(&range) else {
        return;
    };
    let mut done = false;
    zset.range_by_rank(first, last, false, |member, score| {
        if done {
            return;
        }
        let [lon, lat] = hash::decode_score(score);
        if let Some(dist) = shape.contains(lon, lat) {
            found.push(Found {
                member: member.to_vec(),
                score,
                lon,
                lat,
                dist,
            });
        }
        if limit != 0 && found.len() >= limit {
            done = true;
        }
    });
}

/// Every point of `zset` inside `shape`, in Redis's scan order (cell by
/// cell, by score within a cell); with `limit`, stops after that many.
pub fn scan(zset: &ZSetValue, shape: &Shape, limit: usize) -> Vec<Found> {
    let cells = search_cells(shape).in_scan_order();
    let mut found = Vec::new();
    // Index of the last cell scanned; Redis skips a cell equal to it (huge
    // radii make neighbours coincide). The centre (0) never counts.
    let mut last = 0;
    for (i, cell) in cells.iter().enumerate() {
        if cell.is_zero() {
            continue;
        }
        if last != 0 && *cell == cells[last] {
            continue;
        }
        if limit != 0 && found.len() >= limit {
            break;
        }
        let (min, max) = score_range(*cell);
        points_in_range(zset, min, max, shape, &mut found, limit);
        last = i;
    }
    found
}

fn by_distance(a: &Found, b: &Found) -> Ordering {
    if a.dist > b.dist {
        Ordering::Greater
    } else if a.dist == b.dist {
        Ordering::Equal
    } else {
        Ordering::Less
    }
}

/// Orders `found` and cuts it to `count` (0 = all), as Redis does: a full
/// sort when everything is returned, a partial one otherwise.
pub fn order_and_cut(mut found: Vec<Found>, sort: Sort, count: usize) -> Vec<Found> {
    let keep = if count == 0 || found.len() < count {
        found.len()
    } else {
        count
    };
    let cmp = |a: &Found, b: &Found| match sort {
        Sort::Desc => by_distance(a, b).reverse(),
        _ => by_distance(a, b),
    };
    if sort != Sort::None && keep > 0 {
        if keep == found.len() {
            merge_sort(&mut found, &cmp);
        } else {
            partial_sort(&mut found, 0, keep - 1, &cmp);
        }
    }
    found.truncate(keep);
    found
}

#[cfg(test)]
mod tests {
    use super::super::area::ShapeKind;
    use super::*;
    use crate::types::zset::ZSetLimits;

    fn sicily() -> ZSetValue {
        let mut z = ZSetValue::default();
        for (m, lon, lat) in [
            ("Palermo", 13.361389, 38.115556),
            ("Catania", 15.087269, 37.502669),
            ("Rome", 12.496366, 41.902782),
        ] {
            z.insert(
                m.as_bytes(),
                hash::score_of(lon, lat) as f64,
                ZSetLimits::default(),
            );
        }
        z
    }

    fn circle(lon: f64, lat: f64, km: f64) -> Shape {
        Shape {
            lon,
            lat,
            conversion: 1000.0,
            kind: ShapeKind::Circle { radius: km },
        }
    }

    #[test]
    fn finds_points_within_the_radius() {
        let z = sicily();
        let found = scan(&z, &circle(15.0, 37.0, 200.0), 0);
        let mut names: Vec<&[u8]> = found.iter().map(|f| f.member.as_slice()).collect();
        names.sort();
        assert_eq!(names, [&b"Catania"[..], b"Palermo"]);
        let sorted = order_and_cut(found, Sort::Asc, 1);
        assert_eq!(sorted.len(), 1);
        assert_eq!(sorted[0].member, b"Catania");
        // GEORADIUS Sicily 15 37 200 km WITHDIST on redis-server: 56.4413 km.
        assert_eq!(
            super::super::format::distance_text(sorted[0].dist / 1000.0),
            "56.4413"
        );
    }

    #[test]
    fn any_stops_early() {
        let z = sicily();
        assert_eq!(scan(&z, &circle(15.0, 37.0, 2000.0), 1).len(), 1);
        assert_eq!(scan(&z, &circle(15.0, 37.0, 2000.0), 0).len(), 3);
    }

    #[test]
    fn descending_order() {
        let z = sicily();
        let found = order_and_cut(scan(&z, &circle(15.0, 37.0, 2000.0), 0), Sort::Desc, 0);
        let names: Vec<&[u8]> = found.iter().map(|f| f.member.as_slice()).collect();
        assert_eq!(names, [&b"Rome"[..], b"Palermo", b"Catania"]);
    }
}
