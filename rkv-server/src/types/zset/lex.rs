//! Lexicographic range queries of [`ZSetValue`] (ZRANGEBYLEX, ZLEXCOUNT,
//! ZREMRANGEBYLEX), walked exactly as Redis walks them: with mixed scores
//! members are out of lex order and Redis's answers depend on its walk.

use super::skiplist::NIL;
use super::{lp_entries, LexRange, ZSetValue};

impl ZSetValue {
    /// Redis's quick rejection of a lex range: the last member must not be
    /// below it nor the first above it. With mixed scores members are not in
    /// lex order, and Redis's answers depend on this exact check.
    fn lex_may_match(&self, range: &LexRange) -> bool {
        if range.is_empty() || self.is_empty() {
            return false;
        }
        let (Some((head, _)), Some((tail, _))) =
            (self.member_at(0), self.member_at(self.len() - 1))
        else {
            return false;
        };
        range.above_min(&tail) && range.below_max(&head)
    }

    /// The rank interval of the members in the lexicographic `range`
    /// (ZLEXCOUNT).
    pub fn lex_ranks(&self, range: &LexRange) -> Option<(usize, usize)> {
        if !self.lex_may_match(range) {
            return None;
        }
        self.rank_interval(|_, m| !range.above_min(m), |_, m| range.below_max(m))
    }

    /// The ranks ZREMRANGEBYLEX removes: from the first member not below
    /// `range`, onwards while members are not above it.
    pub fn lex_removal_ranks(&self, range: &LexRange) -> Option<(usize, usize)> {
        match self {
            ZSetValue::Listpack(_) => self.lex_ranks(range),
            ZSetValue::Skiplist(s) => {
                if range.is_empty() {
                    return None;
                }
                let l = &s.list;
                let mut x = l.first_where(|_, m| !range.above_min(m), |_, m| range.below_max(m));
                if x == NIL {
                    return None;
                }
                let (m, score) = l.entry(x);
                let first = l.rank(score, m)?;
                let mut count = 0;
                while x != NIL && range.below_max(l.entry(x).0) {
                    count += 1;
                    x = l.next_node(x);
                }
                Some((first, first + count - 1))
            }
        }
    }

    /// ZRANGEBYLEX as Redis walks it: start at the first member in `range`
    /// (the last if `rev`), skip `offset` members unchecked, then take up to
    /// `limit` (`None`: all) while they stay within the far end.
    pub fn lex_range(
        &self,
        range: &LexRange,
        rev: bool,
        offset: usize,
        limit: Option<usize>,
    ) -> Vec<(Vec<u8>, f64)> {
        let mut out = Vec::new();
        if !self.lex_may_match(range) {
            return out;
        }
        let keep = |m: &[u8]| {
            if rev {
                range.above_min(m)
            } else {
                range.below_max(m)
            }
        };
        let mut left = limit.unwrap_or(usize::MAX);
        match self {
            ZSetValue::Listpack(lp) => {
                let e = lp_entries(lp);
                let start = if rev {
                    e.iter()
                        .rposition(|(m, _)| range.below_max(m))
                        .filter(|&i| range.above_min(e[i].0))
                } else {
                    e.iter()
                        .position(|(m, _)| range.above_min(m))
                        .filter(|&i| range.below_max(e[i].0))
                };
                let Some(start) = start else {
                    return out;
                };
                let order: Box<dyn Iterator<Item = usize>> = if rev {
                    Box::new((0..=start).rev())
                } else {
                    Box::new(start..e.len())
                };
                for i in order.skip(offset) {
                    if left == 0 || !keep(e[i].0) {
                        break;
                    }
                    left -= 1;
                    out.push((e[i].0.to_vec(), e[i].1));
                }
            }
            ZSetValue::Skiplist(s) => {
                let l = &s.list;
                let before = |_: f64, m: &[u8]| !range.above_min(m);
                let within = |_: f64, m: &[u8]| range.below_max(m);
                let step = |x: u32| if rev { l.prev_node(x) } else { l.next_node(x) };
                let mut x = if rev {
                    l.last_where(before, within)
                } else {
                    l.first_where(before, within)
                };
                for _ in 0..offset {
                    if x == NIL {
                        break;
                    }
                    x = step(x);
                }
                while x != NIL && left > 0 {
                    let (m, score) = l.entry(x);
                    if !keep(m) {
                        break;
                    }
                    left -= 1;
                    out.push((m.to_vec(), score));
                    x = step(x);
                }
            }
        }
        out
    }
}
