//! Client configuration (trusted CAs, client certificate, SNI) built once,
//! and the handshake that turns a TCP stream into a [`TlsStream`].

use std::io;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};

use crate::insecure::AcceptAnyCertificate;
use crate::{TlsError, TlsOptions, TlsStream};

/// Where the system's trusted CAs live on Debian-like systems.
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Everything needed to open TLS sessions with the same options; cheap to
/// clone, so one can serve every connection of a tool.
#[derive(Debug, Clone)]
pub struct TlsConnector {
    config: Arc<ClientConfig>,
    sni: Option<String>,
}

impl TlsConnector {
    /// Reads the CA bundle (`--cacert`, else the system's) and the client
    /// certificate, if any; fails on files that cannot be used.
    pub fn new(options: &TlsOptions) -> Result<TlsConnector, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Setup(e.to_string()))?;
        let builder = if options.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate::new(provider)))
        } else {
            builder.with_root_certificates(root_store(options.cacert.as_deref())?)
        };
        let config = match (&options.cert, &options.key) {
            (Some(cert), Some(key)) => {
                let (chain, key) = client_identity(cert, key)?;
                builder
                    .with_client_auth_cert(chain, key)
                    .map_err(|e| TlsError::Setup(e.to_string()))?
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(TlsError::Setup(
                    "--cert and --key must be given together".into(),
                ))
            }
            (None, None) => builder.with_no_client_auth(),
        };
        Ok(TlsConnector {
            config: Arc::new(config),
            sni: options.sni.clone(),
        })
    }

    /// Completes a handshake over `tcp`, verifying the certificate against
    /// the SNI name if one was given, else against `host`.
    pub fn connect(&self, tcp: TcpStream, host: &str) -> Result<TlsStream, TlsError> {
        let name = self.sni.as_deref().unwrap_or(host).to_string();
        let name = ServerName::try_from(name).map_err(|e| TlsError::Setup(e.to_string()))?;
        let connection = ClientConnection::new(Arc::clone(&self.config), name)
            .map_err(|e| TlsError::Setup(e.to_string()))?;
        let mut stream = rustls::StreamOwned::new(connection, tcp);
        while stream.conn.is_handshaking() {
            stream
                .conn
                .complete_io(&mut stream.sock)
                .map_err(|e| TlsError::Handshake(handshake_reason(&e)))?;
        }
        Ok(TlsStream::new(stream))
    }
}

/// Builds a connector from `options` and completes one handshake over `tcp`.
pub fn wrap(tcp: TcpStream, host: &str, options: &TlsOptions) -> Result<TlsStream, TlsError> {
    TlsConnector::new(options)?.connect(tcp, host)
}

/// Why a handshake failed, as OpenSSL words it to redis-cli where the two
/// differ: a rejected certificate is "certificate verify failed", socket
/// errors read as `strerror` (without Rust's " (os error N)"), and a read
/// timeout set on the socket beforehand is "timed out", not EAGAIN.
fn handshake_reason(e: &io::Error) -> String {
    if matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    ) {
        return "timed out".into();
    }
    let text = e.to_string();
    if text.contains("invalid peer certificate") {
        return "certificate verify failed".into();
    }
    match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

fn root_store(cacert: Option<&Path>) -> Result<RootCertStore, TlsError> {
    let path = cacert.map_or_else(|| PathBuf::from(SYSTEM_BUNDLE), Path::to_path_buf);
    let unreadable = |e: &dyn std::fmt::Display| {
        TlsError::Setup(format!(
            "Failed to load CA certificate '{}': {e}",
            path.display()
        ))
    };
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&path).map_err(|e| unreadable(&e))? {
        let cert = cert.map_err(|e| unreadable(&e))?;
        // Unparseable entries in a system bundle are skipped, as OpenSSL does.
        let _ = store.add(cert);
    }
    Ok(store)
}

fn client_identity(
    cert: &Path,
    key: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            TlsError::Setup(format!(
                "Invalid client certificate '{}': {e}",
                cert.display()
            ))
        })?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| TlsError::Setup(format!("Invalid private key '{}': {e}", key.display())))?;
    Ok((chain, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup_error(options: &TlsOptions) -> String {
        match TlsConnector::new(options) {
            Err(TlsError::Setup(message)) => message,
            other => panic!("expected a setup error, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_ca_file_is_a_setup_error_naming_it() {
        let message = setup_error(&TlsOptions {
            cacert: Some("/nonexistent/ca.crt".into()),
            ..TlsOptions::default()
        });
        assert!(
            message.starts_with("Failed to load CA certificate '/nonexistent/ca.crt': "),
            "{message}"
        );
    }

    #[test]
    fn cert_without_key_is_refused() {
        let message = setup_error(&TlsOptions {
            cert: Some("client.crt".into()),
            insecure: true,
            ..TlsOptions::default()
        });
        assert_eq!(message, "--cert and --key must be given together");
    }

    #[test]
    fn insecure_needs_no_ca_bundle() {
        let options = TlsOptions {
            cacert: Some("/nonexistent/ca.crt".into()),
            insecure: true,
            ..TlsOptions::default()
        };
        assert!(TlsConnector::new(&options).is_ok());
    }

    #[test]
    fn handshake_reasons_read_like_openssl() {
        let rejected = io::Error::new(
            io::ErrorKind::InvalidData,
            "invalid peer certificate: UnknownIssuer",
        );
        assert_eq!(handshake_reason(&rejected), "certificate verify failed");
        let reset = io::Error::from_raw_os_error(104);
        assert_eq!(handshake_reason(&reset), "Connection reset by peer");
        let silent = io::Error::from(io::ErrorKind::WouldBlock);
        assert_eq!(handshake_reason(&silent), "timed out");
    }
}
