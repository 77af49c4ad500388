//! Argument helpers shared by the list commands.

use crate::types::list::End;

/// `LEFT` / `RIGHT` (any case), as Redis's `getListPositionFromObjectOrReply`.
pub fn parse_end(arg: &[u8]) -> Option<End> {
    if arg.eq_ignore_ascii_case(b"left") {
        Some(End::Head)
    } else if arg.eq_ignore_ascii_case(b"right") {
        Some(End::Tail)
    } else {
        None
    }
}

/// Resolves LRANGE/LTRIM `start`/`stop` against a list of `len` elements:
/// negative indexes count from the tail; `None` when the range is empty.
pub fn resolve_range(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 {
        len.saturating_add(start)
    } else {
        start
    }
    .max(0);
    let stop = if stop < 0 {
        len.saturating_add(stop)
    } else {
        stop
    };
    if start > stop || start >= len {
        return None;
    }
    Some((start as usize, stop.min(len - 1) as usize))
}

/// Resolves an LINDEX/LSET index (negative from the tail); `None` when out
/// of range.
pub fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if index < 0 {
        len.saturating_add(index)
    } else {
        index
    };
    (0..len).contains(&i).then_some(i as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_redis() {
        assert_eq!(resolve_range(0, -1, 3), Some((0, 2)));
        assert_eq!(resolve_range(-100, 100, 3), Some((0, 2)));
        assert_eq!(resolve_range(2, 1, 3), None);
        assert_eq!(resolve_range(3, 5, 3), None);
        assert_eq!(resolve_range(-1, -1, 3), Some((2, 2)));
        assert_eq!(resolve_range(0, -4, 3), None);
        assert_eq!(resolve_range(i64::MIN, i64::MAX, 3), Some((0, 2)));
    }

    #[test]
    fn indexes_and_ends() {
        assert_eq!(resolve_index(-1, 3), Some(2));
        assert_eq!(resolve_index(3, 3), None);
        assert_eq!(resolve_index(-4, 3), None);
        assert_eq!(parse_end(b"LeFt"), Some(End::Head));
        assert_eq!(parse_end(b"up"), None);
    }
}
