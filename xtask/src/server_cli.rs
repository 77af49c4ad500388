//! A description of `rkv-server`'s command line, for its man page and
//! completions only.
//!
//! The server parses its own arguments (redis-server style); this `Command`
//! mirrors that usage so the docs can be generated like the tools' are.
//! It is not meant for parsing: clap cannot say "an optional file, then free
//! `--name value` pairs", so `rkv-server --port 7000` without a file would
//! not parse with it.

use clap::{Arg, ArgAction, Command, ValueHint};

/// The documented command line of `rkv-server`.
pub fn command() -> Command {
    Command::new("rkv-server")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Redis-compatible in-memory data store")
        .long_about(
            "Redis-compatible in-memory data store.\n\n\
             Reads its configuration from CONFIG-FILE, in redis.conf syntax, \
             then applies any --DIRECTIVE VALUE pairs given after it. Every \
             directive a configuration file accepts can be given this way, \
             and the command line wins over the file.",
        )
        .override_usage("rkv-server [CONFIG-FILE] [--DIRECTIVE VALUE...]...")
        // redis-server answers -v with its version and -h with its help.
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("config-file")
                .value_name("CONFIG-FILE")
                .value_hint(ValueHint::FilePath)
                .help("Configuration file in redis.conf syntax; '-' reads it from standard input"),
        )
        .arg(
            Arg::new("directives")
                .value_name("--DIRECTIVE VALUE")
                .num_args(0..)
                .trailing_var_arg(true)
                .allow_hyphen_values(true)
                .help("Configuration directives that override the file, e.g. --port 7000 --appendonly yes"),
        )
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("Print help"),
        )
        .arg(
            Arg::new("version")
                .short('v')
                .long("version")
                .action(ArgAction::Version)
                .help("Print version"),
        )
        .after_help(
            "Examples:\n  \
             rkv-server\n  \
             rkv-server /etc/rkv/rkv.conf\n  \
             rkv-server --port 7777\n  \
             rkv-server --port 7777 --replicaof 127.0.0.1 8888\n  \
             rkv-server /etc/rkv/rkv.conf --loglevel verbose",
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn config_file_then_directives() {
        let matches = command()
            .try_get_matches_from(["rkv-server", "rkv.conf", "--port", "7000"])
            .expect("usage should parse");
        assert_eq!(
            matches.get_one::<String>("config-file").map(String::as_str),
            Some("rkv.conf")
        );
        let directives: Vec<&str> = matches
            .get_many::<String>("directives")
            .expect("directives")
            .map(String::as_str)
            .collect();
        assert_eq!(directives, ["--port", "7000"]);
    }

    #[test]
    fn dash_v_is_the_version() {
        let err = command()
            .try_get_matches_from(["rkv-server", "-v"])
            .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayVersion);
    }
}
