//! rkv-server: a Redis-compatible in-memory data store.
//!
//! - [`server`]: [`server::Server`], all state owned by the keyspace thread.
//! - [`run`] (this file): start-up, listeners, signals and shutdown.
//! - [`connection`]: one task per client: read, run, reply.
//! - [`socket`]: the client socket, registered for reads only, as Redis does.
//! - [`command`]: the declarative command table and dispatch.
//! - [`families`]: the commands, one module per family.
//! - [`types`]: lists, hashes, sets and sorted sets with their encodings.
//! - [`db`]: databases, the hash table, values and their encodings.
//! - [`glob`]: Redis-exact glob matching (KEYS, SCAN MATCH, CONFIG GET).
//! - [`keyspace_events`]: keyspace notifications and the key-modified signal.
//! - [`tracking`]: client-side caching (CLIENT TRACKING) invalidations.
//! - [`lua_libs`]: the Lua libraries of the scripting VM (cjson, cmsgpack, struct, bit).
//! - [`propagate`] and [`aof`]: what writes propagate as, and the append-only file.
//! - [`cron`]: periodic work: active expiry, rehashing, timeouts.
//! - [`config`]: the directive table, config files, CONFIG GET/SET/REWRITE.
//! - [`memory`]: allocator and RSS figures for INFO memory, the counting allocator.
//! - [`evict`]: maxmemory, eviction policies, LRU/LFU access stamps.
//! - [`util`]: helpers shared by families (emulated `long double`).
//! - [`persistence`]: RDB snapshots (SAVE, BGSAVE, load), DUMP payloads.
//! - [`multi`] and [`watch`]: MULTI state of a client, WATCHed keys.
//! - [`scripting`]: the Lua engines behind EVAL and FUNCTION.
//! - [`client`], [`stats`], [`slowlog`], [`latency`], [`log`], [`errors`].

pub mod aof;
pub mod blocking;
pub mod client;
pub mod client_peaks;
pub mod command;
pub mod config;
pub mod connection;
pub mod cron;
pub mod db;
pub mod errors;
pub mod evict;
pub mod families;
pub mod glob;
pub mod keyspace_events;
pub mod latency;
pub mod listener;
pub mod log;
pub mod lua_libs;
pub mod memory;
pub mod multi;
pub mod output_limit;
pub mod persistence;
pub mod propagate;
pub mod replication;
pub mod scripting;
pub mod server;
pub mod slowlog;
pub mod socket;
pub mod stats;
pub mod tracking;
pub mod types;
pub mod util;
pub mod watch;

pub use listener::run;
