//! The command help table behind HELP, inline hints and Tab completion:
//! read from the server's COMMAND DOCS, with a small built-in table when
//! the server cannot provide one.

use rkv_proto::{split_args, Frame};

use crate::builtin_docs::BUILTIN_DOCS;
use crate::session::Session;

/// One command, subcommand or `@group` known to the help system.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpEntry {
    /// The words that name it, upper-case (`["CONFIG", "GET"]`), or
    /// `["@string"]` for a group.
    pub words: Vec<String>,
    /// The words joined by spaces.
    pub full: String,
    /// Argument syntax, e.g. `key value [NX|XX]`.
    pub params: String,
    /// One-line summary.
    pub summary: String,
    /// Version that introduced it.
    pub since: Option<String>,
    /// Time complexity, as COMMAND DOCS gives it (redis-cli does not show
    /// it; `HELP cmd` here does, after the lines redis-cli prints).
    pub complexity: Option<String>,
    /// Command group (`string`, `server`, ...).
    pub group: String,
    /// Whether this is a `@group` entry rather than a command.
    pub is_group: bool,
}

/// All help entries, sorted by name.
#[derive(Debug, Clone, Default)]
pub struct HelpTable {
    /// The entries.
    pub entries: Vec<HelpEntry>,
}

impl HelpTable {
    /// Asks the server for COMMAND DOCS; falls back to the built-in table.
    pub fn load(session: &mut Session) -> HelpTable {
        let docs = session
            .ensure_link_quiet()
            .and_then(|link| link.call(&["COMMAND", "DOCS"]).ok());
        match docs {
            Some(frame) if !frame.is_error() => {
                let table = HelpTable::from_docs(&frame);
                if table.entries.is_empty() {
                    HelpTable::builtin()
                } else {
                    table
                }
            }
            _ => HelpTable::builtin(),
        }
    }

    /// The table compiled into the client.
    pub fn builtin() -> HelpTable {
        let mut entries: Vec<HelpEntry> = BUILTIN_DOCS
            .iter()
            .map(|(name, params, summary, group, since)| {
                command_entry(name, None, params.to_string(), summary, group, Some(since))
            })
            .collect();
        add_groups(&mut entries);
        HelpTable { entries }
    }

    /// Builds the table from a COMMAND DOCS reply (RESP2 or RESP3 shape).
    pub fn from_docs(reply: &Frame) -> HelpTable {
        let mut entries = Vec::new();
        for (name, doc) in pairs(reply) {
            let Some(name) = text(name) else { continue };
            add_command(&mut entries, &name, None, doc);
        }
        add_groups(&mut entries);
        HelpTable { entries }
    }

    /// The command entry naming the longest prefix of `args`, with how many
    /// words it covers.
    pub fn longest_match(&self, args: &[String]) -> Option<(&HelpEntry, usize)> {
        let mut best: Option<(&HelpEntry, usize)> = None;
        for entry in self.entries.iter().filter(|e| !e.is_group) {
            let n = entry.words.len();
            if n <= args.len()
                && entry
                    .words
                    .iter()
                    .zip(args)
                    .all(|(w, a)| w.eq_ignore_ascii_case(a))
                && best.is_none_or(|(_, m)| n > m)
            {
                best = Some((entry, n));
            }
        }
        best
    }

    /// The inline hint for `line`: the syntax of the arguments not typed
    /// yet, as redis-cli shows it.
    pub fn hint(&self, line: &str) -> Option<String> {
        let args = split_words(line)?;
        if args.is_empty() {
            return None;
        }
        let (entry, matched) = self.longest_match(&args)?;
        let mut hint = entry.params.as_str();
        let mut to_remove = args.len() - matched;
        // Drop one space-separated word per typed argument, stopping at the
        // first optional part.
        while to_remove > 0 && !hint.is_empty() {
            if hint.starts_with('[') {
                break;
            }
            if hint.starts_with(' ') {
                to_remove -= 1;
            }
            hint = &hint[1..];
        }
        let ends_with_space = line.ends_with(|c: char| c.is_ascii_whitespace());
        if ends_with_space {
            Some(hint.to_string())
        } else {
            Some(format!(" {hint}"))
        }
    }

