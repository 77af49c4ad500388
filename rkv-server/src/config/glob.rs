//! A small case-insensitive glob matcher for CONFIG GET patterns
//! (`*`, `?`, `[abc]`, `[^a-z]`, `\` escapes), so that [`Config::get`]
//! works without depending on the server's general matcher.
//!
//! [`Config::get`]: super::Config::get

/// Whether `text` matches `pattern`, ignoring ASCII case.
pub fn matches_nocase(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where to resume after the last `*`: (pattern index, text index).
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        let step = if p < pattern.len() {
            single(pattern, p, text[t])
        } else {
            None
        };
        match step {
            Some(Step::Star) => {
                backtrack = Some((p + 1, t));
                p += 1;
                continue;
            }
            Some(Step::Matched(next)) => {
                p = next;
                t += 1;
                continue;
            }
            None => {}
        }
        match backtrack {
            Some((star_p, star_t)) => {
                p = star_p;
                t = star_t + 1;
                backtrack = Some((star_p, star_t + 1));
            }
            None => return false,
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&b| b == b'*')
}

enum Step {
    Star,
    Matched(usize),
}

/// Tries the pattern element at `p` against one byte `c`.
fn single(pattern: &[u8], p: usize, c: u8) -> Option<Step> {
    match pattern[p] {
        b'*' => Some(Step::Star),
        b'?' => Some(Step::Matched(p + 1)),
        b'[' => class(pattern, p + 1, c),
        b'\\' if p + 1 < pattern.len() => eq(pattern[p + 1], c).then_some(Step::Matched(p + 2)),
        b => eq(b, c).then_some(Step::Matched(p + 1)),
    }
}

/// Matches a `[...]` class starting just after the `[`.
fn class(pattern: &[u8], mut p: usize, c: u8) -> Option<Step> {
    let negate = pattern.get(p) == Some(&b'^');
    if negate {
        p += 1;
    }
    let mut hit = false;
    while p < pattern.len() && pattern[p] != b']' {
        if pattern[p] == b'\\' && p + 1 < pattern.len() {
            hit |= eq(pattern[p + 1], c);
            p += 2;
        } else if p + 2 < pattern.len() && pattern[p + 1] == b'-' && pattern[p + 2] != b']' {
            let (a, b) = (
                pattern[p].to_ascii_lowercase(),
                pattern[p + 2].to_ascii_lowercase(),
            );
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            hit |= (lo..=hi).contains(&c.to_ascii_lowercase());
            p += 3;
        } else {
            hit |= eq(pattern[p], c);
            p += 1;
        }
    }
    // An unterminated class behaves as if closed at the end of the pattern.
    let next = (p + 1).min(pattern.len());
    (hit != negate).then_some(Step::Matched(next))
}

fn eq(a: u8, b: u8) -> bool {
    a.eq_ignore_ascii_case(&b)
}

#[cfg(test)]
mod tests {
    use super::matches_nocase as m;

    #[test]
    fn wildcards() {
        assert!(m(b"*", b"port"));
        assert!(m(b"*", b""));
        assert!(m(b"p*t", b"port"));
        assert!(m(b"*-*", b"tcp-backlog"));
        assert!(!m(b"p*x", b"port"));
        assert!(m(b"p?rt", b"PORT"));
        assert!(!m(b"p?rt", b"prt"));
        assert!(m(b"*max*", b"slowlog-max-len"));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(m(b"[pq]ort", b"port"));
        assert!(!m(b"[^p]ort", b"port"));
        assert!(m(b"[a-z]z", b"Hz"));
        assert!(m(b"h\\z", b"hz"));
        assert!(m(b"\\*", b"*"));
        assert!(!m(b"\\*", b"x"));
    }
}
