//! `rkv-top`, the live terminal dashboard, as a library; the binary is thin.
//!
//! Elm-style, as the house style asks: pollers send samples over a channel,
//! only [`update`](fn@update) changes the [`Model`], and [`view`](fn@view) only draws.
//!
//! - this module: the command-line flags, as data, so that `xtask` can render
//!   them into man pages and shell completions.
//! - [`target`]: which servers to watch (`-h`/`-p`, `redis://` and
//!   `rediss://` URIs), and with which TLS options (the connector itself is
//!   the `rkv-tls` crate, shared with rkv-cli).
//! - [`poller`]: threads that take a [`sample::Sample`] per interval per server.
//! - [`info`], [`sample`]: parsing INFO, SLOWLOG, CLIENT LIST, CONFIG GET.
//! - [`figures`]: rates and ratios computed from two samples.
//! - [`alerts`]: thresholds (fragmentation, replica lag…) and alert phrases.
//! - [`history`], [`latency`]: ring buffers for charts, the PING histogram.
//! - [`model`], [`update`](mod@update), [`view`](mod@view): the dashboard state, its only
//!   writer, and its drawing.
//! - [`screen`]: off-screen rendering (for `--once` and tests); [`json`]:
//!   `--once --json`; [`once`]: the two-sample one-shot run; [`stream`]:
//!   JSON lines (`--json` alone); [`app`]: the interactive terminal loop.

#![warn(missing_docs)]

pub mod alerts;
pub mod app;
mod duration;
pub mod figures;
pub mod history;
pub mod info;
pub mod json;
pub mod latency;
pub mod model;
pub mod once;
pub mod poller;
pub mod sample;
pub mod screen;
pub mod stream;
pub mod target;
pub mod update;
pub mod view;

pub use duration::{parse_duration, DurationError};
pub use model::Model;
pub use update::update;
pub use view::view;

use std::time::Duration;

use clap::{ArgAction, CommandFactory, Parser};
use rkv_tls::TlsArgs;

/// Live terminal dashboard for rkv and Redis servers.
///
/// Polls INFO, CONFIG GET, SLOWLOG, LATENCY, CLIENT LIST and PING on one or
/// more servers every --interval and shows memory (fragmentation coloured green
/// below 1.4, yellow to 1.5, red above or below 1.0), throughput and the
/// busiest commands, keyspace hit ratios, replication lag per replica,
/// clients, persistence, the slowlog, a PING latency histogram and an alerts
/// line. Servers that go away are shown as disconnected and reconnected.
#[derive(Parser, Debug, Clone, PartialEq)]
#[command(
    name = "rkv-top",
    version,
    // Like rkv-cli and redis-cli, -h is the host; help is --help only.
    disable_help_flag = true,
    after_help = "Keys:\n  q quit, Tab/Left/Right switch server, Up/Down focus panel, Enter zoom panel, p pause, r reset rates, ? help\n\nExamples:\n  rkv-top -h 10.0.0.5 -p 7000\n  rkv-top -u redis://10.0.0.5:7000 -u redis://10.0.0.6:7000\n  rkv-top --cluster -u redis://10.0.0.5:7000\n  rkv-top --tls --cacert ca.crt -h db.example -p 6380\n  rkv-top --once --json"
)]
pub struct Args {
    /// Server hostname.
    #[arg(short = 'h', value_name = "HOSTNAME", default_value = "127.0.0.1")]
    pub host: String,

    /// Server port.
    #[arg(short = 'p', value_name = "PORT", default_value_t = 6379)]
    pub port: u16,

    /// Password for AUTH.
    #[arg(short = 'a', value_name = "PASSWORD")]
    pub password: Option<String>,

    /// Username for AUTH (ACL users).
    #[arg(long, value_name = "USERNAME")]
    pub user: Option<String>,

    /// Server URI, redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]; repeat to
    /// watch several servers (replaces -h and -p).
    #[arg(short = 'u', value_name = "URI", action = ArgAction::Append)]
    pub uris: Vec<String>,

    /// Time between refreshes: a number with ms, s, m or h (bare numbers are
    /// seconds).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub interval: Duration,

    /// Watch every node of the cluster the given server belongs to (refused
    /// until rkv has a cluster mode).
    #[arg(long)]
    pub cluster: bool,

    /// Sample every server twice, one --interval apart, print the screen as
    /// plain text (or every figure as JSON, with --json) and exit; the exit
    /// status is 1 when a server could not be reached.
    #[arg(long)]
    pub once: bool,

    /// Print figures as JSON instead of drawing the dashboard: one line per
    /// server per --interval, or one document with --once.
    #[arg(long)]
    pub json: bool,

    /// Print help.
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// TLS settings, as rkv-cli and redis-cli name them; `rediss://` URIs
    /// turn TLS on for their server. Last, because the group's "TLS"
    /// heading carries over to the flags that follow it.
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// The clap `Command` for `rkv-top`, used by `xtask` to render docs.
pub fn command() -> clap::Command {
    Args::command()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("rkv-top").chain(args.iter().copied()))
    }

    #[test]
    fn definition_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn defaults() {
        let args = parse(&[]).unwrap();
        assert_eq!((args.host.as_str(), args.port), ("127.0.0.1", 6379));
        assert_eq!(args.interval, Duration::from_secs(1));
        assert!(args.uris.is_empty());
    }

    #[test]
    fn dash_h_is_the_host() {
        assert_eq!(parse(&["-h", "db1"]).unwrap().host, "db1");
    }

    #[test]
    fn uri_is_repeatable() {
        let args = parse(&["-u", "redis://a:1", "-u", "redis://b:2"]).unwrap();
        assert_eq!(args.uris, ["redis://a:1", "redis://b:2"]);
    }

    #[test]
    fn tls_flags_are_rkv_clis() {
        let args = parse(&["--tls", "--cacert", "ca.crt", "--sni", "db.example"]).unwrap();
        assert!(args.tls.tls);
        assert_eq!(args.tls.cacert, Some("ca.crt".into()));
        assert_eq!(args.tls.sni.as_deref(), Some("db.example"));
        assert!(!args.tls.insecure);
    }

    #[test]
    fn interval_uses_the_duration_parser() {
        let args = parse(&["--interval", "250ms"]).unwrap();
        assert_eq!(args.interval, Duration::from_millis(250));
        let err = parse(&["--interval", "0s"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ValueValidation);
    }
}
