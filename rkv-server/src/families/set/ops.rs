//! Set algebra as Redis's `sinterGenericCommand` and
//! `sunionDiffGenericCommand` compute it: pure functions over the sets the
//! keys hold (`None` for a missing key), building results with the same
//! encoding rules Redis applies to its temporary destination set.

use std::ptr;

use crate::types::set::{Member, SetValue};

/// Calls `f` with every member common to all `sets`, iterating the smallest
/// one, until `f` returns false. A set given twice is compared only once.
pub fn for_each_common<'a>(sets: &[&'a SetValue], mut f: impl FnMut(Member<'a>) -> bool) {
    let mut sorted: Vec<&SetValue> = sets.to_vec();
    sorted.sort_by_key(|s| s.len());
    let Some((first, rest)) = sorted.split_first() else {
        return;
    };
    for member in first.iter() {
        let everywhere = rest
            .iter()
            .all(|other| ptr::eq(*other, *first) || other.contains_member(member));
        if everywhere && !f(member) {
            return;
        }
    }
}

/// The intersection of `sets` as a new set; empty if any set is missing.
pub fn intersection(sets: &[Option<&SetValue>], max_intset: usize) -> SetValue {
    let mut out = SetValue::default();
    let Some(present) = sets.iter().copied().collect::<Option<Vec<_>>>() else {
        return out;
    };
    for_each_common(&present, |m| {
        out.add_member(m, max_intset);
        true
    });
    out
}

/// How many members the intersection has, stopping at `limit` (0: none).
pub fn intersection_card(sets: &[Option<&SetValue>], limit: usize) -> usize {
    let Some(present) = sets.iter().copied().collect::<Option<Vec<_>>>() else {
        return 0;
    };
    let mut card = 0;
    for_each_common(&present, |_| {
        card += 1;
        limit == 0 || card < limit
    });
    card
}

/// The union of `sets` as a new set.
pub fn union(sets: &[Option<&SetValue>], max_intset: usize) -> SetValue {
    let mut out = SetValue::default();
    for set in sets.iter().flatten() {
        for m in set.iter() {
            out.add_member(m, max_intset);
        }
    }
    out
}

/// The members of the first set found in none of the others, as a new set.
///
/// Redis picks one of two algorithms by estimated work; they differ in the
/// encoding of the result (the second adds the whole first set before
/// removing), so both are reproduced.
pub fn difference(sets: &[Option<&SetValue>], max_intset: usize) -> SetValue {
    let mut out = SetValue::default();
    let Some((Some(first), rest)) = sets.split_first() else {
        return out;
    };
    if rest.iter().flatten().any(|s| ptr::eq(*s, *first)) {
        return out;
    }
    let present: Vec<&SetValue> = rest.iter().flatten().copied().collect();
    let first_work = first.len() * sets.iter().flatten().count() / 2;
    let all_work: usize = first.len() + present.iter().map(|s| s.len()).sum::<usize>();
    if first_work <= all_work {
        let mut others = present;
        // Largest first: a shared member is found sooner.
        others.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for m in first.iter() {
            if !others.iter().any(|o| o.contains_member(m)) {
                out.add_member(m, max_intset);
            }
        }
    } else {
        for m in first.iter() {
            out.add_member(m, max_intset);
        }
        for other in present {
            for m in other.iter() {
                m.with_bytes(|b| out.remove(b));
            }
            if out.is_empty() {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(members: &[&str]) -> SetValue {
        let mut s = SetValue::default();
        for m in members {
            s.add(m.as_bytes(), 512);
        }
        s
    }

    fn sorted(s: &SetValue) -> Vec<String> {
        let mut v: Vec<String> = s
            .iter()
            .map(|m| String::from_utf8(m.to_vec()).unwrap())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn intersection_of_mixed_encodings() {
        let a = set(&["1", "2", "3", "x"]);
        let b = set(&["2", "3", "4"]);
        let c = set(&["3", "2", "y"]);
        let r = intersection(&[Some(&a), Some(&b), Some(&c)], 512);
        assert_eq!(sorted(&r), ["2", "3"]);
        assert_eq!(r.encoding(), "intset");
        assert_eq!(intersection_card(&[Some(&a), Some(&b), Some(&c)], 0), 2);
        assert_eq!(intersection_card(&[Some(&a), Some(&b)], 1), 1);
    }

    #[test]
    fn intersection_with_a_missing_set_is_empty() {
        let a = set(&["1"]);
        assert!(intersection(&[Some(&a), None], 512).is_empty());
        assert_eq!(intersection_card(&[None, Some(&a)], 0), 0);
    }

    #[test]
    fn intersection_of_a_set_with_itself() {
        let a = set(&["a", "b"]);
        assert_eq!(
            sorted(&intersection(&[Some(&a), Some(&a)], 512)),
            ["a", "b"]
        );
    }

    #[test]
    fn union_keeps_intset_while_possible() {
        let a = set(&["3", "1"]);
        let b = set(&["2", "1"]);
        let r = union(&[Some(&a), None, Some(&b)], 512);
        assert_eq!(r.encoding(), "intset");
        assert_eq!(sorted(&r), ["1", "2", "3"]);
        let c = set(&["z"]);
        let r = union(&[Some(&a), Some(&c)], 512);
        assert_eq!(r.encoding(), "hashtable");
        assert_eq!(r.len(), 3);
        assert_eq!(union(&[Some(&a), Some(&b)], 2).encoding(), "hashtable");
    }

    #[test]
    fn difference_by_either_algorithm() {
        let a = set(&["1", "2", "3", "4", "a"]);
        let b = set(&["2", "a"]);
        let r = difference(&[Some(&a), Some(&b), None], 512);
        assert_eq!(sorted(&r), ["1", "3", "4"]);
        assert_eq!(r.encoding(), "intset");
        // A big first set against small others takes the add-then-remove
        // path: the result keeps the table encoding the first set forced.
        let big = set(&["1", "2", "3", "4", "5", "6", "x"]);
        let (x, y) = (set(&["x"]), set(&["y"]));
        let r = difference(&[Some(&big), Some(&x), Some(&y)], 512);
        assert_eq!(sorted(&r), ["1", "2", "3", "4", "5", "6"]);
        assert_eq!(r.encoding(), "hashtable");
    }

    #[test]
    fn difference_edge_cases() {
        let a = set(&["1", "2"]);
        assert!(difference(&[None, Some(&a)], 512).is_empty());
        assert!(difference(&[Some(&a), Some(&a)], 512).is_empty());
        assert_eq!(sorted(&difference(&[Some(&a)], 512)), ["1", "2"]);
    }
}
