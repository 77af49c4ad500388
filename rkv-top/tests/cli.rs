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
fn an_unreadable_ca_file_stops_rkv_top_at_once() {
    let assert = cargo_bin_cmd!("rkv-top")
        .args(["--once", "--tls", "--cacert", "/nonexistent/ca.crt"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with("rkv-top: Failed to load CA certificate '/nonexistent/ca.crt': "),
        "{stderr}"
    );
}

#[test]
fn unreachable_server_is_reported_and_exits_one() {
    // Port 1 on localhost refuses connections.
    let assert = cargo_bin_cmd!("rkv-top")
        .args(["--once", "--json", "-p", "1", "--interval", "10ms"])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
    assert_eq!(doc["instances"][0]["status"], "down");
    assert_eq!(doc["instances"][0]["address"], "127.0.0.1:1");
}

#[test]
fn dashboard_needs_a_terminal() {
    // Under the test harness stdout is a pipe, not a terminal.
    let assert = cargo_bin_cmd!("rkv-top").args(["-p", "1"]).assert().code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(
        stderr,
        "rkv-top: standard output is not a terminal (use --once or --json)\n"
    );
}
