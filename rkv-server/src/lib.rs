//! rkv-server library.
