//! Key finding for SORT and SORT_RO (Redis's `sortGetKeys` and
//! `sortROGetKeys`): their BY/GET and STORE key specs are `unknown`, so
//! COMMAND GETKEYS asks these functions.

/// Flags of the sorted key.
const SOURCE: &[&str] = &["RO", "ACCESS"];
/// Flags of the STORE destination.
const DESTINATION: &[&str] = &["OW", "UPDATE"];

/// SORT: the sorted key, then the destination of the last STORE. Options
/// are skipped as Redis does (LIMIT takes two arguments, GET and BY one),
/// but STORE's argument is not skipped.
pub fn sort_keys(argv: &[&[u8]]) -> Vec<(usize, &'static [&'static str])> {
    let mut keys = vec![(1, SOURCE)];
    let mut store = None;
    let mut i = 2;
    while i < argv.len() {
        let word = argv[i];
        if word.eq_ignore_ascii_case(b"limit") {
            i += 2;
        } else if word.eq_ignore_ascii_case(b"get") || word.eq_ignore_ascii_case(b"by") {
            i += 1;
        } else if word.eq_ignore_ascii_case(b"store") && i + 1 < argv.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    keys.extend(store.map(|pos| (pos, DESTINATION)));
    keys
}

/// SORT_RO: only the sorted key.
pub fn sort_ro_keys(_argv: &[&[u8]]) -> Vec<(usize, &'static [&'static str])> {
    vec![(1, SOURCE)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(s: &str) -> Vec<usize> {
        let argv: Vec<&[u8]> = s.split(' ').map(str::as_bytes).collect();
        sort_keys(&argv).into_iter().map(|(p, _)| p).collect()
    }

    #[test]
    fn store_positions() {
        assert_eq!(positions("sort a"), [1]);
        assert_eq!(positions("sort a store"), [1]);
        assert_eq!(positions("sort a STORE d"), [1, 3]);
        assert_eq!(positions("sort a limit 1 2 store b store c"), [1, 8]);
        // GET's argument is skipped even when it reads "store".
        assert_eq!(positions("sort a get store x"), [1]);
        assert_eq!(positions("sort a by w_* limit store x store d"), [1, 8]);
        let argv: Vec<&[u8]> = vec![b"sort_ro", b"a", b"store", b"d"];
        assert_eq!(sort_ro_keys(&argv), [(1, SOURCE)]);
    }
}
