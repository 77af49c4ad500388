//! Keeps the sample `rkv.conf` at the repository root in step with the
//! directive table: it must load cleanly, mention every directive, and
//! state every default correctly.

use super::spec::Flags;
use super::split_args::split_args;
use super::{Config, DIRECTIVES};

const SAMPLE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../rkv.conf"));

#[test]
fn sample_loads_and_yields_the_defaults() {
    let loaded = Config::from_text(SAMPLE, "rkv.conf").unwrap();
    // `dir .` is resolved to an absolute path when read from a file.
    let expected = Config {
        dir: std::env::current_dir().unwrap().canonicalize().unwrap(),
        ..Config::default()
    };
    assert_eq!(loaded.config, expected);
}

#[test]
fn sample_sets_every_directive_of_the_table() {
    let set_names: Vec<String> = SAMPLE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| split_args(l).and_then(|argv| argv.into_iter().next()))
        .collect();
    let documented: Vec<_> = DIRECTIVES
        .iter()
        .filter(|s| !s.flags.contains(Flags::HIDDEN))
        .collect();
    for spec in &documented {
        assert!(
            set_names.iter().any(|n| n == spec.name),
            "rkv.conf does not document '{}'",
            spec.name
        );
    }
    assert_eq!(
        set_names.len(),
        documented.len(),
        "rkv.conf sets a directive twice"
    );
}
