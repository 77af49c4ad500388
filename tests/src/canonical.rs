//! Order-insensitive comparison of replies (`@unordered`).
//!
//! A reply is canonicalised by sorting the elements of every aggregate
//! (arrays, sets, pushes) and the key/value pairs of every map, recursively,
//! while keeping each element's raw bytes. Two replies are equal as
//! multisets exactly when their canonical forms are equal.

use rkv_proto::{check_frame, ProtocolError};
use thiserror::Error;

/// A reply that could not be split into its elements.
#[derive(Debug, Error)]
pub enum CanonicalError {
    /// An element is not valid RESP.
    #[error(transparent)]
    Frame(#[from] ProtocolError),
    /// The reply ended inside an aggregate.
    #[error("truncated aggregate reply")]
    Truncated,
}

/// Returns `reply` with every aggregate's elements sorted, recursively.
pub fn canonicalize(reply: &[u8]) -> Result<Vec<u8>, CanonicalError> {
    let Some(&kind) = reply.first() else {
        return Ok(Vec::new());
    };
    if !matches!(kind, b'*' | b'~' | b'>' | b'%') {
        return Ok(reply.to_vec());
    }
    let header_end = reply
        .windows(2)
        .position(|w| w == b"\r\n")
        .ok_or(CanonicalError::Truncated)?
        + 2;
    let mut children = Vec::new();
    let mut pos = header_end;
    while pos < reply.len() {
        let len = check_frame(&reply[pos..])?.ok_or(CanonicalError::Truncated)?;
        children.push(canonicalize(&reply[pos..pos + len])?);
        pos += len;
    }
    let mut items: Vec<Vec<u8>> = if kind == b'%' {
        children.chunks(2).map(|pair| pair.concat()).collect()
    } else {
        children
    };
    items.sort();
    let mut out = reply[..header_end].to_vec();
    for item in items {
        out.extend_from_slice(&item);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::canonicalize;

    #[test]
    fn sorts_array_elements_recursively() {
        let a = canonicalize(b"*2\r\n$1\r\nb\r\n*2\r\n:2\r\n:1\r\n").unwrap();
        let b = canonicalize(b"*2\r\n*2\r\n:1\r\n:2\r\n$1\r\nb\r\n").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn multiset_keeps_duplicates() {
        let a = canonicalize(b"*2\r\n:1\r\n:1\r\n").unwrap();
        let b = canonicalize(b"*2\r\n:1\r\n:2\r\n").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn map_pairs_stay_together() {
        let a = canonicalize(b"%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n").unwrap();
        let b = canonicalize(b"%2\r\n+b\r\n:2\r\n+a\r\n:1\r\n").unwrap();
        let c = canonicalize(b"%2\r\n+b\r\n:1\r\n+a\r\n:2\r\n").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn scalars_unchanged() {
        assert_eq!(canonicalize(b"+OK\r\n").unwrap(), b"+OK\r\n");
    }
}
