//! The interactive prompt (and the same loop over commands piped to stdin):
//! quoting, repeat prefixes, history without secrets, CONNECT, CLEAR,
//! HELP, hints and completion.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

use rkv_proto::split_args;

use crate::format::OutputMode;
use crate::help::{print_help, HelpTable};
use crate::line_editor::{Editor, ReadOutcome};
use crate::session::Session;

/// Runs the prompt until `quit`, end of input or Ctrl-C at the prompt.
/// History and the line editor are used only when stdin is a terminal.
pub fn run(session: &mut Session, stdin_is_tty: bool) {
    if stdin_is_tty {
        let table = HelpTable::load(session);
        let mut editor = Editor::new(table, history_path());
        loop {
            let prompt = session.prompt();
            match editor.read(&prompt) {
                ReadOutcome::Line(line) => handle_line(session, &line, Some(&mut editor)),
                ReadOutcome::End => return,
            }
        }
    } else {
        let stdin = std::io::stdin();
        let mut lines = stdin.lock();
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match lines.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                        buf.pop();
                    }
                    let line = String::from_utf8_lossy(&buf).into_owned();
                    handle_line(session, &line, None);
                }
            }
        }
    }
}

/// `RKVCLI_HISTFILE`, else `~/.rkvcli_history`; `None` for `/dev/null` or
/// without a home directory.
pub fn history_path() -> Option<PathBuf> {
    match std::env::var_os("RKVCLI_HISTFILE") {
        Some(path) if !path.is_empty() => {
            if path == "/dev/null" {
                None
            } else {
                Some(PathBuf::from(path))
            }
        }
        _ => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|home| PathBuf::from(home).join(".rkvcli_history")),
    }
}

/// What a typed line asks for once split.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    /// Nothing typed.
    Empty,
    /// Quotes do not balance.
    Invalid,
    /// A repeat prefix that is zero, negative or out of range.
    BadRepeat,
    /// Run `argv` `repeat` times.
    Command {
        /// How many times (the repeat prefix, or 1).
        repeat: i64,
        /// The words, prefix removed.
        argv: Vec<Vec<u8>>,
    },
}

/// Splits a line with redis-cli's quoting rules and its repeat prefix.
pub fn parse_line(line: &str) -> Parsed {
    let Some(argv) = split_args(line.as_bytes()) else {
        return Parsed::Invalid;
    };
    if argv.is_empty() {
        return Parsed::Empty;
    }
    let first = String::from_utf8_lossy(&argv[0]);
    if argv.len() > 1 && looks_like_integer(&first) {
        return match first.trim_start().parse::<i64>() {
            Ok(n) if n > 0 => Parsed::Command {
                repeat: n,
                argv: argv[1..].to_vec(),
            },
            _ => Parsed::BadRepeat,
        };
    }
    Parsed::Command { repeat: 1, argv }
}

