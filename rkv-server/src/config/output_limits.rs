//! `client-output-buffer-limit <class> <hard> <soft> <soft seconds>`: how
//! much unsent output a client of each class may pile up before it is
//! disconnected, as Redis's `clientBufferLimitsConfig`.

use super::scalars::{parse_int, parse_memory};

/// The limit of one client class; zero disables a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClassLimit {
    /// Disconnect as soon as pending output exceeds this many bytes.
    pub hard: u64,
    /// Disconnect when pending output stays above this many bytes...
    pub soft: u64,
    /// ...for longer than this many seconds.
    pub soft_seconds: u64,
}

impl ClassLimit {
    /// Whether a client with `pending` unsent bytes must be closed now.
    /// `soft_since_ms` remembers when it first went over the soft limit
    /// (cleared once it is back under), as Redis's
    /// `obuf_soft_limit_reached_time`.
    pub fn exceeded(&self, pending: u64, soft_since_ms: &mut Option<i64>, now_ms: i64) -> bool {
        let hard = self.hard > 0 && pending >= self.hard;
        let mut soft = self.soft > 0 && pending >= self.soft;
        if soft {
            match *soft_since_ms {
                None => {
                    *soft_since_ms = Some(now_ms);
                    soft = false;
                }
                Some(since) => soft = (now_ms - since) / 1000 > self.soft_seconds as i64,
            }
        } else {
            *soft_since_ms = None;
        }
        hard || soft
    }
}

/// The limits of the three classes Redis configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutputBufferLimits {
    /// Ordinary clients.
    pub normal: ClassLimit,
    /// Replicas (and MONITOR clients).
    pub replica: ClassLimit,
    /// Clients subscribed to a channel or pattern.
    pub pubsub: ClassLimit,
}

/// Which class a configuration word names (`replica` and `slave` alike).
fn class_mut<'a>(limits: &'a mut OutputBufferLimits, word: &str) -> Option<&'a mut ClassLimit> {
    match word.to_ascii_lowercase().as_str() {
        "normal" => Some(&mut limits.normal),
        "replica" | "slave" => Some(&mut limits.replica),
        "pubsub" => Some(&mut limits.pubsub),
        _ => None,
    }
}

impl OutputBufferLimits {
    /// Applies `<class> <hard> <soft> <seconds>` groups over the current
    /// limits (classes not named keep theirs), with Redis's error texts.
    pub fn apply(&mut self, words: &[String]) -> Result<(), String> {
        if words.is_empty() || !words.len().is_multiple_of(4) {
            return Err("Wrong number of arguments in buffer limit configuration.".into());
        }
        let mut next = *self;
        for group in words.chunks(4) {
            let class = class_mut(&mut next, &group[0]).ok_or_else(|| {
                "Invalid client class specified in buffer limit configuration.".to_string()
            })?;
            let hard = parse_memory(&group[1]);
            let soft = parse_memory(&group[2]);
            let seconds = parse_int(&group[3]).filter(|s| *s >= 0);
            let (Some(hard), Some(soft), Some(seconds)) = (hard, soft, seconds) else {
                return Err(
                    "Error in hard, soft or soft_seconds setting in buffer limit configuration."
                        .into(),
                );
            };
            *class = ClassLimit {
                hard,
                soft,
                soft_seconds: seconds as u64,
            };
        }
        *self = next;
        Ok(())
    }

    /// The twelve words CONFIG GET shows, in bytes.
    pub fn words(&self) -> Vec<String> {
        let mut w = Vec::with_capacity(12);
        for (name, l) in [
            ("normal", self.normal),
            ("slave", self.replica),
            ("pubsub", self.pubsub),
        ] {
            w.push(name.to_string());
            w.push(l.hard.to_string());
            w.push(l.soft.to_string());
            w.push(l.soft_seconds.to_string());
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn groups_update_only_the_classes_they_name() {
        let mut l = OutputBufferLimits::default();
        l.apply(&words(
            "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60",
        ))
        .unwrap();
        assert_eq!(
            l.words().join(" "),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        l.apply(&words("PUBSUB 1mb 500kb 10")).unwrap();
        l.apply(&words("replica 1 1 1")).unwrap();
        assert_eq!(
            l.words().join(" "),
            "normal 0 0 0 slave 1 1 1 pubsub 1048576 512000 10"
        );
    }

    #[test]
    fn hard_limit_trips_at_once_soft_limit_after_its_seconds() {
        let l = ClassLimit {
            hard: 100,
            soft: 50,
            soft_seconds: 2,
        };
        let mut since = None;
        assert!(!l.exceeded(10, &mut since, 0));
        assert!(l.exceeded(100, &mut since, 0));
        assert!(!l.exceeded(10, &mut since, 500));
        assert_eq!(since, None);
        assert!(!l.exceeded(60, &mut since, 1_000));
        assert_eq!(since, Some(1_000));
        assert!(!l.exceeded(60, &mut since, 3_000));
        assert!(l.exceeded(60, &mut since, 4_000));
        assert!(!l.exceeded(10, &mut since, 4_500));
        assert_eq!(since, None);
        let off = ClassLimit::default();
        assert!(!off.exceeded(u64::MAX, &mut since, 0));
    }

    #[test]
    fn errors_leave_the_limits_alone() {
        let mut l = OutputBufferLimits::default();
        l.apply(&words("pubsub 1 2 3")).unwrap();
        let before = l;
        assert_eq!(
            l.apply(&words("pubsub 1mb 1mb")).unwrap_err(),
            "Wrong number of arguments in buffer limit configuration."
        );
        assert_eq!(
            l.apply(&words("normal 1 1 1 master 1 1 1")).unwrap_err(),
            "Invalid client class specified in buffer limit configuration."
        );
        assert_eq!(
            l.apply(&words("pubsub x 1 1")).unwrap_err(),
            "Error in hard, soft or soft_seconds setting in buffer limit configuration."
        );
        assert_eq!(
            l.apply(&words("pubsub 1 1 -1")).unwrap_err(),
            "Error in hard, soft or soft_seconds setting in buffer limit configuration."
        );
        assert_eq!(l, before);
    }
}
