//! CONFIG SET: changing one or more directives at run time, all or
//! nothing, with Redis 7.0's error replies.

use super::spec::{DirectiveSpec, Flags};
use super::table::lookup;
use super::Config;

/// Why CONFIG SET refused; `Display` gives the exact Redis error reply
/// (without the leading `-`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigSetError {
    /// A parameter name is not a known directive.
    #[error("ERR Unknown option or number of arguments for CONFIG SET - '{0}'")]
    UnknownOption(String),
    /// A parameter was refused: immutable, protected, given twice, or a bad
    /// value. `name` is the parameter as Redis names it in the reply.
    #[error("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")]
    Failed {
        /// The parameter the error is about.
        name: String,
        /// Redis's reason text.
        reason: String,
    },
}

impl Config {
    /// CONFIG SET with `pairs` of (name, value), atomically: either every
    /// value is stored or none is. Returns the canonical names whose value
    /// changed, in argument order, so the server can react (re-bind on
    /// `port`/`bind`, change directory on `dir`, ...).
    ///
    /// Protected directives (`dir`) are refused, as with Redis's default
    /// `enable-protected-configs no`; see [`Config::set_many_with`].
    pub fn set_many(
        &mut self,
        pairs: &[(Vec<u8>, Vec<u8>)],
    ) -> Result<Vec<&'static str>, ConfigSetError> {
        self.set_many_with(pairs, false)
    }

    /// [`Config::set_many`], also allowing protected directives when
    /// `allow_protected` is true (the caller decides, as Redis's
    /// `enable-protected-configs` does per client).
    pub fn set_many_with(
        &mut self,
        pairs: &[(Vec<u8>, Vec<u8>)],
        allow_protected: bool,
    ) -> Result<Vec<&'static str>, ConfigSetError> {
        let specs = resolve(pairs, allow_protected)?;
        let mut updated = self.clone();
        let mut changed = Vec::new();
        for (spec, (_, raw)) in specs.iter().zip(pairs) {
            let text = String::from_utf8_lossy(raw);
            // Multi-word values arrive as one argument split on single spaces.
            let args: Vec<String> = if spec.is_multi_arg() {
                if text.is_empty() {
                    Vec::new()
                } else {
                    text.split(' ').map(str::to_string).collect()
                }
            } else {
                vec![text.into_owned()]
            };
            let value = spec.parse(&args).map_err(|reason| ConfigSetError::Failed {
                name: spec.name.to_string(),
                reason,
            })?;
            if (spec.read)(&updated) != value {
                (spec.write)(&mut updated, value);
                changed.push(spec.name);
            }
        }
        *self = updated;
        Ok(changed)
    }
}

