//! RESP2/RESP3 wire codec shared by rkv's server and tools.
//!
//! - [`request`] is the server side: an incremental parser of client requests
//!   (multibulk and inline), with Redis's limits and error messages.
//! - [`split_args`] is redis-cli / redis.conf style argument splitting (inline
//!   commands, configuration lines).
//! - [`reply`] is [`ReplyWriter`], writes replies straight into an output buffer in
//!   the client's protocol version.
//! - [`frame`] is [`Frame`], a decoded RESP value, with a two-pass decoder
//!   ([`check_frame`] then [`parse_frame`]) for clients.
//! - [`repr`] is `sdscatrepr`-style quoting (MONITOR, CONFIG REWRITE, redis-cli output).
//! - [`client`] is a small blocking client for tools and tests.
//! - [`error`] is [`ProtocolError`].

pub mod client;
pub mod error;
pub mod frame;
pub mod reply;
pub mod repr;
pub mod request;
pub mod split_args;

pub use client::{Client, Transport};
pub use error::ProtocolError;
pub use frame::{check_frame, encode_command, encode_command_into, parse_frame, Frame};
pub use reply::{Protocol, ReplyWriter};
pub use repr::quote_repr;
pub use request::{Limits, RequestParser};
pub use split_args::split_args;
