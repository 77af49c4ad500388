//! End-to-end checks of the `rkv-rdb` binary's argument handling.

use assert_cmd::cargo::cargo_bin_cmd;

fn stdout_of(args: &[&str]) -> String {
    let output = cargo_bin_cmd!("rkv-rdb").args(args).assert().success();
    String::from_utf8(output.get_output().stdout.clone()).expect("utf-8 output")
}

#[test]
fn help_exits_zero_and_lists_subcommands() {
    let help = stdout_of(&["--help"]);
    for name in ["check", "dump", "convert", "analyze"] {
        assert!(help.contains(name), "--help lacks {name}:\n{help}");
    }
}

#[test]
fn dump_help_lists_its_filters() {
    let help = stdout_of(&["dump", "--help"]);
    for option in ["--format", "--db", "--type", "--key", "--limit"] {
        assert!(help.contains(option), "dump --help lacks {option}:\n{help}");
    }
}

#[test]
fn version_prints_name_and_version() {
    let expected = format!("rkv-rdb {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout_of(&["--version"]), expected);
}

#[test]
fn bogus_flag_exits_two() {
    cargo_bin_cmd!("rkv-rdb")
        .args(["check", "x.rdb", "--bogus"])
        .assert()
        .code(2);
}

#[test]
fn missing_subcommand_exits_two() {
    cargo_bin_cmd!("rkv-rdb").assert().code(2);
}

#[test]
fn check_reports_not_implemented() {
    let assert = cargo_bin_cmd!("rkv-rdb")
        .args(["check", "dump.rdb"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr, "rkv-rdb: 'check' is not implemented yet\n");
}
