//! Splitting a command line into arguments the way `redis-cli` does.
//!
//! Unquoted words end at whitespace. Double quotes allow `\xHH`, `\n`, `\r`,
//! `\t`, `\b`, `\a` and `\<any>` escapes; single quotes allow only `\'`.
//! A closing quote must be followed by whitespace or the end of the line.

use thiserror::Error;

/// A command line that redis-cli would also refuse.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SplitError {
    /// A quote was opened and never closed.
    #[error("unbalanced quotes")]
    Unbalanced,
    /// A closing quote was directly followed by another character.
    #[error("closing quote must be followed by a space")]
    TextAfterQuote,
}

/// Splits `line` into raw byte arguments.
pub fn split_args(line: &str) -> Result<Vec<Vec<u8>>, SplitError> {
    let bytes = line.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            return Ok(args);
        }
        let (arg, next) = split_one(bytes, i)?;
        args.push(arg);
        i = next;
    }
}

/// Reads one argument starting at `i`; returns it and the index after it.
fn split_one(bytes: &[u8], mut i: usize) -> Result<(Vec<u8>, usize), SplitError> {
    let mut arg = Vec::new();
    let mut quote: Option<u8> = None;
    loop {
        let c = bytes.get(i).copied();
        match (quote, c) {
            (Some(_), None) => return Err(SplitError::Unbalanced),
            (None, None) => return Ok((arg, i)),
            (None, Some(c)) if c.is_ascii_whitespace() => return Ok((arg, i)),
            (None, Some(q @ (b'"' | b'\''))) => {
                quote = Some(q);
                i += 1;
            }
            (None, Some(c)) => {
                arg.push(c);
                i += 1;
            }
            (Some(q), Some(c)) if c == q => {
                i += 1;
                if bytes.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
                    return Err(SplitError::TextAfterQuote);
                }
                return Ok((arg, i));
            }
            (Some(b'"'), Some(b'\\')) => {
                let (byte, used) = double_quoted_escape(&bytes[i + 1..]);
                arg.push(byte);
                i += 1 + used;
            }
            (Some(_), Some(b'\\')) if bytes.get(i + 1) == Some(&b'\'') => {
                arg.push(b'\'');
                i += 2;
            }
            (Some(_), Some(c)) => {
                arg.push(c);
                i += 1;
            }
        }
    }
}

/// Decodes the escape after a backslash inside double quotes; returns the
/// byte and how many bytes of `rest` it consumed.
fn double_quoted_escape(rest: &[u8]) -> (u8, usize) {
    if let [b'x', h, l, ..] = rest {
        if let (Some(h), Some(l)) = (hex(*h), hex(*l)) {
            return (h * 16 + l, 3);
        }
    }
    match rest.first() {
        None => (b'\\', 0),
        Some(b'n') => (b'\n', 1),
        Some(b'r') => (b'\r', 1),
        Some(b't') => (b'\t', 1),
        Some(b'b') => (0x08, 1),
        Some(b'a') => (0x07, 1),
        Some(&other) => (other, 1),
    }
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::{split_args, SplitError};

    fn split(line: &str) -> Vec<String> {
        split_args(line)
            .unwrap()
            .into_iter()
            .map(|a| String::from_utf8_lossy(&a).into_owned())
            .collect()
    }

    #[test]
    fn plain_words() {
        assert_eq!(split("  SET  k v "), ["SET", "k", "v"]);
        assert!(split("   ").is_empty());
    }

    #[test]
    fn double_quotes_with_escapes() {
        assert_eq!(
            split(r#"SET "a b" "x\ny\t\x41\"""#),
            ["SET", "a b", "x\ny\tA\""]
        );
        assert_eq!(split(r#"ECHO """#), ["ECHO", ""]);
        assert_eq!(split_args(r#"ECHO "\xff""#).unwrap()[1], vec![0xff]);
    }

    #[test]
    fn single_quotes_keep_backslashes() {
        assert_eq!(split(r"ECHO 'a\nb' 'it\'s'"), ["ECHO", "a\\nb", "it's"]);
    }

    #[test]
    fn quote_errors() {
        assert_eq!(split_args(r#"ECHO "abc"#), Err(SplitError::Unbalanced));
        assert_eq!(split_args(r#"ECHO "a"b"#), Err(SplitError::TextAfterQuote));
    }
}
