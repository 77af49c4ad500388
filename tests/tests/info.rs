//! The server family end to end: INFO fields exist and move as commands
//! run, `redis-cli --stat` can poll rkv, DEBUG DIGEST agrees with
//! redis-server on the same data, SHUTDOWN stops the server.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use rkv_tests::cli::{redis_cli, skip_without_redis_cli};
use rkv_tests::raw::CloseOutcome;
use rkv_tests::server::{redis_server_available, ServerKind};
use rkv_tests::ServerProcess;

/// INFO's `field:value` lines as a map.
fn info(con: &mut redis::Connection, section: &str) -> HashMap<String, String> {
    let text: String = redis::cmd("INFO").arg(section).query(con).unwrap();
    assert!(text.ends_with("\r\n"), "INFO ends with CRLF: {text:?}");
    text.split("\r\n")
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l
                .split_once(':')
                .unwrap_or_else(|| panic!("bad line {l:?}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn number(map: &HashMap<String, String>, field: &str) -> u64 {
    map.get(field)
        .unwrap_or_else(|| panic!("INFO has no {field}"))
        .parse()
        .unwrap_or_else(|e| panic!("{field}: {e}"))
}

#[test]
fn info_fields_exist_and_change() {
    let server = ServerProcess::rkv();
    let mut con = server.client();
    let all = info(&mut con, "everything");
    for field in [
        "redis_version",
        "rkv_version",
        "redis_mode",
        "process_id",
        "run_id",
        "tcp_port",
        "uptime_in_seconds",
        "connected_clients",
        "used_memory",
        "used_memory_rss",
        "maxmemory_policy",
        "rdb_changes_since_last_save",
        "total_commands_processed",
        "instantaneous_ops_per_sec",
        "expired_keys",
        "role",
        "master_replid",
        "used_cpu_sys",
        "cluster_enabled",
    ] {
        assert!(all.contains_key(field), "INFO everything lacks {field}");
    }
    assert_eq!(all["redis_version"], "7.0.15");
    assert_eq!(all["tcp_port"], server.port().to_string());
    assert_eq!(all["run_id"].len(), 40);
    assert_eq!(all["role"], "master");
    assert!(number(&all, "used_memory_rss") > 0);

    let before = number(&info(&mut con, "stats"), "total_commands_processed");
    for i in 0..5 {
        let _: () = redis::cmd("SET")
            .arg(format!("k{i}"))
            .arg(i)
            .query(&mut con)
            .unwrap();
    }
    let stats = info(&mut con, "stats");
    assert_eq!(number(&stats, "total_commands_processed"), before + 6);

    let keyspace = info(&mut con, "keyspace");
    assert_eq!(keyspace["db0"], "keys=5,expires=0,avg_ttl=0");
    assert_eq!(
        number(
            &info(&mut con, "persistence"),
            "rdb_changes_since_last_save"
        ),
        5
    );

    let cmdstats = info(&mut con, "commandstats");
    assert!(
        cmdstats["cmdstat_set"].starts_with("calls=5,usec="),
        "{cmdstats:?}"
    );

    // The client library may have sent commands rkv does not know yet
    // (CLIENT SETINFO), so count from here.
    let errors_before = info(&mut con, "errorstats")
        .get("errorstat_ERR")
        .map_or(0, |v| {
            v.trim_start_matches("count=").parse::<u64>().unwrap()
        });
    let err: redis::RedisResult<()> = redis::cmd("NOSUCHCOMMAND").query(&mut con);
    assert!(err.is_err());
    let err: redis::RedisResult<()> = redis::cmd("CONFIG")
        .arg("SET")
        .arg("hz")
        .arg("x")
        .query(&mut con);
    assert!(err.is_err());
    let errors = info(&mut con, "errorstats");
    assert_eq!(
        errors["errorstat_ERR"],
        format!("count={}", errors_before + 2)
    );
    let cmdstats = info(&mut con, "commandstats");
    assert!(cmdstats["cmdstat_config|set"].ends_with("rejected_calls=0,failed_calls=1"));

    let _: () = redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query(&mut con)
        .unwrap();
    assert!(!info(&mut con, "errorstats").contains_key("errorstat_ERR"));
    // RESETSTAT and the INFO errorstats after it.
    assert_eq!(
        number(&info(&mut con, "stats"), "total_commands_processed"),
        2
    );
}

#[test]
fn config_set_side_effects() {
    let server = ServerProcess::rkv();
    let mut con = server.client();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("slowlog-log-slower-than")
        .arg("0")
        .query(&mut con)
        .unwrap();
    for _ in 0..5 {
        let _: () = redis::cmd("PING").query(&mut con).unwrap();
    }
    let len: i64 = redis::cmd("SLOWLOG").arg("LEN").query(&mut con).unwrap();
    assert!(len >= 5);
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("slowlog-max-len")
        .arg("2")
        .query(&mut con)
        .unwrap();
    let len: i64 = redis::cmd("SLOWLOG").arg("LEN").query(&mut con).unwrap();
    assert!(
        len <= 3,
        "trimmed to the new maximum (plus this CONFIG SET): {len}"
    );
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("hz")
        .arg("50")
        .query(&mut con)
        .unwrap();
    assert_eq!(info(&mut con, "server")["hz"], "50");
    let refused: redis::RedisResult<()> = redis::cmd("CONFIG")
        .arg("SET")
        .arg("port")
        .arg("1")
        .arg("hz")
        .arg("20")
        .query(&mut con);
    assert!(refused.is_err());
    assert_eq!(
        info(&mut con, "server")["hz"],
        "50",
        "a refused SET changes nothing"
    );
}

#[test]
fn redis_cli_stat_polls_rkv() {
    if skip_without_redis_cli() {
        return;
    }
    let server = ServerProcess::rkv();
    let mut child = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &server.port().to_string()])
        .args(["--stat", "-i", "0.1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-cli starts");
    let stdout = child.stdout.take().unwrap();
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(4)
        .map(|l| l.unwrap())
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    assert!(lines[0].contains("data"), "header: {lines:?}");
    assert!(lines.len() == 4, "{lines:?}");
    for line in &lines[2..] {
        assert!(!line.contains("ERR"), "{line}");
        assert!(line.split_whitespace().count() >= 6, "{line}");
    }
    let out = redis_cli(server.port(), &["info", "server"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("redis_mode:standalone"));
}

#[test]
fn debug_digest_and_populate_match_redis() {
    if !redis_server_available() {
        eprintln!("skipping: redis-server not installed");
        return;
    }
    let args = ["--enable-debug-command", "yes"];
    let servers = [
        ServerProcess::start_with_args(ServerKind::Rkv, &args),
        ServerProcess::start_with_args(ServerKind::Redis, &args),
    ];
    let replies: Vec<Vec<Vec<u8>>> = servers
        .iter()
        .map(|s| {
            let mut raw = s.raw();
            let script: &[&[&str]] = &[
                &["DEBUG", "DIGEST"],
                &["SET", "foo", "bar"],
                &["SET", "n", "12345"],
                &["SET", "big", &"x".repeat(100)],
                &["SELECT", "3"],
                &["SET", "k", "-7"],
                &["SELECT", "0"],
                &["DEBUG", "DIGEST"],
                &["DEBUG", "DIGEST-VALUE", "foo", "n", "nosuch"],
                &["DEBUG", "OBJECT", "nosuch"],
                // POPULATE: names, padded or cut values, existing keys kept.
                &["DEBUG", "POPULATE", "-1"],
                &["DEBUG", "POPULATE", "5", "p", "-2"],
                &["DEBUG", "POPULATE", "20"],
                &["SET", "key:3", "mine"],
                &["DEBUG", "POPULATE", "30", "key", "3"],
                &["DEBUG", "POPULATE", "4", "pad", "12"],
                &["MGET", "key:0", "key:3", "key:25", "pad:2"],
                &["OBJECT", "ENCODING", "key:1"],
                &["DBSIZE"],
                &["DEBUG", "DIGEST"],
            ];
            script.iter().map(|c| raw.command(c)).collect()
        })
        .collect();
    assert_eq!(replies[0], replies[1]);
    assert_eq!(
        replies[0][0],
        b"+0000000000000000000000000000000000000000\r\n"
    );
}

#[test]
fn shutdown_stops_the_server() {
    let server = ServerProcess::rkv();
    let mut raw = server.raw();
    // Saving on SHUTDOWN is covered in tests/tests/persistence.rs.
    raw.send_command(&["SHUTDOWN", "NOSAVE"]);
    assert!(matches!(raw.wait_closed(), CloseOutcome::Closed));
}
