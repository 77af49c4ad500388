//! Parsing and formatting of the scalar argument types used by
//! directives: yes/no booleans, strict integers and memory sizes.

/// Parses `yes`/`no` (any case), as Redis's `yesnotoi`.
pub fn parse_bool(arg: &str) -> Option<bool> {
    if arg.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if arg.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

/// Parses a decimal integer as strictly as Redis's `string2ll`: an
/// optional `-`, no `+`, no spaces, no leading zeros.
pub fn parse_int(arg: &str) -> Option<i64> {
    if arg == "0" {
        return Some(0);
    }
    let digits = arg.strip_prefix('-').unwrap_or(arg);
    let first = digits.bytes().next()?;
    if !(b'1'..=b'9').contains(&first) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Parsing the whole text (sign included) keeps i64::MIN representable.
    arg.parse().ok()
}

/// Parses a memory size such as `100`, `1k`, `1kb`, `5mb` or `2GB`, as
/// Redis's `memtoull`: `k m g` are powers of 1000, `kb mb gb` of 1024,
/// units are case-insensitive, and an empty number counts as zero.
pub fn parse_memory(arg: &str) -> Option<u64> {
    if arg.starts_with('-') {
        return None;
    }
    let unit_at = arg.find(|c: char| !c.is_ascii_digit()).unwrap_or(arg.len());
    let (digits, unit) = arg.split_at(unit_at);
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // Redis reads "" as 0 here (strtoull on an empty string), so "kb" is 0.
    let number: u64 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    number.checked_mul(multiplier)
}

/// Formats a byte count the way CONFIG REWRITE writes it: in `gb`, `mb`
/// or `kb` when it divides evenly, otherwise as plain bytes.
pub fn format_memory(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    const GB: u64 = 1024 * MB;
    match bytes {
        0 => "0".to_string(),
        b if b % GB == 0 => format!("{}gb", b / GB),
        b if b % MB == 0 => format!("{}mb", b / MB),
        b if b % KB == 0 => format!("{}kb", b / KB),
        b => b.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bools() {
        assert_eq!(parse_bool("YES"), Some(true));
        assert_eq!(parse_bool("no"), Some(false));
        assert_eq!(parse_bool("1"), None);
        assert_eq!(parse_bool("true"), None);
    }

    #[test]
    fn ints_are_strict() {
        assert_eq!(parse_int("0"), Some(0));
        assert_eq!(parse_int("-1"), Some(-1));
        assert_eq!(parse_int("65535"), Some(65535));
        assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
        for bad in [
            "",
            "-",
            "+1",
            "01",
            "-0",
            " 1",
            "1 ",
            "1.5",
            "1k",
            "9223372036854775808",
        ] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("100"), Some(100));
        assert_eq!(parse_memory("100b"), Some(100));
        assert_eq!(parse_memory("1k"), Some(1000));
        assert_eq!(parse_memory("1kb"), Some(1024));
        assert_eq!(parse_memory("1m"), Some(1_000_000));
        assert_eq!(parse_memory("1MB"), Some(1024 * 1024));
        assert_eq!(parse_memory("1g"), Some(1_000_000_000));
        assert_eq!(parse_memory("1Gb"), Some(1024 * 1024 * 1024));
        assert_eq!(parse_memory("kb"), Some(0));
        for bad in ["-1", "1x", "1 kb", "1.5mb", "1tb", "99999999999999999999"] {
            assert_eq!(parse_memory(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn memory_formatting() {
        assert_eq!(format_memory(0), "0");
        assert_eq!(format_memory(512 * 1024 * 1024), "512mb");
        assert_eq!(format_memory(1024 * 1024 * 1024), "1gb");
        assert_eq!(format_memory(3 * 1024), "3kb");
        assert_eq!(format_memory(1000), "1000");
    }
}
