//! Splitting a line into arguments the way Redis's `sdssplitargs` does.
//!
//! Used for inline commands (`SET "a b" c` typed over telnet) and for
//! configuration files, so quoting behaves identically in both places.

/// Splits `line` into arguments with Redis's quoting rules.
///
/// Double quotes accept `\n \r \t \b \a \\ \" \xHH` escapes; single quotes accept
/// only `\'`. A closing quote must be followed by a space or the end of the line.
/// Returns `None` on unbalanced quotes (or a closing quote followed by a
/// non-space), as Redis does.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Some(args);
        }
        let mut current = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            if in_double {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\' && i + 3 < n && line[i + 1] == b'x' {
                    if let (Some(h), Some(l)) = (hex(line[i + 2]), hex(line[i + 3])) {
                        current.push(h * 16 + l);
                        i += 4;
                        continue;
                    }
                }
                if c == b'\\' && i + 1 < n {
                    current.push(match line[i + 1] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        other => other,
                    });
                    i += 2;
                    continue;
                }
                if c == b'"' {
                    // A closing quote must be followed by a space or the end.
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                }
                current.push(c);
                i += 1;
            } else if in_single {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    current.push(b'\'');
                    i += 2;
                    continue;
                }
                if c == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                }
                current.push(c);
                i += 1;
            } else {
                if i >= n {
                    break;
                }
                match line[i] {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        i += 1;
                        break;
                    }
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    c => current.push(c),
                }
                i += 1;
            }
        }
        args.push(current);
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t' | b'\x0b' | b'\x0c')
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::split_args;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8(a).unwrap())
                .collect()
        })
    }

    #[test]
    fn plain_words_and_spaces() {
        assert_eq!(
            split("  set  a   b "),
            Some(vec!["set".into(), "a".into(), "b".into()])
        );
        assert_eq!(split(""), Some(vec![]));
    }

    #[test]
    fn double_quotes_with_escapes() {
        assert_eq!(
            split(r#"set "a b" "\x41\n""#),
            Some(vec!["set".into(), "a b".into(), "A\n".into()])
        );
        assert_eq!(split(r#""\q""#), Some(vec!["q".into()]));
        assert_eq!(split(r#""""#), Some(vec!["".into()]));
    }

    #[test]
    fn single_quotes() {
        assert_eq!(
            split(r"'it\'s' 'a\nb'"),
            Some(vec!["it's".into(), r"a\nb".into()])
        );
    }

    #[test]
    fn unbalanced_and_glued_quotes_fail() {
        assert_eq!(split(r#"set "abc"#), None);
        assert_eq!(split("set 'abc"), None);
        assert_eq!(split(r#""a"b"#), None);
    }

    #[test]
    fn quote_inside_word_starts_quoting() {
        assert_eq!(split(r#"a"b c""#), Some(vec!["ab c".into()]));
    }
}
