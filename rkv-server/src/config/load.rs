//! Start-up loading: a redis.conf style file (or stdin) followed by
//! `--name value...` command-line overrides, as redis-server reads them.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::spec::DirectiveSpec;
use super::split_args::split_args;
use super::table::{io_reason, lookup};
use super::Config;

/// How deep `include` may nest before loading gives up (a loop guard).
const MAX_INCLUDE_DEPTH: usize = 16;

/// Where the command-line overrides are said to come from in errors.
const COMMAND_LINE: &str = "(command line)";

/// A configuration error that stops start-up.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A directive line was refused; shown as
    /// `file:line: 'the line' - reason`.
    #[error("{source_name}:{line}: '{text}' - {reason}")]
    Directive {
        /// The file as named (or `(command line)` for overrides).
        source_name: String,
        /// 1-based line number (or option number on the command line).
        line: usize,
        /// The offending line, trimmed.
        text: String,
        /// Why it was refused.
        reason: String,
    },
    /// The config file itself could not be read.
    #[error("can't open config file '{path}': {reason}")]
    Open {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A `--name` option was not followed by any value.
    #[error("option '--{0}' needs a value")]
    MissingValue(String),
    /// CONFIG REWRITE was asked for but no config file was given.
    #[error("ERR The server is running without a config file")]
    NoConfigFile,
    /// CONFIG REWRITE could not write the file.
    #[error("ERR Rewriting config file: {0}")]
    Rewrite(String),
}

/// One directive applied during start-up, in application order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedDirective {
    /// Canonical directive name.
    pub name: &'static str,
    /// Its arguments as written.
    pub args: Vec<String>,
    /// The file it came from, or `(command line)`.
    pub source_name: String,
    /// Its line number (option number on the command line).
    pub line: usize,
}

/// The result of start-up loading.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    /// The resulting configuration.
    pub config: Config,
    /// Absolute path of the config file, if one was given (CONFIG REWRITE
    /// writes here).
    pub config_file: Option<PathBuf>,
    /// Every directive applied, in order, file first then overrides.
    pub applied: Vec<AppliedDirective>,
}

/// What the argument list asks for, before anything is read.
#[derive(Debug, Default, PartialEq, Eq)]
struct Invocation {
    file: Option<String>,
    from_stdin: bool,
    /// Each override as (name, values).
    overrides: Vec<(String, Vec<String>)>,
}

impl Config {
    /// Loads the configuration from redis-server style arguments (without
    /// the program name): an optional config file path first (`-` reads
    /// stdin), then `--name value [value...]` overrides applied after it.
    pub fn from_args(args: &[String]) -> Result<LoadedConfig, ConfigError> {
        let invocation = parse_invocation(args)?;
        let mut loader = Loader {
            config: Config::default(),
            applied: Vec::new(),
        };
        let mut config_file = None;
        if let Some(file) = &invocation.file {
            let text = read_file(file)?;
            config_file = Some(absolute_path(Path::new(file)));
            loader.load_text(&text, file, 0)?;
        }
        if invocation.from_stdin {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| ConfigError::Open {
                    path: "-".to_string(),
                    reason: io_reason(&e),
                })?;
            loader.load_text(&text, "(stdin)", 0)?;
        }
        for (number, (name, values)) in invocation.overrides.iter().enumerate() {
            let mut argv = vec![name.clone()];
            argv.extend(values.iter().cloned());
            let text = argv.join(" ");
            loader.apply_line(argv, &text, COMMAND_LINE, number + 1, 0)?;
        }
        Ok(LoadedConfig {
            config: loader.config,
            config_file,
            applied: loader.applied,
        })
    }

    /// Loads a configuration from the text of a config file, as if read
    /// from `source_name` (used in error messages), without overrides.
    pub fn from_text(text: &str, source_name: &str) -> Result<LoadedConfig, ConfigError> {
        let mut loader = Loader {
            config: Config::default(),
            applied: Vec::new(),
        };
        loader.load_text(text, source_name, 0)?;
        Ok(LoadedConfig {
            config: loader.config,
            config_file: None,
            applied: loader.applied,
        })
    }
}