    /// Completions for `line`: command names (and help topics after
    /// `help `), then option tokens of the command being typed.
    pub fn complete(&self, line: &str) -> Vec<String> {
        let lower = line.to_ascii_lowercase();
        let (start, with_groups) = if lower.starts_with("help ") {
            let rest = &line[5..];
            (5 + (rest.len() - rest.trim_start().len()), true)
        } else {
            (0, false)
        };
        let typed = &line[start..];
        let mut out: Vec<String> = self
            .entries
            .iter()
            .filter(|e| with_groups || !e.is_group)
            .filter(|e| {
                e.full.len() >= typed.len() && e.full[..typed.len()].eq_ignore_ascii_case(typed)
            })
            .map(|e| format!("{}{}", &line[..start], e.full))
            .collect();
        if out.is_empty() {
            out = self.complete_token(line);
        }
        out
    }

    /// Option tokens (`NX`, `WITHSCORES`, ...) of the command on `line`
    /// that the last, partly typed word could become.
    fn complete_token(&self, line: &str) -> Vec<String> {
        let Some(args) = split_words(line) else {
            return Vec::new();
        };
        let (partial, head) = if line.ends_with(' ') {
            (String::new(), line.to_string())
        } else {
            let last = args.last().cloned().unwrap_or_default();
            (last.clone(), line[..line.len() - last.len()].to_string())
        };
        let Some((entry, matched)) = self.longest_match(&args) else {
            return Vec::new();
        };
        if matched == args.len() && !line.ends_with(' ') {
            return Vec::new();
        }
        let mut tokens: Vec<&str> = entry
            .params
            .split(|c: char| !(c.is_ascii_uppercase() || c == '-' || c.is_ascii_digit()))
            .filter(|t| t.len() >= 2 && t.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            .filter(|t| {
                t.len() >= partial.len() && t[..partial.len()].eq_ignore_ascii_case(&partial)
            })
            .collect();
        tokens.sort_unstable();
        tokens.dedup();
        tokens.into_iter().map(|t| format!("{head}{t}")).collect()
    }
}

/// Splits typed text like redis-cli; `None` on unbalanced quotes.
fn split_words(line: &str) -> Option<Vec<String>> {
    split_args(line.as_bytes()).map(|v| {
        v.into_iter()
            .map(|a| String::from_utf8_lossy(&a).into_owned())
            .collect()
    })
}

/// Key/value pairs of a RESP3 map or a RESP2 flat array.
fn pairs(frame: &Frame) -> Vec<(&Frame, &Frame)> {
    match frame {
        Frame::Map(pairs) => pairs.iter().map(|(k, v)| (k, v)).collect(),
        Frame::Array(items) => items
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| (&c[0], &c[1]))
            .collect(),
        _ => Vec::new(),
    }
}

