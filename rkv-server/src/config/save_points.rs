//! The `save` directive: RDB save points, `<seconds> <changes>` pairs.

/// The error Redis gives for malformed save points.
const INVALID: &str = "Invalid save parameters";

/// Parses `save` words into (seconds, changes) pairs as Redis's
/// `setConfigSaveOption`: an even count, seconds >= 1, changes >= 0.
pub fn parse(words: &[String]) -> Result<Vec<(u64, u64)>, String> {
    if words.len() == 1 && words[0].is_empty() {
        return Ok(Vec::new());
    }
    if words.len() % 2 == 1 {
        return Err(INVALID.to_string());
    }
    let number = |w: &String, min: i64| match w.parse::<i64>() {
        Ok(n) if n >= min => Ok(n as u64),
        _ => Err(INVALID.to_string()),
    };
    words
        .chunks(2)
        .map(|pair| Ok((number(&pair[0], 1)?, number(&pair[1], 0)?)))
        .collect()
}

/// The words CONFIG GET and CONFIG REWRITE show for `points`.
pub fn to_words(points: &[(u64, u64)]) -> Vec<String> {
    points
        .iter()
        .flat_map(|(seconds, changes)| [seconds.to_string(), changes.to_string()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn pairs_are_checked_as_redis_does() {
        assert_eq!(
            parse(&words("3600 1 300 100")),
            Ok(vec![(3600, 1), (300, 100)])
        );
        assert_eq!(parse(&words("")), Ok(Vec::new()));
        assert_eq!(parse(&words("0 1")), Err(INVALID.to_string()));
        assert_eq!(parse(&words("10 -1")), Err(INVALID.to_string()));
        assert_eq!(parse(&words("10")), Err(INVALID.to_string()));
        assert_eq!(parse(&words("10 x")), Err(INVALID.to_string()));
        assert_eq!(to_words(&[(60, 5)]), words("60 5"));
    }
}