/// Splits redis-server's argument list: tokens after a `--name` up to the
/// next `--` token are its values; a `--name` directly followed by another
/// `--` token takes that token as its value, as redis-server does.
fn parse_invocation(args: &[String]) -> Result<Invocation, ConfigError> {
    let mut invocation = Invocation::default();
    let mut rest = args;
    if let Some(first) = args.first() {
        if !first.starts_with('-') {
            invocation.file = Some(first.clone());
            rest = &args[1..];
        }
    }
    let last = args.len().saturating_sub(1);
    let offset = args.len() - rest.len();
    for (i, arg) in rest.iter().enumerate() {
        let position = offset + i;
        let wants_value = invocation
            .overrides
            .last()
            .is_some_and(|(_, v)| v.is_empty());
        if arg == "-" && (position == 0 || position == last) {
            invocation.from_stdin = true;
        } else if !wants_value && arg.starts_with("--") {
            // "--port 6380" in one argument carries its own value.
            let mut words = split_args(&arg[2..]).unwrap_or_else(|| vec![arg[2..].to_string()]);
            let name = if words.is_empty() {
                String::new()
            } else {
                words.remove(0)
            };
            invocation.overrides.push((name, words));
        } else if let Some((_, values)) = invocation.overrides.last_mut() {
            values.push(arg.clone());
        } else {
            return Err(ConfigError::Directive {
                source_name: COMMAND_LINE.to_string(),
                line: position + 1,
                text: arg.clone(),
                reason: "argument is not an option; options look like --name value".to_string(),
            });
        }
    }
    if let Some((name, values)) = invocation.overrides.last() {
        if values.is_empty() {
            return Err(ConfigError::MissingValue(name.clone()));
        }
    }
    Ok(invocation)
}

