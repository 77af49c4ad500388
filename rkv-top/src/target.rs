//! Which servers to watch: `-h`/`-p` or `redis://` URIs, with credentials.

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
    /// The URI does not start with redis://.
    #[error("'{0}' is not a redis:// URI")]
    Scheme(String),
    /// The port is not a number from 1 to 65535.
    #[error("bad port in '{0}'")]
    Port(String),
    /// TLS was asked for; this build speaks plain TCP only.
    #[error("TLS is not supported by rkv-top yet")]
    Tls,
}

/// The servers the arguments name: every `-u`, else `-h`/`-p`.
pub fn targets(args: &Args) -> Result<Vec<Target>, TargetError> {
    if args.tls || args.uris.iter().any(|u| u.starts_with("rediss://")) {
        return Err(TargetError::Tls);
    }
    if args.uris.is_empty() {
        return Ok(vec![Target {
            host: args.host.clone(),
            port: args.port,
            user: args.user.clone(),
            password: args.password.clone(),
        }]);
    }
    args.uris
        .iter()
        .map(|uri| {
            let mut target = parse_uri(uri)?;
            target.user = target.user.or_else(|| args.user.clone());
            target.password = target.password.or_else(|| args.password.clone());
            Ok(target)
        })
        .collect()
}

/// Parses `redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]` (the db is ignored:
/// INFO is server-wide).
pub fn parse_uri(uri: &str) -> Result<Target, TargetError> {
    let rest = uri
        .strip_prefix("redis://")
        .ok_or_else(|| TargetError::Scheme(uri.to_owned()))?;
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
    fn rejects_other_schemes_and_bad_ports() {
        assert!(matches!(parse_uri("http://x"), Err(TargetError::Scheme(_))));
        assert!(matches!(
            parse_uri("redis://x:0"),
            Err(TargetError::Port(_))
        ));
    }
}
