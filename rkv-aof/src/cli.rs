//! Command-line interface of `rkv-aof`, the append-only file tool.
//!
//! The flags live here, as data, so that the binary stays thin and `xtask`
//! can render the same definition into man pages and shell completions.

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

/// AOF tool for rkv: check, fix, inspect and convert append-only files.
///
/// PATH may be a single AOF file, a multi-part AOF manifest (Redis 7), or
/// the append-only directory that holds one.
#[derive(Parser, Debug, Clone, PartialEq)]
#[command(
    name = "rkv-aof",
    version,
    propagate_version = true,
    args_conflicts_with_subcommands = true,
    arg_required_else_help = true
)]
pub struct Args {
    /// Same as `fix PATH`, for habits formed with redis-check-aof.
    #[arg(long = "fix", value_name = "PATH")]
    pub fix_path: Option<PathBuf>,

    /// What to do with the append-only file.
    #[command(subcommand)]
    pub command: Option<AofCommand>,
}

impl Args {
    /// The subcommand to run, with `--fix PATH` read as `fix PATH`; `None`
    /// when neither was given.
    pub fn into_command(self) -> Option<AofCommand> {
        match (self.command, self.fix_path) {
            (Some(command), _) => Some(command),
            (None, Some(path)) => Some(AofCommand::Fix(FixArgs::interactive(path))),
            (None, None) => None,
        }
    }
}

/// The subcommands of `rkv-aof`.
#[derive(Subcommand, Debug, Clone, PartialEq)]
pub enum AofCommand {
    /// Verify that every command in the AOF is complete and well formed.
    Check(PathArgs),
    /// Repair a damaged AOF by truncating it (asks first unless --yes).
    Fix(FixArgs),
    /// Count commands by name and by database, and report the file sizes.
    Stats(PathArgs),
    /// Replay the AOF and write the resulting dataset as an RDB file.
    ///
    /// The replay is the server's own: the files are copied to a scratch
    /// directory and loaded by rkv-server ($RKV_SERVER, else the one beside
    /// rkv-aof, else the one on PATH), started on a free loopback port with
    /// appendonly yes and aof-load-truncated no (run `rkv-aof fix` first on
    /// a torn file); its SAVE writes the snapshot that is copied to OUT.
    /// The original files are only read.
    ToRdb(ToRdbArgs),
}

impl AofCommand {
    /// The subcommand's name as typed on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            AofCommand::Check(_) => "check",
            AofCommand::Fix(_) => "fix",
            AofCommand::Stats(_) => "stats",
            AofCommand::ToRdb(_) => "to-rdb",
        }
    }
}

/// A subcommand argument naming the AOF to work on.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct PathArgs {
    /// AOF file, manifest, or append-only directory.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
}

/// Arguments of `rkv-aof to-rdb`.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct ToRdbArgs {
    /// AOF file, manifest, or append-only directory.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// RDB file to write.
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
}

/// Arguments of `rkv-aof fix`.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct FixArgs {
    /// AOF file, manifest, or append-only directory.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// Do not ask for confirmation before truncating.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Also cut at damage in the middle of the last file, not only a torn
    /// tail: keeps what precedes the damage and loses everything after it.
    #[arg(long, conflicts_with = "truncate_to_timestamp")]
    pub truncate_to_valid: bool,

    /// Truncate before the first command annotated with a later Unix time
    /// (needs aof-timestamp-enabled); a point-in-time recovery.
    #[arg(long, value_name = "TS")]
    pub truncate_to_timestamp: Option<u64>,
}

impl FixArgs {
    /// The default fix of `path`: truncate to the last valid command, after
    /// asking for confirmation.
    pub fn interactive(path: PathBuf) -> FixArgs {
        FixArgs {
            path,
            yes: false,
            truncate_to_valid: false,
            truncate_to_timestamp: None,
        }
    }
}

/// The clap `Command` for `rkv-aof`, used by `xtask` to render docs.
pub fn command() -> clap::Command {
    Args::command()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("rkv-aof").chain(args.iter().copied()))
    }

    #[test]
    fn definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn top_level_fix_means_fix_subcommand() {
        let command = parse(&["--fix", "appendonly.aof"]).unwrap().into_command();
        assert_eq!(
            command,
            Some(AofCommand::Fix(FixArgs::interactive(
                "appendonly.aof".into()
            )))
        );
    }

    #[test]
    fn top_level_fix_conflicts_with_a_subcommand() {
        let err = parse(&["--fix", "a.aof", "check", "b.aof"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ArgumentConflict);
    }

    #[test]
    fn fix_truncation_modes_are_exclusive() {
        let err = parse(&[
            "fix",
            "a.aof",
            "--truncate-to-valid",
            "--truncate-to-timestamp",
            "1700000000",
        ])
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ArgumentConflict);
    }

    #[test]
    fn fix_to_timestamp_parses() {
        let command = parse(&[
            "fix",
            "dir",
            "--yes",
            "--truncate-to-timestamp",
            "1700000000",
        ])
        .unwrap()
        .into_command();
        let Some(AofCommand::Fix(fix)) = command else {
            panic!("expected fix");
        };
        assert!(fix.yes);
        assert_eq!(fix.truncate_to_timestamp, Some(1_700_000_000));
    }

    #[test]
    fn to_rdb_takes_path_and_out() {
        let command = parse(&["to-rdb", "appendonlydir", "dump.rdb"])
            .unwrap()
            .into_command()
            .unwrap();
        assert_eq!(command.name(), "to-rdb");
    }
}
