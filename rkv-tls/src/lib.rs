//! TLS for rkv's tools (`rkv-cli`, `rkv-top`), with rustls: the flags
//! redis-cli has, and a connector that turns a TCP stream into a TLS session.
//!
//! - [`args`]: [`TlsArgs`], the `--tls --cacert --cert --key --sni --insecure`
//!   flags as a clap group, and [`TlsOptions`], what they resolve to.
//! - [`connector`]: [`TlsConnector`], built once from the options (CA bundle,
//!   client certificate), and [`wrap`] for a single connection.
//! - [`stream`]: [`TlsStream`], the session, usable as an
//!   [`rkv_proto::Transport`] under [`rkv_proto::Client`].
//! - [`error`]: [`TlsError`], which tells a bad local setup from a refused
//!   handshake.
//! - `insecure`: the certificate verifier behind `--insecure`.

#![warn(missing_docs)]

pub mod args;
pub mod connector;
pub mod error;
mod insecure;
pub mod stream;

pub use args::{TlsArgs, TlsOptions};
pub use connector::{wrap, TlsConnector};
pub use error::TlsError;
pub use stream::TlsStream;
