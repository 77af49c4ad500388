//! Locating (and building, once per test process) the `rkv-server` binary.
//!
//! Integration tests live in a separate package, so `CARGO_BIN_EXE_*` is not
//! available; instead the binary is built with the same cargo, profile and
//! target directory as the running test executable.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Environment variable that points the harness at a prebuilt server binary
/// instead of building `rkv-server` (e.g. a release build, or `redis-server`
/// to check the tests themselves).
pub const SERVER_BIN_OVERRIDE: &str = "RKV_SERVER_BIN";

/// Path of the `rkv-server` binary, building it on first use.
pub fn rkv_server_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| match std::env::var_os(SERVER_BIN_OVERRIDE) {
        Some(path) => PathBuf::from(path),
        None => build_rkv_server(),
    })
}

/// Runs `cargo build -p rkv-server` for the profile this test was built with.
fn build_rkv_server() -> PathBuf {
    let profile_dir = profile_dir();
    let target_dir = profile_dir
        .parent()
        .expect("profile directory has a parent target directory");
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("profile directory name is UTF-8");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .args(["build", "-q", "-p", "rkv-server", "--bin", "rkv-server"])
        .arg("--target-dir")
        .arg(target_dir);
    // The `dev` profile is the one that lands in `debug/`.
    if profile != "debug" {
        cargo.args(["--profile", profile]);
    }
    let status = cargo
        .status()
        .unwrap_or_else(|e| panic!("could not run cargo to build rkv-server: {e}"));
    assert!(
        status.success(),
        "cargo build -p rkv-server failed: {status}"
    );
    let binary = profile_dir.join(format!("rkv-server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.is_file(),
        "built rkv-server not found at {}",
        binary.display()
    );
    binary
}

/// `<target>/<profile>`: test executables run from `<target>/<profile>/deps`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the running test executable");
    let deps = exe
        .parent()
        .expect("test executable has a parent directory");
    let dir = if deps.file_name().is_some_and(|n| n == "deps") {
        deps.parent().expect("deps directory has a parent")
    } else {
        deps
    };
    dir.to_path_buf()
}
