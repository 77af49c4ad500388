//! TLS options shared by the connection of `rkv-cli`.

use std::path::PathBuf;

/// Whether and how to wrap the connection in TLS.
#[derive(clap::Args, Debug, Clone, PartialEq)]
#[command(next_help_heading = "TLS")]
pub struct TlsArgs {
    /// Connect over TLS.
    #[arg(long)]
    pub tls: bool,

    /// CA certificate file that signs the server's certificate.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Client certificate file, for servers that require one.
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,

    /// Private key file for --cert.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// Server name to send with TLS SNI.
    #[arg(long, value_name = "HOST")]
    pub sni: Option<String>,

    /// Do not verify the server's certificate.
    #[arg(long)]
    pub insecure: bool,
}
