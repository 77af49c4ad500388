//! [`SkipList`]: the ordered index of a large sorted set, a skip list with
//! spans (as Redis's `zskiplist`) so that rank lookups, rank-based access and
//! range searches are O(log N).
//!
//! Nodes live in one arena `Vec` and link by index: no `unsafe`, and a
//! node's first level sits inline (three nodes in four have only that one),
//! which keeps a million-member set close to Redis's footprint. The arena
//! stays dense: a removal moves the last node into the hole (relinking it in
//! O(log N)), and the `Vec` gives memory back as the set shrinks.

use super::range::cmp_entries;
use crate::db::SmallBytes;
use std::cmp::Ordering;

/// Most levels a node may have (Redis's `ZSKIPLIST_MAXLEVEL`).
const MAX_LEVEL: usize = 32;
/// No node.
pub const NIL: u32 = u32::MAX;
/// The header node's index.
const HEAD: u32 = 0;

/// A link above level 0: the next node at that level and how many level-0
/// steps it skips.
#[derive(Debug, Clone, Copy)]
struct Level {
    next: u32,
    span: u32,
}

/// One member.
#[derive(Debug, Clone)]
struct Node {
    member: SmallBytes,
    score: f64,
    /// Previous node at level 0, `NIL` for the first.
    backward: u32,
    /// Next node at level 0 (whose span is always 1).
    next0: u32,
    /// Levels 1 and up, if the node has them.
    upper: Option<Box<[Level]>>,
}

impl Node {
    fn new(member: SmallBytes, score: f64, levels: usize) -> Node {
        let upper =
            (levels > 1).then(|| vec![Level { next: NIL, span: 0 }; levels - 1].into_boxed_slice());
        Node {
            member,
            score,
            backward: NIL,
            next0: NIL,
            upper,
        }
    }

    /// Whether this node sorts before (`score`, `member`).
    fn before(&self, score: f64, member: &[u8]) -> bool {
        cmp_entries(self.score, &self.member, score, member) == Ordering::Less
    }
}

/// Members ordered by (score, member), with ranks.
#[derive(Debug, Clone)]
pub struct SkipList {
    /// Index 0 is the header, which holds no member.
    nodes: Vec<Node>,
    tail: u32,
    len: usize,
    /// Levels in use (at least 1).
    level: usize,
    rng: u64,
}

impl Default for SkipList {
    fn default() -> Self {
        SkipList::new()
    }
}

impl SkipList {
    /// An empty list.
    pub fn new() -> SkipList {
        SkipList {
            nodes: vec![Node::new(SmallBytes::new(b""), 0.0, MAX_LEVEL)],
            tail: NIL,
            len: 0,
            level: 1,
            rng: 0x2545_f491_4f6c_dd1d,
        }
    }

