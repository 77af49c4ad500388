//! rkv-server library.
pub mod config;
