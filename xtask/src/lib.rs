//! Project chores: generating the man pages and shell completions of rkv's
//! programs, and checking that the committed copies are current.

pub mod check;
pub mod generate;
pub mod programs;
pub mod server_cli;

pub use check::{stale_files, write_files, Staleness};
pub use generate::{generate_all, GeneratedFile};
pub use programs::programs;

use std::path::{Path, PathBuf};

/// The workspace's root folder (the parent of the xtask crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}
