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
const HASH_LOG: u32 = 16;

/// Decompresses `input`, which must expand to exactly `expected_len` bytes.
pub fn decompress(input: &[u8], expected_len: usize) -> Result<Vec<u8>, BlobError> {
    let mut out = Vec::new();
    decompress_into(input, expected_len, &mut out)?;
    Ok(out)
}

/// Most output bytes one input byte can give: a long back-reference is
/// three bytes for up to 264.
const MAX_EXPANSION: usize = 88;

/// Decompresses `input` into `out` (replacing its contents, reusing its
/// allocation); it must expand to exactly `expected_len` bytes.
pub fn decompress_into(
    input: &[u8],
    expected_len: usize,
    out: &mut Vec<u8>,
) -> Result<(), BlobError> {
    let err = |reason: &str| BlobError::new("LZF string", reason);
    // A corrupt header may declare any length, but no input expands past
    // MAX_EXPANSION times its size: beyond that it is refused before the
    // output is sized.
    if expected_len > input.len().saturating_mul(MAX_EXPANSION) {
        return Err(err(&format!(
            "{expected_len} bytes declared, more than {} compressed bytes can hold",
            input.len()
        )));
    }
    out.clear();
    out.resize(expected_len, 0);
    let dst = out.as_mut_slice();
    let mut ip = 0;
    let mut op = 0;
    while ip < input.len() {
        let ctrl = input[ip] as usize;
        ip += 1;
        if ctrl < 32 {
            let run = ctrl + 1;
            let literal = input
                .get(ip..ip + run)
                .ok_or_else(|| err("literal run past the end of the input"))?;
            let Some(room) = dst.get_mut(op..op + run) else {
                return Err(err("output longer than declared"));
            };
            room.copy_from_slice(literal);
            ip += run;
            op += run;
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
            if back > op {
                return Err(err("back-reference before the start of the output"));
            }
            if op + len > expected_len {
                return Err(err("output longer than declared"));
            }
            let start = op - back;
            if back >= len {
                dst.copy_within(start..start + len, op);
            } else {
                // Overlapping: the reference repeats the last `back` bytes.
                for i in 0..len {
                    dst[op + i] = dst[start + i];
                }
            }
            op += len;
        }
    }
    if op != expected_len {
        out.truncate(op);
        return Err(err(&format!(
            "expands to {op} bytes, {expected_len} declared"
        )));
    }
    Ok(())
}

/// Compresses `input` into at most about `max_len` bytes; `None` when it
/// does not fit (Redis then stores the string uncompressed).
///
/// The output is byte for byte what Redis's bundled liblzf 3.6 produces
/// with Redis's settings (`HLOG` 16, `VERY_FAST`), so DUMP payloads and
/// RDB files match Redis's: the same hash of the next three bytes, the
/// same greedy first-candidate matching (never against offset 0), the
/// same two hash-table updates after a match, and the same points where
/// it gives up for lack of room.
pub fn compress(input: &[u8], max_len: usize) -> Option<Vec<u8>> {
    if input.is_empty() || max_len == 0 {
        return None;
    }
    let mut table = vec![NO_POSITION; 1 << HASH_LOG];
    let mut runs = RunWriter::new(max_len);
    let end = input.len();
    let mut ip = 0;
    let mut hash = (input[0] as u32) << 8 | *input.get(1).unwrap_or(&0) as u32;
    while ip + 2 < end {
        hash = hash << 8 | input[ip + 2] as u32;
        let slot = &mut table[slot_of(hash)];
        let candidate = *slot;
        *slot = ip as u32;
        let found = candidate != NO_POSITION
            && candidate > 0
            && ip - candidate as usize - 1 < MAX_OFFSET
            && input[candidate as usize..candidate as usize + 3] == input[ip..ip + 3];
        if !found {
            runs.literal(input[ip])?;
            ip += 1;
            continue;
        }
        let from = candidate as usize;
        let matched = match_length(&input[from..], &input[ip..], (end - ip - 2).min(MAX_MATCH));
        runs.back_reference(ip - from - 1, matched)?;
        ip += matched;
        if ip + 2 >= end {
            break;
        }
        // Only the match's last two positions enter the table.
        ip -= 2;
        hash = (input[ip] as u32) << 16 | (input[ip + 1] as u32) << 8 | input[ip + 2] as u32;
        table[slot_of(hash)] = ip as u32;
        ip += 1;
        hash = hash << 8 | input[ip + 2] as u32;
        table[slot_of(hash)] = ip as u32;
        ip += 1;
    }
    runs.finish(&input[ip..])
}

