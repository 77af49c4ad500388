//! The keyspace: databases, their hash tables, and stored values.
//!
//! - [`dict`]: the hash table with incremental rehashing and cursor scans.
//! - [`keyspace`]: [`Db`], keys plus their expiry index.
//! - [`value`]: [`Value`] and the string encodings.
//! - [`small_bytes`]: [`SmallBytes`], the inline-when-short key type.

pub mod dict;
pub mod keyspace;
pub mod small_bytes;
pub mod value;

pub use keyspace::{Db, Entry};
pub use small_bytes::SmallBytes;
pub use value::{StrValue, Value};
