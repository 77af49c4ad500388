//! The sparse encoding: a run-length list of opcodes after the header —
//! `ZERO` (`00llllll`, 1..64 zero registers), `XZERO` (`01llllll llllllll`,
//! 1..16384 zero registers) and `VAL` (`1vvvvvll`, 1..4 registers of value
//! 1..32) — and its edits, exactly as Redis's `hllSparseSet` makes them so
//! the strings stay byte-identical.

use super::dense::{self, DENSE_REGISTER_BYTES, REGISTERS};
use super::header::{self, HEADER_LEN};
use super::Corrupt;

/// Largest value a `VAL` opcode holds.
const VAL_MAX_VALUE: u8 = 32;
/// Longest run of a `VAL` opcode.
const VAL_MAX_LEN: usize = 4;
/// Longest run of a `ZERO` opcode.
const ZERO_MAX_LEN: usize = 64;
/// Longest run of an `XZERO` opcode.
const XZERO_MAX_LEN: usize = 16384;

/// One decoded opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// A run of zero registers, one byte.
    Zero(usize),
    /// A long run of zero registers, two bytes.
    XZero(usize),
    /// A run of registers holding `value`.
    Val { value: u8, len: usize },
}

impl Op {
    /// Decodes the opcode at `p` (a truncated `XZERO` reads its second
    /// byte as 0, as Redis reads the string's terminator).
    fn at(s: &[u8], p: usize) -> Op {
        let b = s[p];
        if b & 0x80 != 0 {
            Op::Val {
                value: ((b >> 2) & 0x1f) + 1,
                len: usize::from(b & 0x3) + 1,
            }
        } else if b & 0x40 != 0 {
            let low = s.get(p + 1).copied().unwrap_or(0);
            Op::XZero(((usize::from(b & 0x3f) << 8) | usize::from(low)) + 1)
        } else {
            Op::Zero(usize::from(b & 0x3f) + 1)
        }
    }

    /// Registers covered.
    fn span(self) -> usize {
        match self {
            Op::Zero(n) | Op::XZero(n) => n,
            Op::Val { len, .. } => len,
        }
    }

    /// Bytes taken.
    fn size(self) -> usize {
        if matches!(self, Op::XZero(_)) {
            2
        } else {
            1
        }
    }
}

/// The `VAL` opcode byte.
fn val_byte(value: u8, len: usize) -> u8 {
    0x80 | ((value - 1) << 2) | (len - 1) as u8
}

/// Appends the shortest zero-run opcode for `len` registers.
fn push_zeros(seq: &mut Vec<u8>, len: usize) {
    if len > ZERO_MAX_LEN {
        let l = len - 1;
        seq.push(0x40 | (l >> 8) as u8);
        seq.push((l & 0xff) as u8);
    } else {
        seq.push((len - 1) as u8);
    }
}

/// The opcodes of an empty HyperLogLog: `XZERO` runs covering every register.
pub fn empty_opcodes() -> Vec<u8> {
    let mut ops = Vec::new();
    let mut left = REGISTERS;
    while left > 0 {
        let run = left.min(XZERO_MAX_LEN);
        let l = run - 1;
        ops.push(0x40 | (l >> 8) as u8);
        ops.push((l & 0xff) as u8);
        left -= run;
    }
    ops
}

/// Walks the opcodes of a sparse string, calling `f(first_register, op)`.
fn for_each_op(s: &[u8], mut f: impl FnMut(usize, Op)) {
    let (mut p, mut index) = (HEADER_LEN, 0usize);
    while p < s.len() {
        let op = Op::at(s, p);
        f(index, op);
        index += op.span();
        p += op.size();
    }
}

