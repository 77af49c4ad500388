//! Pure hash operations behind HINCRBY, HINCRBYFLOAT and HSCAN, free of
//! any connection so they can be tested directly.

use crate::errors::{OpError, FLOAT_NAN_OR_INF};
use crate::glob::glob_match;
use crate::types::HashValue;
use crate::util::long_double::{LongDouble, Parsed};

/// HINCRBY on a field whose value is not an integer.
pub const HASH_NOT_INTEGER: &str = "ERR hash value is not an integer";
/// HINCRBYFLOAT on a field whose value is not a number.
pub const HASH_NOT_FLOAT: &str = "ERR hash value is not a float";
/// HINCRBYFLOAT with an infinite increment.
pub const INCR_NAN_OR_INF: &str = "ERR value is NaN or Infinity";

/// HINCRBY's arithmetic: the field's integer (0 when missing) plus `incr`.
pub fn incr_by(current: Option<&[u8]>, incr: i64) -> Result<i64, OpError> {
    let value = match current {
        None => 0,
        Some(v) => rkv_proto::request::parse_i64(v)
            .ok_or_else(|| OpError::Other(HASH_NOT_INTEGER.to_string()))?,
    };
    value.checked_add(incr).ok_or(OpError::Overflow)
}

/// HINCRBYFLOAT's increment argument, as `getLongDoubleFromObjectOrReply`
/// and the NaN/infinity check that follows read it.
pub fn parse_float_increment(arg: &[u8]) -> Result<LongDouble, OpError> {
    match LongDouble::parse(arg) {
        None => Err(OpError::NotFloat),
        Some(Parsed::Infinite) => Err(OpError::Other(INCR_NAN_OR_INF.to_string())),
        Some(Parsed::Finite(v)) => Ok(v),
    }
}

/// HINCRBYFLOAT's arithmetic in emulated `long double`: the field's value
/// (0 when missing) plus `incr`, as the text Redis stores and replies with.
pub fn incr_by_float(current: Option<&[u8]>, incr: LongDouble) -> Result<String, OpError> {
    let not_finite = || OpError::Other(FLOAT_NAN_OR_INF.to_string());
    let value = match current {
        None => LongDouble::ZERO,
        Some(v) => match LongDouble::parse(v) {
            None => return Err(OpError::Other(HASH_NOT_FLOAT.to_string())),
            Some(Parsed::Infinite) => return Err(not_finite()),
            Some(Parsed::Finite(v)) => v,
        },
    };
    value
        .checked_add(incr)
        .map(LongDouble::to_human_string)
        .ok_or_else(not_finite)
}

/// One page of an HSCAN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HashScanPage {
    /// Cursor for the next call; 0 when the iteration is complete.
    pub cursor: u64,
    /// Fields and values of this page.
    pub pairs: Vec<(Vec<u8>, Vec<u8>)>,
}

/// One HSCAN step as Redis's `scanGenericCommand`: a listpack hash is
/// returned whole with cursor 0; a table is walked bucket by bucket until
/// `count` fields were collected or `20 × count` buckets visited (Redis
/// doubles COUNT for hashes, counting fields and values). `pattern`
/// filters fields.
pub fn op_hscan(
    hash: &HashValue,
    mut cursor: u64,
    pattern: Option<&[u8]>,
    count: usize,
) -> HashScanPage {
    let count = count.max(1);
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    if let HashValue::Listpack(_) = hash {
        hash.for_each(|k, v| pairs.push((k.to_vec(), v.to_vec())));
        cursor = 0;
    } else {
        let mut budget = count.saturating_mul(20);
        loop {
            cursor = hash.scan(cursor, |k, v| pairs.push((k.to_vec(), v.to_vec())));
            if cursor == 0 || budget == 0 {
                break;
            }
            budget -= 1;
            if pairs.len() >= count {
                break;
            }
        }
    }
    if let Some(p) = pattern {
        pairs.retain(|(k, _)| glob_match(p, k, false));
    }
    HashScanPage { cursor, pairs }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::hash::HashLimits;
    use std::collections::HashSet;

    #[test]
    fn integer_increments() {
        assert_eq!(incr_by(None, 5), Ok(5));
        assert_eq!(incr_by(Some(b"-3"), 1), Ok(-2));
        assert_eq!(
            incr_by(Some(b"1.5"), 1),
            Err(OpError::Other(HASH_NOT_INTEGER.to_string()))
        );
        assert_eq!(
            incr_by(Some(b" 1"), 1),
            Err(OpError::Other(HASH_NOT_INTEGER.to_string()))
        );
        assert_eq!(
            incr_by(Some(b"9223372036854775807"), 1),
            Err(OpError::Overflow)
        );
        assert_eq!(
            incr_by(Some(b"-9223372036854775808"), -1),
            Err(OpError::Overflow)
        );
    }

    #[test]
    fn float_increments() {
        let incr = parse_float_increment(b"0.1").unwrap();
        assert_eq!(incr_by_float(Some(b"10.5"), incr).as_deref(), Ok("10.6"));
        assert_eq!(incr_by_float(None, incr).as_deref(), Ok("0.1"));
        let incr = parse_float_increment(b"3.0e-2").unwrap();
        assert_eq!(
            incr_by_float(Some(b"1000"), incr).as_deref(),
            Ok("1000.03000000000000003")
        );
        assert_eq!(
            incr_by_float(Some(b"abc"), incr),
            Err(OpError::Other(HASH_NOT_FLOAT.to_string()))
        );
        assert_eq!(
            incr_by_float(Some(b"inf"), incr),
            Err(OpError::Other(FLOAT_NAN_OR_INF.to_string()))
        );
        assert_eq!(parse_float_increment(b"x"), Err(OpError::NotFloat));
        assert_eq!(
            parse_float_increment(b"-inf"),
            Err(OpError::Other(INCR_NAN_OR_INF.to_string()))
        );
    }

    #[test]
    fn hscan_listpack_returns_everything_at_once() {
        let mut h = HashValue::default();
        for i in 0..20 {
            h.set(format!("f{i}").as_bytes(), b"v", HashLimits::default());
        }
        let page = op_hscan(&h, 0, None, 2);
        assert_eq!(page.cursor, 0);
        assert_eq!(page.pairs.len(), 20);
        let page = op_hscan(&h, 0, Some(b"f1*"), 10);
        assert_eq!(page.pairs.len(), 11);
    }

    #[test]
    fn hscan_table_pages_cover_every_field() {
        let mut h = HashValue::default();
        for i in 0..2000 {
            h.set(format!("f{i}").as_bytes(), b"v", HashLimits::default());
        }
        assert_eq!(h.encoding(), "hashtable");
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut calls = 0;
        loop {
            let page = op_hscan(&h, cursor, None, 10);
            assert!(page.pairs.len() < 100);
            if page.cursor != 0 {
                assert!(page.pairs.len() >= 10, "COUNT counts fields");
            }
            seen.extend(page.pairs.into_iter().map(|(k, _)| k));
            calls += 1;
            cursor = page.cursor;
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 2000);
        assert!(calls > 10);
    }
}
