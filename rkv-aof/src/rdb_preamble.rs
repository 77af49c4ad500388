//! [`RdbPreamble`]: validates an RDB preamble with the rkv-rdb reader, so
//! `check` and `fix` look inside `.base.rdb` files and old-style AOFs that
//! start with an RDB image.

use std::io::{self, BufRead, Read};

use rkv_rdb::{Item, RdbReader};

use crate::preamble::{PreambleError, PreambleReader, PreambleSummary};

/// The rkv-rdb reader behind [`PreambleReader`].
#[derive(Debug, Clone, Copy, Default)]
pub struct RdbPreamble;

impl PreambleReader for RdbPreamble {
    fn read_preamble(&self, input: &mut dyn BufRead) -> Result<PreambleSummary, PreambleError> {
        let mut reader = RdbReader::new(ByteAtATime(input)).map_err(to_preamble_error)?;
        let mut keys = 0u64;
        loop {
            match reader.next_item() {
                Ok(Some(Item::Key(_))) => keys += 1,
                Ok(Some(Item::End { .. })) => break,
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => return Err(to_preamble_error(e)),
            }
        }
        Ok(PreambleSummary {
            len: reader.offset(),
            keys: Some(keys),
        })
    }
}

fn to_preamble_error(e: rkv_rdb::RdbError) -> PreambleError {
    PreambleError {
        offset: e.offset,
        reason: e.kind.to_string(),
    }
}

/// Hands the RDB reader one byte per read: it buffers what it is given,
/// and the commands after the image must stay in `input` for the AOF
/// reader. `input` is buffered itself, so this costs calls, not syscalls.
struct ByteAtATime<'a>(&'a mut dyn BufRead);

impl Read for ByteAtATime<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let available = self.0.fill_buf()?;
        let Some(&byte) = available.first() else {
            return Ok(0);
        };
        buf[0] = byte;
        self.0.consume(1);
        Ok(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal RDB image: version 10, an empty database section, EOF and
    /// a zero checksum (which readers accept as "not computed").
    fn tiny_rdb() -> Vec<u8> {
        let mut v = b"REDIS0010".to_vec();
        v.push(0xFF);
        v.extend_from_slice(&[0; 8]);
        v
    }

    #[test]
    fn consumes_exactly_the_image() {
        let mut bytes = tiny_rdb();
        let image_len = bytes.len() as u64;
        bytes.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
        let mut input = io::BufReader::new(&bytes[..]);
        let summary = RdbPreamble.read_preamble(&mut input).expect("valid image");
        assert_eq!(summary.len, image_len);
        assert_eq!(summary.keys, Some(0));
        let mut rest = Vec::new();
        input.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"*1\r\n$4\r\nPING\r\n");
    }

    #[test]
    fn a_broken_image_names_the_offset() {
        let mut bytes = tiny_rdb();
        bytes.truncate(9);
        let mut input = io::BufReader::new(&bytes[..]);
        let e = RdbPreamble.read_preamble(&mut input).unwrap_err();
        assert_eq!(e.offset, 9);
    }
}
