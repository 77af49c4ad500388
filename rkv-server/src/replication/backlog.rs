//! The replication backlog: the last `repl-backlog-size` bytes of the
//! stream, kept so a replica that lost its link can continue from its
//! offset (a partial resync) instead of loading a new snapshot.
//!
//! Offsets are those of the stream: the first byte ever produced is
//! offset 1, and `master_repl_offset` is the last one produced.

/// A ring buffer over the tail of the replication stream.
#[derive(Debug)]
pub struct Backlog {
    buf: Vec<u8>,
    /// Where the next byte goes in `buf`.
    next: usize,
    /// Bytes of history held (at most `buf.len()`).
    histlen: usize,
    /// Stream offset of the oldest byte held (Redis's
    /// `repl_backlog_first_byte_offset`).
    first_offset: i64,
}

impl Backlog {
    /// An empty backlog of `size` bytes whose first byte will be the one
    /// after `master_repl_offset`.
    pub fn new(size: usize, master_repl_offset: i64) -> Self {
        Backlog {
            buf: vec![0; size.max(1)],
            next: 0,
            histlen: 0,
            first_offset: master_repl_offset + 1,
        }
    }

    /// Its capacity.
    pub fn size(&self) -> usize {
        self.buf.len()
    }

    /// Bytes of history held (INFO `repl_backlog_histlen`).
    pub fn histlen(&self) -> usize {
        self.histlen
    }

    /// Offset of the oldest byte held (INFO `repl_backlog_first_byte_offset`).
    pub fn first_offset(&self) -> i64 {
        self.first_offset
    }

    /// Appends bytes of the stream, dropping the oldest beyond capacity.
    pub fn append(&mut self, mut bytes: &[u8]) {
        let size = self.buf.len();
        // Only the last `size` bytes can survive.
        if bytes.len() > size {
            let skipped = bytes.len() - size;
            self.advance_history(skipped);
            self.next = (self.next + skipped) % size;
            bytes = &bytes[skipped..];
        }
        while !bytes.is_empty() {
            let room = size - self.next;
            let n = room.min(bytes.len());
            self.buf[self.next..self.next + n].copy_from_slice(&bytes[..n]);
            self.next = (self.next + n) % size;
            self.advance_history(n);
            bytes = &bytes[n..];
        }
    }

    /// Accounts for `n` new bytes: history grows, the oldest fall off.
    fn advance_history(&mut self, n: usize) {
        self.histlen += n;
        if self.histlen > self.buf.len() {
            let dropped = self.histlen - self.buf.len();
            self.first_offset += dropped as i64;
            self.histlen = self.buf.len();
        }
    }

    /// Whether a replica asking for the stream from `offset` (the first
    /// byte it lacks) can be served from here.
    pub fn covers(&self, offset: i64) -> bool {
        offset >= self.first_offset && offset <= self.first_offset + self.histlen as i64
    }

    /// The bytes from stream offset `offset` to the end, if held.
    pub fn tail_from(&self, offset: i64) -> Option<Vec<u8>> {
        if !self.covers(offset) {
            return None;
        }
        let skip = (offset - self.first_offset) as usize;
        let len = self.histlen - skip;
        let size = self.buf.len();
        let oldest = (self.next + size - self.histlen) % size;
        let start = (oldest + skip) % size;
        let mut out = Vec::with_capacity(len);
        let first = len.min(size - start);
        out.extend_from_slice(&self.buf[start..start + first]);
        out.extend_from_slice(&self.buf[..len - first]);
        Some(out)
    }

    /// The same history in a backlog of `size` bytes (CONFIG SET
    /// repl-backlog-size): the newest bytes that fit are kept.
    pub fn resized(&self, size: usize) -> Backlog {
        let end = self.first_offset + self.histlen as i64 - 1;
        let mut b = Backlog::new(size, self.first_offset - 1);
        if let Some(all) = self.tail_from(self.first_offset) {
            b.append(&all);
        }
        debug_assert_eq!(b.first_offset + b.histlen as i64 - 1, end);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_backlog_starts_after_the_current_offset() {
        let b = Backlog::new(8, 100);
        assert_eq!(b.first_offset(), 101);
        assert_eq!(b.histlen(), 0);
        assert!(b.covers(101));
        assert!(!b.covers(100));
        assert_eq!(b.tail_from(101), Some(Vec::new()));
    }

    #[test]
    fn wraps_and_keeps_the_newest_bytes() {
        let mut b = Backlog::new(8, 0);
        b.append(b"abcde");
        assert_eq!(b.tail_from(1).unwrap(), b"abcde");
        assert_eq!(b.tail_from(4).unwrap(), b"de");
        b.append(b"fghij");
        assert_eq!(b.histlen(), 8);
        assert_eq!(b.first_offset(), 3);
        assert_eq!(b.tail_from(3).unwrap(), b"cdefghij");
        assert_eq!(b.tail_from(9).unwrap(), b"ij");
        assert_eq!(b.tail_from(11).unwrap(), b"");
        assert_eq!(b.tail_from(2), None);
        assert_eq!(b.tail_from(12), None);
    }

    #[test]
    fn a_write_larger_than_the_backlog_keeps_its_end() {
        let mut b = Backlog::new(4, 10);
        b.append(b"x");
        b.append(b"0123456789");
        assert_eq!(b.first_offset(), 18);
        assert_eq!(b.tail_from(18).unwrap(), b"6789");
        b.append(b"ab");
        assert_eq!(b.tail_from(20).unwrap(), b"89ab");
    }

    #[test]
    fn resizing_keeps_what_fits() {
        let mut b = Backlog::new(8, 0);
        b.append(b"abcdefghij");
        let small = b.resized(4);
        assert_eq!(small.first_offset(), 7);
        assert_eq!(small.tail_from(7).unwrap(), b"ghij");
        let big = b.resized(100);
        assert_eq!(big.first_offset(), 3);
        assert_eq!(big.tail_from(3).unwrap(), b"cdefghij");
    }
}
