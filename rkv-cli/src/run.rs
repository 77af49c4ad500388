//! What `rkv-cli` does with its parsed arguments: pick the output format,
//! resolve the target, and hand over to a mode, one-shot or the prompt.

use std::io::Read;
use std::process::ExitCode;
use std::time::Duration;

use crate::format::{Delimiters, OutputMode};
use crate::interrupt::{self, is_tty};
use crate::session::{Outcome, Session};
use crate::target::{resolve, Resp3};
use crate::{operator, repl, Args};

/// Where the password came from, for redis-cli's command-line warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSource {
    /// `-a`, `--pass` or `-u`.
    CommandLine,
    /// `RKVCLI_AUTH`, `--askpass`, or none.
    Other,
}

/// Runs the client; the result is the process exit status.
pub fn run(mut args: Args, password_source: PasswordSource) -> ExitCode {
    let mode = output_mode(&args);
    let uri_has_password = args
        .connection
        .uri
        .as_deref()
        .is_some_and(|u| u.contains('@'));
    let typed_password =
        password_source == PasswordSource::CommandLine && args.connection.password.is_some();
    if !args.connection.no_auth_warning && (typed_password || uri_has_password) {
        eprintln!(
            "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe."
        );
    }
    if args.connection.askpass {
        args.connection.password = Some(crate::askpass::ask("Please input password: "));
    }
    let mut target = match resolve(&args.connection, &args.tls) {
        Ok(target) => target,
        Err(e) => {
            eprintln!("{}", e.0);
            return ExitCode::from(1);
        }
    };
    if target.resp3 == Resp3::No
        && !args.connection.resp2
        && (args.output.json || args.output.quoted_json)
    {
        target.resp3 = Resp3::Preferred;
    }
    let mut session = Session::new(target, mode);
    // Like redis-cli, out-of-band pushes are shown on a terminal only,
    // whatever the output format, unless --show-pushes says otherwise.
    session.show_pushes = stdout_is_terminal();
    if let Some(choice) = &args.output_options.show_pushes {
        match choice.chars().next().map(|c| c.to_ascii_lowercase()) {
            Some('y') => session.show_pushes = true,
            Some('n') => session.show_pushes = false,
            _ => eprintln!("Unknown --show-pushes value '{choice}' (valid: '[y]es', '[n]o')"),
        }
    }
    session.delimiters = Delimiters {
        multi: args.output_options.multi_delimiter.clone().into_bytes(),
        command: args.output_options.command_delimiter.clone().into_bytes(),
    };
    session.exit_on_error = args.exit_on_error;
    session.interval = args
        .interval
        .filter(|s| *s > 0.0)
        .map(Duration::from_secs_f64);

    if let Some(code) = operator::run_mode(&args, &mut session) {
        return code;
    }

    if let Some(script) = &args.mode.eval {
        if !session.connect(false) {
            return ExitCode::from(1);
        }
        return eval(&mut session, script, &args.command);
    }
    if args.command.is_empty() {
        interrupt::install();
        session.interactive = true;
        session.connect(false);
        repl::run(&mut session, is_tty(0));
        return ExitCode::SUCCESS;
    }
    one_shot(&mut session, &args)
}

/// redis-cli's choice: human format on a terminal (or with FAKETTY), raw
/// otherwise, unless a flag says which.
fn output_mode(args: &Args) -> OutputMode {
    let out = &args.output;
    if out.raw {
        OutputMode::Raw
    } else if out.no_raw {
        OutputMode::Standard
    } else if out.csv {
        OutputMode::Csv
    } else if out.json {
        OutputMode::Json
    } else if out.quoted_json {
        OutputMode::QuotedJson
    } else if stdout_is_terminal() {
        OutputMode::Standard
    } else {
        OutputMode::Raw
    }
}

/// Whether stdout counts as a terminal (`FAKETTY` pretends it is).
fn stdout_is_terminal() -> bool {
    is_tty(1) || std::env::var_os("FAKETTY").is_some()
}

/// `rkv-cli [options] COMMAND ARGS...`.
fn one_shot(session: &mut Session, args: &Args) -> ExitCode {
    let mut argv: Vec<Vec<u8>> = args
        .command
        .iter()
        .map(|a| a.clone().into_bytes())
        .collect();
    if args.stdin_last_arg || args.stdin_tag.is_some() {
        let mut input = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut input) {
            eprintln!("Error reading standard input: {e}");
            return ExitCode::from(1);
        }
        match &args.stdin_tag {
            None => argv.push(input),
            Some(tag) => match argv.iter().position(|a| a == tag.as_bytes()) {
                Some(at) => argv[at] = input,
                None => {
                    eprintln!("Using -X option but stdin tag not match.");
                    return ExitCode::from(1);
                }
            },
        }
    }
    let first = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
    if first == "help" || first == "?" {
        session.connect(true);
        crate::help::print_help(session, &argv[1..]);
        return ExitCode::SUCCESS;
    }
    session.connect(true);
    let repeat = args.repeat.unwrap_or(1);
    match session.issue(&argv, repeat) {
        Outcome::Done => ExitCode::SUCCESS,
        Outcome::Failed => ExitCode::from(1),
    }
}

/// `--eval FILE keys... , args...`: EVAL with the script's text.
fn eval(session: &mut Session, script: &std::path::Path, words: &[String]) -> ExitCode {
    let body = match std::fs::read(script) {
        Ok(body) => body,
        Err(e) => {
            eprintln!(
                "Can't open file '{}': {}",
                script.display(),
                crate::link::os_message(&e)
            );
            return ExitCode::from(1);
        }
    };
    let argv = eval_argv(body, words);
    match session.issue(&argv, 1) {
        Outcome::Done => ExitCode::SUCCESS,
        Outcome::Failed => ExitCode::from(1),
    }
}

/// `EVAL body numkeys keys... args...`, keys being the words before the
/// first lone comma.
pub fn eval_argv(body: Vec<u8>, words: &[String]) -> Vec<Vec<u8>> {
    let comma = words.iter().position(|w| w == ",");
    let (keys, rest) = match comma {
        Some(at) => (&words[..at], &words[at + 1..]),
        None => (words, &[][..]),
    };
    let mut argv = vec![b"EVAL".to_vec(), body, keys.len().to_string().into_bytes()];
    argv.extend(keys.iter().chain(rest).map(|w| w.clone().into_bytes()));
    argv
}

#[cfg(test)]
mod tests {
    use super::eval_argv;

    #[test]
    fn eval_splits_keys_and_args_at_the_comma() {
        let words: Vec<String> = ["k1", "k2", ",", "a1", ","]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let argv = eval_argv(b"return 1".to_vec(), &words);
        let text: Vec<String> = argv
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        assert_eq!(text, ["EVAL", "return 1", "2", "k1", "k2", "a1", ","]);
    }
}
