//! Protocol errors, worded as Redis words them on the wire.

use thiserror::Error;

/// A malformed or over-limit request or reply.
///
/// The `Display` text of the request-side variants is exactly the message
/// Redis 7 sends before closing the connection (without the `ERR ` prefix).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// A `*<n>` header that is not a number or is too large.
    #[error("Protocol error: invalid multibulk length")]
    InvalidMultibulkLength,
    /// A `$<n>` header that is not a number, negative, or over `proto-max-bulk-len`.
    #[error("Protocol error: invalid bulk length")]
    InvalidBulkLength,
    /// Inside a multibulk request, something other than `$` started an argument.
    #[error("Protocol error: expected '$', got '{0}'")]
    ExpectedDollar(char),
    /// An inline request line longer than 64 KiB without a newline.
    #[error("Protocol error: too big inline request")]
    TooBigInline,
    /// A `*<n>` header line longer than 64 KiB.
    #[error("Protocol error: too big mbulk count string")]
    TooBigMultibulkCount,
    /// A `$<n>` header line longer than 64 KiB.
    #[error("Protocol error: too big bulk count string")]
    TooBigBulkCount,
    /// An inline request with an unterminated quote.
    #[error("Protocol error: unbalanced quotes in request")]
    UnbalancedQuotes,
    /// A `*<n>` over 10 from a client that has not authenticated yet.
    #[error("Protocol error: unauthenticated multibulk length")]
    UnauthenticatedMultibulk,
    /// A `$<n>` over 16384 from a client that has not authenticated yet.
    #[error("Protocol error: unauthenticated bulk length")]
    UnauthenticatedBulk,
    /// A reply frame (client side) that does not follow RESP.
    #[error("Protocol error: {what} at byte {offset}")]
    BadReply {
        /// What was wrong.
        what: &'static str,
        /// Offset of the offending byte in the buffer.
        offset: usize,
    },
}
