//! Key positions of a concrete call, found by walking the command's key specs
//! the way Redis's `getKeysUsingKeySpecs` does. COMMAND GETKEYS uses this now;
//! ACL key patterns and cluster slot checks will too.

use super::spec::{BeginSearch, CommandSpec, FindKeys};

/// Whether the command's key specs can't find all its keys (one is
/// `unknown`), so its own `get_keys` must: Redis falls back to the
/// `get_keys_function` when a spec is incomplete.
pub fn uses_get_keys(spec: &CommandSpec) -> bool {
    spec.get_keys.is_some()
        && spec
            .keys
            .iter()
            .any(|k| k.begin == BeginSearch::Unknown || k.find == FindKeys::Unknown)
}

/// The argument indexes of the keys in `argv` (command name at 0), or `None`
/// when the arguments do not fit a key spec (a syntax error for the command).
pub fn key_positions(spec: &CommandSpec, argv: &[&[u8]]) -> Option<Vec<usize>> {
    if let (true, Some(get_keys)) = (uses_get_keys(spec), spec.get_keys) {
        return Some(get_keys(argv).into_iter().map(|(pos, _)| pos).collect());
    }
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for ks in spec.keys {
        let first = match ks.begin {
            BeginSearch::Unknown => continue,
            BeginSearch::Index(i) => i as i64,
            BeginSearch::Keyword { keyword, startfrom } => {
                let found = if startfrom >= 0 {
                    (startfrom as i64..argc)
                        .find(|&i| argv[i as usize].eq_ignore_ascii_case(keyword.as_bytes()))
                } else {
                    (1..=(argc + startfrom as i64))
                        .rev()
                        .find(|&i| argv[i as usize].eq_ignore_ascii_case(keyword.as_bytes()))
                };
                match found {
                    Some(i) => i + 1,
                    None => continue,
                }
            }
        };
        if first >= argc {
            return None;
        }
        let (first, last, step) = match ks.find {
            FindKeys::Range {
                lastkey,
                step,
                limit,
            } => {
                let last = if lastkey >= 0 {
                    first + lastkey as i64
                } else if limit == 0 {
                    argc + lastkey as i64
                } else {
                    first + ((argc - first) / limit as i64 + lastkey as i64)
                };
                (first, last, step as i64)
            }
            FindKeys::Keynum {
                keynumidx,
                firstkey,
                step,
            } => {
                let idx = first + keynumidx as i64;
                if idx >= argc {
                    return None;
                }
                let n = rkv_proto::request::parse_i64(argv[idx as usize]).filter(|n| *n >= 0)?;
                let first = first + firstkey as i64;
                (first, first + n - 1, step as i64)
            }
            FindKeys::Unknown => continue,
        };
        if last < first {
            // Zero keys from a keynum spec is not an error.
            continue;
        }
        if last >= argc || first >= argc {
            return None;
        }
        let mut i = first;
        while i <= last {
            keys.push(i as usize);
            i += step.max(1);
        }
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::super::spec::KeySpec;
    use super::*;

    fn spec(keys: &'static [KeySpec]) -> CommandSpec {
        CommandSpec {
            name: "x",
            keys,
            ..CommandSpec::BASE
        }
    }

    #[test]
    fn ranges_and_keynums() {
        static MSET: &[KeySpec] = &[KeySpec::range(&["OW", "UPDATE"], 1, -1, 2)];
        let argv: Vec<&[u8]> = vec![b"mset", b"a", b"1", b"b", b"2"];
        assert_eq!(key_positions(&spec(MSET), &argv), Some(vec![1, 3]));

        static ZUNION: &[KeySpec] = &[KeySpec {
            flags: &["RO"],
            begin: BeginSearch::Index(1),
            find: FindKeys::Keynum {
                keynumidx: 0,
                firstkey: 1,
                step: 1,
            },
        }];
        let argv: Vec<&[u8]> = vec![b"zunion", b"2", b"a", b"b", b"WEIGHTS", b"1", b"2"];
        assert_eq!(key_positions(&spec(ZUNION), &argv), Some(vec![2, 3]));
        let argv: Vec<&[u8]> = vec![b"zunion", b"x", b"a"];
        assert_eq!(key_positions(&spec(ZUNION), &argv), None);
    }

    #[test]
    fn keyword_search() {
        static STREAMS: &[KeySpec] = &[KeySpec {
            flags: &["RO"],
            begin: BeginSearch::Keyword {
                keyword: "STREAMS",
                startfrom: 1,
            },
            find: FindKeys::Range {
                lastkey: -1,
                step: 1,
                limit: 2,
            },
        }];
        let argv: Vec<&[u8]> = vec![
            b"xread", b"COUNT", b"2", b"streams", b"s1", b"s2", b"0", b"0",
        ];
        assert_eq!(key_positions(&spec(STREAMS), &argv), Some(vec![4, 5]));
    }
}
