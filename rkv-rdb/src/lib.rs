//! `rkv-rdb`: reading and writing Redis RDB snapshots.
//!
//! The library streams both ways: [`RdbReader`] yields a file's items one
//! at a time and [`RdbWriter`] writes keys as they are handed to it, so no
//! file is ever held whole in memory. [`dump_payload`] encodes and decodes
//! the single-value payloads of DUMP and RESTORE. Values travel in the
//! neutral model of [`value`].
//!
//! With the default `cli` feature the crate also holds the `rkv-rdb` tool
//! (check, dump, convert, analyze).

pub mod crc64;
mod decode;
pub mod dump_payload;
pub mod element;
mod encode;
pub mod error;
mod input;
pub mod intset;
pub mod length;
pub mod listpack;
pub mod lzf;
pub mod rdb_type;
pub mod reader;
pub mod sink;
pub mod stream_node;
pub mod value;
pub mod writer;
pub mod ziplist;
pub mod zipmap;

#[cfg(feature = "cli")]
pub mod cli;

pub use error::{RdbError, RdbErrorKind, RdbResult};
pub use reader::{Item, KeyEntry, KeyHeader, RdbReader, Step};
pub use sink::{Collection, ValueBuilder, ValueSink};
pub use value::Value;
pub use writer::{KeyMeta, RdbWriter, WriteOptions};

#[cfg(feature = "cli")]
pub use cli::{
    command, AnalyzeArgs, Args, CheckArgs, ConvertArgs, DumpArgs, DumpFormat, FileFormat, KeyType,
    RdbCommand,
};
