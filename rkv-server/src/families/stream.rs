//! The stream family (Redis's `t_stream.c`) over
//! [`crate::types::StreamValue`].
//!
//! - `commands`: the declarations, from Redis 7.0's command JSON.
//! - [`common`]: ID arguments, entry replies, keyspace access.
//! - [`trim_args`]: the XADD / XTRIM options.
//! - [`basic`]: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM.
//! - [`read`]: XREAD (BLOCK parks through [`crate::blocking`]).
//! - [`setid`]: XSETID, which moves the last ID.
//! - `group_commands`: the consumer group declarations.
//! - [`groups`]: XGROUP, XACK, XPENDING.
//! - [`claim`]: XCLAIM and XAUTOCLAIM, which move pending entries.
//! - `info_commands`, [`info`]: XINFO.
//! - [`readgroup`]: XREADGROUP, for new entries or a consumer's history.

pub mod basic;
pub mod claim;
mod commands;
pub mod common;
mod group_commands;
pub mod groups;
pub mod info;
mod info_commands;
pub mod read;
pub mod readgroup;
pub mod setid;
pub mod trim_args;

pub use commands::COMMANDS;
pub use group_commands::GROUP_COMMANDS;
pub use info_commands::INFO_COMMANDS;
