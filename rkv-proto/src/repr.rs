//! Quoting bytes the way Redis's `sdscatrepr` does: MONITOR lines, CONFIG
//! REWRITE values and redis-cli's quoted output all use this form.

use std::fmt::Write;

/// `s` in double quotes with `\\ \" \n \r \t \a \b` escaped and other
/// non-printable bytes as `\xHH`.
pub fn quote_repr(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            b => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote_repr;

    #[test]
    fn escapes_like_sdscatrepr() {
        assert_eq!(quote_repr(b"a\"b\n\x01 \\"), "\"a\\\"b\\n\\x01 \\\\\"");
        assert_eq!(quote_repr(b"\xff"), "\"\\xff\"");
    }
}
