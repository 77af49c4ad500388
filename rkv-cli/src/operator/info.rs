//! Reading fields out of INFO text and printing byte counts for humans,
//! as redis-cli's statistics modes do.

/// The value after `field` and one separator, up to `\r` or `,` — found
/// as a plain substring search, like redis-cli's `getInfoField`.
pub fn field<'a>(info: &'a str, name: &str) -> Option<&'a str> {
    let start = info.find(name)? + name.len() + 1;
    let rest = info.get(start..)?;
    let end = rest.find(['\r', ',']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// The field as a number (`strtol` semantics: leading digits, else 0).
pub fn long_field(info: &str, name: &str) -> Option<i64> {
    let value = field(info, name)?;
    let t = value.trim_start();
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, t),
    };
    let digits: String = digits.chars().take_while(char::is_ascii_digit).collect();
    Some(sign * digits.parse::<i64>().unwrap_or(0))
}

/// `100B`, `2.00K`, `1.50M`, `3.00G` as redis-cli's `bytesToHuman`.
pub fn bytes_to_human(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let n = n.unsigned_abs();
    let value = n as f64;
    if n < 1024 {
        format!("{sign}{n}B")
    } else if n < 1024 * 1024 {
        format!("{sign}{:.2}K", value / 1024.0)
    } else if n < 1024 * 1024 * 1024 {
        format!("{sign}{:.2}M", value / (1024.0 * 1024.0))
    } else {
        format!("{sign}{:.2}G", value / (1024.0 * 1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &str = "# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\n# Keyspace\r\ndb0:keys=12,expires=0,avg_ttl=0\r\n";

    #[test]
    fn fields() {
        assert_eq!(field(INFO, "used_memory"), Some("1048576"));
        assert_eq!(long_field(INFO, "db0:keys"), Some(12));
        assert_eq!(long_field(INFO, "db1:keys"), None);
    }

    #[test]
    fn human_bytes() {
        assert_eq!(bytes_to_human(100), "100B");
        assert_eq!(bytes_to_human(2048), "2.00K");
        assert_eq!(bytes_to_human(1048576), "1.00M");
    }
}
