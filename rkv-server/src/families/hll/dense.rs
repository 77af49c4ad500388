//! The dense encoding: 16384 registers of 6 bits packed little-endian-first
//! into 12288 bytes, as Redis's `HLL_DENSE_GET_REGISTER`/`SET_REGISTER`.

/// Number of registers (2^14).
pub const REGISTERS: usize = 1 << 14;
/// Bits per register.
const REGISTER_BITS: usize = 6;
/// Largest value a register holds.
pub const REGISTER_MAX: u8 = (1 << REGISTER_BITS) - 1;
/// Bytes the registers take.
pub const DENSE_REGISTER_BYTES: usize = (REGISTERS * REGISTER_BITS).div_ceil(8);

/// Register `index` of a dense register array.
pub fn get(regs: &[u8], index: usize) -> u8 {
    let bit = index * REGISTER_BITS;
    let (byte, shift) = (bit / 8, bit % 8);
    let low = u32::from(regs[byte]) >> shift;
    // The last register's spill byte lies past the array (Redis reads the
    // string's terminating NUL there): read it as zero.
    let high = u32::from(regs.get(byte + 1).copied().unwrap_or(0)) << (8 - shift);
    ((low | high) & u32::from(REGISTER_MAX)) as u8
}

/// Stores `value` (at most 63) in register `index`.
pub fn set(regs: &mut [u8], index: usize, value: u8) {
    let bit = index * REGISTER_BITS;
    let (byte, shift) = (bit / 8, bit % 8);
    let max = u32::from(REGISTER_MAX);
    let v = u32::from(value);
    regs[byte] = ((u32::from(regs[byte]) & !(max << shift)) | (v << shift)) as u8;
    if let Some(next) = regs.get_mut(byte + 1) {
        *next = ((u32::from(*next) & !(max >> (8 - shift))) | (v >> (8 - shift))) as u8;
    }
}

/// Raises register `index` to `value` if that is larger; whether it changed.
pub fn raise(regs: &mut [u8], index: usize, value: u8) -> bool {
    if value > get(regs, index) {
        set(regs, index, value);
        true
    } else {
        false
    }
}

/// How many registers hold each value 0..=63.
pub fn histogram(regs: &[u8]) -> [u32; 64] {
    let mut hist = [0u32; 64];
    for i in 0..REGISTERS {
        hist[usize::from(get(regs, i))] += 1;
    }
    hist
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_round_trip_without_touching_neighbours() {
        let mut regs = vec![0u8; DENSE_REGISTER_BYTES];
        for i in 0..REGISTERS {
            set(&mut regs, i, (i % 64) as u8);
        }
        for i in 0..REGISTERS {
            assert_eq!(get(&regs, i), (i % 64) as u8, "register {i}");
        }
        set(&mut regs, 5, 0);
        assert_eq!(get(&regs, 4), 4);
        assert_eq!(get(&regs, 5), 0);
        assert_eq!(get(&regs, 6), 6);
    }

    #[test]
    fn packing_is_little_endian_first() {
        let mut regs = vec![0u8; DENSE_REGISTER_BYTES];
        set(&mut regs, 0, 63);
        assert_eq!(&regs[..2], &[0x3f, 0x00]);
        set(&mut regs, 1, 63);
        assert_eq!(&regs[..2], &[0xff, 0x0f]);
        set(&mut regs, REGISTERS - 1, 63);
        assert_eq!(regs[DENSE_REGISTER_BYTES - 1], 0xfc);
    }

    #[test]
    fn raise_only_grows() {
        let mut regs = vec![0u8; DENSE_REGISTER_BYTES];
        assert!(raise(&mut regs, 9, 3));
        assert!(!raise(&mut regs, 9, 2));
        assert!(!raise(&mut regs, 9, 3));
        assert_eq!(get(&regs, 9), 3);
        let hist = histogram(&regs);
        assert_eq!(hist[0], REGISTERS as u32 - 1);
        assert_eq!(hist[3], 1);
    }
}