fn text(frame: &Frame) -> Option<String> {
    frame
        .as_bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

fn command_entry(
    name: &str,
    sub: Option<&str>,
    params: String,
    summary: &str,
    group: &str,
    since: Option<&str>,
) -> HelpEntry {
    let mut words: Vec<String> = name.split(' ').map(str::to_ascii_uppercase).collect();
    if let Some(sub) = sub {
        let sub = sub.split_once('|').map_or(sub, |(_, s)| s);
        words.push(sub.to_ascii_uppercase());
    }
    HelpEntry {
        full: words.join(" "),
        words,
        params,
        summary: summary.to_string(),
        since: since.map(str::to_string),
        complexity: None,
        group: group.to_string(),
        is_group: false,
    }
}

fn add_command(entries: &mut Vec<HelpEntry>, name: &str, sub: Option<&str>, doc: &Frame) {
    let (mut summary, mut since, mut group, mut params, mut complexity) =
        (String::new(), None, String::new(), String::new(), None);
    let mut subcommands = Vec::new();
    for (key, value) in pairs(doc) {
        match text(key).as_deref() {
            Some("summary") => summary = text(value).unwrap_or_default(),
            Some("since") => since = text(value),
            Some("complexity") => complexity = text(value),
            Some("group") => group = text(value).unwrap_or_default(),
            Some("arguments") => params = join_arguments(value, " "),
            Some("subcommands") => subcommands.push(value),
            _ => {}
        }
    }
    let mut entry = command_entry(name, sub, params, &summary, &group, since.as_deref());
    entry.complexity = complexity;
    entries.push(entry);
    for table in subcommands {
        for (sub_name, sub_doc) in pairs(table) {
            if let Some(sub_name) = text(sub_name) {
                add_command(entries, name, Some(&sub_name), sub_doc);
            }
        }
    }
}

/// Renders an argument list the way redis-cli builds its hints.
fn join_arguments(arguments: &Frame, separator: &str) -> String {
    let Frame::Array(items) = arguments else {
        return String::new();
    };
    items
        .iter()
        .map(render_argument)
        .collect::<Vec<_>>()
        .join(separator)
}

fn render_argument(arg: &Frame) -> String {
    let (mut name, mut kind, mut token) = (String::new(), String::new(), String::new());
    let (mut optional, mut multiple, mut multiple_token) = (false, false, false);
    let mut nested = None;
    for (key, value) in pairs(arg) {
        match text(key).as_deref() {
            Some("name") => name = text(value).unwrap_or_default(),
            Some("type") => kind = text(value).unwrap_or_default(),
            Some("token") => token = or_empty_quotes(text(value).unwrap_or_default()),
            Some("arguments") => nested = Some(value),
            Some("flags") => {
                if let Frame::Array(flags) | Frame::Set(flags) = value {
                    for flag in flags.iter().filter_map(text) {
                        match flag.as_str() {
                            "optional" => optional = true,
                            "multiple" => multiple = true,
                            "multiple_token" => multiple_token = true,
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let repeat = match kind.as_str() {
        "oneof" => nested.map(|n| join_arguments(n, "|")).unwrap_or_default(),
        "block" => nested.map(|n| join_arguments(n, " ")).unwrap_or_default(),
        "pure-token" => String::new(),
        _ => or_empty_quotes(name),
    };
    if !token.is_empty() && kind != "pure-token" {
        token.push(' ');
    }
    let mut out = String::new();
    if optional {
        out.push('[');
    }
    out.push_str(&token);
    out.push_str(&repeat);
    if multiple {
        out.push_str(" [");
        if multiple_token {
            out.push_str(&token);
        }
        out.push_str(&repeat);
        out.push_str(" ...]");
    }
    if optional {
        out.push(']');
    }
    out
}

fn or_empty_quotes(s: String) -> String {
    if s.is_empty() {
        "\"\"".into()
    } else {
        s
    }
}

/// Adds one `@group` entry per group and sorts the table.
fn add_groups(entries: &mut Vec<HelpEntry>) {
    let mut groups: Vec<String> = entries
        .iter()
        .map(|e| e.group.clone())
        .filter(|g| !g.is_empty())
        .collect();
    groups.sort();
    groups.dedup();
    for group in groups {
        let name = format!("@{group}");
        entries.push(HelpEntry {
            words: vec![name.clone()],
            full: name,
            params: String::new(),
            summary: String::new(),
            since: None,
            complexity: None,
            group: String::new(),
            is_group: true,
        });
    }
    entries.sort_by(|a, b| a.full.cmp(&b.full));
}

/// `HELP`, `HELP cmd [sub]` or `HELP @group`.
pub fn print_help(session: &mut Session, args: &[Vec<u8>]) {
    if args.is_empty() {
        print!("{}", general_help());
        return;
    }
    let table = HelpTable::load(session);
    let args: Vec<String> = args
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    print!("{}", help_text(&table, &args));
}

/// The usage text of a bare `HELP`.
pub fn general_help() -> String {
    format!(
        "rkv-cli {}\nFor help on commands, type:\n      \"help @<group>\" for the commands of a group\n      \"help <command>\" for one command\n      \"help <tab>\" to cycle through the topics\n      \"quit\" to leave\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// The text HELP prints for `args`, styled as redis-cli does.
pub fn help_text(table: &HelpTable, args: &[String]) -> String {
    let group = args[0].strip_prefix('@');
    let mut out = String::new();
    for entry in table.entries.iter().filter(|e| !e.is_group) {
        let show = match group {
            Some(group) => entry.group.eq_ignore_ascii_case(group),
            None => {
                args.len() <= entry.words.len()
                    && args
                        .iter()
                        .zip(&entry.words)
                        .all(|(a, w)| a.eq_ignore_ascii_case(w))
            }
        };
        if !show {
            continue;
        }
        out.push_str(&format!(
            "\r\n  \x1b[1m{}\x1b[0m \x1b[90m{}\x1b[0m\r\n",
            entry.full, entry.params
        ));
        out.push_str(&format!("  \x1b[33msummary:\x1b[0m {}\r\n", entry.summary));
        if let Some(since) = &entry.since {
            out.push_str(&format!("  \x1b[33msince:\x1b[0m {since}\r\n"));
        }
        if group.is_none() {
            out.push_str(&format!("  \x1b[33mgroup:\x1b[0m {}\r\n", entry.group));
            if let Some(complexity) = &entry.complexity {
                out.push_str(&format!("  \x1b[33mcomplexity:\x1b[0m {complexity}\r\n"));
            }
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Frame {
        Frame::Bulk(s.as_bytes().to_vec())
    }

    fn set_docs() -> Frame {
        let arg = |name: &str, kind: &str, extra: Vec<(Frame, Frame)>| {
            let mut m = vec![(bulk("name"), bulk(name)), (bulk("type"), bulk(kind))];
            m.extend(extra);
            Frame::Map(m)
        };
        let condition = arg(
            "condition",
            "oneof",
            vec![
                (
                    bulk("flags"),
                    Frame::Array(vec![Frame::Simple("optional".into())]),
                ),
                (
                    bulk("arguments"),
                    Frame::Array(vec![
                        arg("nx", "pure-token", vec![(bulk("token"), bulk("NX"))]),
                        arg("xx", "pure-token", vec![(bulk("token"), bulk("XX"))]),
                    ]),
                ),
            ],
        );
        Frame::Map(vec![(
            bulk("set"),
            Frame::Map(vec![
                (bulk("summary"), bulk("Sets a key")),
                (bulk("since"), bulk("1.0.0")),
                (bulk("group"), bulk("string")),
                (
                    bulk("arguments"),
                    Frame::Array(vec![
                        arg("key", "key", vec![]),
                        arg("value", "string", vec![]),
                        condition,
                    ]),
                ),
            ]),
        )])
    }

    #[test]
    fn params_from_docs() {
        let table = HelpTable::from_docs(&set_docs());
        let set = table.entries.iter().find(|e| e.full == "SET").unwrap();
        assert_eq!(set.params, "key value [NX|XX]");
        assert!(table
            .entries
            .iter()
            .any(|e| e.full == "@string" && e.is_group));
    }

    #[test]
    fn hints_drop_typed_arguments() {
        let table = HelpTable::from_docs(&set_docs());
        assert_eq!(table.hint("set").as_deref(), Some(" key value [NX|XX]"));
        assert_eq!(table.hint("set k ").as_deref(), Some("value [NX|XX]"));
        assert_eq!(table.hint("set k v").as_deref(), Some(" [NX|XX]"));
        assert_eq!(table.hint("nosuch"), None);
    }

    #[test]
    fn completion_of_names_groups_and_tokens() {
        let table = HelpTable::from_docs(&set_docs());
        assert_eq!(table.complete("se"), ["SET"]);
        assert_eq!(table.complete("help @s"), ["help @string"]);
        assert_eq!(table.complete("set k v n"), ["set k v NX"]);
        assert_eq!(table.complete("set k v "), ["set k v NX", "set k v XX"]);
    }

    #[test]
    fn builtin_table_has_common_commands() {
        let table = HelpTable::builtin();
        assert!(table.longest_match(&["get".into(), "k".into()]).is_some());
        assert!(table.hint("get").is_some());
    }

    #[test]
    fn help_text_shows_summary_and_group() {
        let table = HelpTable::from_docs(&set_docs());
        let text = help_text(&table, &["set".into()]);
        assert!(text.contains("\x1b[1mSET\x1b[0m \x1b[90mkey value [NX|XX]\x1b[0m"));
        assert!(text.contains("summary:\x1b[0m Sets a key"));
        assert!(text.contains("group:\x1b[0m string"));
    }
}