/// An empty hash-table slot.
const NO_POSITION: u32 = u32::MAX;

/// liblzf's `IDX` for `VERY_FAST`: only the low 24 bits (three bytes) of
/// the rolling value count.
fn slot_of(h: u32) -> usize {
    let h = h & 0x00ff_ffff;
    ((h >> (24 - HASH_LOG)).wrapping_sub(h.wrapping_mul(5)) & ((1 << HASH_LOG) - 1)) as usize
}

/// How many leading bytes `a` and `b` share, at least 3 (already known
/// equal), scanning as liblzf does: past `limit` only by the unrolled
/// 16-byte step it takes when `limit` exceeds 16.
fn match_length(a: &[u8], b: &[u8], limit: usize) -> usize {
    let mut len = 2;
    if limit > 16 {
        for _ in 0..16 {
            len += 1;
            if a[len] != b[len] {
                return len;
            }
        }
    }
    loop {
        len += 1;
        if !(len < limit && a[len] == b[len]) {
            return len;
        }
    }
}

/// The output buffer, with liblzf's bookkeeping: a byte is reserved for
/// the length of the literal run in progress, and the bound checks happen
/// where liblzf makes them.
struct RunWriter {
    out: Vec<u8>,
    /// Literal bytes in the open run.
    lit: usize,
    limit: usize,
}

impl RunWriter {
    fn new(limit: usize) -> Self {
        RunWriter {
            out: vec![0],
            lit: 0,
            limit,
        }
    }

    fn literal(&mut self, byte: u8) -> Option<()> {
        if self.out.len() >= self.limit {
            return None;
        }
        self.push_literal(byte);
        Some(())
    }

    fn push_literal(&mut self, byte: u8) {
        self.lit += 1;
        self.out.push(byte);
        if self.lit == MAX_LITERAL {
            self.close_run();
            self.out.push(0);
        }
    }

    /// Writes the open run's length byte, or drops its reserved byte when
    /// the run is empty.
    fn close_run(&mut self) {
        if self.lit == 0 {
            self.out.pop();
        } else {
            let at = self.out.len() - self.lit - 1;
            self.out[at] = (self.lit - 1) as u8;
        }
        self.lit = 0;
    }

    fn back_reference(&mut self, distance: usize, matched: usize) -> Option<()> {
        let op = self.out.len();
        if op + 4 >= self.limit && op - usize::from(self.lit == 0) + 4 >= self.limit {
            return None;
        }
        self.close_run();
        let code = matched - 2;
        let high = (distance >> 8) as u8;
        if code < 7 {
            self.out.push(high + ((code as u8) << 5));
        } else {
            self.out.push(high + (7 << 5));
            self.out.push((code - 7) as u8);
        }
        self.out.push(distance as u8);
        self.out.push(0);
        Some(())
    }

    fn finish(mut self, tail: &[u8]) -> Option<Vec<u8>> {
        if self.out.len() + 3 > self.limit {
            return None;
        }
        for &b in tail {
            self.push_literal(b);
        }
        self.close_run();
        Some(self.out)
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
        assert_eq!(compress(b"", 10), None);
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
    fn output_is_redis_byte_for_byte() {
        // DUMP of this string from redis-server 7.0.15 carries this blob.
        let mut input = b"abcdefghij".repeat(3);
        input.extend(b"xyz".repeat(20));
        input.extend(b"hello world ".repeat(5));
        let redis: &[u8] = b"\nabcdefghija\xe0\n\t\x02xyz\xe00\x02\x0bhello world \xe0%\x0b\x01d ";
        assert_eq!(compress(&input, input.len() - 4).unwrap(), redis);
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
        // A length no input of that size can reach is refused before any
        // buffer is sized for it.
        let e = decompress(&[0x00, b'a'], 1 << 40).unwrap_err();
        assert!(
            format!("{e:?}").contains("more than 2 compressed bytes"),
            "{e:?}"
        );
        // The longest back-reference: 3 bytes for 264.
        let longest = [0x00, b'z', 0xe0, 255, 0x00];
        assert_eq!(decompress(&longest, 1 + 264).unwrap(), vec![b'z'; 265]);
    }
}
