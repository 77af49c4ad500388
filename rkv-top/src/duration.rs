//! Parsing of human-written durations such as `1s`, `250ms` or `2m`.

use std::time::Duration;

/// Why a duration string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// The number part is missing or is not a non-negative decimal.
    #[error("'{0}' is not a duration (examples: 1s, 250ms, 1.5s, 2m)")]
    Malformed(String),
    /// The suffix is not one of ms, s, m, h.
    #[error("unknown unit '{unit}' in '{input}' (use ms, s, m or h)")]
    UnknownUnit {
        /// The whole input.
        input: String,
        /// The suffix that was not recognised.
        unit: String,
    },
    /// The duration is zero, which would make the dashboard spin.
    #[error("the interval must be greater than zero")]
    Zero,
}

/// Parses a positive duration: a decimal number followed by `ms`, `s`, `m`
/// or `h`; a bare number means seconds.
pub fn parse_duration(input: &str) -> Result<Duration, DurationError> {
    let trimmed = input.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| DurationError::Malformed(input.to_owned()))?;
    let seconds_per_unit = match unit {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(DurationError::UnknownUnit {
                input: input.to_owned(),
                unit: unit.to_owned(),
            })
        }
    };
    let duration = Duration::try_from_secs_f64(value * seconds_per_unit)
        .map_err(|_| DurationError::Malformed(input.to_owned()))?;
    if duration.is_zero() {
        return Err(DurationError::Zero);
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_each_unit() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn bare_numbers_and_fractions_are_seconds() {
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
    }

    #[test]
    fn rejects_garbage_units_and_zero() {
        assert_eq!(
            parse_duration("fast"),
            Err(DurationError::Malformed("fast".into()))
        );
        assert_eq!(
            parse_duration("5d"),
            Err(DurationError::UnknownUnit {
                input: "5d".into(),
                unit: "d".into()
            })
        );
        assert_eq!(parse_duration("0s"), Err(DurationError::Zero));
        assert_eq!(
            parse_duration("1.2.3s"),
            Err(DurationError::Malformed("1.2.3s".into()))
        );
    }
}
