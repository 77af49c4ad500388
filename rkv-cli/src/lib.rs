//! Command-line interface of `rkv-cli`, the redis-cli compatible client.
//!
//! The flags live here, as data, so that the binary stays thin and `xtask`
//! can render the same definition into man pages and shell completions.

mod askpass;
mod builtin_docs;
mod connection;
pub mod format;
pub mod help;
mod interrupt;
mod line_editor;
pub mod link;
mod modes;
mod operator;
mod output;
pub mod repl;
mod run;
pub mod session;
pub mod target;

pub use connection::ConnectionArgs;
pub use modes::{KeyspaceArgs, ModeArgs};
pub use output::{OutputArgs, OutputOptions};
pub use rkv_tls::TlsArgs;
pub use run::{run, PasswordSource};

use clap::{ArgAction, CommandFactory, Parser};

/// Command-line client for rkv, compatible with redis-cli.
///
/// With a COMMAND, sends it once and prints the reply; without one, starts an
/// interactive prompt. Special modes (--stat, --bigkeys, --latency, --pipe,
/// --rdb, ...) replace both.
#[derive(Parser, Debug, Clone, PartialEq)]
#[command(
    name = "rkv-cli",
    version,
    // redis-cli uses -h for the host, so help is only reachable as --help.
    disable_help_flag = true,
    // redis-cli spells the version flag -v, not -V.
    disable_version_flag = true,
    after_help = "Examples:\n  rkv-cli -h 10.0.0.5 -p 7000 PING\n  rkv-cli -u redis://alice:secret@localhost:6379/2 GET greeting\n  echo -n hello | rkv-cli -x SET greeting\n  rkv-cli -r 5 -i 1 INFO stats\n  rkv-cli --scan --pattern 'session:*'"
)]
pub struct Args {
    /// Server connection and authentication.
    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// TLS settings.
    #[command(flatten)]
    pub tls: TlsArgs,

    /// How replies are printed.
    #[command(flatten)]
    pub output: OutputArgs,

    /// Delimiters and push messages.
    #[command(flatten)]
    pub output_options: OutputOptions,

    /// Special modes that replace sending a single command.
    #[command(flatten)]
    pub mode: ModeArgs,

    /// Key selection for --scan, --bigkeys, --memkeys and --keystats.
    #[command(flatten)]
    pub keyspace: KeyspaceArgs,

    /// Read the last argument of COMMAND from standard input.
    #[arg(short = 'x', help_heading = "Command", conflicts_with = "stdin_tag")]
    pub stdin_last_arg: bool,

    /// Replace the argument of COMMAND equal to TAG with standard input.
    #[arg(short = 'X', value_name = "TAG", help_heading = "Command")]
    pub stdin_tag: Option<String>,

    /// Run COMMAND this many times (-1 repeats forever).
    #[arg(
        short = 'r',
        value_name = "N",
        allow_negative_numbers = true,
        help_heading = "Command"
    )]
    pub repeat: Option<i64>,

    /// Wait this many seconds between repetitions of -r, or between samples
    /// of --stat, --latency-history and --latency-dist (fractions allowed).
    #[arg(short = 'i', value_name = "SECONDS", help_heading = "Command")]
    pub interval: Option<f64>,

    /// Exit with a non-zero status when a command replies with an error.
    #[arg(short = 'e', help_heading = "Command")]
    pub exit_on_error: bool,

    /// Print more about what the client is doing (connections, redirects).
    #[arg(long, help_heading = "Command")]
    pub verbose: bool,

    /// Print help.
    #[arg(long, action = ArgAction::Help, help_heading = "Help")]
    pub help: Option<bool>,

    /// Print version.
    #[arg(short = 'v', long, action = ArgAction::Version, help_heading = "Help")]
    pub version: Option<bool>,

    /// Command to send, followed by its arguments; without it, rkv-cli
    /// starts an interactive prompt.
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        num_args = 0..,
        help_heading = "Command"
    )]
    pub command: Vec<String>,
}

/// The clap `Command` for `rkv-cli`, used by `xtask` to render docs.
pub fn command() -> clap::Command {
    Args::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("rkv-cli").chain(args.iter().copied()))
            .expect("arguments should parse")
    }

    #[test]
    fn definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn dash_h_is_the_host_not_help() {
        let args = parse(&["-h", "10.0.0.5", "-p", "7000"]);
        assert_eq!(args.connection.host, "10.0.0.5");
        assert_eq!(args.connection.port, 7000);
    }

    #[test]
    fn defaults_match_redis_cli() {
        let args = parse(&[]);
        assert_eq!(args.connection.host, "127.0.0.1");
        assert_eq!(args.connection.port, 6379);
        assert_eq!(args.connection.db, 0);
        assert!(args.command.is_empty());
    }

    #[test]
    fn trailing_command_keeps_dash_arguments() {
        let args = parse(&["-n", "3", "INCRBY", "counter", "-5"]);
        assert_eq!(args.connection.db, 3);
        assert_eq!(args.command, ["INCRBY", "counter", "-5"]);
    }

    #[test]
    fn repeat_accepts_minus_one_for_forever() {
        let args = parse(&["-r", "-1", "-i", "0.5", "PING"]);
        assert_eq!(args.repeat, Some(-1));
        assert_eq!(args.interval, Some(0.5));
    }

    #[test]
    fn dash_x_and_dash_big_x_conflict() {
        let err =
            Args::try_parse_from(["rkv-cli", "-x", "-X", "tag", "SET", "k", "tag"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
        assert_eq!(
            parse(&["-X", "tag", "SET", "k", "tag"])
                .stdin_tag
                .as_deref(),
            Some("tag")
        );
    }

    #[test]
    fn delimiters_default_to_newlines() {
        let args = parse(&[]);
        assert_eq!(
            (
                args.output_options.multi_delimiter.as_str(),
                args.output_options.command_delimiter.as_str()
            ),
            ("\n", "\n")
        );
        let args = parse(&["-d", ",", "-D", ";"]);
        assert_eq!(
            (
                args.output_options.multi_delimiter.as_str(),
                args.output_options.command_delimiter.as_str()
            ),
            (",", ";")
        );
    }

    #[test]
    fn resp3_flag_is_dash_three() {
        assert!(parse(&["-3", "HELLO"]).connection.resp3);
    }

    #[test]
    fn pass_is_a_long_alias_of_dash_a() {
        assert_eq!(
            parse(&["--pass", "s3cret"]).connection.password.as_deref(),
            Some("s3cret")
        );
    }

    #[test]
    fn slave_is_an_alias_of_replica() {
        assert!(parse(&["--slave"]).mode.replica);
    }

    #[test]
    fn output_formats_are_exclusive() {
        let err = Args::try_parse_from(["rkv-cli", "--raw", "--csv"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn modes_are_exclusive() {
        let err = Args::try_parse_from(["rkv-cli", "--stat", "--bigkeys"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn scan_options_parse() {
        let args = parse(&[
            "--scan",
            "--pattern",
            "user:*",
            "--count",
            "500",
            "--type",
            "hash",
        ]);
        assert!(args.mode.scan);
        assert_eq!(args.keyspace.pattern.as_deref(), Some("user:*"));
        assert_eq!(args.keyspace.count, Some(500));
        assert_eq!(args.keyspace.key_type.as_deref(), Some("hash"));
    }
}
