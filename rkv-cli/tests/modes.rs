//! Operator modes checked against redis-cli: snapshot transfer, latency
//! probes, --stat and --intrinsic-latency.

mod support;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use rkv_tests::server::{ServerKind, ServerProcess};
use support::{run, seed, servers, Client};

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rkv-cli-modes-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn rdb_transfer_matches_redis_cli() {
    for server in servers() {
        seed(
            &server,
            &[&["FLUSHALL"], &["SET", "k", "v"], &["RPUSH", "l", "a", "b"]],
        );
        let dir = scratch(&format!("rdb-{}", server.kind().name()));
        for flag in ["--rdb", "--functions-rdb"] {
            let ours_file = dir.join("ours.rdb");
            let theirs_file = dir.join("theirs.rdb");
            let ours = run(
                Client::Rkv,
                server.port(),
                &[flag, ours_file.to_str().unwrap()],
                b"",
            );
            let theirs = run(
                Client::Redis,
                server.port(),
                &[flag, theirs_file.to_str().unwrap()],
                b"",
            );
            assert_eq!(
                ours.status,
                theirs.status,
                "{flag} on {}",
                server.kind().name()
            );
            assert_eq!(ours.stdout, theirs.stdout);
            assert_eq!(
                ours.stderr.replace("ours.rdb", "FILE"),
                theirs.stderr.replace("theirs.rdb", "FILE"),
                "{flag} on {}",
                server.kind().name()
            );
            if theirs.status == Some(0) {
                let ours_bytes = std::fs::read(&ours_file).unwrap();
                let theirs_bytes = std::fs::read(&theirs_file).unwrap();
                assert!(ours_bytes.starts_with(b"REDIS"), "not an RDB file");
                assert_eq!(ours_bytes.len(), theirs_bytes.len());
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn latency_without_a_terminal_prints_one_line_like_redis_cli() {
    for server in servers() {
        for flags in [
            &["--latency"][..],
            &["--latency", "--csv"],
            &["--latency", "--json"],
        ] {
            let ours = run(Client::Rkv, server.port(), flags, b"");
            let theirs = run(Client::Redis, server.port(), flags, b"");
            assert_eq!(ours.status, Some(0));
            let shape = |text: &str| -> String {
                text.chars()
                    .map(|c| if c.is_ascii_digit() { '9' } else { c })
                    .collect::<String>()
                    .replace("99", "9")
                    .replace("99", "9")
                    .replace("99", "9")
            };
            assert_eq!(shape(&ours.stdout), shape(&theirs.stdout), "{flags:?}");
            assert_eq!(ours.stdout.lines().count(), 1);
        }
    }
}

/// Runs rkv-cli for a while, then stops it and returns what it printed.
fn run_for(args: &[&str], how_long: Duration) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rkv-cli"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn rkv-cli");
    std::thread::sleep(how_long);
    let _ = child.kill();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let _ = child.wait();
    out
}

#[test]
fn stat_mode_prints_header_and_figures() {
    let server = ServerProcess::start(ServerKind::Rkv);
    seed(
        &server,
        &[&["FLUSHALL"], &["SET", "a", "1"], &["SET", "b", "2"]],
    );
    let port = server.port().to_string();
    let out = run_for(
        &["-p", &port, "--stat", "-i", "0.2"],
        Duration::from_millis(900),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() >= 4, "{out}");
    assert_eq!(
        lines[0],
        "------- data ------ --------------------- load -------------------- - child -"
    );
    assert!(lines[1].starts_with("keys       mem      clients blocked requests"));
    let first: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(first[0], "2", "{out}");
    assert_eq!(first[5], "(+0)", "{out}");
}

#[test]
fn latency_history_prints_a_line_per_sample() {
    let server = ServerProcess::start(ServerKind::Rkv);
    let port = server.port().to_string();
    let out = run_for(
        &["-p", &port, "--latency-history", "-i", "1"],
        Duration::from_millis(600),
    );
    let first = out.lines().next().expect("at least one sample");
    assert_eq!(first.split(' ').count(), 4, "{out}");
}

#[test]
fn intrinsic_latency_reports_runs_and_worst_case() {
    let output = Command::new(env!("CARGO_BIN_EXE_rkv-cli"))
        .args(["--intrinsic-latency", "1"])
        .output()
        .expect("run rkv-cli");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(text.starts_with("Max latency so far: "), "{text}");
    assert!(text.contains(" total runs (avg latency: "), "{text}");
    assert!(text.contains("Worst run took "), "{text}");
}

#[test]
fn keystats_reports_top_sizes_types_and_distributions() {
    for server in servers() {
        seed(
            &server,
            &[
                &["FLUSHALL"],
                &["SET", "a", "1"],
                &[
                    "SET",
                    "a-much-longer-key",
                    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                ],
                &["RPUSH", "l", "1", "2", "3"],
                &["HSET", "h", "f", "v"],
            ],
        );
        let out = run(
            Client::Rkv,
            server.port(),
            &["--keystats", "--top", "2"],
            b"",
        );
        assert_eq!(out.status, Some(0), "{}", out.stderr);
        let text = out.stdout;
        for expected in [
            "100.00% keys scanned\n",
            "Keys sampled: 4\n",
            "--- Top 2 key sizes ---\n",
            "--- Top size per type ---\n",
            "--- Top length and cardinality per type ---\n",
            "list       l has 3 items\n",
            "hash       h has 1 fields\n",
            "string     a-much-longer-key has 32B\n",
            "Key size Percentile Total keys\n",
            "Key name length Percentile Total keys\n",
            "            17B  100.0000%           4\n",
            "Total key length is 20B (5B avg)\n",
            "Type        Total keys  Keys % Tot size Avg size  Total length/card Avg ln/card\n",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        let top: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("--- Top 2"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert_eq!(top.len(), 2, "{text}");
        assert!(text.contains("list                 1  25.00%"), "{text}");
        assert!(text.contains("string               2  50.00%"), "{text}");
    }
}

/// Starts a client in --replica mode with output to a file.
fn spawn_replica(program: &str, port: u16, out: &std::path::Path) -> std::process::Child {
    let file = std::fs::File::create(out).unwrap();
    Command::new(program)
        .args(["-p", &port.to_string(), "--replica"])
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .expect("spawn replica client")
}

#[test]
fn replica_mode_prints_the_propagated_commands_like_redis_cli() {
    if !rkv_tests::server::redis_server_available() || !rkv_tests::cli::redis_cli_available() {
        eprintln!("skipping: redis-server / redis-cli not installed");
        return;
    }
    for kind in [ServerKind::Redis, ServerKind::Rkv] {
        replica_mode_on(kind);
    }
}

/// `--replica` of rkv-cli and of redis-cli side by side on a master of
/// `kind`: the same transcript.
fn replica_mode_on(kind: ServerKind) {
    let server = ServerProcess::start_with_args(
        kind,
        &[
            "--repl-diskless-sync-delay",
            "0",
            "--repl-ping-replica-period",
            "60",
        ],
    );
    let dir = scratch(&format!("replica-{}", kind.name()));
    let (ours_out, theirs_out) = (dir.join("ours.txt"), dir.join("theirs.txt"));
    let mut ours = spawn_replica(env!("CARGO_BIN_EXE_rkv-cli"), server.port(), &ours_out);
    let mut theirs = spawn_replica("redis-cli", server.port(), &theirs_out);
    // Both wait a second after the snapshot before acknowledging it.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let acked = |path: &std::path::Path| {
        std::fs::read_to_string(path).is_ok_and(|t| t.contains("sending REPLCONF ACK 0"))
    };
    while !(acked(&ours_out) && acked(&theirs_out)) {
        assert!(
            std::time::Instant::now() < deadline,
            "replicas never synced"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    seed(
        &server,
        &[&["SET", "replicated", "1"], &["RPUSH", "rl", "a", "b"]],
    );
    std::thread::sleep(Duration::from_millis(500));
    for child in [&mut ours, &mut theirs] {
        let _ = child.kill();
        let _ = child.wait();
    }
    let ours_text = std::fs::read_to_string(&ours_out).unwrap();
    let theirs_text = std::fs::read_to_string(&theirs_out).unwrap();
    assert_eq!(ours_text, theirs_text, "on a {} master", kind.name());
    assert!(
        ours_text.contains("\"RPUSH\",\"rl\",\"a\",\"b\"\n"),
        "{ours_text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn latency_dist_prints_legend_and_spectrum() {
    let server = ServerProcess::start(ServerKind::Rkv);
    let port = server.port().to_string();
    let out = run_for(
        &["-p", &port, "--latency-dist", "-i", "0.3"],
        Duration::from_millis(1200),
    );
    assert!(
        out.starts_with("---------------------------------------------\n"),
        "{out:?}"
    );
    assert!(
        out.contains("K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\n"),
        "{out:?}"
    );
    let spectrum = out
        .lines()
        .find(|l| l.starts_with("\x1b[38;5;0m"))
        .expect("a spectrum line");
    assert_eq!(spectrum.matches("\x1b[48;5;").count(), 31, "{spectrum:?}");
}

/// Starts `program -p PORT args...` with stdout to a file.
fn spawn_to_file(
    program: &str,
    port: u16,
    args: &[&str],
    out: &std::path::Path,
) -> std::process::Child {
    Command::new(program)
        .args(["-p", &port.to_string()])
        .args(args)
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn client")
}

#[test]
fn subscribe_streams_like_redis_cli() {
    for server in servers() {
        let dir = scratch(&format!("stream-{}", server.kind().name()));
        // (Pattern subscriptions are left out: PUBSUB NUMPAT counts patterns,
        // not subscribers, so there is no telling when both clients listen.)
        let args = ["SUBSCRIBE", "news", "sport"];
        let (ours_out, theirs_out) = (dir.join("ours"), dir.join("theirs"));
        let mut ours = spawn_to_file(
            env!("CARGO_BIN_EXE_rkv-cli"),
            server.port(),
            &args,
            &ours_out,
        );
        let mut theirs = spawn_to_file("redis-cli", server.port(), &args, &theirs_out);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let mut probe = server.raw();
        // Both are listening once the channel counts two subscribers.
        loop {
            let subscribers = probe.command(&["PUBSUB", "NUMSUB", "sport"]);
            if String::from_utf8_lossy(&subscribers).ends_with(":2\r\n") {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "subscribers never appeared: {:?} on {}",
                String::from_utf8_lossy(&subscribers),
                server.kind().name()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        probe.command(&["PUBLISH", "news", "hello"]);
        probe.command(&["PUBLISH", "sport", "again"]);
        std::thread::sleep(Duration::from_millis(300));
        for child in [&mut ours, &mut theirs] {
            let _ = child.kill();
            let _ = child.wait();
        }
        let ours_text = std::fs::read_to_string(&ours_out).unwrap();
        let theirs_text = std::fs::read_to_string(&theirs_out).unwrap();
        assert_eq!(
            ours_text,
            theirs_text,
            "{args:?} on {}",
            server.kind().name()
        );
        assert!(ours_text.contains("hello\n"), "{ours_text}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