fn read_file(path: &str) -> Result<String, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigError::Open {
        path: path.to_string(),
        reason: io_reason(&e),
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn absolute_path(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return path.to_path_buf();
    }
    std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Applies directives one line at a time onto a configuration.
struct Loader {
    config: Config,
    applied: Vec<AppliedDirective>,
}

impl Loader {
    fn load_text(
        &mut self,
        text: &str,
        source_name: &str,
        depth: usize,
    ) -> Result<(), ConfigError> {
        for (index, raw) in text.split('\n').enumerate() {
            let line = raw.trim_matches([' ', '\t', '\r', '\n']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fail = |reason: &str| ConfigError::Directive {
                source_name: source_name.to_string(),
                line: index + 1,
                text: line.to_string(),
                reason: reason.to_string(),
            };
            let argv =
                split_args(line).ok_or_else(|| fail("Unbalanced quotes in configuration line"))?;
            if argv.is_empty() {
                continue;
            }
            self.apply_line(argv, line, source_name, index + 1, depth)?;
        }
        Ok(())
    }

    /// The save points set by earlier `save` lines, when `name` is `save`
    /// and there were such lines.
    fn save_points_so_far(&self, name: &str) -> Option<Vec<(u64, u64)>> {
        let seen = name == "save" && self.applied.iter().any(|a| a.name == "save");
        seen.then(|| self.config.save_points.clone())
    }

    fn apply_line(
        &mut self,
        argv: Vec<String>,
        text: &str,
        source_name: &str,
        line: usize,
        depth: usize,
    ) -> Result<(), ConfigError> {
        let fail = |reason: String| ConfigError::Directive {
            source_name: source_name.to_string(),
            line,
            text: text.to_string(),
            reason,
        };
        let name = argv[0].to_ascii_lowercase();
        if let Some(spec) = lookup(&name) {
            let args = directive_args(spec, &argv[1..]).map_err(fail)?;
            let value = spec.parse(&args).map_err(fail)?;
            let earlier_points = self.save_points_so_far(spec.name);
            (spec.write)(&mut self.config, value);
            // Like Redis, each `save` line of a file adds its points to
            // those of the lines before it (`save ""` still clears them).
            if let Some(mut points) = earlier_points {
                if !self.config.save_points.is_empty() {
                    points.append(&mut self.config.save_points);
                    self.config.save_points = points;
                }
            }
            self.applied.push(AppliedDirective {
                name: spec.name,
                args: argv[1..].to_vec(),
                source_name: source_name.to_string(),
                line,
            });
            return Ok(());
        }
        if name == "include" && argv.len() == 2 {
            if depth >= MAX_INCLUDE_DEPTH {
                return Err(fail(
                    "include nesting is too deep (an include loop?)".to_string(),
                ));
            }
            let included = &argv[1];
            let text = read_file(included).map_err(|e| fail(e.to_string()))?;
            return self.load_text(&text, included, depth + 1);
        }
        Err(fail(
            "Bad directive or wrong number of arguments".to_string(),
        ))
    }
}

/// The arguments a directive receives from a config line: single-value
/// directives need exactly one; a multi-word directive given one non-empty
/// argument has it split again, so `--bind "a b"` means two addresses.
fn directive_args(spec: &DirectiveSpec, args: &[String]) -> Result<Vec<String>, String> {
    if !spec.is_multi_arg() {
        if args.len() != 1 {
            return Err("wrong number of arguments".to_string());
        }
        return Ok(args.to_vec());
    }
    if args.len() == 1 && !args[0].is_empty() {
        return split_args(&args[0])
            .ok_or_else(|| "Unbalanced quotes in configuration line".to_string());
    }
    Ok(args.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LogLevel;

    #[test]
    fn save_lines_accumulate_as_in_redis() {
        let config = load("save 900 1\nsave 300 10\n").unwrap();
        assert_eq!(config.save_points, vec![(900, 1), (300, 10)]);
        let cleared = load("save 900 1\nsave \"\"\n").unwrap();
        assert!(cleared.save_points.is_empty());
        let default = load("port 7000\n").unwrap();
        assert_eq!(
            default.save_points,
            vec![(3600, 1), (300, 100), (60, 10000)]
        );
    }

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    fn load(text: &str) -> Result<Config, String> {
        Config::from_text(text, "rkv.conf")
            .map(|l| l.config)
            .map_err(|e| e.to_string())
    }

    /// A fresh empty directory under the system temp dir.
    fn temp_dir(tag: &str) -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rkv-config-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn parses_directives_comments_and_case() {
        let c = load(
            "# a comment\n\n  PORT 7001  \r\nLogLevel WARNING\nbind 0.0.0.0 ::1\n\
             proto-max-bulk-len 2mb\nrequirepass \"p a\\\"ss\"\nprotected-mode no\n",
        )
        .unwrap();
        assert_eq!(c.port, 7001);
        assert_eq!(c.loglevel, LogLevel::Warning);
        assert_eq!(c.bind, ["0.0.0.0", "::1"]);
        assert_eq!(c.proto_max_bulk_len, 2 * 1024 * 1024);
        assert_eq!(c.requirepass.as_deref(), Some("p a\"ss"));
        assert!(!c.protected_mode);
    }

    #[test]
    fn later_lines_win_and_are_recorded() {
        let loaded = Config::from_text("port 1\nport 2\n", "x.conf").unwrap();
        assert_eq!(loaded.config.port, 2);
        let lines: Vec<_> = loaded.applied.iter().map(|a| (a.name, a.line)).collect();
        assert_eq!(lines, [("port", 1), ("port", 2)]);
    }

    #[test]
    fn quoted_multi_word_bind_is_split() {
        assert_eq!(
            load("bind \"1.2.3.4 -::1\"").unwrap().bind,
            ["1.2.3.4", "-::1"]
        );
        assert!(load("bind \"\"").unwrap().bind.is_empty());
    }

    #[test]
    fn every_error_names_file_line_text_and_reason() {
        let cases = [
            ("\nnosuch 1", "rkv.conf:2: 'nosuch 1' - Bad directive or wrong number of arguments"),
            ("port", "rkv.conf:1: 'port' - wrong number of arguments"),
            ("port 1 2", "rkv.conf:1: 'port 1 2' - wrong number of arguments"),
            ("port 99999", "rkv.conf:1: 'port 99999' - argument must be between 0 and 65535 inclusive"),
            ("port abc", "rkv.conf:1: 'port abc' - argument couldn't be parsed into an integer"),
            ("proto-max-bulk-len 5tb", "rkv.conf:1: 'proto-max-bulk-len 5tb' - argument must be a memory value"),
            ("client-query-buffer-limit 1k", "rkv.conf:1: 'client-query-buffer-limit 1k' - argument must be between 1048576 and 9223372036854775807 inclusive"),
            ("dynamic-hz maybe", "rkv.conf:1: 'dynamic-hz maybe' - argument must be 'yes' or 'no'"),
            ("loglevel loud", "rkv.conf:1: 'loglevel loud' - argument(s) must be one of the following: debug, verbose, notice, warning"),
            ("enable-debug-command always", "rkv.conf:1: 'enable-debug-command always' - argument(s) must be one of the following: no, yes, local"),
            ("requirepass \"abc", "rkv.conf:1: 'requirepass \"abc' - Unbalanced quotes in configuration line"),
            ("active-expire-effort 11", "rkv.conf:1: 'active-expire-effort 11' - argument must be between 1 and 10 inclusive"),
            ("dir /no/such/rkv/dir", "rkv.conf:1: 'dir /no/such/rkv/dir' - No such file or directory"),
            ("include /no/such/rkv.conf", "rkv.conf:1: 'include /no/such/rkv.conf' - can't open config file '/no/such/rkv.conf': No such file or directory"),
            ("include", "rkv.conf:1: 'include' - Bad directive or wrong number of arguments"),
        ];
        for (text, want) in cases {
            assert_eq!(load(text).unwrap_err(), want, "{text:?}");
        }
    }

    #[test]
    fn daemonize_yes_is_refused_clearly() {
        assert!(!load("daemonize no").unwrap().daemonize);
        let err = load("daemonize yes").unwrap_err();
        assert!(err.starts_with("rkv.conf:1: 'daemonize yes' - "), "{err}");
        assert!(err.contains("foreground"), "{err}");
    }

    #[test]
    fn hz_out_of_range_is_capped() {
        assert_eq!(load("hz 1000").unwrap().hz, 500);
        assert_eq!(load("hz 0").unwrap().hz, 1);
    }

    #[test]
    fn include_reads_other_file_and_reports_its_errors() {
        let dir = temp_dir("include");
        let inner = dir.join("inner.conf");
        std::fs::write(&inner, "timeout 30\n\nport 99999\n").unwrap();
        let inner_name = inner.to_str().unwrap();
        let err = load(&format!("include {inner_name}")).unwrap_err();
        assert_eq!(
            err,
            format!(
                "{inner_name}:3: 'port 99999' - argument must be between 0 and 65535 inclusive"
            )
        );
        std::fs::write(&inner, "timeout 30\n").unwrap();
        assert_eq!(
            load(&format!("include {inner_name}\nport 5"))
                .unwrap()
                .timeout,
            30
        );
        std::fs::write(&inner, format!("include {inner_name}\n")).unwrap();
        let err = load(&format!("include {inner_name}")).unwrap_err();
        assert!(err.contains("include nesting is too deep"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn invocation_splitting() {
        let inv = parse_invocation(&strings(&[
            "rkv.conf",
            "--port",
            "7000",
            "--bind",
            "127.0.0.1",
            "::1",
            "--save",
            "900 1",
            "--loglevel warning",
        ]))
        .unwrap();
        assert_eq!(inv.file.as_deref(), Some("rkv.conf"));
        assert!(!inv.from_stdin);
        assert_eq!(
            inv.overrides,
            [
                ("port".to_string(), strings(&["7000"])),
                ("bind".to_string(), strings(&["127.0.0.1", "::1"])),
                ("save".to_string(), strings(&["900 1"])),
                ("loglevel".to_string(), strings(&["warning"])),
            ]
        );
        let inv = parse_invocation(&strings(&["-", "--requirepass", "--x"])).unwrap();
        assert!(inv.from_stdin && inv.file.is_none());
        assert_eq!(
            inv.overrides,
            [("requirepass".to_string(), strings(&["--x"]))]
        );
        assert!(matches!(
            parse_invocation(&strings(&["--port"])),
            Err(ConfigError::MissingValue(name)) if name == "port"
        ));
    }

    #[test]
    fn overrides_apply_after_the_file() {
        let dir = temp_dir("args");
        let file = dir.join("rkv.conf");
        std::fs::write(&file, "port 7001\ntimeout 9\n").unwrap();
        let args = strings(&[
            file.to_str().unwrap(),
            "--port",
            "7002",
            "--bind",
            "1.2.3.4",
            "-::1",
        ]);
        let loaded = Config::from_args(&args).unwrap();
        assert_eq!(loaded.config.port, 7002);
        assert_eq!(loaded.config.timeout, 9);
        assert_eq!(loaded.config.bind, ["1.2.3.4", "-::1"]);
        assert_eq!(loaded.config_file.as_deref(), Some(file.as_path()));
        let names: Vec<_> = loaded.applied.iter().map(|a| a.name).collect();
        assert_eq!(names, ["port", "timeout", "port", "bind"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn override_errors_and_missing_file() {
        let err = Config::from_args(&strings(&["--port", "1", "--hz", "x"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "(command line):2: 'hz x' - argument couldn't be parsed into an integer"
        );
        let err = Config::from_args(&strings(&["--nosuch", "1"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "(command line):1: 'nosuch 1' - Bad directive or wrong number of arguments"
        );
        let err = Config::from_args(&strings(&["/no/such/rkv.conf"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "can't open config file '/no/such/rkv.conf': No such file or directory"
        );
        let none = Config::from_args(&[]).unwrap();
        assert_eq!(none.config, Config::default());
        assert!(none.config_file.is_none());
    }
}
