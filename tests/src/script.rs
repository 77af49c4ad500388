//! Parsing differential command scripts (`tests/scripts/*.txt`).
//!
//! One command per line in redis-cli quoting; blank lines and lines starting
//! with `#` are ignored. Lines starting with `@` are directives:
//!
//! - `@unordered`: compare the next reply with aggregate elements as a multiset
//!   (recursively).
//! - `@skip-reply`: run the next command but do not compare its reply.
//! - `@match REGEX`: the next reply from the server under test must match
//!   `REGEX` in full (raw bytes, so write `\r\n`); redis's reply is ignored.
//! - `@sleep MS`: pause both connections for `MS` milliseconds.
//! - `@sync on` / `@sync off`: from here on, follow each command with an
//!   `ECHO` marker and take as its reply every frame that arrives before the
//!   marker's answer (RESP3 pushes such as keyspace events, before or after
//!   the reply itself). For RESP3 scripts without MULTI or blocking commands.

use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::bytes::Regex;
use thiserror::Error;

use rkv_proto::split_args;

/// A script that could not be parsed.
#[derive(Debug, Error)]
#[error("{path}:{line}: {message}")]
pub struct ScriptError {
    /// The script file.
    pub path: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// How the reply to a command is checked.
#[derive(Debug, Clone)]
pub enum Check {
    /// Byte-for-byte equality with redis's reply.
    Exact,
    /// Equality after sorting aggregate elements (`@unordered`).
    Unordered,
    /// No comparison (`@skip-reply`).
    Skip,
    /// The tested server's reply must fully match this pattern (`@match`).
    Match(Regex),
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Send this command (as a RESP array) and read one reply.
    Command(Vec<Vec<u8>>),
    /// Wait this long.
    Sleep(Duration),
    /// Turn `@sync` mode on or off for the following commands.
    Sync(bool),
}

/// One executable line of a script.
#[derive(Debug, Clone)]
pub struct Step {
    /// 1-based line number in the script file.
    pub line: usize,
    /// The line as written, for failure messages.
    pub text: String,
    /// What to do.
    pub action: Action,
    /// How to compare the reply (always [`Check::Exact`] for sleeps).
    pub check: Check,
}

/// A parsed script file.
#[derive(Debug, Clone)]
pub struct Script {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its steps in order.
    pub steps: Vec<Step>,
}

impl Script {
    /// Reads and parses the script at `path`.
    pub fn load(path: &Path) -> Result<Script, ScriptError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScriptError {
            path: path.display().to_string(),
            line: 0,
            message: e.to_string(),
        })?;
        Script::parse(path, &text)
    }

    /// Parses script `text`; `path` is used only in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Script, ScriptError> {
        let error = |line: usize, message: String| ScriptError {
            path: path.display().to_string(),
            line,
            message,
        };
        let mut steps = Vec::new();
        let mut pending: Option<(usize, Check)> = None;
        for (index, raw_line) in text.lines().enumerate() {
            let line = index + 1;
            let trimmed = raw_line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(directive) = trimmed.strip_prefix('@') {
                let (name, rest) = directive.split_once(' ').unwrap_or((directive, ""));
                let rest = rest.trim();
                let check = match name {
                    "sleep" => {
                        let ms: u64 = rest.parse().map_err(|_| {
                            error(line, format!("@sleep needs milliseconds, got {rest:?}"))
                        })?;
                        steps.push(Step {
                            line,
                            text: trimmed.to_string(),
                            action: Action::Sleep(Duration::from_millis(ms)),
                            check: Check::Exact,
                        });
                        continue;
                    }
                    "sync" => {
                        let on = match rest {
                            "on" => true,
                            "off" => false,
                            _ => {
                                return Err(error(
                                    line,
                                    format!("@sync needs on or off, got {rest:?}"),
                                ))
                            }
                        };
                        steps.push(Step {
                            line,
                            text: trimmed.to_string(),
                            action: Action::Sync(on),
                            check: Check::Exact,
                        });
                        continue;
                    }
                    "unordered" => Check::Unordered,
                    "skip-reply" => Check::Skip,
                    "match" => {
                        let anchored = format!(r"\A(?:{rest})\z");
                        Check::Match(
                            Regex::new(&anchored)
                                .map_err(|e| error(line, format!("bad @match regex: {e}")))?,
                        )
                    }
                    other => return Err(error(line, format!("unknown directive @{other}"))),
                };
                if pending.is_some() {
                    return Err(error(line, "two reply directives for one command".into()));
                }
                pending = Some((line, check));
                continue;
            }
            let args = split_args(trimmed.as_bytes())
                .ok_or_else(|| error(line, "unbalanced or glued quotes".into()))?;
            steps.push(Step {
                line,
                text: trimmed.to_string(),
                action: Action::Command(args),
                check: pending.take().map_or(Check::Exact, |(_, check)| check),
            });
        }
        if let Some((line, _)) = pending {
            return Err(error(line, "directive is not followed by a command".into()));
        }
        Ok(Script {
            path: path.to_path_buf(),
            steps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Action, Check, Script};
    use std::path::Path;

    fn parse(text: &str) -> Result<Script, super::ScriptError> {
        Script::parse(Path::new("t.txt"), text)
    }

    #[test]
    fn commands_comments_and_directives() {
        let script =
            parse("# c\n\nPING\n@unordered\nKEYS *\n@sleep 5\n@match \\+OK\\r\\n\nSET a b\n")
                .unwrap();
        let lines: Vec<usize> = script.steps.iter().map(|s| s.line).collect();
        assert_eq!(lines, [3, 5, 6, 8]);
        assert!(matches!(script.steps[1].check, Check::Unordered));
        assert!(matches!(script.steps[2].action, Action::Sleep(d) if d.as_millis() == 5));
        match &script.steps[3].check {
            Check::Match(re) => {
                assert!(re.is_match(b"+OK\r\n"));
                assert!(!re.is_match(b"+OK\r\n+OK\r\n"));
            }
            other => panic!("expected @match, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("PING\n@bogus\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(parse("@unordered\n").is_err());
        assert!(parse("@unordered\n@skip-reply\nPING\n").is_err());
        assert_eq!(parse("PING\nECHO \"x\n").unwrap_err().line, 2);
        assert_eq!(parse("@sync maybe\nPING\n").unwrap_err().line, 1);
    }

    #[test]
    fn sync_directive_toggles() {
        let script = parse("@sync on\nPING\n@sync off\n").unwrap();
        assert!(matches!(script.steps[0].action, Action::Sync(true)));
        assert!(matches!(script.steps[1].action, Action::Command(_)));
        assert!(matches!(script.steps[2].action, Action::Sync(false)));
    }
}