/// The dense string for a sparse one (header copied, cached cardinality
/// included), or [`Corrupt`] when the runs do not cover exactly every register.
pub fn to_dense(s: &[u8]) -> Result<Vec<u8>, Corrupt> {
    let mut out = vec![0u8; HEADER_LEN + DENSE_REGISTER_BYTES];
    out[..HEADER_LEN].copy_from_slice(&s[..HEADER_LEN]);
    out[header::ENCODING] = header::DENSE;
    let regs = &mut out[HEADER_LEN..];
    let (mut p, mut index) = (HEADER_LEN, 0usize);
    while p < s.len() {
        let op = Op::at(s, p);
        if let Op::Val { value, len } = op {
            if index + len > REGISTERS {
                break;
            }
            for r in index..index + len {
                dense::set(regs, r, value);
            }
        }
        index += op.span();
        p += op.size();
    }
    if index == REGISTERS {
        Ok(out)
    } else {
        Err(Corrupt)
    }
}

/// Register histogram of a sparse string and whether its runs add up to
/// exactly every register (Redis's `hllSparseRegHisto`).
pub fn histogram(s: &[u8]) -> ([u32; 64], bool) {
    let mut hist = [0u32; 64];
    let mut total = 0usize;
    for_each_op(s, |_, op| {
        let value = match op {
            Op::Val { value, .. } => usize::from(value),
            _ => 0,
        };
        hist[value] = hist[value].wrapping_add(op.span() as u32);
        total += op.span();
    });
    (hist, total == REGISTERS)
}

