//! Command families, one module each (as Redis has `t_string.c`): each
//! declares its commands in a `COMMANDS` table and implements their handlers.

pub mod bitmap;
pub mod client;
pub mod connection;
pub mod failover;
pub mod generic;
pub mod geo;
pub mod hash;
pub mod hll;
pub mod key_events;
pub mod list;
pub mod memory;
pub mod persistence;
pub mod pubsub;
pub mod replicaof;
pub mod replication;
pub mod scripting;
pub mod server;
pub mod set;
pub mod sort;
pub mod stream;
pub mod string;
pub mod transactions;
pub mod zset;

use crate::command::CommandSpec;

/// Every family's declarations; the command table is built from this.
pub const ALL: &[&[CommandSpec]] = &[
    connection::COMMANDS,
    generic::keys::COMMANDS,
    generic::expire::COMMANDS,
    generic::scan::COMMANDS,
    generic::object::COMMANDS,
    generic::flush::COMMANDS,
    generic::dump_restore::COMMANDS,
    string::COMMANDS,
    bitmap::COMMANDS,
    hll::COMMANDS,
    hash::COMMANDS,
    set::COMMANDS,
    sort::COMMANDS,
    list::COMMANDS,
    server::COMMANDS,
    memory::COMMANDS,
    zset::COMMANDS,
    zset::RANGE_COMMANDS,
    zset::BLOCKING_COMMANDS,
    geo::COMMANDS,
    geo::SEARCH_COMMANDS,
    pubsub::COMMANDS,
    stream::COMMANDS,
    stream::GROUP_COMMANDS,
    stream::INFO_COMMANDS,
    transactions::COMMANDS,
    scripting::COMMANDS,
    persistence::COMMANDS,
    replication::COMMANDS,
    replicaof::COMMANDS,
    failover::COMMANDS,
];
