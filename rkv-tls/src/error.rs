//! Why a TLS connection could not be set up.

/// What went wrong setting up TLS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    /// The local setup is unusable: an unreadable CA or certificate file,
    /// `--cert` without `--key`, a server name that is not a valid name.
    #[error("{0}")]
    Setup(String),
    /// The server and we could not agree: a rejected certificate, a
    /// protocol mismatch, a reset connection. Worded as redis-cli words it.
    #[error("SSL_connect failed: {0}")]
    Handshake(String),
}