/// Raises `max[i]` to each register's value (Redis's `hllMerge` for the
/// sparse case); [`Corrupt`] when the runs do not cover every register.
pub fn merge_into(max: &mut [u8; REGISTERS], s: &[u8]) -> Result<(), Corrupt> {
    let (mut p, mut index) = (HEADER_LEN, 0usize);
    while p < s.len() {
        let op = Op::at(s, p);
        if let Op::Val { value, len } = op {
            if index + len > REGISTERS {
                break;
            }
            for m in &mut max[index..index + len] {
                *m = (*m).max(value);
            }
        }
        index += op.span();
        p += op.size();
    }
    if index == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// Raises register `index` to `count` in the sparse string `s` (Redis's
/// `hllSparseSet`): splits the run holding it, merges equal neighbouring
/// `VAL` runs, and converts `s` to dense when the value does not fit a
/// `VAL` opcode or the string would outgrow `max_bytes`. Returns whether a
/// register changed.
pub fn set(s: &mut Vec<u8>, index: usize, count: u8, max_bytes: u64) -> Result<bool, Corrupt> {
    if count > VAL_MAX_VALUE {
        return promote(s, index, count);
    }
    let end = s.len();
    let (mut p, mut first, mut prev) = (HEADER_LEN, 0usize, None);
    let mut found = None;
    while p < end {
        let op = Op::at(s, p);
        if index < first + op.span() {
            found = Some(op);
            break;
        }
        prev = Some(p);
        p += op.size();
        first += op.span();
    }
    let Some(op) = found else {
        return Err(Corrupt);
    };
    let last = first + op.span() - 1;
    let replacement: Vec<u8> = match op {
        Op::Val { value, .. } if value >= count => return Ok(false),
        Op::Val { len: 1, .. } | Op::Zero(1) => vec![val_byte(count, 1)],
        Op::Zero(_) | Op::XZero(_) => {
            let mut seq = Vec::with_capacity(5);
            if index != first {
                push_zeros(&mut seq, index - first);
            }
            seq.push(val_byte(count, 1));
            if index != last {
                push_zeros(&mut seq, last - index);
            }
            seq
        }
        Op::Val { value, .. } => {
            let mut seq = Vec::with_capacity(3);
            if index != first {
                seq.push(val_byte(value, index - first));
            }
            seq.push(val_byte(count, 1));
            if index != last {
                seq.push(val_byte(value, last - index));
            }
            seq
        }
    };
    let old_size = op.size();
    if replacement.len() > old_size && (end + replacement.len() - old_size) as u64 > max_bytes {
        return promote(s, index, count);
    }
    let old_end = (p + old_size).min(end);
    s.splice(p..old_end, replacement);
    merge_equal_runs(s, prev.unwrap_or(HEADER_LEN));
    header::invalidate_cache(s);
    Ok(true)
}

/// Joins adjacent `VAL` runs of the same value, looking at up to five
/// opcodes from `p` as Redis does after an edit.
fn merge_equal_runs(s: &mut Vec<u8>, mut p: usize) {
    let mut budget = 5;
    while p < s.len() && budget > 0 {
        budget -= 1;
        let op = Op::at(s, p);
        let Op::Val { value, len } = op else {
            p += op.size();
            continue;
        };
        if p + 1 < s.len() {
            if let Op::Val {
                value: next_value,
                len: next_len,
            } = Op::at(s, p + 1)
            {
                if next_value == value && len + next_len <= VAL_MAX_LEN {
                    s[p + 1] = val_byte(value, len + next_len);
                    s.remove(p);
                    continue;
                }
            }
        }
        p += 1;
    }
}

/// Converts `s` to dense and raises the register there.
fn promote(s: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    *s = to_dense(s)?;
    dense::raise(&mut s[HEADER_LEN..], index, count);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::super::header::new_sparse;
    use super::*;

    fn decode(s: &[u8]) -> Vec<Op> {
        let mut ops = Vec::new();
        for_each_op(s, |_, op| ops.push(op));
        ops
    }

    #[test]
    fn empty_is_one_xzero() {
        let s = new_sparse();
        assert_eq!(&s[HEADER_LEN..], &[0x7f, 0xff]);
        assert_eq!(decode(&s), vec![Op::XZero(REGISTERS)]);
        assert_eq!(
            histogram(&s),
            (
                {
                    let mut h = [0u32; 64];
                    h[0] = REGISTERS as u32;
                    h
                },
                true
            )
        );
    }

    #[test]
    fn setting_splits_and_merges_runs() {
        let mut s = new_sparse();
        assert_eq!(set(&mut s, 100, 3, 3000), Ok(true));
        assert_eq!(
            decode(&s),
            vec![
                Op::XZero(100),
                Op::Val { value: 3, len: 1 },
                Op::XZero(16283)
            ]
        );
        assert_eq!(set(&mut s, 100, 2, 3000), Ok(false));
        assert_eq!(set(&mut s, 101, 3, 3000), Ok(true));
        assert_eq!(
            decode(&s),
            vec![
                Op::XZero(100),
                Op::Val { value: 3, len: 2 },
                Op::XZero(16282)
            ]
        );
        assert_eq!(set(&mut s, 0, 1, 3000), Ok(true));
        assert_eq!(
            decode(&s)[..2],
            [Op::Val { value: 1, len: 1 }, Op::XZero(99)]
        );
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut s = new_sparse();
        for i in 0..300 {
            set(&mut s, (i * 53) % REGISTERS, (i % 32 + 1) as u8, 100_000).unwrap();
        }
        assert_eq!(s[header::ENCODING], header::SPARSE);
        let d = to_dense(&s).unwrap();
        assert_eq!(d.len(), HEADER_LEN + DENSE_REGISTER_BYTES);
        let mut max = [0u8; REGISTERS];
        merge_into(&mut max, &s).unwrap();
        for (i, m) in max.iter().enumerate() {
            assert_eq!(dense::get(&d[HEADER_LEN..], i), *m);
        }
        assert_eq!(histogram(&s).0, dense::histogram(&d[HEADER_LEN..]));
    }

    #[test]
    fn large_values_and_size_limit_promote() {
        let mut s = new_sparse();
        assert_eq!(set(&mut s, 7, 33, 3000), Ok(true));
        assert_eq!(s[header::ENCODING], header::DENSE);
        assert_eq!(dense::get(&s[HEADER_LEN..], 7), 33);
        let mut s = new_sparse();
        assert_eq!(set(&mut s, 7, 2, 18), Ok(true));
        assert_eq!(s[header::ENCODING], header::DENSE);
    }

    #[test]
    fn runs_that_do_not_cover_the_registers_are_corrupt() {
        let mut s = new_sparse();
        s.truncate(HEADER_LEN);
        s.push(0x00);
        assert_eq!(to_dense(&s), Err(Corrupt));
        assert!(!histogram(&s).1);
        assert_eq!(set(&mut s, 5000, 1, 3000), Err(Corrupt));
        let mut max = [0u8; REGISTERS];
        assert_eq!(merge_into(&mut max, &s), Err(Corrupt));
    }
}
