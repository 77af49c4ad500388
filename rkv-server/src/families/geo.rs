//! The geo family (Redis's `geo.c`, `geohash.c`, `geohash_helper.c`):
//! points stored in a sorted set under 52-bit geohash scores.
//!
//! - [`hash`]: geohash encoding, decoding, neighbours, score conversion.
//! - [`area`]: distances and the nine cells a search scans.
//! - [`search`]: scanning a sorted set for the points in a shape, ordering.
//! - [`sort`]: the sorts Redis uses, for identical tie order.
//! - [`parse`]: arguments and their error texts.
//! - [`format`]: coordinate and distance formats.
//! - [`handlers`]: GEOADD, GEODIST, GEOHASH, GEOPOS and every search.
//! - `commands`, `commands_search`: the declarations.

pub mod area;
mod arg_docs;
mod commands;
mod commands_search;
pub mod format;
pub mod handlers;
pub mod hash;
pub mod parse;
pub mod search;
pub mod sort;

#[cfg(test)]
mod command_tests;

pub use commands::COMMANDS;
pub use commands_search::SEARCH_COMMANDS;
