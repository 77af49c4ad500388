//! Shared helpers for rkv's integration tests.
