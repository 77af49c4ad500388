//! The two sorts Redis applies to search results, reproduced so that ties
//! (points at equal distance) come out in Redis's order: glibc's `qsort`
//! (a top-down merge sort, stable) when every result is returned, and
//! Redis's `pqsort` (a Bentley–McIlroy quicksort that only sorts the part
//! holding the first COUNT ranks) otherwise.

use std::cmp::Ordering;

/// Sorts `v` as glibc's merge-sort `qsort` does: split at `n / 2`, sort
/// both halves, merge taking from the left half while `cmp` says `<=`.
pub fn merge_sort<T: Clone>(v: &mut [T], cmp: &impl Fn(&T, &T) -> Ordering) {
    let n = v.len();
    if n <= 1 {
        return;
    }
    let n1 = n / 2;
    merge_sort(&mut v[..n1], cmp);
    merge_sort(&mut v[n1..], cmp);
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, n1);
    while i < n1 && j < n {
        if cmp(&v[i], &v[j]) != Ordering::Greater {
            merged.push(v[i].clone());
            i += 1;
        } else {
            merged.push(v[j].clone());
            j += 1;
        }
    }
    merged.extend_from_slice(&v[i..n1]);
    merged.extend_from_slice(&v[j..n]);
    v.clone_from_slice(&merged);
}

fn med3<T>(v: &[T], a: usize, b: usize, c: usize, cmp: &impl Fn(&T, &T) -> Ordering) -> usize {
    let lt = |x: usize, y: usize| cmp(&v[x], &v[y]) == Ordering::Less;
    let gt = |x: usize, y: usize| cmp(&v[x], &v[y]) == Ordering::Greater;
    if lt(a, b) {
        if lt(b, c) {
            b
        } else if lt(a, c) {
            c
        } else {
            a
        }
    } else if gt(b, c) {
        b
    } else if lt(a, c) {
        a
    } else {
        c
    }
}

fn vecswap<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for k in 0..n {
        v.swap(a + k, b + k);
    }
}

/// Partially sorts `v` so that positions `lo..=hi` hold what a full sort
/// would put there, in Redis's `pqsort` order.
pub fn partial_sort<T>(v: &mut [T], lo: usize, hi: usize, cmp: &impl Fn(&T, &T) -> Ordering) {
    pqsort(v, 0, v.len(), lo, hi, cmp);
}

/// Sorts `v[base..base + n]`, recursing only into parts that overlap the
/// ranks `lo..=hi`.
fn pqsort<T>(
    v: &mut [T],
    mut base: usize,
    mut n: usize,
    lo: usize,
    hi: usize,
    cmp: &impl Fn(&T, &T) -> Ordering,
) {
    loop {
        if n < 7 {
            for m in base + 1..base + n {
                let mut l = m;
                while l > base && cmp(&v[l - 1], &v[l]) == Ordering::Greater {
                    v.swap(l, l - 1);
                    l -= 1;
                }
            }
            return;
        }
        let mut pm = base + n / 2;
        if n > 7 {
            let mut pl = base;
            let mut pn = base + n - 1;
            if n > 40 {
                let d = n / 8;
                pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
                pm = med3(v, pm - d, pm, pm + d, cmp);
                pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
            }
            pm = med3(v, pl, pm, pn, cmp);
        }
        v.swap(base, pm);
        let (mut pa, mut pb) = (base + 1, base + 1);
        let (mut pc, mut pd) = (base + n - 1, base + n - 1);
        loop {
            while pb <= pc {
                let r = cmp(&v[pb], &v[base]);
                if r == Ordering::Greater {
                    break;
                }
                if r == Ordering::Equal {
                    v.swap(pa, pb);
                    pa += 1;
                }
                pb += 1;
            }
            while pb <= pc {
                let r = cmp(&v[pc], &v[base]);
                if r == Ordering::Less {
                    break;
                }
                if r == Ordering::Equal {
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
        let pn = base + n;
        let r = (pa - base).min(pb - pa);
        vecswap(v, base, pb - r, r);
        let r = (pd - pc).min(pn - pd - 1);
        vecswap(v, pb, pn - r, r);
        let overlaps = |start: usize, len: usize| !(hi < start || lo >= start + len);
        let left = pb - pa;
        if left > 1 && overlaps(base, left) {
            pqsort(v, base, left, lo, hi, cmp);
        }
        let right = pd - pc;
        if right > 1 && overlaps(pn - right, right) {
            base = pn - right;
            n = right;
            continue;
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_key(a: &(u32, u32), b: &(u32, u32)) -> Ordering {
        a.0.cmp(&b.0)
    }

    fn sample(n: u32) -> Vec<(u32, u32)> {
        (0..n).map(|i| ((i * 7919 + 13) % 23, i)).collect()
    }

    #[test]
    fn merge_sort_is_stable() {
        let mut v = sample(100);
        let mut expected = v.clone();
        expected.sort_by(by_key);
        merge_sort(&mut v, &by_key);
        assert_eq!(v, expected);
    }

    #[test]
    fn partial_sort_puts_the_first_ranks_in_place() {
        for n in [3u32, 7, 8, 41, 200] {
            for count in [1usize, 2, 5] {
                let mut v = sample(n);
                let mut sorted = v.clone();
                sorted.sort_by(by_key);
                let count = count.min(v.len());
                partial_sort(&mut v, 0, count - 1, &by_key);
                let got: Vec<u32> = v[..count].iter().map(|p| p.0).collect();
                let want: Vec<u32> = sorted[..count].iter().map(|p| p.0).collect();
                assert_eq!(got, want, "n={n} count={count}");
            }
        }
    }
}
