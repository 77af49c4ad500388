//! Parsing of SORT's SQL-like options, in Redis's order of checks: the
//! whole argument list is read before the key is looked up, so a syntax
//! error wins over WRONGTYPE.

use super::pattern::as_c_str;
use crate::errors;

/// What a SORT call asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SortOptions<'a> {
    /// DESC (the last of ASC/DESC wins).
    pub desc: bool,
    /// ALPHA: compare as strings rather than as doubles.
    pub alpha: bool,
    /// LIMIT offset count, as given (Redis clamps them later).
    pub limit: Option<(i64, i64)>,
    /// STORE destination (the last one wins); never set for SORT_RO.
    pub store: Option<&'a [u8]>,
    /// BY pattern (the last one wins).
    pub by: Option<&'a [u8]>,
    /// GET patterns, in order.
    pub gets: Vec<&'a [u8]>,
    /// Some BY pattern had no `*` (such as `nosort`): it names no weight
    /// keys, so Redis skips sorting — even if a later BY has a `*`.
    pub dont_sort: bool,
}

impl SortOptions<'_> {
    /// The BY pattern that supplies weights when sorting (the last BY).
    pub fn weight_pattern(&self) -> Option<&[u8]> {
        self.by
    }
}

/// Parses `args` (everything after the key). `readonly` (SORT_RO) makes
/// STORE an unknown option. Errors are Redis's reply texts.
pub fn parse<'a>(args: &[&'a [u8]], readonly: bool) -> Result<SortOptions<'a>, &'static str> {
    let mut o = SortOptions::default();
    let mut j = 0;
    while j < args.len() {
        let left = args.len() - j - 1;
        let word = args[j];
        let is = |name: &str| word.eq_ignore_ascii_case(name.as_bytes());
        if is("asc") {
            o.desc = false;
        } else if is("desc") {
            o.desc = true;
        } else if is("alpha") {
            o.alpha = true;
        } else if is("limit") && left >= 2 {
            let offset = rkv_proto::request::parse_i64(args[j + 1]).ok_or(errors::NOT_INTEGER)?;
            let count = rkv_proto::request::parse_i64(args[j + 2]).ok_or(errors::NOT_INTEGER)?;
            o.limit = Some((offset, count));
            j += 2;
        } else if !readonly && is("store") && left >= 1 {
            o.store = Some(args[j + 1]);
            j += 1;
        } else if is("by") && left >= 1 {
            o.by = Some(args[j + 1]);
            o.dont_sort |= !as_c_str(args[j + 1]).contains(&b'*');
            j += 1;
        } else if is("get") && left >= 1 {
            o.gets.push(args[j + 1]);
            j += 1;
        } else {
            return Err(errors::SYNTAX);
        }
        j += 1;
    }
    Ok(o)
}

/// The inclusive output range `(start, end)` over `len` elements for a
/// LIMIT, clamped exactly as Redis does; `end < start` means no output.
pub fn output_range(limit: Option<(i64, i64)>, len: usize) -> (i64, i64) {
    let len = len as i64;
    let (offset, count) = limit.unwrap_or((0, -1));
    let mut start = offset.clamp(0, len);
    let count = count.max(-1).min(len);
    let mut end = if count < 0 {
        len - 1
    } else {
        start + count - 1
    };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<&[u8]> {
        s.split(' ')
            .filter(|w| !w.is_empty())
            .map(str::as_bytes)
            .collect()
    }

    #[test]
    fn options_in_any_order_last_wins() {
        let a = args("DESC limit 1 2 by w_* GET # get h_*->f alpha STORE d asc store e");
        let o = parse(&a, false).unwrap();
        assert!(!o.desc && o.alpha);
        assert_eq!(o.limit, Some((1, 2)));
        assert_eq!(o.by, Some(&b"w_*"[..]));
        assert_eq!(o.gets, vec![&b"#"[..], b"h_*->f"]);
        assert_eq!(o.store, Some(&b"e"[..]));
        assert!(!o.dont_sort);
        assert_eq!(o.weight_pattern(), Some(&b"w_*"[..]));
    }

    #[test]
    fn errors_as_redis() {
        assert_eq!(parse(&args("LIMIT 1"), false), Err(errors::SYNTAX));
        assert_eq!(parse(&args("LIMIT x 1"), false), Err(errors::NOT_INTEGER));
        assert_eq!(parse(&args("LIMIT 1 1.5"), false), Err(errors::NOT_INTEGER));
        assert_eq!(parse(&args("GET"), false), Err(errors::SYNTAX));
        assert_eq!(parse(&args("STORE d"), true), Err(errors::SYNTAX));
        assert_eq!(parse(&args("nosuch"), false), Err(errors::SYNTAX));
    }

    #[test]
    fn constant_by_means_no_sort() {
        let a = args("BY nosort");
        let o = parse(&a, false).unwrap();
        assert!(o.dont_sort);
        // strchr stops at a NUL byte.
        let a: Vec<&[u8]> = vec![b"BY", b"w\0*"];
        assert!(parse(&a, false).unwrap().dont_sort);
        // A constant BY turns sorting off for good, as in Redis.
        let a = args("BY nosort BY w_*");
        assert!(parse(&a, false).unwrap().dont_sort);
    }

    #[test]
    fn limit_clamping() {
        assert_eq!(output_range(None, 5), (0, 4));
        assert_eq!(output_range(Some((1, 2)), 5), (1, 2));
        assert_eq!(output_range(Some((-3, 2)), 5), (0, 1));
        assert_eq!(output_range(Some((2, -7)), 5), (2, 4));
        assert_eq!(output_range(Some((3, 100)), 5), (3, 4));
        assert_eq!(output_range(Some((5, 1)), 5), (4, 3));
        assert_eq!(output_range(Some((0, 0)), 5), (0, -1));
        assert_eq!(output_range(None, 0), (-1, -2));
        assert_eq!(output_range(Some((i64::MAX, i64::MAX)), 3), (2, 1));
    }
}
