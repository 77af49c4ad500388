//! rkv-server library.

pub mod db;
