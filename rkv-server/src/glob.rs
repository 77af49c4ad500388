//! Glob-style pattern matching with the exact semantics of Redis 7.0's
//! `stringmatchlen` (used by `KEYS`, `SCAN MATCH`, `PSUBSCRIBE`, `CONFIG GET`...).
//!
//! Supported syntax: `*` (any run of bytes), `?` (any one byte), `[...]`
//! classes with `^` negation and `a-z` ranges (either order), and `\`
//! escapes both inside and outside classes. Malformed patterns behave as in
//! Redis: an unterminated class ends at the end of the pattern and a trailing
//! backslash matches a literal backslash.
//!
//! Note that, like Redis, the empty string matches no pattern except the empty
//! one (`*` does not match `""`): callers that treat a lone `*` as "everything"
//! must short-circuit it themselves, as Redis's `KEYS` and `SCAN` do.

/// Recursion bound of Debian's 7.0.15 (the CVE-2024-31228 fix): a `*` nested
/// deeper than this simply fails to match.
const MAX_NESTING: u32 = 1000;

/// Returns true when `string` matches the glob `pattern`.
///
/// With `nocase`, ASCII letters compare case-insensitively (C locale
/// `tolower`), except for `\`-escaped bytes inside a class, which Redis always
/// compares exactly.
pub fn glob_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer_matches = false;
    let mut matcher = Matcher {
        pattern,
        string,
        nocase,
        skip_longer_matches: &mut skip_longer_matches,
    };
    matcher.matches_from(0, 0, 0)
}

/// The inputs and shared early-exit flag of one `glob_match` call.
struct Matcher<'a> {
    pattern: &'a [u8],
    string: &'a [u8],
    nocase: bool,
    /// Set once the rest of the pattern after some `*` failed at every
    /// position: earlier `*`s then cannot help either (keeps matching linear).
    skip_longer_matches: &'a mut bool,
}

