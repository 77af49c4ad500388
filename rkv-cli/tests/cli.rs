//! End-to-end checks of the `rkv-cli` binary's argument handling.

use assert_cmd::cargo::cargo_bin_cmd;

fn stdout_of(args: &[&str]) -> String {
    let output = cargo_bin_cmd!("rkv-cli").args(args).assert().success();
    String::from_utf8(output.get_output().stdout.clone()).expect("utf-8 output")
}

#[test]
fn help_exits_zero_and_lists_key_options() {
    let help = stdout_of(&["--help"]);
    for option in [
        "-h <HOSTNAME>",
        "-p <PORT>",
        "--tls",
        "--scan",
        "--pipe",
        "RKVCLI_AUTH",
    ] {
        assert!(help.contains(option), "--help lacks {option}:\n{help}");
    }
}

#[test]
fn version_prints_name_and_version() {
    let expected = format!("rkv-cli {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout_of(&["--version"]), expected);
    assert_eq!(stdout_of(&["-v"]), expected);
}

#[test]
fn dash_h_wants_a_hostname_rather_than_printing_help() {
    let assert = cargo_bin_cmd!("rkv-cli").arg("-h").assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("HOSTNAME"), "unexpected stderr: {stderr}");
}

#[test]
fn bogus_flag_exits_two() {
    cargo_bin_cmd!("rkv-cli").arg("--bogus").assert().code(2);
}

#[test]
fn unreachable_server_is_reported_like_redis_cli() {
    let port = rkv_tests::free_port::free_port();
    let assert = cargo_bin_cmd!("rkv-cli")
        .args(["-p", &port.to_string(), "PING"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(
        stderr,
        format!("Could not connect to Redis at 127.0.0.1:{port}: Connection refused\n")
    );
}

#[test]
fn unknown_host_is_reported_with_the_resolver_message() {
    let assert = cargo_bin_cmd!("rkv-cli")
        .args(["-h", "no.such.host.invalid", "PING"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with("Could not connect to Redis at no.such.host.invalid:6379: "),
        "{stderr}"
    );
    assert!(!stderr.contains("failed to lookup"), "{stderr}");
}

#[test]
fn bad_uri_scheme_is_rejected() {
    let assert = cargo_bin_cmd!("rkv-cli")
        .args(["-u", "http://localhost", "PING"])
        .assert()
        .code(1);
    assert_eq!(
        String::from_utf8_lossy(&assert.get_output().stderr),
        "Invalid URI scheme\n"
    );
}
