//! CRC64 as Redis computes it for RDB footers and DUMP payloads: the Jones
//! polynomial, reflected input and output, initial value 0, no final xor.

/// The Jones polynomial 0xad93d23594c935a9, bit-reversed for the
/// reflected (least significant bit first) algorithm.
const POLY_REFLECTED: u64 = 0x95ac_9329_ac4b_c9b5;

/// Eight lookup tables for slicing-by-8: a multi-gigabyte file is checksummed
/// eight bytes per step.
static TABLES: [[u64; 256]; 8] = build_tables();

const fn build_tables() -> [[u64; 256]; 8] {
    let mut tables = [[0u64; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY_REFLECTED
            } else {
                crc >> 1
            };
            bit += 1;
        }
        tables[0][i] = crc;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut t = 1;
        while t < 8 {
            let prev = tables[t - 1][i];
            tables[t][i] = (prev >> 8) ^ tables[0][(prev & 0xff) as usize];
            t += 1;
        }
        i += 1;
    }
    tables
}

/// Continues the CRC64 `crc` over `data` (start with 0).
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let word = crc ^ u64::from_le_bytes(chunk.try_into().expect("chunk of 8"));
        crc = TABLES[7][(word & 0xff) as usize]
            ^ TABLES[6][((word >> 8) & 0xff) as usize]
            ^ TABLES[5][((word >> 16) & 0xff) as usize]
            ^ TABLES[4][((word >> 24) & 0xff) as usize]
            ^ TABLES[3][((word >> 32) & 0xff) as usize]
            ^ TABLES[2][((word >> 40) & 0xff) as usize]
            ^ TABLES[1][((word >> 48) & 0xff) as usize]
            ^ TABLES[0][(word >> 56) as usize];
    }
    for &byte in chunks.remainder() {
        crc = TABLES[0][((crc ^ byte as u64) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value_matches_redis() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn incremental_equals_one_shot() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        let whole = crc64(0, &data);
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let (a, b) = data.split_at(split);
            assert_eq!(crc64(crc64(0, a), b), whole, "split at {split}");
        }
    }

    #[test]
    fn empty_input_keeps_the_crc() {
        assert_eq!(crc64(0, b""), 0);
        assert_eq!(crc64(42, b""), 42);
    }
}
