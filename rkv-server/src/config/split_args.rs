//! Splitting a configuration line into arguments, and quoting a value back
//! so that the splitter reads it unchanged.
//!
//! The rules follow Redis's `sdssplitargs`/`sdscatrepr` pair, so a line
//! that redis-server accepts is split the same way here.

/// Splits `line` into arguments, honouring double quotes (with `\n \r \t
/// \b \a \\ \" \xHH` escapes) and single quotes (with `\'`).
///
/// Returns `None` when quotes are unbalanced, or when a closing quote is
/// directly followed by something other than whitespace.
pub fn split_args(line: &str) -> Option<Vec<String>> {
    let bytes = line.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            return Some(args);
        }
        let mut current = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            if in_double {
                match bytes.get(i) {
                    None => return None,
                    Some(b'\\') if i + 3 < bytes.len() && is_hex_escape(bytes, i) => {
                        current.push(hex_value(bytes[i + 2]) * 16 + hex_value(bytes[i + 3]));
                        i += 3;
                    }
                    Some(b'\\') if i + 1 < bytes.len() => {
                        i += 1;
                        current.push(unescape(bytes[i]));
                    }
                    Some(b'"') => {
                        // A closing quote must end the argument.
                        if bytes.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace()) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(&b) => current.push(b),
                }
            } else if in_single {
                match bytes.get(i) {
                    None => return None,
                    Some(b'\\') if bytes.get(i + 1) == Some(&b'\'') => {
                        i += 1;
                        current.push(b'\'');
                    }
                    Some(b'\'') => {
                        if bytes.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace()) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(&b) => current.push(b),
                }
            } else {
                match bytes.get(i) {
                    None | Some(b' ' | b'\n' | b'\r' | b'\t' | b'\0') => break,
                    Some(b'"') => in_double = true,
                    Some(b'\'') => in_single = true,
                    Some(&b) => current.push(b),
                }
            }
            i += 1;
        }
        args.push(String::from_utf8_lossy(&current).into_owned());
    }
}

fn is_hex_escape(bytes: &[u8], i: usize) -> bool {
    bytes[i + 1] == b'x' && bytes[i + 2].is_ascii_hexdigit() && bytes[i + 3].is_ascii_hexdigit()
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

fn unescape(b: u8) -> u8 {
    match b {
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'b' => 0x08,
        b'a' => 0x07,
        other => other,
    }
}

/// Quotes `value` in double quotes, escaping what `split_args` would
/// otherwise misread, as `sdscatrepr` does for CONFIG REWRITE.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for &b in value.as_bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Vec<String> {
        split_args(line).expect("balanced")
    }

    #[test]
    fn splits_on_whitespace() {
        assert_eq!(split("  port   6379 \t"), ["port", "6379"]);
        assert!(split("   ").is_empty());
    }

    #[test]
    fn double_quotes_and_escapes() {
        assert_eq!(split(r#"a "b c" "x\ny""#), ["a", "b c", "x\ny"]);
        assert_eq!(split(r#""\x41\x4a" "\"\\""#), ["AJ", "\"\\"]);
        assert_eq!(split(r#""\t\r\b\a\q""#), ["\t\r\u{8}\u{7}q"]);
        assert_eq!(split(r#""""#), [""]);
    }

    #[test]
    fn single_quotes() {
        assert_eq!(split(r"'it\'s' 'a\nb'"), ["it's", "a\\nb"]);
    }

    #[test]
    fn quote_in_middle_of_token_starts_quoting() {
        assert_eq!(split(r#"ab"c d""#), ["abc d"]);
    }

    #[test]
    fn unbalanced_quotes_fail() {
        assert_eq!(split_args(r#"port "6379"#), None);
        assert_eq!(split_args("port '6379"), None);
        assert_eq!(split_args(r#""a"b"#), None);
        assert_eq!(split_args("'a'b"), None);
    }

    #[test]
    fn quote_round_trips() {
        for value in [
            "",
            "plain",
            "with space",
            "q\"uote",
            "back\\slash",
            "nl\nx",
            "\u{1}",
        ] {
            assert_eq!(split(&quote(value)), [value]);
        }
        assert_eq!(quote("a\u{1}"), r#""a\x01""#);
    }
}
