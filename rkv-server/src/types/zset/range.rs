//! Score and lexicographic intervals (ZRANGEBYSCORE, ZRANGEBYLEX...), with
//! the comparisons every encoding uses to answer them.

use std::cmp::Ordering;

/// A score interval; each end is inclusive unless marked exclusive (`(`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    /// Lower end.
    pub min: f64,
    /// Upper end.
    pub max: f64,
    /// Whether `min` itself is left out.
    pub min_exclusive: bool,
    /// Whether `max` itself is left out.
    pub max_exclusive: bool,
}

impl ScoreRange {
    /// The inclusive interval `[min, max]`.
    pub fn inclusive(min: f64, max: f64) -> Self {
        ScoreRange {
            min,
            max,
            min_exclusive: false,
            max_exclusive: false,
        }
    }

    /// Whether `score` is not below the lower end.
    pub fn above_min(&self, score: f64) -> bool {
        if self.min_exclusive {
            score > self.min
        } else {
            score >= self.min
        }
    }

    /// Whether `score` is not above the upper end.
    pub fn below_max(&self, score: f64) -> bool {
        if self.max_exclusive {
            score < self.max
        } else {
            score <= self.max
        }
    }

    /// Whether `score` lies in the interval.
    pub fn contains(&self, score: f64) -> bool {
        self.above_min(score) && self.below_max(score)
    }

    /// Whether no score can lie in the interval.
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_exclusive || self.max_exclusive))
    }
}

/// One end of a lexicographic interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: below every string.
    NegInf,
    /// `+`: above every string.
    PosInf,
    /// `[x`: `x` included.
    Inclusive(Vec<u8>),
    /// `(x`: `x` excluded.
    Exclusive(Vec<u8>),
}

/// A lexicographic interval over members (meaningful when all scores are
/// equal, as ZRANGEBYLEX documents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    /// Lower end.
    pub min: LexBound,
    /// Upper end.
    pub max: LexBound,
}

impl LexRange {
    /// Whether `member` is not below the lower end.
    pub fn above_min(&self, member: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Inclusive(m) => member >= m.as_slice(),
            LexBound::Exclusive(m) => member > m.as_slice(),
        }
    }

    /// Whether `member` is not above the upper end.
    pub fn below_max(&self, member: &[u8]) -> bool {
        match &self.max {
            LexBound::NegInf => false,
            LexBound::PosInf => true,
            LexBound::Inclusive(m) => member <= m.as_slice(),
            LexBound::Exclusive(m) => member < m.as_slice(),
        }
    }

    /// Whether `member` lies in the interval.
    pub fn contains(&self, member: &[u8]) -> bool {
        self.above_min(member) && self.below_max(member)
    }

    /// Whether no member can lie in the interval (Redis's early exit).
    pub fn is_empty(&self) -> bool {
        use LexBound::*;
        match (&self.min, &self.max) {
            (PosInf, _) | (_, NegInf) => true,
            (NegInf, _) | (_, PosInf) => false,
            (Inclusive(a), Inclusive(b)) => a > b,
            (Inclusive(a) | Exclusive(a), Inclusive(b) | Exclusive(b)) => a >= b,
        }
    }
}

/// The order of a sorted set: by score, then by member bytes.
pub fn cmp_entries(a_score: f64, a_member: &[u8], b_score: f64, b_member: &[u8]) -> Ordering {
    a_score
        .partial_cmp(&b_score)
        .unwrap_or(Ordering::Equal)
        .then_with(|| a_member.cmp(b_member))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_bounds() {
        let r = ScoreRange {
            min: 1.0,
            max: 2.0,
            min_exclusive: true,
            max_exclusive: false,
        };
        assert!(!r.contains(1.0));
        assert!(r.contains(1.5));
        assert!(r.contains(2.0));
        assert!(!r.is_empty());
        assert!(ScoreRange {
            min: 1.0,
            max: 1.0,
            min_exclusive: false,
            max_exclusive: true
        }
        .is_empty());
        assert!(ScoreRange::inclusive(3.0, 2.0).is_empty());
    }

    #[test]
    fn lex_bounds() {
        let r = LexRange {
            min: LexBound::Exclusive(b"b".to_vec()),
            max: LexBound::Inclusive(b"d".to_vec()),
        };
        assert!(!r.contains(b"b"));
        assert!(r.contains(b"c"));
        assert!(r.contains(b"d"));
        assert!(!r.contains(b"da"));
        let empty = LexRange {
            min: LexBound::Exclusive(b"b".to_vec()),
            max: LexBound::Inclusive(b"b".to_vec()),
        };
        assert!(empty.is_empty());
        let all = LexRange {
            min: LexBound::NegInf,
            max: LexBound::PosInf,
        };
        assert!(all.contains(b"") && !all.is_empty());
    }
}
