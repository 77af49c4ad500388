//! Checks of the test harness itself, run redis against redis so they pass
//! regardless of how far rkv-server has come.

use std::path::Path;

use rkv_tests::differential::run_script;
use rkv_tests::script::Script;
use rkv_tests::{skip_without_redis_server, ServerKind, ServerProcess};

fn script(text: &str) -> Script {
    Script::parse(Path::new("tests/scripts/inline.txt"), text).expect("inline script parses")
}

#[test]
fn identical_servers_produce_no_mismatches() {
    if skip_without_redis_server() {
        return;
    }
    let s = script("SET a 1\n@match \\$1\\r\\n1\\r\\n\nGET a\nRPUSH l x y z\n@unordered\nKEYS *\n");
    let mismatches = run_script(&s, ServerKind::Redis);
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[test]
fn mismatches_name_line_command_and_both_replies() {
    if skip_without_redis_server() {
        return;
    }
    let s = script("PING\n# comment\n@match \\+NOPE\\r\\n\nECHO hi\nPING\n");
    let mismatches = run_script(&s, ServerKind::Redis);
    assert_eq!(mismatches.len(), 1, "{mismatches:#?}");
    let report = mismatches[0].to_string();
    assert!(
        report.starts_with("tests/scripts/inline.txt:4: ECHO hi\n"),
        "{report}"
    );
    assert!(report.contains(r#""$2\r\nhi\r\n""#), "{report}");
    assert!(report.contains("NOPE"), "{report}");
}

#[test]
fn raw_connection_reads_exactly_one_reply() {
    if skip_without_redis_server() {
        return;
    }
    let server = ServerProcess::redis();
    let mut raw = server.raw();
    raw.send(b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n");
    assert_eq!(raw.read_reply(), b"+PONG\r\n");
    assert_eq!(raw.read_reply(), b"$3\r\nabc\r\n");
    assert_eq!(raw.command(&["RPUSH", "l", "a", "b"]), b":2\r\n");
    assert_eq!(
        raw.command(&["LRANGE", "l", "0", "-1"]),
        b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
}

#[test]
fn redis_client_helper_connects() {
    if skip_without_redis_server() {
        return;
    }
    let server = ServerProcess::redis();
    let mut con = server.client();
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut con).unwrap();
    let value: String = redis::cmd("GET").arg("k").query(&mut con).unwrap();
    assert_eq!(value, "v");
}

#[test]
fn startup_failure_reports_server_output() {
    if skip_without_redis_server() {
        return;
    }
    let outcome = std::panic::catch_unwind(|| {
        ServerProcess::start_with_args(ServerKind::Redis, &["--no-such-directive", "1"])
    });
    let message = match outcome {
        Ok(_) => panic!("redis-server accepted an unknown directive"),
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default(),
    };
    assert!(message.contains("never answered PING"), "{message}");
    assert!(message.contains("no-such-directive"), "{message}");
}