impl Matcher<'_> {
    /// The pattern byte at `i`, or 0 past the end (Redis reads the
    /// terminating NUL of its strings there).
    fn pat(&self, i: usize) -> u8 {
        self.pattern.get(i).copied().unwrap_or(0)
    }

    fn same_byte(&self, a: u8, b: u8) -> bool {
        if self.nocase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    }

    /// Whether `c` lies in the class range written as `from-to`. Redis
    /// compares plain (signed on x86) `char`s here, so bytes >= 0x80 sort
    /// below ASCII; we reproduce that.
    fn in_range(&self, from: u8, to: u8, c: u8) -> bool {
        let signed = |b: u8| {
            let b = if self.nocase {
                b.to_ascii_lowercase()
            } else {
                b
            };
            i32::from(b as i8)
        };
        let (mut lo, mut hi) = (signed(from), signed(to));
        if lo > hi {
            std::mem::swap(&mut lo, &mut hi);
        }
        let c = signed(c);
        lo <= c && c <= hi
    }

    /// Matches `pattern[p..]` against `string[s..]`.
    fn matches_from(&mut self, mut p: usize, mut s: usize, nesting: u32) -> bool {
        if nesting > MAX_NESTING {
            return false;
        }
        let plen = self.pattern.len();
        let slen = self.string.len();
        while p < plen && s < slen {
            match self.pattern[p] {
                b'*' => {
                    while self.pat(p + 1) == b'*' {
                        p += 1;
                    }
                    if p + 1 == plen {
                        return true;
                    }
                    while s < slen {
                        if self.matches_from(p + 1, s, nesting + 1) {
                            return true;
                        }
                        if *self.skip_longer_matches {
                            return false;
                        }
                        s += 1;
                    }
                    *self.skip_longer_matches = true;
                    return false;
                }
                b'?' => s += 1,
                b'[' => {
                    let (matched, end) = self.match_class(p + 1, self.string[s]);
                    if !matched {
                        return false;
                    }
                    p = end;
                    s += 1;
                }
                b'\\' => {
                    if plen - p >= 2 {
                        p += 1;
                    }
                    if !self.same_byte(self.pattern[p], self.string[s]) {
                        return false;
                    }
                    s += 1;
                }
                literal => {
                    if !self.same_byte(literal, self.string[s]) {
                        return false;
                    }
                    s += 1;
                }
            }
            p += 1;
            if s == slen {
                while self.pat(p) == b'*' {
                    p += 1;
                }
                break;
            }
        }
        p == plen && s == slen
    }

    /// Matches byte `c` against the class whose body starts at `p` (just
    /// after `[`). Returns whether it matched and the index of the class's
    /// last byte (its `]`, or the pattern's last byte when unterminated).
    fn match_class(&self, mut p: usize, c: u8) -> (bool, usize) {
        let plen = self.pattern.len();
        let negated = self.pat(p) == b'^';
        if negated {
            p += 1;
        }
        let mut matched = false;
        loop {
            let left = plen - p;
            let b = self.pat(p);
            if b == b'\\' && left >= 2 {
                p += 1;
                if self.pattern[p] == c {
                    matched = true;
                }
            } else if b == b']' {
                break;
            } else if left == 0 {
                // Unterminated: stay on the last byte so the caller's step
                // lands exactly at the end of the pattern.
                p -= 1;
                break;
            } else if left >= 3 && self.pattern[p + 1] == b'-' {
                if self.in_range(b, self.pattern[p + 2], c) {
                    matched = true;
                }
                p += 2;
            } else if self.same_byte(b, c) {
                matched = true;
            }
            p += 1;
        }
        (matched != negated, p)
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    /// (pattern, string, nocase, expected). All case-sensitive rows were
    /// checked against redis-server 7.0.15 with `KEYS`, and the nocase rows
    /// on `get` with `COMMAND LIST FILTERBY PATTERN` (which matches nocase).
    const CASES: &[(&[u8], &[u8], bool, bool)] = &[
        // Literals, `?`, `*`.
        (b"", b"", false, true),
        (b"", b"a", false, false),
        (b"a", b"", false, false),
        (b"*", b"", false, false),
        (b"**", b"", false, false),
        (b"abc", b"abc", false, true),
        (b"abc", b"abd", false, false),
        (b"abc", b"ab", false, false),
        (b"ab", b"abc", false, false),
        (b"a?c", b"abc", false, true),
        (b"a?c", b"ac", false, false),
        (b"???", b"abc", false, true),
        (b"???", b"ab", false, false),
        (b"*", b"anything", false, true),
        (b"a*", b"a", false, true),
        (b"a*", b"abc", false, true),
        (b"*c", b"abc", false, true),
        (b"*c", b"abd", false, false),
        (b"a*c", b"ac", false, true),
        (b"a*c", b"abbbc", false, true),
        (b"a*c", b"abbbcd", false, false),
        (b"a**c", b"abc", false, true),
        (b"a*b*c", b"axbyc", false, true),
        (b"a*b*c", b"axbyd", false, false),
        (b"*a*", b"bab", false, true),
        (b"h*llo", b"heeeello", false, true),
        (b"h?llo", b"hallo", false, true),
        (b"a*?", b"a", false, false),
        (b"a*?", b"ab", false, true),
        (
            b"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            false,
            false,
        ),
        // Classes.
        (b"h[ae]llo", b"hello", false, true),
        (b"h[ae]llo", b"hallo", false, true),
        (b"h[ae]llo", b"hillo", false, false),
        (b"h[^e]llo", b"hallo", false, true),
        (b"h[^e]llo", b"hello", false, false),
        (b"h[a-b]llo", b"hbllo", false, true),
        (b"h[b-a]llo", b"hbllo", false, true),
        (b"h[b-a]llo", b"hcllo", false, false),
        // `a-]` is read as the range `]`..`a`, so the class never closes.
        (b"[a-]", b"-", false, false),
        (b"[a-]", b"a", false, true),
        (b"[a-]", b"^", false, true),
        (b"[-a]", b"-", false, true),
        (b"[]", b"]", false, false),
        (b"[]]", b"]", false, false),
        (b"[]a]", b"a", false, false),
        (b"[^]", b"x", false, true),
        (b"[^]", b"", false, false),
        (b"[\\]]", b"]", false, true),
        (b"[\\-]", b"-", false, true),
        (b"[\\^a]", b"^", false, true),
        (b"[a\\-c]", b"b", false, false),
        (b"[a\\-c]", b"-", false, true),
        (b"[*]", b"*", false, true),
        (b"[*]", b"a", false, false),
        (b"[?]", b"a", false, false),
        // Unterminated classes and trailing backslashes.
        (b"[", b"[", false, false),
        (b"[", b"a", false, false),
        (b"[a", b"a", false, true),
        (b"[a", b"b", false, false),
        (b"[^", b"x", false, true),
        (b"[^a", b"b", false, true),
        (b"[a-", b"-", false, true),
        (b"[a-", b"a", false, true),
        (b"[a-c", b"b", false, true),
        (b"a[", b"a", false, false),
        (b"[\\", b"\\", false, true),
        (b"\\", b"\\", false, true),
        (b"a\\", b"a\\", false, true),
        (b"\\*", b"*", false, true),
        (b"\\*", b"a", false, false),
        (b"\\?", b"?", false, true),
        (b"\\[a]", b"[a]", false, true),
        (b"\\a", b"a", false, true),
        // Signed-char ranges: bytes >= 0x80 sort below ASCII in Redis.
        (b"[a-\xff]", b"0", false, true),
        (b"[a-\xff]", b"\x80", false, false),
        (b"[\x80-\xff]", b"\x90", false, true),
        (b"[\x80-a]", b"Z", false, true),
        // Case folding.
        (b"HELLO", b"hello", true, true),
        (b"HELLO", b"hello", false, false),
        (b"h[A-C]llo", b"hbllo", true, true),
        (b"h[a-c]llo", b"hBllo", true, true),
        (b"h[a-c]llo", b"hBllo", false, false),
        (b"h[^B]llo", b"hbllo", true, false),
        (b"[\\A]", b"a", true, false),
        (b"\\A", b"a", true, true),
        (b"G[A-F]T", b"get", true, true),
        (b"g[a-f]t", b"get", true, true),
        (b"G[e]T", b"get", true, true),
        (b"[^G]et", b"get", true, false),
        (b"[\\G]et", b"get", true, false),
        (b"[\\g]et", b"get", true, true),
        (b"\\Get", b"get", true, true),
        (b"[h-f]ET", b"get", true, true),
        (b"*ET", b"get", true, true),
    ];

    #[test]
    fn case_table() {
        for &(pattern, string, nocase, expected) in CASES {
            assert_eq!(
                glob_match(pattern, string, nocase),
                expected,
                "pattern {:?} string {:?} nocase {nocase}",
                String::from_utf8_lossy(pattern),
                String::from_utf8_lossy(string),
            );
        }
    }

    #[test]
    fn deep_star_nesting_fails_like_redis_instead_of_overflowing() {
        let string = vec![b'a'; 50_000];
        let pattern = b"*?".repeat(50_000);
        assert!(!glob_match(&pattern, &string, false));
        // Within the nesting bound the same shape still matches.
        let short = b"*?".repeat(500);
        assert!(glob_match(&short, &string, false));
        assert!(glob_match(&short, &string[..500], false));
        assert!(!glob_match(&short, &string[..499], false));
    }

    /// Boundary checked against redis-server 7.0.15: 1000 nested `*` still
    /// match, 1001 do not.
    #[test]
    fn nesting_limit_is_exactly_one_thousand_stars() {
        let string = vec![b'a'; 3000];
        assert!(glob_match(&b"*?".repeat(999), &string, false));
        assert!(glob_match(&b"*?".repeat(1000), &string, false));
        assert!(!glob_match(&b"*?".repeat(1001), &string, false));
        assert!(!glob_match(&b"*?".repeat(1002), &string, false));
    }

    #[test]
    fn long_star_chain_is_not_exponential() {
        let string = vec![b'a'; 10_000];
        let mut pattern = b"*a".repeat(5_000);
        pattern.push(b'b');
        assert!(!glob_match(&pattern, &string, false));
    }
}
