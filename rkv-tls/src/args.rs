//! The TLS flags, named as redis-cli names them, and what they resolve to.

use std::path::PathBuf;

/// Whether and how to wrap a connection in TLS (`#[command(flatten)]` it
/// into a tool's arguments).
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
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

impl TlsArgs {
    /// The options these flags give (whether TLS is used at all is
    /// [`TlsArgs::tls`], or a `rediss://` URI).
    pub fn options(&self) -> TlsOptions {
        TlsOptions {
            cacert: self.cacert.clone(),
            cert: self.cert.clone(),
            key: self.key.clone(),
            sni: self.sni.clone(),
            insecure: self.insecure,
        }
    }
}

/// The TLS flags, resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// CA certificate file (PEM); the system bundle when absent.
    pub cacert: Option<PathBuf>,
    /// Client certificate file (PEM).
    pub cert: Option<PathBuf>,
    /// Client private key file (PEM).
    pub key: Option<PathBuf>,
    /// Name to send with SNI and to verify; the host when absent.
    pub sni: Option<String>,
    /// Skip verifying the server's certificate.
    pub insecure: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Tool {
        #[command(flatten)]
        tls: TlsArgs,
    }

    #[test]
    fn flags_resolve_to_options() {
        let tool = Tool::try_parse_from([
            "tool",
            "--tls",
            "--cacert",
            "ca.crt",
            "--sni",
            "db.example",
            "--insecure",
        ])
        .unwrap();
        assert!(tool.tls.tls);
        let options = tool.tls.options();
        assert_eq!(options.cacert, Some(PathBuf::from("ca.crt")));
        assert_eq!(options.sni.as_deref(), Some("db.example"));
        assert!(options.insecure);
        assert_eq!((options.cert, options.key), (None, None));
    }

    #[test]
    fn no_flags_mean_plain_tcp() {
        let tool = Tool::try_parse_from(["tool"]).unwrap();
        assert!(!tool.tls.tls);
        assert_eq!(tool.tls.options(), TlsOptions::default());
    }
}
