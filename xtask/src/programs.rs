//! The programs whose man pages and completions the project ships.

use clap::Command;

use crate::server_cli;

/// The clap `Command` of every shipped program: the server, then the tools.
pub fn programs() -> Vec<Command> {
    vec![
        server_cli::command(),
        rkv_cli::command(),
        rkv_rdb::command(),
        rkv_aof::command(),
        rkv_top::command(),
    ]
}
