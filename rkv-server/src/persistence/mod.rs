//! RDB persistence: converting values to and from `rkv-rdb`'s model,
//! writing snapshots (SAVE, BGSAVE in a forked child) and loading them.
//!
//! - [`convert`]: server values ⇄ [`rkv_rdb::Value`], with encodings chosen
//!   by the configured thresholds on load.

pub mod convert;
