//! The shape of one directive in the table: its names, argument type,
//! default, flags, and typed accessors into [`Config`].

use super::scalars::{parse_bool, parse_int, parse_memory};
use super::split_args::split_args;
use super::Config;

/// Behaviour flags of a directive, combined with `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags(u8);

impl Flags {
    /// No special behaviour: settable at start-up and by CONFIG SET.
    pub const NONE: Flags = Flags(0);
    /// Only settable at start-up; CONFIG SET refuses it.
    pub const IMMUTABLE: Flags = Flags(1);
    /// The value is secret: keep it out of logs and command monitors.
    pub const SENSITIVE: Flags = Flags(2);
    /// CONFIG SET refuses it unless protected configs are allowed.
    pub const PROTECTED: Flags = Flags(4);
    /// A debugging knob: `CONFIG GET` patterns skip it (only its exact
    /// name reads it) and the sample file leaves it out, as Redis's
    /// `HIDDEN_CONFIG`.
    pub const HIDDEN: Flags = Flags(8);

    /// Whether every flag in `other` is set in `self`.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

/// The argument type of a directive, with its bounds or choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `yes` or `no`.
    Bool,
    /// A decimal integer within `min..=max`.
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A byte count with optional unit (`1k 1kb 1m 1mb 1g 1gb`) within
    /// `min..=max`.
    Memory {
        /// Smallest accepted byte count.
        min: u64,
        /// Largest accepted byte count.
        max: u64,
    },
    /// One word out of a fixed list (case-insensitive).
    Enum(&'static [&'static str]),
    /// Free text; `empty_is_unset` means an empty string clears it, and an
    /// unset value is left out of a rewritten config file.
    Str {
        /// Whether `""` means "not set".
        empty_is_unset: bool,
    },
    /// A directory that must exist; reported as an absolute path.
    Directory,
    /// Several words on one line (like `bind`); `""` means an empty list.
    List,
}

/// A directive value in a type-neutral form, as the table moves it between
/// text and the typed fields of [`Config`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// For [`Kind::Bool`].
    Bool(bool),
    /// For [`Kind::Integer`].
    Int(i64),
    /// For [`Kind::Memory`], in bytes.
    Bytes(u64),
    /// For [`Kind::Enum`]: the index of the chosen word.
    Choice(usize),
    /// For [`Kind::Str`] and [`Kind::Directory`].
    Text(String),
    /// For [`Kind::List`].
    Words(Vec<String>),
}

/// Why the table would not hold a kind-mismatched value: it is a bug in the
/// table, so accessors panic with this message.
const KIND_MISMATCH: &str = "directive table: accessor and kind disagree";

impl Value {
    /// The boolean inside; panics on another variant (a table bug).
    pub(crate) fn bool(self) -> bool {
        match self {
            Value::Bool(b) => b,
            _ => panic!("{KIND_MISMATCH}"),
        }
    }

    /// The integer inside; panics on another variant (a table bug).
    pub(crate) fn int(self) -> i64 {
        match self {
            Value::Int(n) => n,
            _ => panic!("{KIND_MISMATCH}"),
        }
    }

    /// The byte count inside; panics on another variant (a table bug).
    pub(crate) fn bytes(self) -> u64 {
        match self {
            Value::Bytes(n) => n,
            _ => panic!("{KIND_MISMATCH}"),
        }
    }

    /// The choice index inside; panics on another variant (a table bug).
    pub(crate) fn choice(self) -> usize {
        match self {
            Value::Choice(i) => i,
            _ => panic!("{KIND_MISMATCH}"),
        }
    }

    /// The text inside; panics on another variant (a table bug).
    pub(crate) fn text(self) -> String {
        match self {
            Value::Text(s) => s,
            _ => panic!("{KIND_MISMATCH}"),
        }
    }

    /// The words inside; panics on another variant (a table bug).
    pub(crate) fn words(self) -> Vec<String> {
        match self {
            Value::Words(w) => w,
            _ => panic!("{KIND_MISMATCH}"),
        }
    }
}

