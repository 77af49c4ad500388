//! Command-line interface of `rkv-rdb`, the offline RDB snapshot tool.
//!
//! The flags live here, as data, so that the binary stays thin and `xtask`
//! can render the same definition into man pages and shell completions.

pub mod analyze;
mod analyze_args;
pub mod check;
pub mod commands;
pub mod convert;
mod convert_args;
pub mod dump;
mod dump_args;
mod html;
pub mod json;
pub mod memory;
mod progress;
pub mod records;

pub use analyze_args::AnalyzeArgs;
pub use convert_args::{ConvertArgs, FileFormat};
pub use dump_args::{DumpArgs, DumpFormat, KeyType};

use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

/// Offline RDB tool for rkv: check, dump, convert and analyze snapshots.
///
/// Works on RDB files written by rkv or Redis (RDB versions 1 to 12, Redis
/// 2.x to 7.4) without a running server.
#[derive(Parser, Debug, Clone, PartialEq)]
#[command(name = "rkv-rdb", version, propagate_version = true)]
pub struct Args {
    /// What to do with the snapshot.
    #[command(subcommand)]
    pub command: RdbCommand,
}

/// The subcommands of `rkv-rdb`.
#[derive(Subcommand, Debug, Clone, PartialEq)]
pub enum RdbCommand {
    /// Verify an RDB file's structure and checksum, like redis-check-rdb.
    Check(CheckArgs),
    /// Print the keys and values of an RDB file.
    Dump(DumpArgs),
    /// Convert between RDB, JSON and AOF.
    Convert(ConvertArgs),
    /// Report memory use by key, type and key prefix.
    Analyze(AnalyzeArgs),
}

impl RdbCommand {
    /// The subcommand's name as typed on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            RdbCommand::Check(_) => "check",
            RdbCommand::Dump(_) => "dump",
            RdbCommand::Convert(_) => "convert",
            RdbCommand::Analyze(_) => "analyze",
        }
    }
}

/// Arguments of `rkv-rdb check`.
#[derive(clap::Args, Debug, Clone, PartialEq)]
pub struct CheckArgs {
    /// RDB file to check.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Runs the subcommand `args` names; the process exit code.
pub fn run(args: &Args) -> std::process::ExitCode {
    match &args.command {
        RdbCommand::Check(a) => check::run(a),
        RdbCommand::Dump(a) => dump::run(a),
        RdbCommand::Convert(a) => convert::run(a),
        RdbCommand::Analyze(a) => analyze::run(a),
    }
}

/// The clap `Command` for `rkv-rdb`, used by `xtask` to render docs.
pub fn command() -> clap::Command {
    Args::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> RdbCommand {
        Args::try_parse_from(std::iter::once("rkv-rdb").chain(args.iter().copied()))
            .expect("arguments should parse")
            .command
    }

    #[test]
    fn definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn check_takes_a_file() {
        let parsed = parse(&["check", "dump.rdb"]);
        assert_eq!(parsed.name(), "check");
        assert_eq!(
            parsed,
            RdbCommand::Check(CheckArgs {
                file: "dump.rdb".into()
            })
        );
    }

    #[test]
    fn dump_filters_parse() {
        let RdbCommand::Dump(dump) = parse(&[
            "dump", "dump.rdb", "--format", "commands", "--db", "2", "--type", "zset", "--key",
            "^user:", "--limit", "10",
        ]) else {
            panic!("expected dump");
        };
        assert_eq!(dump.format, DumpFormat::Commands);
        assert_eq!(dump.db, Some(2));
        assert_eq!(dump.key_type, Some(KeyType::Zset));
        assert_eq!(dump.key.as_deref(), Some("^user:"));
        assert_eq!(dump.limit, Some(10));
    }

    #[test]
    fn dump_defaults_to_json() {
        let RdbCommand::Dump(dump) = parse(&["dump", "dump.rdb"]) else {
            panic!("expected dump");
        };
        assert_eq!(dump.format, DumpFormat::Json);
    }

    #[test]
    fn convert_formats_are_optional() {
        let RdbCommand::Convert(convert) = parse(&["convert", "a.rdb", "b.json"]) else {
            panic!("expected convert");
        };
        assert_eq!((convert.from, convert.to), (None, None));
        let RdbCommand::Convert(convert) =
            parse(&["convert", "in", "out", "--from", "aof", "--to", "rdb"])
        else {
            panic!("expected convert");
        };
        assert_eq!(
            (convert.from, convert.to),
            (Some(FileFormat::Aof), Some(FileFormat::Rdb))
        );
    }

    #[test]
    fn analyze_csv_accepts_dash_for_stdout() {
        let RdbCommand::Analyze(analyze) = parse(&["analyze", "dump.rdb", "--csv", "-"]) else {
            panic!("expected analyze");
        };
        assert_eq!(analyze.csv.as_deref(), Some(std::path::Path::new("-")));
        assert_eq!(analyze.top, 10);
        assert_eq!(analyze.prefix_depth, 1);
    }

    #[test]
    fn unknown_dump_format_is_rejected() {
        let err =
            Args::try_parse_from(["rkv-rdb", "dump", "x.rdb", "--format", "xml"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
    }
}
