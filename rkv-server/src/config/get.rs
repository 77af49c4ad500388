//! CONFIG GET: reading directive values by name or glob pattern.

use super::spec::Flags;
use super::table::{lookup, DIRECTIVES};
use super::Config;
use crate::glob::glob_match;

impl Config {
    /// CONFIG GET for one pattern, as Redis 7.0 answers it: a pattern
    /// without `*`, `?` or `[` is an exact (case-insensitive) lookup that
    /// echoes the name as given; otherwise every name and alias matching
    /// the glob is returned under that name.
    pub fn get(&self, pattern: &[u8]) -> Vec<(String, String)> {
        if !pattern.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
            let name = String::from_utf8_lossy(pattern);
            return match lookup(&name) {
                Some(spec) => vec![(name.into_owned(), spec.display(self))],
                None => Vec::new(),
            };
        }
        self.get_matching(|name| glob_match(pattern, name.as_bytes(), true))
    }

    /// Every directive whose canonical name or alias satisfies `matches`,
    /// as `(name, value)` pairs in table order; the server passes its glob
    /// matcher here. A directive reached by several of its names is listed
    /// under each, as Redis's name dictionary does.
    pub fn get_matching(&self, matches: impl Fn(&str) -> bool) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for spec in DIRECTIVES
            .iter()
            .filter(|s| !s.flags.contains(Flags::HIDDEN))
        {
            let names = std::iter::once(&spec.name).chain(spec.aliases);
            for name in names.filter(|n| matches(n)) {
                out.push((name.to_string(), spec.display(self)));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(config: &Config, pattern: &str) -> Vec<(String, String)> {
        config.get(pattern.as_bytes())
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn exact_name_is_echoed_as_given() {
        let c = Config::default();
        assert_eq!(get(&c, "PORT"), [pair("PORT", "6379")]);
        assert_eq!(get(&c, "nosuch"), []);
    }

    #[test]
    fn values_use_redis_forms() {
        let c = Config::default();
        assert_eq!(get(&c, "protected-mode"), [pair("protected-mode", "yes")]);
        assert_eq!(
            get(&c, "proto-max-bulk-len"),
            [pair("proto-max-bulk-len", "536870912")]
        );
        assert_eq!(get(&c, "bind"), [pair("bind", "127.0.0.1 -::1")]);
        assert_eq!(get(&c, "loglevel"), [pair("loglevel", "notice")]);
        assert_eq!(get(&c, "pidfile"), [pair("pidfile", "")]);
        let cwd = std::env::current_dir().unwrap().canonicalize().unwrap();
        assert_eq!(get(&c, "dir"), [pair("dir", cwd.to_str().unwrap())]);
    }

    #[test]
    fn glob_returns_canonical_names() {
        let c = Config::default();
        let names: Vec<String> = get(&c, "SLOWLOG*").into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["slowlog-log-slower-than", "slowlog-max-len"]);
        // Aliases match a glob too, as in Redis; hidden directives do not.
        let names_and_aliases: usize = DIRECTIVES
            .iter()
            .filter(|d| !d.flags.contains(Flags::HIDDEN))
            .map(|d| 1 + d.aliases.len())
            .sum();
        assert_eq!(get(&c, "*").len(), names_and_aliases);
        assert_eq!(get(&c, "rdb-key-*"), []);
        assert_eq!(
            get(&c, "rdb-key-save-delay"),
            [pair("rdb-key-save-delay", "0")]
        );
        assert_eq!(get(&c, "h[xz]"), [pair("hz", "10")]);
    }

    #[test]
    fn custom_matcher() {
        let c = Config::default();
        let got = c.get_matching(|n| n.ends_with("hz"));
        assert_eq!(got, [pair("hz", "10"), pair("dynamic-hz", "yes")]);
    }
}
