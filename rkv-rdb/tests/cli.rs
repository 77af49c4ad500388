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

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rkv-rdb-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_accepts_a_redis_dump() {
    let out = stdout_of(&["check", &fixture("all-types.rdb")]);
    assert!(
        out.contains("OK: RDB version 10, 29 keys (2 with an expiry) in 3 databases"),
        "{out}"
    );
    assert!(out.contains("checksum verified"), "{out}");
}

#[test]
fn check_names_offset_and_reason_of_damage() {
    let dir = temp_dir("check");
    let mut bytes = std::fs::read(fixture("all-types.rdb")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let damaged = dir.join("damaged.rdb");
    std::fs::write(&damaged, &bytes).unwrap();
    let assert = cargo_bin_cmd!("rkv-rdb")
        .args(["check", damaged.to_str().unwrap()])
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        out.contains(&format!("at offset {}", bytes.len() - 8)),
        "{out}"
    );
    assert!(out.contains("checksum mismatch"), "{out}");

    let truncated = dir.join("truncated.rdb");
    std::fs::write(&truncated, &bytes[..1000]).unwrap();
    let assert = cargo_bin_cmd!("rkv-rdb")
        .args(["check", truncated.to_str().unwrap()])
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    // The offset is where the read that ran out of data began.
    let offset: u64 = out
        .split("at offset ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(offset > 900 && offset <= 1000, "{out}");
    assert!(
        out.contains("(key '") && out.contains("unexpected end of file"),
        "{out}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn check_of_a_missing_file_fails() {
    cargo_bin_cmd!("rkv-rdb")
        .args(["check", "/nonexistent/dump.rdb"])
        .assert()
        .code(1);
}

#[test]
fn dump_filters_by_type_key_and_limit() {
    let out = stdout_of(&[
        "dump",
        &fixture("all-types.rdb"),
        "--type",
        "hash",
        "--key",
        "^hash:",
    ]);
    let keys: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut names: Vec<&str> = keys.iter().map(|k| k["key"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["hash:big", "hash:longvalue", "hash:small"]);
    assert!(keys.iter().all(|k| k["type"] == "hash"));

    let out = stdout_of(&[
        "dump",
        &fixture("all-types.rdb"),
        "--db",
        "5",
        "--format",
        "commands",
    ]);
    assert_eq!(out, "SELECT 5\nRPUSH db5:list x y z\n");

    let out = stdout_of(&[
        "dump",
        &fixture("all-types.rdb"),
        "--format",
        "resp",
        "--key",
        "^exp:str$",
    ]);
    assert_eq!(
        out,
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$7\r\nexp:str\r\n$5\r\nvalue\r\n*3\r\n$9\r\nPEXPIREAT\r\n$7\r\nexp:str\r\n$13\r\n4102444800000\r\n"
    );

    let out = stdout_of(&[
        "dump",
        &fixture("all-types.rdb"),
        "--key",
        "^str:",
        "--limit",
        "2",
    ]);
    assert_eq!(out.lines().count(), 2);
}

#[test]
fn convert_rdb_json_rdb_is_exact() {
    let dir = temp_dir("convert");
    let json = dir.join("a.json");
    let rdb = dir.join("b.rdb");
    let json2 = dir.join("c.json");
    for (from, to) in [
        (fixture("all-types.rdb"), &json),
        (json.to_str().unwrap().to_owned(), &rdb),
        (rdb.to_str().unwrap().to_owned(), &json2),
    ] {
        cargo_bin_cmd!("rkv-rdb")
            .args(["convert", &from, to.to_str().unwrap()])
            .assert()
            .success();
    }
    let first = std::fs::read_to_string(&json).unwrap();
    assert_eq!(first, std::fs::read_to_string(&json2).unwrap());
    assert_eq!(first.lines().count(), 5 + 1 + 29);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn analyze_prints_table_json_and_csv() {
    let text = stdout_of(&["analyze", &fixture("all-types.rdb"), "--top", "3"]);
    assert!(
        text.contains("Biggest keys") && text.contains("hash:big"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "analyze",
        &fixture("all-types.rdb"),
        "--json",
    ]))
    .unwrap();
    assert_eq!(json["total"]["keys"], 29);
    assert_eq!(json["by_db"]["5"]["keys"], 1);
    assert_eq!(json["expiry"]["no expiry"], 27);
    let csv = stdout_of(&["analyze", &fixture("all-types.rdb"), "--csv", "-"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry")
    );
    let exp = csv.lines().find(|l| l.contains(",exp:str,")).unwrap();
    assert!(
        exp.starts_with("0,string,exp:str,")
            && exp.ends_with(",embstr,1,5,2100-01-01T00:00:00.000Z"),
        "{exp}"
    );
    assert_eq!(csv.lines().count(), 30);
    let dir = temp_dir("html");
    let html = dir.join("r.html");
    stdout_of(&[
        "analyze",
        &fixture("all-types.rdb"),
        "--html",
        html.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<div class=\"t\"") && page.contains("hash"));
    std::fs::remove_dir_all(dir).ok();
}