    /// Room for `n` more members in the arena.
    pub fn reserve(&mut self, n: usize) {
        self.nodes.reserve(n);
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes owned.
    pub fn heap_size(&self) -> usize {
        let upper: usize = self
            .nodes
            .iter()
            .map(|n| {
                n.member.heap_size()
                    + n.upper
                        .as_ref()
                        .map_or(0, |u| u.len() * std::mem::size_of::<Level>())
            })
            .sum();
        self.nodes.capacity() * std::mem::size_of::<Node>() + upper
    }

    fn next(&self, n: u32, level: usize) -> u32 {
        let node = &self.nodes[n as usize];
        if level == 0 {
            node.next0
        } else {
            node.upper.as_ref().map_or(NIL, |u| u[level - 1].next)
        }
    }

    fn span(&self, n: u32, level: usize) -> u32 {
        if level == 0 {
            return 1;
        }
        self.nodes[n as usize]
            .upper
            .as_ref()
            .map_or(0, |u| u[level - 1].span)
    }

    fn set_next(&mut self, n: u32, level: usize, to: u32) {
        let node = &mut self.nodes[n as usize];
        if level == 0 {
            node.next0 = to;
        } else if let Some(u) = node.upper.as_mut() {
            u[level - 1].next = to;
        }
    }

    fn set_span(&mut self, n: u32, level: usize, span: u32) {
        if level == 0 {
            return;
        }
        if let Some(u) = self.nodes[n as usize].upper.as_mut() {
            u[level - 1].span = span;
        }
    }

    /// Redis's level distribution: each extra level with probability 1/4.
    fn random_level(&mut self) -> usize {
        let mut level = 1;
        loop {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            if level < MAX_LEVEL && (self.rng & 3) == 0 {
                level += 1;
            } else {
                return level;
            }
        }
    }

    fn alloc(&mut self, member: SmallBytes, score: f64, levels: usize) -> u32 {
        self.nodes.push(Node::new(member, score, levels));
        (self.nodes.len() - 1) as u32
    }

    /// Moves the node in arena slot `from` to the unlinked slot `to`,
    /// relinking its predecessors and successor.
    fn relocate(&mut self, from: u32, to: u32) {
        let (update, _) = {
            let n = &self.nodes[from as usize];
            self.predecessors(n.score, &n.member)
        };
        let height = self.nodes[from as usize]
            .upper
            .as_ref()
            .map_or(1, |u| u.len() + 1);
        for (i, &up) in update.iter().enumerate().take(height) {
            if self.next(up, i) == from {
                self.set_next(up, i, to);
            }
        }
        match self.nodes[from as usize].next0 {
            NIL => self.tail = to,
            after => self.nodes[after as usize].backward = to,
        }
        self.nodes.swap(from as usize, to as usize);
    }

    /// For each level, the last node before (`score`, `member`), and its rank.
    fn predecessors(&self, score: f64, member: &[u8]) -> ([u32; MAX_LEVEL], [u32; MAX_LEVEL]) {
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0u32; MAX_LEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            rank[i] = if i + 1 == self.level { 0 } else { rank[i + 1] };
            loop {
                let nx = self.next(x, i);
                if nx != NIL && self.nodes[nx as usize].before(score, member) {
                    rank[i] += self.span(x, i);
                    x = nx;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        (update, rank)
    }

    /// Inserts a member that is not in the list yet; returns its node.
    pub fn insert(&mut self, score: f64, member: SmallBytes) -> u32 {
        let (mut update, mut rank) = self.predecessors(score, &member);
        let levels = self.random_level();
        if levels > self.level {
            for i in self.level..levels {
                rank[i] = 0;
                update[i] = HEAD;
                self.set_span(HEAD, i, self.len as u32);
            }
            self.level = levels;
        }
        let id = self.alloc(member, score, levels);
        for i in 0..levels {
            let up = update[i];
            let after = self.next(up, i);
            self.set_next(id, i, after);
            self.set_next(up, i, id);
            let skipped = rank[0] - rank[i];
            self.set_span(id, i, self.span(up, i) - skipped);
            self.set_span(up, i, skipped + 1);
        }
        for (i, &up) in update.iter().enumerate().take(self.level).skip(levels) {
            self.set_span(up, i, self.span(up, i) + 1);
        }
        self.nodes[id as usize].backward = if update[0] == HEAD { NIL } else { update[0] };
        let after = self.next(id, 0);
        if after == NIL {
            self.tail = id;
        } else {
            self.nodes[after as usize].backward = id;
        }
        self.len += 1;
        id
    }

    /// Removes (`score`, `member`); returns the member's stored bytes.
    pub fn remove(&mut self, score: f64, member: &[u8]) -> Option<SmallBytes> {
        let (update, _) = self.predecessors(score, member);
        let x = self.next(update[0], 0);
        if x == NIL {
            return None;
        }
        let node = &self.nodes[x as usize];
        if node.score != score || node.member.as_slice() != member {
            return None;
        }
        for (i, &up) in update.iter().enumerate().take(self.level) {
            if self.next(up, i) == x {
                let span = self.span(up, i) + self.span(x, i);
                self.set_span(up, i, span.saturating_sub(1));
                self.set_next(up, i, self.next(x, i));
            } else {
                self.set_span(up, i, self.span(up, i).saturating_sub(1));
            }
        }
        let after = self.next(x, 0);
        let before = self.nodes[x as usize].backward;
        if after == NIL {
            self.tail = before;
        } else {
            self.nodes[after as usize].backward = before;
        }
        while self.level > 1 && self.next(HEAD, self.level - 1) == NIL {
            self.level -= 1;
        }
        self.len -= 1;
        let last = (self.nodes.len() - 1) as u32;
        if x != last {
            self.relocate(last, x);
        }
        let gone = self.nodes.pop().map(|n| n.member);
        if self.nodes.capacity() > 64 && self.nodes.len() < self.nodes.capacity() / 4 {
            self.nodes.shrink_to(self.nodes.capacity() / 2);
        }
        gone
    }

    /// 0-based rank of (`score`, `member`), if present.
    pub fn rank(&self, score: f64, member: &[u8]) -> Option<usize> {
        let mut x = HEAD;
        let mut rank = 0usize;
        for i in (0..self.level).rev() {
            loop {
                let nx = self.next(x, i);
                if nx == NIL {
                    break;
                }
                let n = &self.nodes[nx as usize];
                if cmp_entries(n.score, &n.member, score, member) != Ordering::Greater {
                    rank += self.span(x, i) as usize;
                    x = nx;
                } else {
                    break;
                }
            }
            if x != HEAD && self.nodes[x as usize].member.as_slice() == member {
                return Some(rank - 1);
            }
        }
        None
    }

    /// The node at 0-based `rank`, or `NIL`.
    pub fn by_rank(&self, rank: usize) -> u32 {
        let target = rank + 1;
        let mut traversed = 0usize;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let nx = self.next(x, i);
                if nx != NIL && traversed + self.span(x, i) as usize <= target {
                    traversed += self.span(x, i) as usize;
                    x = nx;
                } else {
                    break;
                }
            }
            if traversed == target {
                return x;
            }
        }
        NIL
    }

    /// The first node not `before_start`, if it is `within_end`; else `NIL`.
    /// `before_start` must hold for a prefix of the order and `within_end`
    /// for a prefix too (an interval's two ends).
    pub fn first_where(
        &self,
        before_start: impl Fn(f64, &[u8]) -> bool,
        within_end: impl Fn(f64, &[u8]) -> bool,
    ) -> u32 {
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let nx = self.next(x, i);
                if nx == NIL {
                    break;
                }
                let n = &self.nodes[nx as usize];
                if before_start(n.score, &n.member) {
                    x = nx;
                } else {
                    break;
                }
            }
        }
        let x = self.next(x, 0);
        if x == NIL {
            return NIL;
        }
        let n = &self.nodes[x as usize];
        if within_end(n.score, &n.member) {
            x
        } else {
            NIL
        }
    }

    /// The last node `within_end`, if it is not `before_start`; else `NIL`.
    pub fn last_where(
        &self,
        before_start: impl Fn(f64, &[u8]) -> bool,
        within_end: impl Fn(f64, &[u8]) -> bool,
    ) -> u32 {
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let nx = self.next(x, i);
                if nx == NIL {
                    break;
                }
                let n = &self.nodes[nx as usize];
                if within_end(n.score, &n.member) {
                    x = nx;
                } else {
                    break;
                }
            }
        }
        if x == HEAD {
            return NIL;
        }
        let n = &self.nodes[x as usize];
        if before_start(n.score, &n.member) {
            NIL
        } else {
            x
        }
    }

    /// The first node, or `NIL`.
    pub fn first(&self) -> u32 {
        self.next(HEAD, 0)
    }

    /// The last node, or `NIL`.
    pub fn last(&self) -> u32 {
        self.tail
    }

    /// The node after `n`, or `NIL`.
    pub fn next_node(&self, n: u32) -> u32 {
        self.next(n, 0)
    }

    /// The node before `n`, or `NIL`.
    pub fn prev_node(&self, n: u32) -> u32 {
        self.nodes[n as usize].backward
    }

    /// Member and score of node `n`.
    pub fn entry(&self, n: u32) -> (&[u8], f64) {
        let node = &self.nodes[n as usize];
        (&node.member, node.score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(l: &SkipList) -> Vec<(Vec<u8>, f64)> {
        let mut out = Vec::new();
        let mut x = l.first();
        while x != NIL {
            let (m, s) = l.entry(x);
            out.push((m.to_vec(), s));
            x = l.next_node(x);
        }
        out
    }

    #[test]
    fn ranks_and_positions() {
        let mut l = SkipList::new();
        for (i, m) in ["c", "a", "b", "e", "d"].iter().enumerate() {
            l.insert(i as f64 % 2.0, SmallBytes::new(m.as_bytes()));
        }
        let got: Vec<_> = members(&l).into_iter().map(|(m, _)| m).collect();
        assert_eq!(got, [b"b", b"c", b"d", b"a", b"e"].map(|m| m.to_vec()));
        assert_eq!(l.rank(0.0, b"b"), Some(0));
        assert_eq!(l.rank(1.0, b"e"), Some(4));
        assert_eq!(l.rank(1.0, b"b"), None);
        assert_eq!(l.entry(l.by_rank(3)).0, b"a");
        assert_eq!(l.by_rank(5), NIL);
        assert_eq!(l.entry(l.last()).0, b"e");
        assert_eq!(l.entry(l.prev_node(l.last())).0, b"a");
        let x = l.first_where(|s, _| s < 1.0, |s, _| s <= 1.0);
        assert_eq!(l.entry(x).0, b"a");
        let x = l.last_where(|s, _| s < 0.0, |s, _| s < 1.0);
        assert_eq!(l.entry(x).0, b"d");
        assert_eq!(l.first_where(|s, _| s < 2.0, |_, _| true), NIL);
        assert!(l.remove(0.0, b"c").is_some());
        assert!(l.remove(0.0, b"c").is_none());
        assert_eq!(l.len(), 4);
        assert_eq!(l.rank(1.0, b"e"), Some(3));
    }

    #[test]
    fn memory_is_returned_as_the_list_shrinks() {
        let mut l = SkipList::new();
        for i in 0..10_000 {
            l.insert(i as f64, SmallBytes::new(format!("m{i}").as_bytes()));
        }
        let peak = l.heap_size();
        for i in 0..9_990 {
            assert!(l.remove(i as f64, format!("m{i}").as_bytes()).is_some());
        }
        assert!(l.heap_size() < peak / 100, "{} of {peak}", l.heap_size());
        assert_eq!(l.rank(9_995.0, b"m9995"), Some(5));
    }

    /// A seeded random mix of inserts and removes, checked against a sorted
    /// `Vec` after every step.
    #[test]
    fn random_ops_match_a_model() {
        let mut l = SkipList::new();
        let mut model: Vec<(f64, Vec<u8>)> = Vec::new();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for step in 0..4000 {
            let member = format!("m{}", rand(300)).into_bytes();
            let pos = model.iter().position(|(_, m)| *m == member);
            match pos {
                Some(p) if rand(3) != 0 => {
                    let (s, m) = model.remove(p);
                    assert_eq!(l.remove(s, &m).as_deref(), Some(&m[..]));
                }
                Some(_) => {}
                None => {
                    let score = rand(50) as f64 / 2.0;
                    l.insert(score, SmallBytes::new(&member));
                    model.push((score, member));
                    model.sort_by(|a, b| cmp_entries(a.0, &a.1, b.0, &b.1));
                }
            }
            assert_eq!(l.len(), model.len());
            assert_eq!(l.nodes.len(), l.len() + 1, "the arena stays dense");
            if step % 50 == 0 || model.len() < 5 {
                let got = members(&l);
                let want: Vec<_> = model.iter().map(|(s, m)| (m.clone(), *s)).collect();
                assert_eq!(got, want);
                for (r, (s, m)) in model.iter().enumerate() {
                    assert_eq!(l.rank(*s, m), Some(r));
                    assert_eq!(l.entry(l.by_rank(r)).0, &m[..]);
                }
                let mut back = Vec::new();
                let mut x = l.last();
                while x != NIL {
                    back.push(l.entry(x).0.to_vec());
                    x = l.prev_node(x);
                }
                back.reverse();
                assert_eq!(
                    back,
                    model.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>()
                );
            }
            let lo = rand(26) as f64;
            let first = model.iter().position(|(s, _)| *s >= lo && *s <= lo + 3.0);
            let x = l.first_where(|s, _| s < lo, |s, _| s <= lo + 3.0);
            match first {
                Some(r) => assert_eq!(l.rank(l.entry(x).1, l.entry(x).0), Some(r)),
                None => assert_eq!(x, NIL),
            }
            let last = model.iter().rposition(|(s, _)| *s >= lo && *s <= lo + 3.0);
            let x = l.last_where(|s, _| s < lo, |s, _| s <= lo + 3.0);
            match last {
                Some(r) => assert_eq!(l.rank(l.entry(x).1, l.entry(x).0), Some(r)),
                None => assert_eq!(x, NIL),
            }
        }
    }
}