/// One configuration directive, declared as data.
pub struct DirectiveSpec {
    /// Canonical lower-case name, as written in the config file.
    pub name: &'static str,
    /// Other names accepted for the same directive.
    pub aliases: &'static [&'static str],
    /// Argument type.
    pub kind: Kind,
    /// Default, written as it would appear in a config file.
    pub default: &'static str,
    /// Behaviour flags.
    pub flags: Flags,
    /// Extra check or normalisation after the type check; `Err` is the
    /// reason shown to the user.
    pub(crate) check: Option<fn(Value) -> Result<Value, String>>,
    /// Reads the typed field(s) of [`Config`] holding this directive.
    pub(crate) read: fn(&Config) -> Value,
    /// Stores an already checked value into [`Config`].
    pub(crate) write: fn(&mut Config, Value),
}

impl DirectiveSpec {
    /// Whether `name` (any case) names this directive or one of its aliases.
    pub fn answers_to(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    }

    /// Whether the directive takes several words.
    pub fn is_multi_arg(&self) -> bool {
        matches!(self.kind, Kind::List)
    }

    /// Type-checks `args` and runs the directive's own check; the caller has
    /// already made sure a single-value directive got exactly one argument.
    pub fn parse(&self, args: &[String]) -> Result<Value, String> {
        let value = match self.kind {
            Kind::List => {
                let words = if args.len() == 1 && args[0].is_empty() {
                    Vec::new()
                } else {
                    args.to_vec()
                };
                Value::Words(words)
            }
            _ => self.parse_one(&args[0])?,
        };
        match self.check {
            Some(check) => check(value),
            None => Ok(value),
        }
    }

    fn parse_one(&self, arg: &str) -> Result<Value, String> {
        match self.kind {
            Kind::Bool => parse_bool(arg)
                .map(Value::Bool)
                .ok_or_else(|| "argument must be 'yes' or 'no'".to_string()),
            Kind::Integer { min, max } => {
                let n = parse_int(arg)
                    .ok_or_else(|| "argument couldn't be parsed into an integer".to_string())?;
                if n < min || n > max {
                    return Err(format!(
                        "argument must be between {min} and {max} inclusive"
                    ));
                }
                Ok(Value::Int(n))
            }
            Kind::Memory { min, max } => {
                let n = parse_memory(arg)
                    .ok_or_else(|| "argument must be a memory value".to_string())?;
                if n < min || n > max {
                    return Err(format!(
                        "argument must be between {min} and {max} inclusive"
                    ));
                }
                Ok(Value::Bytes(n))
            }
            Kind::Enum(names) => names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(arg))
                .map(Value::Choice)
                .ok_or_else(|| {
                    format!(
                        "argument(s) must be one of the following: {}",
                        names.join(", ")
                    )
                }),
            Kind::Str { .. } | Kind::Directory => Ok(Value::Text(arg.to_string())),
            Kind::List => unreachable!("lists are parsed by the caller"),
        }
    }

    /// The default as a [`Value`]. Defaults skip the directive's own check,
    /// so the directory default `.` needs no file system access.
    pub fn default_value(&self) -> Value {
        let args = if self.is_multi_arg() {
            split_args(self.default).unwrap_or_default()
        } else {
            vec![self.default.to_string()]
        };
        let value = match self.kind {
            Kind::List => Ok(Value::Words(args)),
            _ => self.parse_one(&args[0]),
        }
        .map_err(|e| format!("bad default for {}: {e}", self.name));
        match value {
            Ok(v) => v,
            Err(e) => panic!("directive table: {e}"),
        }
    }

    /// The current value as CONFIG GET shows it: booleans as `yes`/`no`,
    /// sizes in plain bytes, lists joined by spaces, directories absolute.
    pub fn display(&self, config: &Config) -> String {
        match (self.read)(config) {
            Value::Bool(b) => if b { "yes" } else { "no" }.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Bytes(n) => n.to_string(),
            Value::Choice(i) => match self.kind {
                Kind::Enum(names) => names[i].to_string(),
                _ => panic!("{KIND_MISMATCH}"),
            },
            Value::Text(s) if self.kind == Kind::Directory => absolute(&s),
            Value::Text(s) => s,
            Value::Words(w) => w.join(" "),
        }
    }
}

/// `path` made absolute against the current directory, as `getcwd` after a
/// `chdir` would report it; the text itself when that fails.
pub(crate) fn absolute(path: &str) -> String {
    std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string())
}
