//! The rustyline editor behind the prompt: grey inline hints and Tab
//! completion from the help table, history saved after every command.

use std::borrow::Cow;
use std::cell::Cell;
use std::path::PathBuf;

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Helper};

use crate::help::HelpTable;

/// What reading a line produced.
pub enum ReadOutcome {
    /// A line was entered.
    Line(String),
    /// End of input or Ctrl-C at the prompt: leave.
    End,
}

/// rustyline plus the history file.
pub struct Editor {
    inner: rustyline::Editor<CliHelper, FileHistory>,
    history_file: Option<PathBuf>,
}

impl Editor {
    /// An editor using `table` for hints and completion, loading history
    /// from `history_file` if given.
    pub fn new(table: HelpTable, history_file: Option<PathBuf>) -> Editor {
        let config = Config::builder()
            .auto_add_history(false)
            .completion_type(CompletionType::Circular)
            .build();
        let mut inner = rustyline::Editor::with_config(config).expect("terminal line editor");
        inner.set_helper(Some(CliHelper {
            table,
            hints: Cell::new(true),
        }));
        if let Some(path) = &history_file {
            let _ = inner.load_history(path);
        }
        Editor {
            inner,
            history_file,
        }
    }

    /// Shows `prompt` and reads a line.
    pub fn read(&mut self, prompt: &str) -> ReadOutcome {
        match self.inner.readline(prompt) {
            Ok(line) => ReadOutcome::Line(line),
            Err(ReadlineError::Interrupted | ReadlineError::Eof) => ReadOutcome::End,
            Err(e) => {
                eprintln!("{e}");
                ReadOutcome::End
            }
        }
    }

    /// Adds `line` to the history and rewrites the history file.
    pub fn remember(&mut self, line: &str) {
        let _ = self.inner.add_history_entry(line);
        if let Some(path) = &self.history_file {
            let _ = self.inner.save_history(path);
        }
    }

    /// Clears the terminal.
    pub fn clear_screen(&mut self) {
        let _ = self.inner.clear_screen();
    }

    /// Turns inline hints on or off.
    pub fn set_hints(&mut self, on: bool) {
        if let Some(helper) = self.inner.helper() {
            helper.hints.set(on);
        }
    }
}

/// Hints and completion for rustyline.
struct CliHelper {
    table: HelpTable,
    hints: Cell<bool>,
}

impl Completer for CliHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        // Candidates are whole lines, as in redis-cli's linenoise setup.
        Ok((0, self.table.complete(&line[..pos])))
    }
}

impl Hinter for CliHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if !self.hints.get() || pos < line.len() {
            return None;
        }
        self.table.hint(line)
    }
}

impl Highlighter for CliHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("\x1b[90m{hint}\x1b[0m"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        false
    }
}

impl Validator for CliHelper {}

impl Helper for CliHelper {}