/// Finds the directive of every pair, applying Redis's precedence: the
/// first problem found wins, but an unknown name found before any other
/// problem is reported as such.
fn resolve(
    pairs: &[(Vec<u8>, Vec<u8>)],
    allow_protected: bool,
) -> Result<Vec<&'static DirectiveSpec>, ConfigSetError> {
    let mut specs: Vec<&'static DirectiveSpec> = Vec::with_capacity(pairs.len());
    for (raw_name, _) in pairs {
        let given = String::from_utf8_lossy(raw_name).into_owned();
        let spec = lookup(&given).ok_or_else(|| ConfigSetError::UnknownOption(given.clone()))?;
        let refusal = if spec.flags.contains(Flags::IMMUTABLE) {
            Some("can't set immutable config")
        } else if spec.flags.contains(Flags::PROTECTED) && !allow_protected {
            Some("can't set protected config")
        } else if specs.iter().any(|s| std::ptr::eq(*s, spec)) {
            Some("duplicate parameter")
        } else {
            None
        };
        if let Some(reason) = refusal {
            return Err(ConfigSetError::Failed {
                name: given,
                reason: reason.to_string(),
            });
        }
        specs.push(spec);
    }
    Ok(specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(config: &mut Config, args: &[&str]) -> Result<Vec<&'static str>, String> {
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = args
            .chunks(2)
            .map(|p| (p[0].as_bytes().to_vec(), p[1].as_bytes().to_vec()))
            .collect();
        config.set_many(&pairs).map_err(|e| e.to_string())
    }

    #[test]
    fn sets_and_reports_changes() {
        let mut c = Config::default();
        assert_eq!(
            set(&mut c, &["PORT", "7000", "timeout", "0"]),
            Ok(vec!["port"])
        );
        assert_eq!(c.port, 7000);
        assert_eq!(
            set(&mut c, &["proto-max-bulk-len", "2mb"]),
            Ok(vec!["proto-max-bulk-len"])
        );
        assert_eq!(c.proto_max_bulk_len, 2 * 1024 * 1024);
        assert_eq!(set(&mut c, &["loglevel", "WARNING"]), Ok(vec!["loglevel"]));
        assert_eq!(c.loglevel, crate::config::LogLevel::Warning);
    }

    #[test]
    fn multi_word_and_empty_values() {
        let mut c = Config::default();
        set(&mut c, &["bind", "0.0.0.0 -::*"]).unwrap();
        assert_eq!(c.bind, ["0.0.0.0", "-::*"]);
        let seventeen = vec!["::1"; 17].join(" ");
        assert_eq!(
            set(&mut c, &["bind", &seventeen]).unwrap_err(),
            "ERR CONFIG SET failed (possibly related to argument 'bind') - \
             Too many bind addresses specified."
        );
        set(&mut c, &["bind", ""]).unwrap();
        assert!(c.bind.is_empty());
        set(&mut c, &["requirepass", "secret"]).unwrap();
        assert_eq!(c.requirepass.as_deref(), Some("secret"));
        set(&mut c, &["requirepass", ""]).unwrap();
        assert_eq!(c.requirepass, None);
    }

    #[test]
    fn hz_is_capped_not_refused() {
        let mut c = Config::default();
        set(&mut c, &["hz", "1000"]).unwrap();
        assert_eq!(c.hz, 500);
        set(&mut c, &["hz", "0"]).unwrap();
        assert_eq!(c.hz, 1);
    }

    #[test]
    fn failure_restores_everything() {
        let mut c = Config::default();
        let before = c.clone();
        let err = set(&mut c, &["timeout", "5", "port", "99999"]).unwrap_err();
        assert_eq!(
            err,
            "ERR CONFIG SET failed (possibly related to argument 'port') - \
             argument must be between 0 and 65535 inclusive"
        );
        assert_eq!(c, before);
    }

    #[test]
    fn redis_error_texts() {
        let mut c = Config::default();
        let cases: &[(&[&str], &str)] = &[
            (&["foo", "bar"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
            (&["port", "1", "foo", "2"], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
            (&["port", "1", "PORT", "2"], "ERR CONFIG SET failed (possibly related to argument 'PORT') - duplicate parameter"),
            (&["databases", "3"], "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"),
            (&["databases", "1", "foo", "2"], "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"),
            (&["daemonize", "yes"], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
            (&["enable-debug-command", "yes"], "ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config"),
            (&["dir", "/tmp"], "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"),
            (&["loglevel", "xx"], "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"),
            (&["protected-mode", "maybe"], "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - argument must be 'yes' or 'no'"),
            (&["proto-max-bulk-len", "1x"], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be a memory value"),
            (&["proto-max-bulk-len", "1k"], "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"),
            (&["timeout", "abc"], "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"),
            (&["maxclients", "0"], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"),
            (&["slowlog-log-slower-than", "-2"], "ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive"),
        ];
        for (args, want) in cases {
            assert_eq!(set(&mut c, args).unwrap_err(), *want, "{args:?}");
        }
        assert_eq!(c, Config::default());
    }

    #[test]
    fn protected_dir_when_allowed_is_checked() {
        let mut c = Config::default();
        let tmp = std::env::temp_dir().canonicalize().unwrap();
        let pairs = vec![(b"dir".to_vec(), tmp.to_str().unwrap().as_bytes().to_vec())];
        assert_eq!(c.set_many_with(&pairs, true), Ok(vec!["dir"]));
        assert_eq!(c.dir, tmp);
        let missing = vec![(b"dir".to_vec(), b"/no/such/rkv/dir".to_vec())];
        let err = c.set_many_with(&missing, true).unwrap_err().to_string();
        assert_eq!(
            err,
            "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
        );
        assert_eq!(c.dir, tmp);
    }
}
