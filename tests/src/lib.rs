//! Shared helpers for rkv's integration tests.
//!
//! - [`ServerProcess`] starts a real `rkv-server` (or Debian's `redis-server`
//!   as the reference) on a free port and kills it on drop.
//! - [`RawConnection`] speaks raw bytes for byte-exact assertions.
//! - [`differential`] runs command scripts against rkv and redis-server and
//!   compares every reply byte for byte.
//! - [`tls`] makes throwaway certificates and starts redis-server with TLS.

pub mod canonical;
pub mod cli;
pub mod differential;
pub mod escape;
pub mod free_port;
pub mod node;
pub mod raw;
pub mod rkv_binary;
pub mod script;
pub mod server;
pub mod tls;
pub mod wait;

pub use raw::RawConnection;
pub use server::{redis_server_available, ServerKind, ServerProcess};

/// Prints the standard notice and returns `true` when `redis-server` is not
/// installed, so a test can `if skip_without_redis_server() { return; }`.
pub fn skip_without_redis_server() -> bool {
    if redis_server_available() {
        return false;
    }
    eprintln!("skipping: redis-server not installed");
    true
}
