//! rkv-server library.

pub mod db;
pub mod glob;
