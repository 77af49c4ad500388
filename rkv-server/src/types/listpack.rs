//! [`Listpack`]: a compact sequence of byte strings in one allocation, the
//! encoding Redis uses for small hashes, sorted sets and list nodes.
//!
//! Each entry is stored as a varint length followed by its bytes, so a
//! 10-field hash of short strings takes a couple of hundred bytes instead
//! of a heap node per field. Access is a linear walk: callers keep these
//! small (the `*-max-listpack-*` limits) and convert to a table past them.

/// A packed list of byte strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listpack {
    buf: Vec<u8>,
    len: usize,
}

/// Writes `n` as a LEB128 varint.
fn put_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Reads a varint at `pos`: `(value, bytes used)`.
fn get_varint(buf: &[u8], pos: usize) -> (usize, usize) {
    let mut n = 0usize;
    let mut shift = 0;
    let mut i = pos;
    loop {
        let b = buf[i];
        n |= ((b & 0x7f) as usize) << shift;
        i += 1;
        if b & 0x80 == 0 {
            return (n, i - pos);
        }
        shift += 7;
    }
}

/// Encoded size of an entry of `len` bytes.
fn entry_size(len: usize) -> usize {
    let mut header = 1;
    let mut n = len;
    while n >= 0x80 {
        header += 1;
        n >>= 7;
    }
    header + len
}

impl Listpack {
    /// An empty listpack.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of encoded data (for memory accounting).
    pub fn bytes(&self) -> usize {
        self.buf.capacity()
    }

    /// Appends an entry.
    pub fn push_back(&mut self, entry: &[u8]) {
        put_varint(&mut self.buf, entry.len());
        self.buf.extend_from_slice(entry);
        self.len += 1;
    }

    /// Prepends an entry.
    pub fn push_front(&mut self, entry: &[u8]) {
        self.insert(0, entry);
    }

    /// Entries in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            buf: &self.buf,
            pos: 0,
            left: self.len,
        }
    }

    /// Byte offset of entry `index` (or the end when `index == len`).
    fn offset_of(&self, index: usize) -> usize {
        let mut pos = 0;
        for _ in 0..index {
            let (n, used) = get_varint(&self.buf, pos);
            pos += used + n;
        }
        pos
    }

    /// Entry `index`, if present.
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        if index >= self.len {
            return None;
        }
        let pos = self.offset_of(index);
        let (n, used) = get_varint(&self.buf, pos);
        Some(&self.buf[pos + used..pos + used + n])
    }

    /// Index of the first entry equal to `entry`, looking only at every
    /// `step`-th entry starting from `start` (hash fields: start 0, step 2).
    pub fn find(&self, entry: &[u8], start: usize, step: usize) -> Option<usize> {
        let step = step.max(1);
        self.iter()
            .enumerate()
            .skip(start)
            .step_by(step)
            .find(|(_, e)| *e == entry)
            .map(|(i, _)| i)
    }

    /// Inserts an entry before `index` (`index == len` appends).
    pub fn insert(&mut self, index: usize, entry: &[u8]) {
        assert!(index <= self.len, "listpack insert out of range");
        let pos = self.offset_of(index);
        let mut encoded = Vec::with_capacity(entry_size(entry.len()));
        put_varint(&mut encoded, entry.len());
        encoded.extend_from_slice(entry);
        self.buf.splice(pos..pos, encoded);
        self.len += 1;
    }

    /// Removes `count` entries starting at `index`.
    pub fn remove_range(&mut self, index: usize, count: usize) {
        let count = count.min(self.len.saturating_sub(index));
        if count == 0 {
            return;
        }
        let start = self.offset_of(index);
        let mut end = start;
        for _ in 0..count {
            let (n, used) = get_varint(&self.buf, end);
            end += used + n;
        }
        self.buf.drain(start..end);
        self.len -= count;
    }

    /// Removes entry `index`.
    pub fn remove(&mut self, index: usize) {
        self.remove_range(index, 1);
    }

    /// Replaces entry `index` with `entry`.
    pub fn replace(&mut self, index: usize, entry: &[u8]) {
        assert!(index < self.len, "listpack replace out of range");
        let start = self.offset_of(index);
        let (n, used) = get_varint(&self.buf, start);
        let mut encoded = Vec::with_capacity(entry_size(entry.len()));
        put_varint(&mut encoded, entry.len());
        encoded.extend_from_slice(entry);
        self.buf.splice(start..start + used + n, encoded);
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.len = 0;
    }

    /// Reserves room for `additional` more bytes of encoded entries.
    pub fn reserve(&mut self, additional: usize) {
        self.buf.reserve(additional);
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
    }
}

impl<'a> FromIterator<&'a [u8]> for Listpack {
    fn from_iter<I: IntoIterator<Item = &'a [u8]>>(iter: I) -> Self {
        let mut lp = Listpack::new();
        for e in iter {
            lp.push_back(e);
        }
        lp
    }
}

/// Iterator over a listpack's entries.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    buf: &'a [u8],
    pos: usize,
    left: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.left == 0 {
            return None;
        }
        let (n, used) = get_varint(self.buf, self.pos);
        let start = self.pos + used;
        self.pos = start + n;
        self.left -= 1;
        Some(&self.buf[start..start + n])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(lp: &Listpack) -> Vec<Vec<u8>> {
        lp.iter().map(<[u8]>::to_vec).collect()
    }

    #[test]
    fn push_insert_remove_replace() {
        let mut lp = Listpack::new();
        lp.push_back(b"b");
        lp.push_front(b"a");
        lp.push_back(&[b'x'; 300]);
        lp.insert(2, b"c");
        assert_eq!(lp.len(), 4);
        assert_eq!(lp.get(2), Some(&b"c"[..]));
        assert_eq!(lp.get(3).map(<[u8]>::len), Some(300));
        lp.replace(3, b"d");
        assert_eq!(
            entries(&lp),
            vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec(), b"d".to_vec()]
        );
        lp.remove(1);
        lp.remove_range(1, 10);
        assert_eq!(entries(&lp), vec![b"a".to_vec()]);
        assert_eq!(lp.get(1), None);
    }

    #[test]
    fn find_with_stride() {
        let lp: Listpack = [&b"f1"[..], b"v1", b"v1", b"x"].into_iter().collect();
        assert_eq!(lp.find(b"v1", 0, 2), Some(2));
        assert_eq!(lp.find(b"v1", 1, 2), Some(1));
        assert_eq!(lp.find(b"nope", 0, 1), None);
    }

    #[test]
    fn compact() {
        let mut lp = Listpack::new();
        for i in 0..20 {
            lp.push_back(format!("field:{i}").as_bytes());
        }
        lp.shrink_to_fit();
        assert!(lp.bytes() < 20 * 10);
    }
}
