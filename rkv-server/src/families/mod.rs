//! Command families, one module each (as Redis has `t_string.c`): each
//! declares its commands in a `COMMANDS` table and implements their handlers.

pub mod connection;
pub mod server;
pub mod string;

use crate::command::CommandSpec;

/// Every family's declarations; the command table is built from this.
pub const ALL: &[&[CommandSpec]] = &[connection::COMMANDS, string::COMMANDS, server::COMMANDS];
