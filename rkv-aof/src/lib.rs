//! `rkv-aof`: reading, checking, repairing and writing append-only files
//! in Redis 7's formats, for the `rkv-aof` tool and for the server's AOF.
//!
//! - [`manifest`]: the multi-part manifest (`file <name> seq <n> type <b|h|i>`).
//! - [`layout`]: what a PATH designates (directory, manifest, single file).
//! - [`reader`]: streaming RESP command reader with offsets, torn tail vs
//!   corruption.
//! - [`multi`]: MULTI/EXEC balance and the safe cut point.
//! - [`preamble`]: RDB preamble detection and the hook for an RDB reader.
//! - [`replay`]: handing commands (transactions whole) to the server at load;
//!   [`load`]: a whole set in order, with `aof-load-truncated`.
//! - [`check`]: validating a file; [`fix`]: planning and applying a cut.
//! - [`writer`]: encoding commands and `#TS:` lines, the append-only file.
//! - [`stats`]: command and key statistics.
//! - [`to_rdb`]: replaying a set in a scratch `rkv-server` into an RDB file.
//! - [`cli`] and [`tool`]: the command line and what each subcommand does.

pub mod check;
pub mod cli;
pub mod error;
pub mod fix;
pub mod layout;
pub mod load;
pub mod manifest;
pub mod multi;
pub mod preamble;
pub mod rdb_preamble;
pub mod reader;
pub mod replay;
pub mod stats;
pub mod to_rdb;
pub mod tool;
pub mod writer;

pub use cli::{command, AofCommand, Args, FixArgs, PathArgs, ToRdbArgs};
pub use error::AofError;