/// Whether `strtol` would consume the whole word.
fn looks_like_integer(word: &str) -> bool {
    let t = word.trim_start();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a command carries a secret and so stays out of the history.
pub fn is_sensitive(argv: &[Vec<u8>]) -> bool {
    let word = |i: usize| String::from_utf8_lossy(&argv[i]).to_ascii_lowercase();
    let argc = argv.len();
    if argc == 0 {
        return false;
    }
    match word(0).as_str() {
        "auth" => true,
        "acl" => argc > 1 && word(1) == "setuser",
        "config" => {
            argc > 2
                && word(1) == "set"
                && matches!(
                    word(2).as_str(),
                    "masterauth" | "masteruser" | "requirepass"
                )
        }
        "hello" if argc > 4 => {
            let mut j = 2;
            while j < argc {
                let more = argc - 1 - j;
                match word(j).as_str() {
                    "auth" if more >= 2 => return true,
                    "setname" if more > 0 => j += 1,
                    _ => return false,
                }
                j += 1;
            }
            false
        }
        "migrate" if argc > 7 => {
            for j in 6..argc {
                let more = argc - 1 - j;
                match word(j).as_str() {
                    "auth" if more > 0 => return true,
                    "auth2" if more >= 2 => return true,
                    "keys" if more > 0 => return false,
                    _ => {}
                }
            }
            false
        }
        _ => false,
    }
}

/// Handles one line of input; `editor` is there on a terminal.
fn handle_line(session: &mut Session, line: &str, mut editor: Option<&mut Editor>) {
    if line.is_empty() {
        return;
    }
    let parsed = parse_line(line);
    let remember = |editor: &mut Option<&mut Editor>| {
        if let Some(editor) = editor.as_deref_mut() {
            editor.remember(line);
        }
    };
    let (repeat, argv) = match parsed {
        Parsed::Empty => return,
        Parsed::Invalid => {
            println!("Invalid argument(s)");
            remember(&mut editor);
            return;
        }
        Parsed::BadRepeat => {
            println!("Invalid redis-cli repeat command option value.");
            return;
        }
        Parsed::Command { repeat, argv } => (repeat, argv),
    };
    if !is_sensitive(&argv) {
        remember(&mut editor);
    }
    // Client-side commands are recognised on the words as typed, before
    // any repeat prefix is taken off (as redis-cli does).
    let typed = split_args(line.as_bytes()).unwrap_or_default();
    let first_word = String::from_utf8_lossy(&typed[0]).to_ascii_lowercase();
    let argc = typed.len();
    match first_word.as_str() {
        "quit" | "exit" => std::process::exit(0),
        w if w.starts_with(':') => {
            set_preference(&argv, editor.as_deref_mut());
            return;
        }
        "restart" => {
            println!("Use 'restart' only in Lua debugging mode.");
            return;
        }
        "connect" if argc == 3 => {
            session.target.host = String::from_utf8_lossy(&argv[1]).into_owned();
            session.target.port = String::from_utf8_lossy(&argv[2])
                .trim()
                .parse()
                .unwrap_or(0);
            session.target.socket = None;
            session.connect(false);
            return;
        }
        "clear" if argc == 1 => {
            if let Some(editor) = editor {
                editor.clear_screen();
            }
            return;
        }
        _ => {}
    }
    let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
    if name == "help" || name == "?" {
        print_help(session, &argv[1..]);
        return;
    }
    let started = Instant::now();
    session.issue(&argv, repeat);
    let elapsed = started.elapsed();
    if elapsed.as_millis() >= 500 && session.mode == OutputMode::Standard {
        println!("({:.2}s)", elapsed.as_secs_f64());
    }
}

/// `:set hints` / `:set nohints`.
fn set_preference(argv: &[Vec<u8>], editor: Option<&mut Editor>) {
    let words: Vec<String> = argv
        .iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    if words[0].eq_ignore_ascii_case(":set") && words.len() >= 2 {
        match words[1].to_ascii_lowercase().as_str() {
            "hints" | "nohints" => {
                if let Some(editor) = editor {
                    editor.set_hints(words[1].eq_ignore_ascii_case("hints"));
                }
            }
            _ => println!("unknown rkv-cli preference '{}'", words[1]),
        }
    } else {
        println!("unknown rkv-cli internal command '{}'", words[0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<Vec<u8>> {
        s.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn repeat_prefix() {
        assert_eq!(
            parse_line("5 INCR x"),
            Parsed::Command {
                repeat: 5,
                argv: words("INCR x")
            }
        );
        assert_eq!(parse_line("0 INCR x"), Parsed::BadRepeat);
        assert_eq!(parse_line("-2 PING"), Parsed::BadRepeat);
        assert_eq!(
            parse_line("5"),
            Parsed::Command {
                repeat: 1,
                argv: words("5")
            }
        );
        assert_eq!(parse_line("set \"a"), Parsed::Invalid);
        assert_eq!(parse_line("   "), Parsed::Empty);
    }

    #[test]
    fn secrets_stay_out_of_history() {
        assert!(is_sensitive(&words("AUTH pw")));
        assert!(is_sensitive(&words("auth user pw")));
        assert!(is_sensitive(&words("HELLO 3 AUTH u p")));
        assert!(is_sensitive(&words("hello 3 SETNAME n AUTH u p")));
        assert!(!is_sensitive(&words("hello 3 SETNAME n")));
        assert!(is_sensitive(&words("config set requirepass x")));
        assert!(is_sensitive(&words("acl setuser bob on >pw")));
        assert!(is_sensitive(&words("migrate h 1 k 0 10 AUTH pw")));
        assert!(!is_sensitive(&words("migrate h 1 k 0 10 KEYS a b")));
        assert!(!is_sensitive(&words("GET auth")));
    }

    #[test]
    fn history_file_location() {
        // One test touches the environment, so the cases run in order.
        std::env::set_var("RKVCLI_HISTFILE", "/tmp/x-hist");
        assert_eq!(history_path(), Some(PathBuf::from("/tmp/x-hist")));
        std::env::set_var("RKVCLI_HISTFILE", "/dev/null");
        assert_eq!(history_path(), None);
        std::env::remove_var("RKVCLI_HISTFILE");
        std::env::set_var("HOME", "/home/u");
        assert_eq!(
            history_path(),
            Some(PathBuf::from("/home/u/.rkvcli_history"))
        );
    }
}
