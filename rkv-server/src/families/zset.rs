//! The sorted set family (Redis's `t_zset.c`): ZADD and friends over
//! [`crate::types::ZSetValue`].
//!
//! - `commands`, `commands_multi`: the declarations, from Redis 7.0's
//!   command JSON.
//! - [`parse`]: score and lex range parsing, rank and LIMIT arithmetic.
//! - [`common`]: keyspace access, encoding limits and reply shapes.
//! - [`handlers`]: single-key commands (ZADD, ZREM, ZSCORE, ZCOUNT...).
//! - [`ranges`]: ZRANGE in all its forms and ZRANGESTORE.
//! - [`pop`]: ZPOPMIN/ZPOPMAX/ZMPOP (with [`pop::op_pop_first`], the core
//!   the blocking forms reuse) and ZRANDMEMBER.
//! - [`setops`]: ZUNION/ZINTER/ZDIFF, their STORE forms and ZINTERCARD.
//! - [`scan`](mod@scan): ZSCAN.
//! - `blocking_cmds`: BZPOPMIN, BZPOPMAX and BZMPOP, declared and served
//!   through [`crate::blocking`].

mod blocking_cmds;
mod commands;
mod commands_multi;
pub mod common;
pub mod handlers;
pub mod parse;
pub mod pop;
pub mod ranges;
pub mod scan;
pub mod setops;

pub use blocking_cmds::BLOCKING_COMMANDS;
pub use commands::COMMANDS;
/// Declarations of the ZRANGE forms and the multi-key commands.
pub use commands_multi::COMMANDS as RANGE_COMMANDS;
