//! Where to connect and as whom, resolved from the flags, `-u` and the
//! environment the way redis-cli resolves them.

use std::path::PathBuf;

use crate::{ConnectionArgs, TlsArgs};
use rkv_tls::TlsOptions;

/// Everything needed to (re)open a connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Host name or address (used unless `socket` is set).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Unix socket path, which wins over host and port.
    pub socket: Option<PathBuf>,
    /// ACL user name for AUTH.
    pub user: Option<String>,
    /// Password for AUTH.
    pub password: Option<String>,
    /// Database to SELECT after connecting.
    pub db: u32,
    /// Whether to switch to RESP3 with HELLO 3, and whether failing to is
    /// fatal (`-3`) or tolerated (`--json` asks for RESP3 softly).
    pub resp3: Resp3,
    /// Whether TLS was asked for (`--tls` or `rediss://`).
    pub tls: bool,
    /// Certificates and verification settings for TLS.
    pub tls_options: TlsOptions,
}

/// Whether to send HELLO 3 after connecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resp3 {
    /// Stay on RESP2.
    No,
    /// `-3`: RESP3 or fail.
    Required,
    /// `--json`: RESP3 when the server has it.
    Preferred,
}

impl Target {
    /// `host:port` as redis-cli shows it in prompts and errors (IPv6
    /// addresses in brackets).
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Why a `-u` URI was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriError(pub String);

/// Builds the target from the connection flags; `-u` is applied on top of
/// `-h -p -n -a --user` as redis-cli does when it comes last.
pub fn resolve(args: &ConnectionArgs, tls: &TlsArgs) -> Result<Target, UriError> {
    let mut target = Target {
        host: args.host.clone(),
        port: args.port,
        socket: args.socket.clone(),
        user: args.user.clone(),
        password: args.password.clone(),
        db: args.db,
        resp3: if args.resp3 {
            Resp3::Required
        } else {
            Resp3::No
        },
        tls: tls.tls,
        tls_options: tls.options(),
    };
    if let Some(uri) = &args.uri {
        apply_uri(&mut target, uri)?;
    }
    Ok(target)
}

/// Applies `redis://[[user]:password@]host[:port][/db]` to `target`.
pub fn apply_uri(target: &mut Target, uri: &str) -> Result<(), UriError> {
    let lower = uri.to_ascii_lowercase();
    let rest = if lower.starts_with("rediss://") {
        target.tls = true;
        &uri["rediss://".len()..]
    } else if lower.starts_with("redis://") {
        &uri["redis://".len()..]
    } else {
        return Err(UriError("Invalid URI scheme".into()));
    };
    let rest = match rest.find('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            match userinfo.find(':') {
                Some(colon) => {
                    let user = percent_decode(&userinfo[..colon]);
                    target.user = (!user.is_empty()).then_some(user);
                    target.password = Some(percent_decode(&userinfo[colon + 1..]));
                }
                None => target.password = Some(percent_decode(userinfo)),
            }
            &rest[at + 1..]
        }
        None => rest,
    };
    let (hostport, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], Some(&rest[slash + 1..])),
        None => (rest, None),
    };
    if !hostport.is_empty() {
        match hostport.rfind(':').filter(|_| !hostport.ends_with(']')) {
            Some(colon) => {
                target.host = hostport[..colon].to_string();
                target.port = leading_number(&hostport[colon + 1..]) as u16;
            }
            None => target.host = hostport.to_string(),
        }
        target.host = target
            .host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
    }
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        target.db = leading_number(path) as u32;
    }
    Ok(())
}

/// `atoi`: the leading decimal digits of `s`, 0 when there are none.
fn leading_number(s: &str) -> u64 {
    s.bytes().take_while(u8::is_ascii_digit).fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(v) = hex_pair(bytes[i + 1], bytes[i + 2]) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_pair(high: u8, low: u8) -> Option<u8> {
    let digit = |c: u8| (c as char).to_digit(16);
    Some((digit(high)? * 16 + digit(low)?) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank() -> Target {
        Target {
            host: "127.0.0.1".into(),
            port: 6379,
            socket: None,
            user: None,
            password: None,
            db: 0,
            resp3: Resp3::No,
            tls: false,
            tls_options: TlsOptions::default(),
        }
    }

    #[test]
    fn full_uri() {
        let mut t = blank();
        apply_uri(&mut t, "redis://alice:p%40ss@example.org:7000/3").unwrap();
        assert_eq!(t.user.as_deref(), Some("alice"));
        assert_eq!(t.password.as_deref(), Some("p@ss"));
        assert_eq!(t.host, "example.org");
        assert_eq!(t.port, 7000);
        assert_eq!(t.db, 3);
        assert!(!t.tls);
    }

    #[test]
    fn partial_uris_keep_defaults() {
        let mut t = blank();
        apply_uri(&mut t, "rediss://localhost").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.db, t.tls),
            ("localhost", 6379, 0, true)
        );
        let mut t = blank();
        apply_uri(&mut t, "redis://secret@/2").unwrap();
        assert_eq!(t.password.as_deref(), Some("secret"));
        assert_eq!(t.user, None);
        assert_eq!((t.host.as_str(), t.db), ("127.0.0.1", 2));
    }

    #[test]
    fn bad_scheme() {
        assert_eq!(
            apply_uri(&mut blank(), "http://x"),
            Err(UriError("Invalid URI scheme".into()))
        );
    }

    #[test]
    fn ipv6_address_is_bracketed() {
        let mut t = blank();
        t.host = "::1".into();
        assert_eq!(t.address(), "[::1]:6379");
    }
}
