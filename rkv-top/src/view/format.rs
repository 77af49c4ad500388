//! Number formatting shared by the panels.

/// Bytes as redis-cli shows them: `512B`, `1.50K`, `2.00M`, `3.10G`.
pub fn bytes(n: u64) -> String {
    const UNITS: [(&str, f64); 4] = [
        ("T", 1024.0 * 1024.0 * 1024.0 * 1024.0),
        ("G", 1024.0 * 1024.0 * 1024.0),
        ("M", 1024.0 * 1024.0),
        ("K", 1024.0),
    ];
    UNITS
        .iter()
        .find(|(_, size)| n as f64 >= *size)
        .map(|(unit, size)| format!("{:.2}{unit}", n as f64 / size))
        .unwrap_or_else(|| format!("{n}B"))
}

/// Optional bytes, `-` when unknown.
pub fn opt_bytes(n: Option<u64>) -> String {
    n.map(bytes).unwrap_or_else(|| "-".into())
}

/// An optional rate with one decimal, `-` until two samples exist.
pub fn opt_rate(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.1}")).unwrap_or_else(|| "-".into())
}

/// An optional ratio as a percentage, `-` when there is nothing to divide.
pub fn opt_percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "-".into())
}

/// An optional ratio with two decimals, `-` when unknown.
pub fn opt_ratio(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.2}")).unwrap_or_else(|| "-".into())
}

/// Any optional value, `-` when unknown.
pub fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

/// Seconds as `3d4h`, `2h5m`, `4m10s` or `12s`.
pub fn duration(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m{s}s"),
        (0, _, _) => format!("{h}h{m}m"),
        _ => format!("{d}d{h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_pick_the_largest_unit() {
        assert_eq!(bytes(512), "512B");
        assert_eq!(bytes(1536), "1.50K");
        assert_eq!(bytes(3 * 1024 * 1024), "3.00M");
    }

    #[test]
    fn durations_are_compact() {
        assert_eq!(duration(12), "12s");
        assert_eq!(duration(250), "4m10s");
        assert_eq!(duration(7500), "2h5m");
        assert_eq!(duration(90_000), "1d1h");
        assert_eq!(opt_percent(Some(0.746)), "74.6%");
        assert_eq!(opt_rate(None), "-");
    }
}
