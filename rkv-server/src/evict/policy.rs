//! [`MaxmemoryPolicy`]: what `maxmemory-policy` says to evict, and the
//! process-wide copy of the access-tracking settings the keyspace reads on
//! every lookup (a `Db` cannot see the configuration).

use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};

/// The eight `maxmemory-policy` values, in the order of Redis's enum table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaxmemoryPolicy {
    /// Least recently used among keys with a TTL.
    VolatileLru,
    /// Least frequently used among keys with a TTL.
    VolatileLfu,
    /// Random keys with a TTL.
    VolatileRandom,
    /// Keys with the nearest expiry.
    VolatileTtl,
    /// Least recently used among all keys.
    AllkeysLru,
    /// Least frequently used among all keys.
    AllkeysLfu,
    /// Random keys.
    AllkeysRandom,
    /// Never evict: refuse commands that may grow memory.
    #[default]
    NoEviction,
}

impl MaxmemoryPolicy {
    /// The configuration words, indexed like [`MaxmemoryPolicy::ALL`].
    pub const NAMES: &'static [&'static str] = &[
        "volatile-lru",
        "volatile-lfu",
        "volatile-random",
        "volatile-ttl",
        "allkeys-lru",
        "allkeys-lfu",
        "allkeys-random",
        "noeviction",
    ];

    /// Every policy, in [`MaxmemoryPolicy::NAMES`] order.
    pub const ALL: [MaxmemoryPolicy; 8] = [
        MaxmemoryPolicy::VolatileLru,
        MaxmemoryPolicy::VolatileLfu,
        MaxmemoryPolicy::VolatileRandom,
        MaxmemoryPolicy::VolatileTtl,
        MaxmemoryPolicy::AllkeysLru,
        MaxmemoryPolicy::AllkeysLfu,
        MaxmemoryPolicy::AllkeysRandom,
        MaxmemoryPolicy::NoEviction,
    ];

    /// The policy at `index` of [`MaxmemoryPolicy::NAMES`].
    pub fn from_index(index: usize) -> MaxmemoryPolicy {
        Self::ALL[index]
    }

    /// Its index in [`MaxmemoryPolicy::NAMES`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The configuration word (`allkeys-lru`...).
    pub fn name(self) -> &'static str {
        Self::NAMES[self.index()]
    }

    /// Whether objects carry an LFU counter rather than an access time.
    pub fn is_lfu(self) -> bool {
        matches!(self, Self::VolatileLfu | Self::AllkeysLfu)
    }

    /// Whether candidates are ranked by idle time.
    pub fn is_lru(self) -> bool {
        matches!(self, Self::VolatileLru | Self::AllkeysLru)
    }

    /// Whether every key is a candidate (otherwise only keys with a TTL).
    pub fn is_allkeys(self) -> bool {
        matches!(
            self,
            Self::AllkeysLru | Self::AllkeysLfu | Self::AllkeysRandom
        )
    }

    /// Whether candidates are picked at random rather than from the pool.
    pub fn is_random(self) -> bool {
        matches!(self, Self::AllkeysRandom | Self::VolatileRandom)
    }
}

/// The policy in force, as an index into [`MaxmemoryPolicy::ALL`].
static POLICY: AtomicU8 = AtomicU8::new(MaxmemoryPolicy::NoEviction as u8);
/// `lfu-log-factor`.
static LFU_LOG_FACTOR: AtomicU32 = AtomicU32::new(10);
/// `lfu-decay-time`, minutes.
static LFU_DECAY_TIME: AtomicU32 = AtomicU32::new(1);

/// Publishes the policy to the keyspace (called when the config changes).
pub fn set_policy(policy: MaxmemoryPolicy) {
    POLICY.store(policy as u8, Ordering::Relaxed);
}

/// The policy in force.
pub fn policy() -> MaxmemoryPolicy {
    MaxmemoryPolicy::from_index(POLICY.load(Ordering::Relaxed) as usize)
}

/// Whether the policy in force tracks access frequency (LFU).
pub fn lfu_enabled() -> bool {
    policy().is_lfu()
}

/// Publishes `lfu-log-factor`.
pub fn set_lfu_log_factor(factor: u32) {
    LFU_LOG_FACTOR.store(factor, Ordering::Relaxed);
}

/// `lfu-log-factor` in force.
pub fn lfu_log_factor() -> u32 {
    LFU_LOG_FACTOR.load(Ordering::Relaxed)
}

/// Publishes `lfu-decay-time`.
pub fn set_lfu_decay_time(minutes: u32) {
    LFU_DECAY_TIME.store(minutes, Ordering::Relaxed);
}

/// `lfu-decay-time` in force.
pub fn lfu_decay_time() -> u32 {
    LFU_DECAY_TIME.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_variants_line_up() {
        for (i, p) in MaxmemoryPolicy::ALL.iter().enumerate() {
            assert_eq!(p.index(), i);
            assert_eq!(MaxmemoryPolicy::from_index(i), *p);
        }
        assert_eq!(MaxmemoryPolicy::AllkeysLfu.name(), "allkeys-lfu");
        assert!(MaxmemoryPolicy::VolatileTtl.name() == "volatile-ttl");
    }

    #[test]
    fn classification() {
        assert!(MaxmemoryPolicy::AllkeysRandom.is_allkeys());
        assert!(!MaxmemoryPolicy::VolatileLru.is_allkeys());
        assert!(MaxmemoryPolicy::VolatileLfu.is_lfu());
        assert!(!MaxmemoryPolicy::VolatileTtl.is_lru());
        assert!(MaxmemoryPolicy::VolatileRandom.is_random());
    }
}
