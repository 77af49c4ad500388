//! LZF compression, the format Redis uses for long strings in RDB files.
//!
//! A compressed stream is a series of runs, each introduced by a control
//! byte: below 32 it announces `ctrl + 1` literal bytes; otherwise its top
//! three bits give a back-reference length (7 meaning "plus the next byte")
//! and its low five bits, with the following byte, the distance back.

use crate::error::BlobError;

const MAX_LITERAL: usize = 32;
const MAX_OFFSET: usize = 1 << 13;
const MAX_MATCH: usize = (1 << 8) + (1 << 3);
const HASH_LOG: u32 = 14;

/// Decompresses `input`, which must expand to exactly `expected_len` bytes.
pub fn decompress(input: &[u8], expected_len: usize) -> Result<Vec<u8>, BlobError> {
    let mut out = Vec::new();
    decompress_into(input, expected_len, &mut out)?;
    Ok(out)
}

/// Decompresses `input` into `out` (replacing its contents, reusing its
/// allocation); it must expand to exactly `expected_len` bytes.
pub fn decompress_into(
    input: &[u8],
    expected_len: usize,
    out: &mut Vec<u8>,
) -> Result<(), BlobError> {
    let err = |reason: &str| BlobError::new("LZF string", reason);
    out.clear();
    // A corrupt header may declare any length: grow only as data arrives.
    out.reserve(expected_len.min(1 << 20));
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = input[ip] as usize;
        ip += 1;
        if ctrl < 32 {
            let run = ctrl + 1;
            let literal = input
                .get(ip..ip + run)
                .ok_or_else(|| err("literal run past the end of the input"))?;
            if out.len() + run > expected_len {
                return Err(err("output longer than declared"));
            }
            out.extend_from_slice(literal);
            ip += run;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(ip).ok_or_else(|| err("truncated length"))? as usize;
                ip += 1;
            }
            len += 2;
            let low = *input.get(ip).ok_or_else(|| err("truncated offset"))? as usize;
            ip += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            if back > out.len() {
                return Err(err("back-reference before the start of the output"));
            }
            if out.len() + len > expected_len {
                return Err(err("output longer than declared"));
            }
            let start = out.len() - back;
            if back >= len {
                out.extend_from_within(start..start + len);
            } else {
                // Overlapping: the reference repeats the last `back` bytes.
                for i in 0..len {
                    let byte = out[start + i];
                    out.push(byte);
                }
            }
        }
    }
    if out.len() != expected_len {
        return Err(err(&format!(
            "expands to {} bytes, {} declared",
            out.len(),
            expected_len
        )));
    }
    Ok(())
}

/// Compresses `input`; `None` when the result would not be smaller than
/// `max_len` bytes (Redis then stores the string uncompressed).
pub fn compress(input: &[u8], max_len: usize) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(max_len.min(input.len()));
    let mut table = vec![usize::MAX; 1 << HASH_LOG];
    let mut literal_start = 0;
    let mut ip = 0;
    while ip + 2 < input.len() {
        let hash = hash3(&input[ip..ip + 3]);
        let candidate = table[hash];
        table[hash] = ip;
        if candidate != usize::MAX
            && ip - candidate <= MAX_OFFSET
            && input[candidate..candidate + 3] == input[ip..ip + 3]
        {
            let limit = (input.len() - ip).min(MAX_MATCH);
            let mut len = 3;
            while len < limit && input[candidate + len] == input[ip + len] {
                len += 1;
            }
            flush_literals(&mut out, &input[literal_start..ip]);
            let back = ip - candidate - 1;
            let code = len - 2;
            if code < 7 {
                out.push(((code << 5) | (back >> 8)) as u8);
            } else {
                out.push(((7 << 5) | (back >> 8)) as u8);
                out.push((code - 7) as u8);
            }
            out.push((back & 0xff) as u8);
            ip += len;
            literal_start = ip;
        } else {
            ip += 1;
        }
        if out.len() >= max_len {
            return None;
        }
    }
    flush_literals(&mut out, &input[literal_start..]);
    (out.len() < max_len).then_some(out)
}

fn hash3(bytes: &[u8]) -> usize {
    let v = (bytes[0] as u32) << 16 | (bytes[1] as u32) << 8 | bytes[2] as u32;
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_LOG)) as usize
}

fn flush_literals(out: &mut Vec<u8>, mut literals: &[u8]) {
    while !literals.is_empty() {
        let run = literals.len().min(MAX_LITERAL);
        out.push((run - 1) as u8);
        out.extend_from_slice(&literals[..run]);
        literals = &literals[run..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(data: &[u8]) {
        let packed = compress(data, data.len() + 64).expect("compressible within bound");
        assert_eq!(decompress(&packed, data.len()).unwrap(), data);
    }

    #[test]
    fn round_trips_various_inputs() {
        round_trip(b"");
        round_trip(b"a");
        round_trip(&[b'x'; 1000]);
        round_trip(b"hello hello hello hello hello world world world");
        let noise: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2_246_822_519) >> 13) as u8)
            .collect();
        round_trip(&noise);
        let text: Vec<u8> = b"the quick brown fox "
            .iter()
            .cycle()
            .take(20_000)
            .copied()
            .collect();
        round_trip(&text);
    }

    #[test]
    fn repetitive_data_shrinks_and_incompressible_is_refused() {
        let data = [b'a'; 100];
        assert!(compress(&data, 96).unwrap().len() < 10);
        assert_eq!(compress(b"abcdefghijklmnopqrstuvwxyz", 22), None);
    }

    #[test]
    fn decodes_an_overlapping_reference() {
        // One literal 'a', then a 23-byte copy from one byte back.
        let packed = [0x00, b'a', 0xe0, 0x0e, 0x00];
        assert_eq!(decompress(&packed, 24).unwrap(), vec![b'a'; 24]);
    }

    #[test]
    fn corrupt_input_is_an_error() {
        assert!(decompress(&[0x05, b'a'], 6).is_err());
        assert!(decompress(&[0x20, 0x05], 3).is_err());
        assert!(decompress(&[0x00, b'a', 0x20, 0x00], 2).is_err());
        assert!(decompress(&[0x00, b'a'], 2).is_err());
    }
}
