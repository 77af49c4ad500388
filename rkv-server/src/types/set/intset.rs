//! [`Intset`]: Redis's intset, a sorted array of distinct integers stored in
//! the narrowest width (16, 32 or 64 bits) that holds them all, sized
//! exactly, so small integer sets cost a few bytes per member.

/// A sorted set of `i64`, packed little-endian at a common width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intset {
    /// Bytes per value: 2, 4 or 8.
    width: u8,
    /// `len × width` bytes, values in ascending order.
    data: Box<[u8]>,
}

impl Default for Intset {
    fn default() -> Self {
        Intset {
            width: 2,
            data: Box::default(),
        }
    }
}

/// The narrowest width that holds `n`.
fn width_for(n: i64) -> usize {
    if i16::try_from(n).is_ok() {
        2
    } else if i32::try_from(n).is_ok() {
        4
    } else {
        8
    }
}

/// Reads the value at byte offset `at` of width `w`.
fn read(data: &[u8], at: usize, w: usize) -> i64 {
    match w {
        2 => i64::from(i16::from_le_bytes([data[at], data[at + 1]])),
        4 => i64::from(i32::from_le_bytes(
            data[at..at + 4].try_into().expect("4 bytes"),
        )),
        _ => i64::from_le_bytes(data[at..at + 8].try_into().expect("8 bytes")),
    }
}

/// Appends `n` at width `w` (which holds it).
fn write(out: &mut Vec<u8>, n: i64, w: usize) {
    out.extend_from_slice(&n.to_le_bytes()[..w]);
}

impl Intset {
    /// An intset from values already laid out as one (`width` 2, 4 or 8;
    /// `data` little-endian, strictly increasing), e.g. a validated dump
    /// blob: one copy. `None` when the width or size does not fit.
    pub fn from_sorted_raw(width: usize, data: &[u8]) -> Option<Self> {
        if !matches!(width, 2 | 4 | 8) || !data.len().is_multiple_of(width) {
            return None;
        }
        Some(Intset {
            width: width as u8,
            data: data.into(),
        })
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.data.len() / self.w()
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Bytes per value (2, 4 or 8).
    pub fn width(&self) -> usize {
        self.w()
    }

    fn w(&self) -> usize {
        usize::from(self.width)
    }

    /// The `i`-th smallest value.
    pub fn get(&self, i: usize) -> i64 {
        read(&self.data, i * self.w(), self.w())
    }

    /// Binary search: `Ok(index)` if present, else `Err(insertion point)`.
    pub fn search(&self, n: i64) -> Result<usize, usize> {
        if width_for(n) > self.w() {
            // Out of the range of every stored value: it goes at an end.
            return Err(if n < 0 { 0 } else { self.len() });
        }
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid).cmp(&n) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// Whether `n` is present.
    pub fn contains(&self, n: i64) -> bool {
        self.search(n).is_ok()
    }

    /// Inserts `n`, widening every value if needed; false if present.
    pub fn insert(&mut self, n: i64) -> bool {
        let Err(at) = self.search(n) else {
            return false;
        };
        let w = self.w().max(width_for(n));
        let mut out = Vec::with_capacity((self.len() + 1) * w);
        for v in self.iter().take(at) {
            write(&mut out, v, w);
        }
        write(&mut out, n, w);
        for v in self.iter().skip(at) {
            write(&mut out, v, w);
        }
        self.width = w as u8;
        self.data = out.into_boxed_slice();
        true
    }

    /// Removes `n`; false if absent. The width never narrows (as Redis).
    pub fn remove(&mut self, n: i64) -> bool {
        let Ok(at) = self.search(n) else {
            return false;
        };
        let w = self.w();
        let mut out = Vec::with_capacity(self.data.len() - w);
        out.extend_from_slice(&self.data[..at * w]);
        out.extend_from_slice(&self.data[(at + 1) * w..]);
        self.data = out.into_boxed_slice();
        true
    }

    /// Values in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        let w = self.w();
        (0..self.len()).map(move |i| read(&self.data, i * w, w))
    }

    /// Heap bytes used.
    pub fn heap_size(&self) -> usize {
        self.data.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_sorted_across_widths() {
        let mut s = Intset::default();
        for n in [5, -3, 70_000, 5, i64::MIN, 0, i64::MAX, -40_000] {
            s.insert(n);
        }
        let got: Vec<i64> = s.iter().collect();
        assert_eq!(got, [i64::MIN, -40_000, -3, 0, 5, 70_000, i64::MAX]);
        assert_eq!(s.width(), 8);
        assert_eq!(s.heap_size(), 7 * 8);
        for (i, n) in got.iter().enumerate() {
            assert_eq!(s.search(*n), Ok(i));
        }
        assert_eq!(s.search(4), Err(4));
    }

    #[test]
    fn built_from_raw_sorted_values() {
        let mut raw = Vec::new();
        for n in [-5i32, 7, 70_000] {
            raw.extend_from_slice(&n.to_le_bytes());
        }
        let s = Intset::from_sorted_raw(4, &raw).unwrap();
        assert_eq!(s.iter().collect::<Vec<_>>(), [-5, 7, 70_000]);
        assert!(s.contains(7));
        assert!(Intset::from_sorted_raw(3, &raw).is_none());
        assert!(Intset::from_sorted_raw(8, &raw).is_none());
    }

    #[test]
    fn widens_only_when_needed() {
        let mut s = Intset::default();
        s.insert(1);
        s.insert(-32768);
        assert_eq!(s.width(), 2);
        s.insert(32768);
        assert_eq!(s.width(), 4);
        assert_eq!(s.iter().collect::<Vec<_>>(), [-32768, 1, 32768]);
        s.insert(-2_147_483_649);
        assert_eq!(s.width(), 8);
        assert_eq!(s.get(0), -2_147_483_649);
        assert!(s.remove(-2_147_483_649));
        assert_eq!(s.width(), 8);
        assert_eq!(s.iter().collect::<Vec<_>>(), [-32768, 1, 32768]);
    }

    #[test]
    fn out_of_range_lookups_miss() {
        let mut s = Intset::default();
        s.insert(1);
        s.insert(2);
        assert!(!s.contains(100_000));
        assert!(!s.contains(-100_000));
        assert!(!s.remove(100_000));
        assert!(s.remove(1));
        assert!(!s.remove(1));
        assert_eq!(s.len(), 1);
        assert!(s.remove(2));
        assert!(s.is_empty());
    }
}
