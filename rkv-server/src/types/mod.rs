//! The collection types a key can hold, each with the compact and the full
//! encoding Redis 7.0 uses (OBJECT ENCODING reports which one is in use).
//!
//! - [`listpack`]: [`Listpack`], the packed small encoding shared by hashes,
//!   sorted sets and list nodes.
//! - [`list`]: [`ListValue`] (`quicklist`).
//! - [`hash`]: [`HashValue`] (`listpack` / `hashtable`).
//! - [`set`]: [`SetValue`] (`intset` / `hashtable`).
//! - [`zset`]: [`ZSetValue`] (`listpack` / `skiplist`).
//! - [`stream`]: [`StreamValue`] (`stream`).
//!
//! Every type offers `len`, `encoding`, `heap_size` and a `for_each` visit
//! of its contents, which DEBUG DIGEST, DEBUG OBJECT and (later) RDB use
//! without knowing the encoding.

pub mod hash;
pub mod list;
pub mod listpack;
pub mod set;
pub mod stream;
pub mod zset;

pub use hash::HashValue;
pub use list::ListValue;
pub use listpack::Listpack;
pub use set::SetValue;
pub use stream::StreamValue;
pub use zset::ZSetValue;
