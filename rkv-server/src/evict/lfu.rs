//! The access stamp every [`Entry`](crate::db::keyspace::Entry) carries in
//! its 24-bit `lru` field, read as Redis reads `robj.lru`: under an LRU (or
//! no) policy it is the LRU clock in seconds; under an LFU policy it is 16
//! bits of minutes (when the counter last decayed) above an 8-bit
//! logarithmic access counter. Switching policy reinterprets the bits
//! without converting them, as Redis does.

use crate::db::keyspace::lru_clock;

/// Counter of a newly created object, so new keys are not evicted at once.
pub const LFU_INIT_VAL: u8 = 5;

/// The LFU clock: minutes since the epoch, 16 bits.
pub fn lfu_minutes(now_ms: i64) -> u16 {
    ((now_ms / 60_000) & 0xFFFF) as u16
}

/// Minutes elapsed since `then` on the 16-bit LFU clock, allowing one wrap.
pub fn minutes_since(now: u16, then: u16) -> u32 {
    if now >= then {
        u32::from(now - then)
    } else {
        65535 - u32::from(then) + u32::from(now)
    }
}

/// The counter part of an LFU stamp.
pub fn counter_of(stamp: u32) -> u8 {
    (stamp & 0xFF) as u8
}

/// Packs minutes and counter into a stamp.
pub fn pack(minutes: u16, counter: u8) -> u32 {
    (u32::from(minutes) << 8) | u32::from(counter)
}

/// The counter after decay: one point per `decay_time` minutes since the
/// stamp was written (no decay when `decay_time` is 0). Redis's
/// `LFUDecrAndReturn`, and what OBJECT FREQ reports.
pub fn decayed_counter(stamp: u32, now_ms: i64, decay_time: u32) -> u8 {
    let then = (stamp >> 8) as u16;
    let counter = counter_of(stamp);
    if decay_time == 0 {
        return counter;
    }
    let periods = minutes_since(lfu_minutes(now_ms), then) / decay_time;
    counter.saturating_sub(periods.min(255) as u8)
}

/// Increments the counter with probability `1 / ((c - LFU_INIT_VAL) *
/// log_factor + 1)`, so it grows logarithmically with accesses and
/// saturates at 255. `r` is uniform in `[0, 1)`.
pub fn log_incr(counter: u8, log_factor: u32, r: f64) -> u8 {
    if counter == 255 {
        return 255;
    }
    let base = f64::from(counter.saturating_sub(LFU_INIT_VAL));
    let p = 1.0 / (base * f64::from(log_factor) + 1.0);
    if r < p {
        counter + 1
    } else {
        counter
    }
}

/// The stamp of a new object under the policy in force.
pub fn fresh_stamp(now_ms: i64) -> u32 {
    if super::policy::lfu_enabled() {
        pack(lfu_minutes(now_ms), LFU_INIT_VAL)
    } else {
        lru_clock(now_ms)
    }
}

/// Records one access in `stamp` under the policy in force (Redis's
/// `updateLFU`, or a fresh LRU clock).
pub fn touch(stamp: &mut u32, now_ms: i64) {
    if super::policy::lfu_enabled() {
        *stamp = touched_lfu(
            *stamp,
            now_ms,
            super::policy::lfu_log_factor(),
            super::policy::lfu_decay_time(),
            random_unit(),
        );
    } else {
        *stamp = lru_clock(now_ms);
    }
}

/// An LFU stamp after one access: decay, then a probabilistic increment.
pub fn touched_lfu(stamp: u32, now_ms: i64, log_factor: u32, decay_time: u32, r: f64) -> u32 {
    let counter = decayed_counter(stamp, now_ms, decay_time);
    pack(lfu_minutes(now_ms), log_incr(counter, log_factor, r))
}

/// A uniform number in `[0, 1)` from a small thread-local xorshift
/// generator: one per access under LFU, so it must be cheap.
fn random_unit() -> f64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new(0x9E37_79B9_7F4A_7C15 ^ std::process::id() as u64);
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_packing() {
        let s = pack(0x1234, 7);
        assert_eq!(s >> 8, 0x1234);
        assert_eq!(counter_of(s), 7);
        assert!(s < (1 << 24));
    }

    #[test]
    fn decay_one_point_per_period() {
        let now = 100 * 60_000;
        let s = pack(lfu_minutes(now - 3 * 60_000), 10);
        assert_eq!(decayed_counter(s, now, 1), 7);
        assert_eq!(decayed_counter(s, now, 2), 9);
        assert_eq!(decayed_counter(s, now, 0), 10);
        let old = pack(lfu_minutes(now - 500 * 60_000), 10);
        assert_eq!(decayed_counter(old, now, 1), 0);
    }

    #[test]
    fn minutes_wrap() {
        assert_eq!(minutes_since(5, 65530), 10);
        assert_eq!(minutes_since(9, 4), 5);
    }

    #[test]
    fn increments_are_logarithmic() {
        assert_eq!(log_incr(0, 10, 0.99), 1);
        assert_eq!(log_incr(LFU_INIT_VAL, 10, 0.99), LFU_INIT_VAL + 1);
        assert_eq!(log_incr(255, 10, 0.0), 255);
        // At counter 15 with factor 10 the chance is 1/101.
        assert_eq!(log_incr(15, 10, 0.5), 15);
        assert_eq!(log_incr(15, 10, 0.005), 16);
        // Many accesses with the real generator: far fewer increments.
        let mut c = LFU_INIT_VAL;
        for _ in 0..1000 {
            c = log_incr(c, 10, random_unit());
        }
        assert!(c > 10 && c < 40, "{c}");
    }

    #[test]
    fn touch_keeps_minutes_current() {
        let now = 7 * 60_000;
        let s = touched_lfu(pack(0, LFU_INIT_VAL), now, 10, 1, 0.0);
        assert_eq!(s >> 8, 7);
        // Decayed from 5 by 7 minutes to 0, then incremented.
        assert_eq!(counter_of(s), 1);
    }
}
