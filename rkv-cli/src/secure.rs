//! TLS for the connection (`--tls`, `rediss://`), with rustls: the CA
//! from `--cacert` (else the system bundle), an optional client
//! certificate, SNI, and `--insecure` to skip verification.

use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

/// Where the system's trusted CAs live on Debian-like systems.
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Start of the message for a failed handshake, as redis-cli prints it.
pub const HANDSHAKE_FAILED: &str = "SSL_connect failed: ";

/// The TLS flags, resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TlsOptions {
    /// CA certificate file (PEM).
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

/// A TLS session over TCP.
pub type TlsStream = rustls::StreamOwned<ClientConnection, TcpStream>;

/// Wraps `tcp` in TLS and completes the handshake; the error is worded for
/// "Could not negotiate a TLS connection: ...".
pub fn wrap(tcp: TcpStream, host: &str, options: &TlsOptions) -> Result<TlsStream, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = if options.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
    } else {
        builder.with_root_certificates(root_store(options)?)
    };
    let config = match (&options.cert, &options.key) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("Invalid client certificate '{}': {e}", cert.display()))?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| format!("Invalid private key '{}': {e}", key.display()))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| e.to_string())?
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err("--cert and --key must be given together".into())
        }
        (None, None) => builder.with_no_client_auth(),
    };
    let name = options.sni.as_deref().unwrap_or(host).to_string();
    let name = ServerName::try_from(name).map_err(|e| e.to_string())?;
    let connection = ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let mut stream = rustls::StreamOwned::new(connection, tcp);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock).map_err(|e| {
            let reason = crate::link::os_message(&e);
            // Worded as OpenSSL reports a rejected certificate to redis-cli.
            if reason.contains("invalid peer certificate") {
                format!("{HANDSHAKE_FAILED}certificate verify failed")
            } else {
                format!("{HANDSHAKE_FAILED}{reason}")
            }
        })?;
    }
    Ok(stream)
}

fn root_store(options: &TlsOptions) -> Result<RootCertStore, String> {
    let path = options
        .cacert
        .clone()
        .unwrap_or_else(|| PathBuf::from(SYSTEM_BUNDLE));
    let mut store = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(&path)
        .map_err(|e| format!("Failed to load CA certificate '{}': {e}", path.display()))?;
    for cert in certs {
        let cert =
            cert.map_err(|e| format!("Failed to load CA certificate '{}': {e}", path.display()))?;
        // Unparseable entries in a system bundle are skipped, as OpenSSL does.
        let _ = store.add(cert);
    }
    Ok(store)
}

/// `--insecure`: any certificate is accepted, signatures are still checked.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
