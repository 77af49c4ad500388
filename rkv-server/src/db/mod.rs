//! The keyspace: the data structures that hold a database's keys.

pub mod dict;
