//! Which servers to watch: `-h`/`-p` or `redis://`/`rediss://` URIs, with
//! credentials and TLS options.

use rkv_tls::{TlsConnector, TlsError, TlsOptions};

use crate::Args;

/// One server to poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// ACL user for AUTH, if any.
    pub user: Option<String>,
    /// Password for AUTH, if any.
    pub password: Option<String>,
    /// TLS options when the server is reached over TLS (`--tls`, or a
    /// `rediss://` URI).
    pub tls: Option<TlsOptions>,
}

impl Target {
    /// `host:port`, the name the dashboard shows.
    pub fn label(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// Why a `-u` URI was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The URI does not start with redis:// or rediss://.
    #[error("'{0}' is not a redis:// or rediss:// URI")]
    Scheme(String),
    /// The port is not a number from 1 to 65535.
    #[error("bad port in '{0}'")]
    Port(String),
    /// The TLS files cannot be used (an unreadable CA bundle, --cert
    /// without --key...).
    #[error("{0}")]
    Tls(TlsError),
}

/// The servers the arguments name: every `-u`, else `-h`/`-p`. TLS files
/// are checked here, once, so that a wrong path stops the program at once
/// instead of showing every server as down.
pub fn targets(args: &Args) -> Result<Vec<Target>, TargetError> {
    let options = args.tls.options();
    let mut targets = if args.uris.is_empty() {
        vec![Target {
            host: args.host.clone(),
            port: args.port,
            user: args.user.clone(),
            password: args.password.clone(),
            tls: None,
        }]
    } else {
        args.uris
            .iter()
            .map(|uri| {
                let mut target = parse_uri(uri)?;
                target.user = target.user.or_else(|| args.user.clone());
                target.password = target.password.or_else(|| args.password.clone());
                Ok(target)
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    for target in &mut targets {
        if args.tls.tls || target.tls.is_some() {
            target.tls = Some(options.clone());
        }
    }
    if targets.iter().any(|t| t.tls.is_some()) {
        TlsConnector::new(&options).map_err(TargetError::Tls)?;
    }
    Ok(targets)
}

/// Parses `redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]` (the db is ignored:
/// INFO is server-wide); `rediss://` asks for TLS with default options,
/// which [`targets`] replaces with the flags'.
pub fn parse_uri(uri: &str) -> Result<Target, TargetError> {
    let scheme_end = uri.find("://").map_or(0, |i| i + 3);
    let tls = match uri[..scheme_end].to_ascii_lowercase().as_str() {
        "redis://" => None,
        "rediss://" => Some(TlsOptions::default()),
        _ => return Err(TargetError::Scheme(uri.to_owned())),
    };
    let rest = &uri[scheme_end..];
    let rest = rest.split('/').next().unwrap_or_default();
    let (credentials, address) = match rest.rsplit_once('@') {
        Some((c, a)) => (Some(c), a),
        None => (None, rest),
    };
    let (user, password) = match credentials.map(|c| c.split_once(':')) {
        Some(Some((u, p))) => ((!u.is_empty()).then(|| u.to_owned()), Some(p.to_owned())),
        Some(None) => (None, credentials.map(str::to_owned)),
        None => (None, None),
    };
    let (host, port) = match address.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| TargetError::Port(uri.to_owned()))?,
        ),
        None => (address, 6379),
    };
    let host = if host.is_empty() { "127.0.0.1" } else { host };
    Ok(Target {
        host: host.to_owned(),
        port,
        user,
        password,
        tls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_uri() {
        let t = parse_uri("redis://alice:s3cret@db1:7000/2").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("db1", 7000));
        assert_eq!(t.user.as_deref(), Some("alice"));
        assert_eq!(t.password.as_deref(), Some("s3cret"));
    }

    #[test]
    fn password_only_and_default_port() {
        let t = parse_uri("redis://:pw@db1").unwrap();
        assert_eq!(
            (t.port, t.user, t.password.as_deref()),
            (6379, None, Some("pw"))
        );
    }

    #[test]
    fn rediss_asks_for_tls() {
        let t = parse_uri("rediss://db1:6380").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("db1", 6380));
        assert_eq!(t.tls, Some(TlsOptions::default()));
        assert_eq!(parse_uri("REDIS://db1").unwrap().tls, None);
    }

    fn args(list: &[&str]) -> Args {
        <Args as clap::Parser>::try_parse_from(
            std::iter::once("rkv-top").chain(list.iter().copied()),
        )
        .unwrap()
    }

    #[test]
    fn tls_flag_applies_to_every_server_and_rediss_to_its_own() {
        let all = targets(&args(&[
            "--tls",
            "--insecure",
            "-u",
            "redis://a",
            "-u",
            "redis://b",
        ]))
        .unwrap();
        assert!(all
            .iter()
            .all(|t| t.tls.as_ref().is_some_and(|o| o.insecure)));
        let one = targets(&args(&[
            "--insecure",
            "-u",
            "rediss://a",
            "-u",
            "redis://b",
        ]))
        .unwrap();
        assert!(one[0].tls.as_ref().is_some_and(|o| o.insecure));
        assert_eq!(one[1].tls, None);
    }

    #[test]
    fn unusable_tls_files_are_refused_up_front() {
        let err = targets(&args(&["--tls", "--cacert", "/nonexistent/ca.crt"])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("Failed to load CA certificate '/nonexistent/ca.crt'"),
            "{err}"
        );
        // Without TLS the files are not looked at.
        assert!(targets(&args(&["--cacert", "/nonexistent/ca.crt"])).is_ok());
    }

    #[test]
    fn rejects_other_schemes_and_bad_ports() {
        assert!(matches!(parse_uri("http://x"), Err(TargetError::Scheme(_))));
        assert!(matches!(
            parse_uri("redis://x:0"),
            Err(TargetError::Port(_))
        ));
    }
}
