//! End-to-end checks of the `rkv-top` binary's argument handling.

use assert_cmd::cargo::cargo_bin_cmd;

fn stdout_of(args: &[&str]) -> String {
    let output = cargo_bin_cmd!("rkv-top").args(args).assert().success();
    String::from_utf8(output.get_output().stdout.clone()).expect("utf-8 output")
}

#[test]
fn help_exits_zero_and_lists_key_options() {
    let help = stdout_of(&["--help"]);
    for option in [
        "-h <HOSTNAME>",
        "-u <URI>",
        "--interval",
        "--cluster",
        "--once",
        "--tls",
    ] {
        assert!(help.contains(option), "--help lacks {option}:\n{help}");
    }
}

#[test]
fn version_prints_name_and_version() {
    let expected = format!("rkv-top {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout_of(&["--version"]), expected);
}

#[test]
fn bogus_flag_exits_two() {
    cargo_bin_cmd!("rkv-top").arg("--bogus").assert().code(2);
}

#[test]
fn bad_interval_exits_two() {
    cargo_bin_cmd!("rkv-top")
        .args(["--interval", "soon"])
        .assert()
        .code(2);
}

#[test]
fn running_reports_not_implemented() {
    let assert = cargo_bin_cmd!("rkv-top").args(["--once"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr, "rkv-top: the dashboard is not implemented yet\n");
}
