//! BY and GET patterns (Redis's `lookupKeyByPattern`): `#` is the element
//! itself; otherwise the first `*` is replaced by the element to name a
//! key, and `key->field` reads a hash field instead of a string.
//!
//! Redis reads the pattern as a C string, so searches for `*` and `->` stop
//! at a NUL byte; the replacement itself uses the whole pattern.

/// What a pattern names for one element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `#`: the element's own value.
    Element,
    /// No `*` in the pattern: nothing (a GET of a fixed key is null).
    Nothing,
    /// The string at `key`, or the `field` of the hash at `key`.
    Key {
        /// The substituted key name.
        key: Vec<u8>,
        /// The hash field after `->`, if any.
        field: Option<Vec<u8>>,
    },
}

/// The pattern up to its first NUL byte, as C string functions see it.
pub fn as_c_str(pattern: &[u8]) -> &[u8] {
    let end = pattern
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(pattern.len());
    &pattern[..end]
}

/// Resolves `pattern` for the element `subst`.
pub fn resolve(pattern: &[u8], subst: &[u8]) -> Target {
    let c = as_c_str(pattern);
    if c == b"#" {
        return Target::Element;
    }
    let Some(star) = c.iter().position(|&b| b == b'*') else {
        return Target::Nothing;
    };
    // An arrow counts only after the star and with a field name after it.
    let arrow = c[star + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|i| star + 1 + i)
        .filter(|&a| a + 2 < c.len());
    let (key_end, field) = match arrow {
        Some(a) => (a, Some(pattern[a + 2..].to_vec())),
        None => (pattern.len(), None),
    };
    let mut key = Vec::with_capacity(key_end + subst.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(subst);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    Target::Key { key, field }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str, f: Option<&str>) -> Target {
        Target::Key {
            key: k.as_bytes().to_vec(),
            field: f.map(|f| f.as_bytes().to_vec()),
        }
    }

    #[test]
    fn substitution() {
        assert_eq!(resolve(b"#", b"x"), Target::Element);
        assert_eq!(resolve(b"nosort", b"x"), Target::Nothing);
        assert_eq!(resolve(b"w_*", b"3"), key("w_3", None));
        assert_eq!(resolve(b"*_w_*", b"3"), key("3_w_*", None));
        assert_eq!(resolve(b"h_*->f", b"3"), key("h_3", Some("f")));
        assert_eq!(resolve(b"h_*->f->g", b"3"), key("h_3", Some("f->g")));
        assert_eq!(resolve(b"*", b"k"), key("k", None));
    }

    #[test]
    fn arrow_rules() {
        // Before the star, or with nothing after it, the arrow is literal.
        assert_eq!(resolve(b"a->b*", b"1"), key("a->b1", None));
        assert_eq!(resolve(b"h_*->", b"1"), key("h_1->", None));
        assert_eq!(resolve(b"h_*->-", b"1"), key("h_1", Some("-")));
    }

    #[test]
    fn c_string_cut_at_nul() {
        assert_eq!(resolve(b"#\0x", b"e"), Target::Element);
        assert_eq!(resolve(b"a\0*", b"e"), Target::Nothing);
        // The key keeps the bytes after a NUL; the arrow search stops there.
        assert_eq!(resolve(b"k*\0->f", b"e"), key("ke\0->f", None));
    }
}
