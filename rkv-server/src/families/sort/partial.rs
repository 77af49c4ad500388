//! Redis's `pqsort`: Bentley & McIlroy's quicksort that only recurses into
//! partitions overlapping a wanted range. SORT uses it when BY and LIMIT
//! are both given; it is not stable, so for items that compare equal the
//! order it leaves is part of Redis's reply, and this reproduces its every
//! comparison and swap.

use std::cmp::Ordering;

/// Sorts `v` well enough that positions `lo..=hi` hold what a full sort
/// would put there (`hi < lo` selects nothing), as Redis's `pqsort`.
pub fn pqsort<T>(v: &mut [T], lo: i64, hi: i64, cmp: &impl Fn(&T, &T) -> Ordering) {
    partition_sort(v, 0, v.len(), (lo, hi), cmp);
}

/// Whether elements `start..start + n` overlap the wanted `range`.
fn overlaps(start: usize, n: usize, range: (i64, i64)) -> bool {
    let (first, last) = (start as i64, (start + n) as i64);
    let (lo, hi) = range;
    !((lo < first && hi < first) || (lo >= last && hi >= last))
}

/// The median of three positions, with `pqsort`'s comparisons.
fn median_of_three<T>(
    v: &[T],
    a: usize,
    b: usize,
    c: usize,
    cmp: &impl Fn(&T, &T) -> Ordering,
) -> usize {
    if cmp(&v[a], &v[b]).is_lt() {
        if cmp(&v[b], &v[c]).is_lt() {
            b
        } else if cmp(&v[a], &v[c]).is_lt() {
            c
        } else {
            a
        }
    } else if cmp(&v[b], &v[c]).is_gt() {
        b
    } else if cmp(&v[a], &v[c]).is_lt() {
        a
    } else {
        c
    }
}

/// Swaps `n` elements pairwise: `a + i` with `b + i`.
fn swap_runs<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        v.swap(a + i, b + i);
    }
}

/// Sorts the `n` elements from `start`.
fn partition_sort<T>(
    v: &mut [T],
    mut start: usize,
    mut n: usize,
    range: (i64, i64),
    cmp: &impl Fn(&T, &T) -> Ordering,
) {
    loop {
        if n < 7 {
            for m in start + 1..start + n {
                let mut l = m;
                while l > start && cmp(&v[l - 1], &v[l]).is_gt() {
                    v.swap(l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        let mut pivot = start + n / 2;
        if n > 7 {
            let mut left = start;
            let mut right = start + n - 1;
            if n > 40 {
                let d = n / 8;
                left = median_of_three(v, left, left + d, left + 2 * d, cmp);
                pivot = median_of_three(v, pivot - d, pivot, pivot + d, cmp);
                right = median_of_three(v, right - 2 * d, right - d, right, cmp);
            }
            pivot = median_of_three(v, left, pivot, right, cmp);
        }
        v.swap(start, pivot);
        // Equal keys gather at both ends ([start+1, pa) and (pd, end]),
        // smaller ones in [pa, pb), larger ones in (pc, pd].
        let (mut pa, mut pb) = (start + 1, start + 1);
        let (mut pc, mut pd) = (start + n - 1, start + n - 1);
        loop {
            while pb <= pc {
                let c = cmp(&v[pb], &v[start]);
                if c.is_gt() {
                    break;
                }
                if c.is_eq() {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let c = cmp(&v[pc], &v[start]);
                if c.is_lt() {
                    break;
                }
                if c.is_eq() {
                    v.swap(pc, pd);
                    pd -= 1;
                }
                pc -= 1;
            }
            if pb > pc {
                break;
            }
            v.swap(pb, pc);
            pb += 1;
            pc -= 1;
        }
        let end = start + n;
        let r = (pa - start).min(pb - pa);
        swap_runs(v, start, pb - r, r);
        let r = (pd - pc).min(end - pd - 1);
        swap_runs(v, pb, end - r, r);
        let smaller = pb - pa;
        if smaller > 1 && overlaps(start, smaller, range) {
            partition_sort(v, start, smaller, range, cmp);
        }
        let larger = pd - pc;
        if larger <= 1 {
            return;
        }
        start = end - larger;
        n = larger;
        if !overlaps(start, n, range) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_is_sorted() {
        let mut seed = 7u64;
        let mut v: Vec<u32> = (0..500)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                (seed >> 40) as u32 % 1000
            })
            .collect();
        let mut sorted = v.clone();
        sorted.sort();
        pqsort(&mut v, 100, 149, &|a: &u32, b: &u32| a.cmp(b));
        assert_eq!(v[100..150], sorted[100..150]);
        let mut all = v.clone();
        pqsort(&mut all, 0, 499, &|a: &u32, b: &u32| a.cmp(b));
        assert_eq!(all, sorted);
    }

    #[test]
    fn ties_land_where_redis_puts_them() {
        // Redis 7.0.15: RPUSH L 1..30, SET wt_i (i*7%3), then
        // SORT L BY wt_* ALPHA LIMIT 5 10.
        let mut v: Vec<(u32, u32)> = (1..=30).map(|i| (i, i * 7 % 3)).collect();
        pqsort(&mut v, 5, 14, &|a: &(u32, u32), b: &(u32, u32)| {
            a.1.cmp(&b.1)
        });
        let got: Vec<u32> = v[5..15].iter().map(|p| p.0).collect();
        assert_eq!(got, [6, 3, 24, 9, 21, 16, 4, 7, 10, 13]);
    }
}
