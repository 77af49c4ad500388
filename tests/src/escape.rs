//! Printable rendering of raw reply bytes for failure messages.

/// Renders `bytes` as a double-quoted string in which `\r`, `\n`, `\t`, `"`,
/// `\` and every non-printable byte are escaped, so two replies that differ
/// only in invisible bytes still look different in a test failure.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::escape_bytes;

    #[test]
    fn escapes_control_and_quote_bytes() {
        assert_eq!(escape_bytes(b"+OK\r\n"), r#""+OK\r\n""#);
        assert_eq!(escape_bytes(b"a\"b\\\x00\xff"), r#""a\"b\\\x00\xff""#);
    }
}
