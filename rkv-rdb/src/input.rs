//! A byte source for the RDB reader that counts the offset (for error
//! messages) and keeps the running CRC64 (for the footer check).

use std::io::{self, Read};

use crate::crc64::crc64;
use crate::error::{RdbError, RdbErrorKind, RdbResult};
use crate::length::{self, LengthPrefix};
use crate::lzf;

/// Longest string whose buffer is allocated up front; longer declared
/// lengths grow as data actually arrives, so a corrupt length cannot
/// exhaust memory.
const PREALLOCATE_LIMIT: u64 = 1 << 20;

/// A length, or the special encoding found in its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthOrEncoding {
    /// A plain length.
    Length(u64),
    /// One of the `length::ENC_*` string encodings.
    Encoding(u8),
}

/// Bytes read from the source at a time.
const BUFFER_SIZE: usize = 64 * 1024;

/// The first buffer's size: small payloads (RESTORE) need no more.
const FIRST_BUFFER_SIZE: usize = 4 * 1024;

/// Buffered input with offset and checksum tracking. The checksum is
/// folded in a buffer at a time (when it is refilled or the checksum is
/// asked for), not per read.
pub struct Input<R: Read> {
    inner: R,
    buf: Vec<u8>,
    /// Next unread byte of `buf`.
    pos: usize,
    /// End of the valid bytes of `buf`.
    end: usize,
    /// `buf[..crc_pos]` is already in `crc`.
    crc_pos: usize,
    offset: u64,
    crc: u64,
    /// Compressed bytes of the LZF string being read.
    compressed: Vec<u8>,
}

