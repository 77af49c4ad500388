//! Splitting a configuration line into arguments, and quoting a value back
//! so that the splitter reads it unchanged.
//!
//! The rules follow Redis's `sdssplitargs`/`sdscatrepr` pair, so a line
//! that redis-server accepts is split the same way here.

/// Splits `line` into arguments with Redis's `sdssplitargs` rules (the same
/// splitter inline commands use); `None` on unbalanced quotes.
pub fn split_args(line: &str) -> Option<Vec<String>> {
    rkv_proto::split_args(line.as_bytes()).map(|args| {
        args.into_iter()
            .map(|a| String::from_utf8_lossy(&a).into_owned())
            .collect()
    })
}

/// Quotes `value` in double quotes, escaping what `split_args` would
/// otherwise misread, as `sdscatrepr` does for CONFIG REWRITE.
pub fn quote(value: &str) -> String {
    rkv_proto::quote_repr(value.as_bytes())
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
