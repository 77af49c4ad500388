//! Where `rkv-cli` connects and how it authenticates.

use std::path::PathBuf;

/// Server address, database, protocol and credentials.
#[derive(clap::Args, Debug, Clone, PartialEq)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Server hostname.
    #[arg(short = 'h', value_name = "HOSTNAME", default_value = "127.0.0.1")]
    pub host: String,

    /// Server port.
    #[arg(short = 'p', value_name = "PORT", default_value_t = 6379)]
    pub port: u16,

    /// Server Unix socket (overrides -h and -p).
    #[arg(short = 's', value_name = "SOCKET")]
    pub socket: Option<PathBuf>,

    /// Password for AUTH. Prefer the RKVCLI_AUTH environment variable, which
    /// does not show up in the process list.
    #[arg(
        short = 'a',
        long = "pass",
        value_name = "PASSWORD",
        env = "RKVCLI_AUTH",
        hide_env_values = true
    )]
    pub password: Option<String>,

    /// Username for AUTH (ACL users); needs a password too.
    #[arg(long, value_name = "USERNAME")]
    pub user: Option<String>,

    /// Read the password from standard input without echo (overrides -a).
    #[arg(long)]
    pub askpass: bool,

    /// Database number to SELECT.
    #[arg(short = 'n', value_name = "DB", default_value_t = 0)]
    pub db: u32,

    /// Server URI, redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]; rediss://
    /// turns on TLS.
    #[arg(short = 'u', value_name = "URI")]
    pub uri: Option<String>,

    /// Speak RESP3 (HELLO 3) instead of RESP2.
    #[arg(short = '3', conflicts_with = "resp2")]
    pub resp3: bool,

    /// Stay on RESP2, even with --json or --quoted-json.
    #[arg(short = '2')]
    pub resp2: bool,

    /// Do not warn that a password given with -a may be visible in the
    /// process list.
    #[arg(long)]
    pub no_auth_warning: bool,
}
