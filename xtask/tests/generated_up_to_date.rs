//! Fails when the committed man pages or completions no longer match the
//! programs' clap definitions, so `cargo test --workspace` catches it.

#[test]
fn committed_man_pages_and_completions_are_current() {
    let files = xtask::generate_all(xtask::programs()).expect("rendering docs");
    let stale = xtask::stale_files(&xtask::workspace_root(), &files).expect("reading docs");
    let report: Vec<String> = stale.iter().map(ToString::to_string).collect();
    assert!(
        report.is_empty(),
        "stale generated files (run `cargo xtask gen` and commit):\n{}",
        report.join("\n")
    );
}