impl<R: Read> Input<R> {
    /// Wraps `inner`, at offset 0.
    pub fn new(inner: R) -> Self {
        Input {
            inner,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            crc_pos: 0,
            offset: 0,
            crc: 0,
            compressed: Vec::new(),
        }
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// CRC64 of the bytes consumed so far.
    pub fn checksum(&mut self) -> u64 {
        self.fold_checksum();
        self.crc
    }

    /// Adds the bytes consumed since the last fold to the checksum.
    fn fold_checksum(&mut self) {
        self.crc = crc64(self.crc, &self.buf[self.crc_pos..self.pos]);
        self.crc_pos = self.pos;
    }

    /// Refills the (fully consumed) buffer; returns the bytes now available
    /// (0 at the end of the source).
    fn refill(&mut self) -> io::Result<usize> {
        self.fold_checksum();
        self.pos = 0;
        self.end = 0;
        self.crc_pos = 0;
        if self.buf.len() < BUFFER_SIZE {
            let size = if self.buf.is_empty() {
                FIRST_BUFFER_SIZE
            } else {
                BUFFER_SIZE
            };
            self.buf.resize(size, 0);
        }
        loop {
            match self.inner.read(&mut self.buf) {
                Ok(n) => {
                    self.end = n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// An error of `kind` at the current offset.
    pub fn error(&self, kind: RdbErrorKind) -> RdbError {
        RdbError::new(self.offset, kind)
    }

    /// A corruption error at the current offset.
    pub fn corrupt(&self, what: &'static str, reason: impl Into<String>) -> RdbError {
        RdbError::corrupt(self.offset, what, reason)
    }

    fn io_error(&self, err: io::Error) -> RdbError {
        if err.kind() == io::ErrorKind::UnexpectedEof {
            self.error(RdbErrorKind::Truncated)
        } else {
            self.error(RdbErrorKind::Io(err))
        }
    }

    /// Fills `buf` completely. On a truncation the error names the offset
    /// where the read started.
    pub fn read_into(&mut self, buf: &mut [u8]) -> RdbResult<()> {
        let n = buf.len();
        if self.end - self.pos >= n {
            buf.copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            self.offset += n as u64;
            return Ok(());
        }
        let start = self.offset;
        let mut done = 0;
        while done < n {
            if self.pos == self.end {
                match self.refill() {
                    Ok(0) => return Err(RdbError::new(start, RdbErrorKind::Truncated)),
                    Ok(_) => {}
                    Err(e) => return Err(RdbError::new(start, RdbErrorKind::Io(e))),
                }
            }
            let take = (n - done).min(self.end - self.pos);
            buf[done..done + take].copy_from_slice(&self.buf[self.pos..self.pos + take]);
            self.pos += take;
            self.offset += take as u64;
            done += take;
        }
        Ok(())
    }

    /// Reads `len` bytes.
    pub fn read_bytes(&mut self, len: u64) -> RdbResult<Vec<u8>> {
        if len <= PREALLOCATE_LIMIT {
            let mut buf = vec![0; len as usize];
            self.read_into(&mut buf)?;
            return Ok(buf);
        }
        let mut buf = Vec::with_capacity(PREALLOCATE_LIMIT as usize);
        let mut left = len;
        while left > 0 {
            if self.pos == self.end {
                match self.refill() {
                    Ok(0) => return Err(self.error(RdbErrorKind::Truncated)),
                    Ok(_) => {}
                    Err(e) => return Err(self.io_error(e)),
                }
            }
            let take = (self.end - self.pos).min(usize::try_from(left).unwrap_or(usize::MAX));
            buf.extend_from_slice(&self.buf[self.pos..self.pos + take]);
            self.pos += take;
            self.offset += take as u64;
            left -= take as u64;
        }
        Ok(buf)
    }

    /// Reads one byte.
    pub fn read_u8(&mut self) -> RdbResult<u8> {
        if self.pos < self.end {
            let byte = self.buf[self.pos];
            self.pos += 1;
            self.offset += 1;
            return Ok(byte);
        }
        let mut buf = [0u8; 1];
        self.read_into(&mut buf)?;
        Ok(buf[0])
    }

    /// Reads a little-endian u32.
    pub fn read_u32_le(&mut self) -> RdbResult<u32> {
        let mut buf = [0u8; 4];
        self.read_into(&mut buf)?;
        Ok(u32::from_le_bytes(buf))
    }

    /// Reads a little-endian u64.
    pub fn read_u64_le(&mut self) -> RdbResult<u64> {
        let mut buf = [0u8; 8];
        self.read_into(&mut buf)?;
        Ok(u64::from_le_bytes(buf))
    }

    /// Reads a millisecond timestamp (8 bytes, little-endian, signed).
    pub fn read_millis(&mut self) -> RdbResult<i64> {
        Ok(self.read_u64_le()? as i64)
    }

    /// Reads a binary little-endian double.
    pub fn read_f64(&mut self) -> RdbResult<f64> {
        Ok(f64::from_bits(self.read_u64_le()?))
    }

    /// Reads a binary little-endian float.
    pub fn read_f32(&mut self) -> RdbResult<f32> {
        Ok(f32::from_bits(self.read_u32_le()?))
    }

    /// Reads a double in the old text form: a length byte (253 NaN, 254
    /// +inf, 255 -inf) then that many ASCII characters.
    pub fn read_text_double(&mut self) -> RdbResult<f64> {
        match self.read_u8()? {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            len => {
                let text = self.read_bytes(len as u64)?;
                std::str::from_utf8(&text)
                    .ok()
                    .and_then(|t| t.trim().parse::<f64>().ok())
                    .ok_or_else(|| self.corrupt("double", "not a number"))
            }
        }
    }

    /// Reads a length or a special string encoding marker.
    pub fn read_length_or_encoding(&mut self) -> RdbResult<LengthOrEncoding> {
        let first = self.read_u8()?;
        Ok(match length::classify(first) {
            LengthPrefix::Done(len) => LengthOrEncoding::Length(len),
            LengthPrefix::Follow14(high) => {
                let low = self.read_u8()?;
                LengthOrEncoding::Length(((high as u64) << 8) | low as u64)
            }
            LengthPrefix::Follow32 => {
                let mut buf = [0u8; 4];
                self.read_into(&mut buf)?;
                LengthOrEncoding::Length(u32::from_be_bytes(buf) as u64)
            }
            LengthPrefix::Follow64 => {
                let mut buf = [0u8; 8];
                self.read_into(&mut buf)?;
                LengthOrEncoding::Length(u64::from_be_bytes(buf))
            }
            LengthPrefix::Special(enc) => LengthOrEncoding::Encoding(enc),
            LengthPrefix::Invalid(byte) => {
                return Err(self.corrupt("length", format!("invalid first byte {byte:#04x}")))
            }
        })
    }

    /// Reads a plain length.
    pub fn read_length(&mut self) -> RdbResult<u64> {
        match self.read_length_or_encoding()? {
            LengthOrEncoding::Length(len) => Ok(len),
            LengthOrEncoding::Encoding(enc) => Err(self.corrupt(
                "length",
                format!("string encoding {enc} where a length was expected"),
            )),
        }
    }

    /// Reads a length that counts items to be held in memory, refusing
    /// values no file could contain.
    pub fn read_count(&mut self) -> RdbResult<usize> {
        let len = self.read_length()?;
        usize::try_from(len)
            .ok()
            .filter(|&n| n < (1 << 40))
            .ok_or_else(|| self.corrupt("length", format!("implausible count {len}")))
    }

    /// Reads a string in any of its encodings (plain, integer, LZF).
    pub fn read_string(&mut self) -> RdbResult<Vec<u8>> {
        match self.read_length_or_encoding()? {
            LengthOrEncoding::Length(len) => self.read_bytes(len),
            LengthOrEncoding::Encoding(length::ENC_INT8) => {
                Ok((self.read_u8()? as i8).to_string().into_bytes())
            }
            LengthOrEncoding::Encoding(length::ENC_INT16) => {
                let mut buf = [0u8; 2];
                self.read_into(&mut buf)?;
                Ok(i16::from_le_bytes(buf).to_string().into_bytes())
            }
            LengthOrEncoding::Encoding(length::ENC_INT32) => {
                let mut buf = [0u8; 4];
                self.read_into(&mut buf)?;
                Ok(i32::from_le_bytes(buf).to_string().into_bytes())
            }
            LengthOrEncoding::Encoding(length::ENC_LZF) => {
                let start = self.offset;
                let compressed_len = self.read_length()?;
                let plain_len = self.read_length()?;
                if plain_len > (1 << 40) {
                    return Err(self.corrupt("LZF string", "implausible length"));
                }
                let compressed = self.read_bytes(compressed_len)?;
                lzf::decompress(&compressed, plain_len as usize).map_err(|e| e.at(start))
            }
            LengthOrEncoding::Encoding(other) => {
                Err(self.corrupt("string", format!("unknown string encoding {other}")))
            }
        }
    }

    /// Reads `len` raw bytes into `buf` (replacing its contents).
    fn read_string_bytes_into(&mut self, len: u64, buf: &mut Vec<u8>) -> RdbResult<()> {
        if len <= PREALLOCATE_LIMIT {
            buf.clear();
            buf.resize(len as usize, 0);
            self.read_into(buf)
        } else {
            *buf = self.read_bytes(len)?;
            Ok(())
        }
    }

    /// Reads a string in any of its encodings into `buf` (replacing its
    /// contents), reusing its allocation.
    pub fn read_string_into(&mut self, buf: &mut Vec<u8>) -> RdbResult<()> {
        buf.clear();
        match self.read_length_or_encoding()? {
            LengthOrEncoding::Length(len) => self.read_string_bytes_into(len, buf),
            LengthOrEncoding::Encoding(
                enc @ (length::ENC_INT8 | length::ENC_INT16 | length::ENC_INT32),
            ) => {
                let width = match enc {
                    length::ENC_INT8 => 1,
                    length::ENC_INT16 => 2,
                    _ => 4,
                };
                let mut raw = [0u8; 4];
                self.read_into(&mut raw[..width])?;
                let value = match width {
                    1 => raw[0] as i8 as i64,
                    2 => i16::from_le_bytes([raw[0], raw[1]]) as i64,
                    _ => i32::from_le_bytes(raw) as i64,
                };
                buf.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
                Ok(())
            }
            LengthOrEncoding::Encoding(length::ENC_LZF) => {
                let start = self.offset;
                let compressed_len = self.read_length()?;
                let plain_len = self.read_length()?;
                if plain_len > (1 << 40) {
                    return Err(self.corrupt("LZF string", "implausible length"));
                }
                let mut compressed = std::mem::take(&mut self.compressed);
                let read = self.read_string_bytes_into(compressed_len, &mut compressed);
                let expanded = read.and_then(|()| {
                    lzf::decompress_into(&compressed, plain_len as usize, buf)
                        .map_err(|e| e.at(start))
                });
                self.compressed = compressed;
                expanded
            }
            LengthOrEncoding::Encoding(other) => {
                Err(self.corrupt("string", format!("unknown string encoding {other}")))
            }
        }
    }

    /// True when no byte is left.
    pub fn at_end(&mut self) -> RdbResult<bool> {
        if self.pos < self.end {
            return Ok(false);
        }
        let offset = self.offset;
        match self.refill() {
            Ok(n) => Ok(n == 0),
            Err(e) => Err(RdbError::new(offset, RdbErrorKind::Io(e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_string_encoding() {
        let data: &[u8] = &[
            0x03, b'a', b'b', b'c', 0xc0, 0xfb, 0xc1, 0xe8, 0x03, 0xc2, 0xa0, 0x86, 0x01, 0x00,
        ];
        let mut input = Input::new(data);
        assert_eq!(input.read_string().unwrap(), b"abc");
        assert_eq!(input.read_string().unwrap(), b"-5");
        assert_eq!(input.read_string().unwrap(), b"1000");
        assert_eq!(input.read_string().unwrap(), b"100000");
        assert!(input.at_end().unwrap());
        assert_eq!(input.offset(), data.len() as u64);
    }

    #[test]
    fn reads_every_string_encoding_into_a_reused_buffer() {
        let data: &[u8] = &[
            0x03, b'a', b'b', b'c', 0xc0, 0xfb, 0xc1, 0xe8, 0x03, 0xc2, 0xa0, 0x86, 0x01, 0x00,
        ];
        let mut input = Input::new(data);
        let mut buf = Vec::new();
        for expected in [&b"abc"[..], b"-5", b"1000", b"100000"] {
            input.read_string_into(&mut buf).unwrap();
            assert_eq!(buf, expected);
        }
        assert!(input.at_end().unwrap());
        let mut short = Input::new(&[0x05, b'a'][..]);
        let err = short.read_string_into(&mut buf).unwrap_err();
        assert!(matches!(err.kind, RdbErrorKind::Truncated));
    }

    /// A source handing out a few bytes per read, to cross buffer refills.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = out.len().min(self.0.len()).min(3);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn checksum_and_offsets_across_refills() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        for source in [&data[..], &data[..100]] {
            let mut input = Input::new(Trickle(source));
            let mut first = vec![0u8; source.len() / 3];
            input.read_into(&mut first).unwrap();
            assert_eq!(input.checksum(), crc64(0, &first));
            let rest = input
                .read_bytes((source.len() - first.len()) as u64)
                .unwrap();
            assert_eq!(input.offset(), source.len() as u64);
            assert_eq!(input.checksum(), crc64(0, source));
            assert_eq!([first, rest].concat(), source);
            assert!(input.at_end().unwrap());
            let err = input.read_u8().unwrap_err();
            assert!(matches!(err.kind, RdbErrorKind::Truncated));
            assert_eq!(err.offset, source.len() as u64);
        }
    }

    #[test]
    fn truncation_names_the_offset() {
        let mut input = Input::new(&[0x05, b'a', b'b'][..]);
        let err = input.read_string().unwrap_err();
        assert!(matches!(err.kind, RdbErrorKind::Truncated));
    }

    #[test]
    fn huge_declared_length_does_not_allocate_it() {
        let data: &[u8] = &[0x81, 0, 0, 0, 0x10, 0, 0, 0, 0, b'x'];
        let err = Input::new(data).read_string().unwrap_err();
        assert!(matches!(err.kind, RdbErrorKind::Truncated));
    }

    #[test]
    fn text_doubles() {
        let data: &[u8] = &[3, b'1', b'.', b'5', 254, 255, 253];
        let mut input = Input::new(data);
        assert_eq!(input.read_text_double().unwrap(), 1.5);
        assert_eq!(input.read_text_double().unwrap(), f64::INFINITY);
        assert_eq!(input.read_text_double().unwrap(), f64::NEG_INFINITY);
        assert!(input.read_text_double().unwrap().is_nan());
    }
}
