//! Redis's `redisLrand48`: the 48-bit linear congruential generator behind
//! `math.random` in scripts, one sequence shared by every script as in
//! Redis (which seeds it only through `math.randomseed`).

use std::cell::Cell;

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const INCREMENT: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;
/// The state `lrand48` starts from (`X2 X1 X0` = 0x1234 0xABCD 0x330E).
const INITIAL: u64 = 0x1234_ABCD_330E;

thread_local! {
    static STATE: Cell<u64> = const { Cell::new(INITIAL) };
}

/// The next 31-bit value, as `redisLrand48()` returns it.
pub fn lrand48() -> i32 {
    STATE.with(|s| {
        let x = (s.get().wrapping_mul(MULTIPLIER).wrapping_add(INCREMENT)) & MASK;
        s.set(x);
        (x >> 17) as i32
    })
}

/// Reseeds as `redisSrand48(seed)`: the seed becomes the high 32 bits.
pub fn srand48(seed: i32) {
    let seed = seed as u32 as u64;
    STATE.with(|s| s.set((seed << 16) | 0x330E));
}

/// A number in [0, 1) as Redis's `math.random()` computes it.
pub fn random_fraction() -> f64 {
    const MAX: i32 = i32::MAX;
    (lrand48() % MAX) as f64 / MAX as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_lrand48() {
        // glibc: srand48(0); lrand48() x3.
        srand48(0);
        assert_eq!(lrand48(), 366850414);
        assert_eq!(lrand48(), 1610402240);
        assert_eq!(lrand48(), 206956554);
    }
}
