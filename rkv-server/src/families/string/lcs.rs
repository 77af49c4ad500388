//! The longest common subsequence of two strings (LCS command): the classic
//! dynamic-programming table, walked back from the end to collect the
//! subsequence and its matching ranges in the order Redis reports them
//! (last match first).

use crate::errors::OpError;

/// One run of consecutive matching bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LcsMatch {
    /// Inclusive byte range in the first string.
    pub a: (usize, usize),
    /// Inclusive byte range in the second string.
    pub b: (usize, usize),
}

impl LcsMatch {
    /// Number of bytes in the run.
    pub fn len(&self) -> usize {
        self.a.1 - self.a.0 + 1
    }

    /// Always false: a run holds at least one byte.
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The result of an LCS computation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lcs {
    /// The common subsequence itself.
    pub text: Vec<u8>,
    /// Its matching runs, last first, keeping only those at least as long as
    /// the requested minimum.
    pub matches: Vec<LcsMatch>,
}

/// Checks Redis's limits before the table is built: each string must fit in
/// 32 bits, and the table (4 bytes per cell) must stay within
/// `proto-max-bulk-len`.
pub fn check_limits(alen: usize, blen: usize, max_bulk_len: u64) -> Result<(), OpError> {
    if alen as u64 >= u32::MAX as u64 - 1 || blen as u64 >= u32::MAX as u64 - 1 {
        return Err(OpError::Other("ERR String too long for LCS".into()));
    }
    let cells = (alen as u128 + 1) * (blen as u128 + 1);
    if cells * 4 > max_bulk_len as u128 {
        return Err(OpError::Other(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len".into(),
        ));
    }
    Ok(())
}

/// Computes the LCS of `a` and `b`; runs shorter than `min_match_len` are
/// left out of `matches` (0 keeps all).
pub fn lcs(a: &[u8], b: &[u8], min_match_len: usize) -> Lcs {
    let width = b.len() + 1;
    // table[i * width + j] = LCS length of a[..i] and b[..j].
    let mut table = vec![0u32; (a.len() + 1) * width];
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            table[i * width + j] = if a[i - 1] == b[j - 1] {
                table[(i - 1) * width + j - 1] + 1
            } else {
                table[(i - 1) * width + j].max(table[i * width + j - 1])
            };
        }
    }
    let at = |i: usize, j: usize| table[i * width + j];

    let mut text = Vec::with_capacity(at(a.len(), b.len()) as usize);
    let mut matches = Vec::new();
    let mut run: Option<LcsMatch> = None;
    let (mut i, mut j) = (a.len(), b.len());
    while i > 0 && j > 0 {
        let close = if a[i - 1] == b[j - 1] {
            text.push(a[i - 1]);
            let m = run.get_or_insert(LcsMatch {
                a: (i - 1, i - 1),
                b: (j - 1, j - 1),
            });
            // Walking backwards, a match right after another extends its run.
            m.a.0 = i - 1;
            m.b.0 = j - 1;
            i -= 1;
            j -= 1;
            // A run reaching the start of either string cannot grow further.
            m.a.0 == 0 || m.b.0 == 0
        } else {
            if at(i - 1, j) > at(i, j - 1) {
                i -= 1;
            } else {
                j -= 1;
            }
            run.is_some()
        };
        if close {
            if let Some(m) = run.take() {
                if min_match_len == 0 || m.len() >= min_match_len {
                    matches.push(m);
                }
            }
        }
    }
    text.reverse();
    Lcs { text, matches }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_documentation_example() {
        let r = lcs(b"ohmytext", b"mynewtext", 0);
        assert_eq!(r.text, b"mytext");
        assert_eq!(
            r.matches,
            vec![
                LcsMatch {
                    a: (4, 7),
                    b: (5, 8)
                },
                LcsMatch {
                    a: (2, 3),
                    b: (0, 1)
                },
            ]
        );
        let r = lcs(b"ohmytext", b"mynewtext", 4);
        assert_eq!(
            r.matches,
            vec![LcsMatch {
                a: (4, 7),
                b: (5, 8)
            }]
        );
        assert_eq!(r.matches[0].len(), 4);
    }

    #[test]
    fn empty_and_disjoint() {
        assert_eq!(lcs(b"", b"abc", 0).text, b"");
        assert!(lcs(b"abc", b"", 0).matches.is_empty());
        assert_eq!(lcs(b"abc", b"xyz", 0).text, b"");
        let r = lcs(b"same", b"same", 0);
        assert_eq!(r.text, b"same");
        assert_eq!(
            r.matches,
            vec![LcsMatch {
                a: (0, 3),
                b: (0, 3)
            }]
        );
    }

    #[test]
    fn limits() {
        assert!(check_limits(10, 10, 1000).is_ok());
        assert!(check_limits(100, 100, 1000).is_err());
    }
}
