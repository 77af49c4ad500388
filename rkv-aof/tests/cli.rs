//! End-to-end checks of the `rkv-aof` binary's argument handling.

use assert_cmd::cargo::cargo_bin_cmd;

fn stdout_of(args: &[&str]) -> String {
    let output = cargo_bin_cmd!("rkv-aof").args(args).assert().success();
    String::from_utf8(output.get_output().stdout.clone()).expect("utf-8 output")
}

fn stderr_of_failure(args: &[&str]) -> String {
    let output = cargo_bin_cmd!("rkv-aof").args(args).assert().code(2);
    String::from_utf8(output.get_output().stderr.clone()).expect("utf-8 output")
}

#[test]
fn help_exits_zero_and_lists_subcommands() {
    let help = stdout_of(&["--help"]);
    for name in ["check", "fix", "stats", "to-rdb", "--fix <PATH>"] {
        assert!(help.contains(name), "--help lacks {name}:\n{help}");
    }
}

#[test]
fn fix_help_lists_truncation_options() {
    let help = stdout_of(&["fix", "--help"]);
    for option in ["--yes", "--truncate-to-valid", "--truncate-to-timestamp"] {
        assert!(help.contains(option), "fix --help lacks {option}:\n{help}");
    }
}

#[test]
fn version_prints_name_and_version() {
    let expected = format!("rkv-aof {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout_of(&["--version"]), expected);
}

#[test]
fn bogus_flag_exits_two() {
    cargo_bin_cmd!("rkv-aof").arg("--bogus").assert().code(2);
}

#[test]
fn no_arguments_prints_help_and_exits_two() {
    let stderr = stderr_of_failure(&[]);
    assert!(stderr.contains("Usage:"), "unexpected stderr: {stderr}");
}

#[test]
fn check_of_a_missing_path_names_it_and_exits_one() {
    let output = cargo_bin_cmd!("rkv-aof")
        .args(["check", "no-such-appendonly.aof"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with("rkv-aof: no-such-appendonly.aof: "),
        "unexpected stderr: {stderr}"
    );
}

#[test]
fn top_level_fix_runs_the_fix_subcommand() {
    let output = cargo_bin_cmd!("rkv-aof")
        .args(["--fix", "no-such-appendonly.aof"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(stderr.contains("no-such-appendonly.aof"), "{stderr}");
}

#[test]
fn to_rdb_of_a_missing_path_names_it_and_exits_one() {
    let output = cargo_bin_cmd!("rkv-aof")
        .args(["to-rdb", "no-such-appendonlydir", "out.rdb"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with("rkv-aof: to-rdb: no-such-appendonlydir: "),
        "unexpected stderr: {stderr}"
    );
}

#[test]
fn to_rdb_without_a_server_binary_says_so() {
    let path = torn_single_file("to-rdb-no-server");
    let output = cargo_bin_cmd!("rkv-aof")
        .arg("to-rdb")
        .arg(&path)
        .arg(path.with_extension("rdb"))
        .env("RKV_SERVER", "/nonexistent/rkv-server")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&output.get_output().stderr).into_owned();
    assert!(
        stderr.starts_with("rkv-aof: to-rdb: /nonexistent/rkv-server: "),
        "unexpected stderr: {stderr}"
    );
    assert!(!path.with_extension("rdb").exists());
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

/// A single-file AOF with one complete command and a torn second one.
fn torn_single_file(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rkv-aof-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("appendonly.aof");
    std::fs::write(&path, b"*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nDEL\r\n$1").unwrap();
    path
}

#[test]
fn fix_asks_and_no_means_nothing_changes() {
    let path = torn_single_file("no");
    let output = cargo_bin_cmd!("rkv-aof")
        .arg("fix")
        .arg(&path)
        .write_stdin("n\n")
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert!(
        stdout.contains("Continue? [y/N]: Aborted; nothing was changed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("removing 15 bytes from byte 14"),
        "{stdout}"
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 29);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn top_level_fix_asks_and_yes_cuts_after_a_backup() {
    let path = torn_single_file("yes");
    cargo_bin_cmd!("rkv-aof")
        .arg("--fix")
        .arg(&path)
        .write_stdin("y\n")
        .assert()
        .code(0);
    assert_eq!(std::fs::read(&path).unwrap(), b"*1\r\n$4\r\nPING\r\n");
    let backup = path.with_file_name("appendonly.aof.bak");
    assert_eq!(std::fs::metadata(backup).unwrap().len(), 29);
    let output = cargo_bin_cmd!("rkv-aof")
        .arg("check")
        .arg(&path)
        .assert()
        .code(0);
    let stdout = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert!(
        stdout.contains("] valid: 14 bytes, 1 command, 0 transactions"),
        "{stdout}"
    );
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
