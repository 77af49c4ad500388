//! rkv-cli against redis-cli: the same commands, flags and input sent to
//! the same server (rkv-server, and redis-server when installed) must
//! print the same thing and exit the same way.

mod support;

use rkv_tests::server::ServerProcess;
use support::{assert_same, run, run_with_env, seed, servers, Client};

fn seed_sample_data(server: &ServerProcess) {
    seed(
        server,
        &[
            &["FLUSHALL"],
            &["SET", "greeting", "hello world"],
            &["SET", "bin", "a\"b\n\x01"],
            &["SET", "counter", "41"],
            &["RPUSH", "list", "a", "b", "c"],
            &["HSET", "hash", "f1", "v1", "f2", "v2"],
            &["SADD", "set", "m1"],
            &["ZADD", "zset", "1", "one", "2.5", "two"],
        ],
    );
}

/// Read-only commands whose replies cover every RESP2 type and nesting.
const COMMANDS: &[&[&str]] = &[
    &["PING"],
    &["GET", "greeting"],
    &["GET", "bin"],
    &["GET", "missing"],
    &["STRLEN", "greeting"],
    &["LRANGE", "list", "0", "-1"],
    &["LRANGE", "missing", "0", "-1"],
    &["HGETALL", "hash"],
    &["SMEMBERS", "set"],
    &["ZRANGE", "zset", "0", "-1", "WITHSCORES"],
    &["MGET", "greeting", "missing", "counter"],
    &["NOSUCHCOMMAND", "x"],
    &["GET"],
    &["ECHO", ""],
];

const FLAG_SETS: &[&[&str]] = &[
    &[],
    &["--no-raw"],
    &["--raw"],
    &["--csv"],
    &["--json"],
    &["--quoted-json"],
    &["-3", "--no-raw"],
    &["-3"],
    &["-3", "--json"],
];

#[test]
fn one_shot_replies_print_the_same_in_every_format() {
    for server in servers() {
        seed_sample_data(&server);
        for flags in FLAG_SETS {
            for command in COMMANDS {
                let args: Vec<&str> = flags.iter().chain(command.iter()).copied().collect();
                assert_same(&server, &args, b"");
            }
        }
    }
}

#[test]
fn nested_replies_indent_the_same() {
    for server in servers() {
        seed(
            &server,
            &[
                &["FLUSHALL"],
                &[
                    "RPUSH", "l", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
                ],
            ],
        );
        for flags in [
            &["--no-raw"][..],
            &["-3", "--no-raw"],
            &["--csv"],
            &["--json"],
        ] {
            let mut args = flags.to_vec();
            args.extend(["SCAN", "0", "COUNT", "100"]);
            assert_same(&server, &args, b"");
            let mut args = flags.to_vec();
            args.extend(["LRANGE", "l", "0", "-1"]);
            assert_same(&server, &args, b"");
            let mut args = flags.to_vec();
            args.extend(["CONFIG", "GET", "maxmemory-policy"]);
            assert_same(&server, &args, b"");
        }
    }
}

#[test]
fn commands_piped_on_stdin_behave_the_same() {
    let script = b"SET a 1\nGET a\nINCR a\n3 INCR a\nNOSUCH\nSET \"unbalanced\n0 PING\n  \nGET \"a\"\nECHO 'it\\'s'\nECHO \"\\x41\\n\"\n";
    for server in servers() {
        seed(&server, &[&["FLUSHALL"]]);
        assert_same(&server, &[], script);
        assert_same(&server, &["--no-raw"], script);
    }
}

#[test]
fn stdin_argument_repeat_and_interval() {
    for server in servers() {
        seed(&server, &[&["FLUSHALL"]]);
        assert_same(
            &server,
            &["-x", "SET", "from-stdin"],
            b"line one\nline two\n",
        );
        assert_same(&server, &["GET", "from-stdin"], b"");
        assert_same(&server, &["-r", "3", "ECHO", "again"], b"");
        assert_same(&server, &["-r", "2", "-i", "0.05", "--no-raw", "PING"], b"");
    }
}

#[test]
fn eval_mode_splits_keys_and_arguments() {
    let dir = std::env::temp_dir().join(format!("rkv-cli-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("script.lua");
    std::fs::write(&script, "return {KEYS[1], KEYS[2], ARGV[1], #ARGV}\n").unwrap();
    let script = script.to_str().unwrap();
    for server in servers() {
        assert_same(
            &server,
            &["--eval", script, "k1", "k2", ",", "a1", "a2"],
            b"",
        );
        assert_same(&server, &["--no-raw", "--eval", script, "k1"], b"");
        assert_same(&server, &["--eval", "/nonexistent/x.lua"], b"");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn error_replies_and_exit_status() {
    for server in servers() {
        let plain = assert_same(&server, &["NOSUCH"], b"");
        assert_eq!(plain.status, Some(0));
        let strict = assert_same(&server, &["-e", "NOSUCH"], b"");
        assert_eq!(strict.status, Some(1));
        assert!(strict.stdout.is_empty());
    }
}

#[test]
fn database_selection_and_uri() {
    for server in servers() {
        seed(
            &server,
            &[&["FLUSHALL"], &["SELECT", "3"], &["SET", "in3", "yes"]],
        );
        assert_same(&server, &["-n", "3", "GET", "in3"], b"");
        let uri = format!("redis://127.0.0.1:{}/3", server.port());
        assert_same(&server, &["-u", &uri, "GET", "in3"], b"");
        assert_same(&server, &["-n", "3", "--no-raw", "DBSIZE"], b"");
    }
}

#[test]
fn password_flags_warn_and_report_auth_failures_the_same() {
    for server in servers() {
        assert_same(&server, &["-a", "wrong", "PING"], b"");
        assert_same(&server, &["-a", "wrong", "--no-auth-warning", "PING"], b"");
    }
}

#[test]
fn pipe_mode_summary_matches() {
    let mut input = Vec::new();
    for i in 0..2000 {
        let key = format!("pipe:{i}");
        input.extend(
            format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n$1\r\nv\r\n", key.len()).into_bytes(),
        );
    }
    input.extend_from_slice(b"*2\r\n$4\r\nINCR\r\n$6\r\npipe:1\r\n");
    for server in servers() {
        seed(&server, &[&["FLUSHALL"]]);
        let run = assert_same(&server, &["--pipe"], &input);
        assert!(
            run.stdout.ends_with("errors: 1, replies: 2001\n"),
            "{}",
            run.stdout
        );
        assert_eq!(run.status, Some(1));
        assert_same(&server, &["DBSIZE"], b"");
    }
}

fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

#[test]
fn scan_mode_lists_the_same_keys() {
    for server in servers() {
        seed_sample_data(&server);
        seed(
            &server,
            &[
                &["SET", "user:1", "a"],
                &["SET", "user:2", "b"],
                &["HSET", "user:h", "f", "v"],
            ],
        );
        for args in [
            &["--scan"][..],
            &["--scan", "--pattern", "user:*"],
            &["--no-raw", "--scan"],
        ] {
            let ours = run(Client::Rkv, server.port(), args, b"");
            let theirs = run(Client::Redis, server.port(), args, b"");
            assert_eq!(
                sorted_lines(&ours.stdout),
                sorted_lines(&theirs.stdout),
                "{args:?}"
            );
            assert_eq!(ours.status, theirs.status);
        }
        // redis-cli 7.0 lacks --count and --type; check ours on its own.
        let typed = run(
            Client::Rkv,
            server.port(),
            &["--scan", "--type", "hash"],
            b"",
        );
        assert_eq!(sorted_lines(&typed.stdout), ["hash", "user:h"]);
        let paged = run(Client::Rkv, server.port(), &["--scan", "--count", "2"], b"");
        let all = run(Client::Redis, server.port(), &["--scan"], b"");
        assert_eq!(sorted_lines(&paged.stdout), sorted_lines(&all.stdout));
    }
}

/// The part of --bigkeys / --memkeys output after the summary banner.
fn summary(text: &str) -> Vec<String> {
    let start = text
        .find("-------- summary -------")
        .expect("summary banner");
    sorted_lines(&text[start..])
}

#[test]
fn bigkeys_summary_matches() {
    for server in servers() {
        seed_sample_data(&server);
        let ours = run(Client::Rkv, server.port(), &["--bigkeys"], b"");
        let theirs = run(Client::Redis, server.port(), &["--bigkeys"], b"");
        assert_eq!(summary(&ours.stdout), summary(&theirs.stdout));
        assert_eq!(sorted_lines(&ours.stdout), sorted_lines(&theirs.stdout));
        assert!(
            ours.stdout
                .contains("Biggest string found '\"greeting\"' has 11 bytes"),
            "{}",
            ours.stdout
        );
        assert!(ours.stdout.contains("Sampled 7 keys in the keyspace!"));
    }
}

#[test]
fn memkeys_summary_has_redis_cli_shape() {
    for server in servers() {
        seed_sample_data(&server);
        let ours = run(Client::Rkv, server.port(), &["--memkeys"], b"");
        let theirs = run(Client::Redis, server.port(), &["--memkeys"], b"");
        assert_eq!(ours.status, theirs.status);
        let shape = |lines: Vec<String>| -> Vec<String> {
            lines
                .into_iter()
                .map(|l| {
                    l.split(|c: char| c.is_ascii_digit())
                        .next()
                        .unwrap_or("")
                        .to_string()
                })
                .collect()
        };
        assert_eq!(shape(summary(&ours.stdout)), shape(summary(&theirs.stdout)));
    }
}

#[test]
fn password_from_the_environment_is_used_without_a_warning() {
    for server in servers() {
        let ours = run_with_env(
            Client::Rkv,
            server.port(),
            &["PING"],
            b"",
            &[("RKVCLI_AUTH", "wrong")],
        );
        let theirs = run_with_env(
            Client::Redis,
            server.port(),
            &["PING"],
            b"",
            &[("REDISCLI_AUTH", "wrong")],
        );
        assert_eq!(ours, theirs);
        assert!(ours.stderr.starts_with("AUTH failed: "), "{}", ours.stderr);
    }
}

#[test]
fn unix_socket_connections_match() {
    if !rkv_tests::server::redis_server_available() || !rkv_tests::cli::redis_cli_available() {
        eprintln!("skipping: redis-server / redis-cli not installed");
        return;
    }
    let socket = std::env::temp_dir().join(format!("rkv-cli-{}.sock", std::process::id()));
    let socket = socket.to_str().unwrap();
    let server = ServerProcess::start_with_args(
        rkv_tests::server::ServerKind::Redis,
        &["--unixsocket", socket, "--unixsocketperm", "700"],
    );
    seed(&server, &[&["SET", "over-unix", "yes"]]);
    for args in [
        &["-s", socket, "GET", "over-unix"][..],
        &["-s", socket, "--no-raw", "PING"],
    ] {
        let ours = run(Client::Rkv, 1, args, b"");
        let theirs = run(Client::Redis, 1, args, b"");
        assert_eq!(ours, theirs, "{args:?}");
    }
    drop(server);
    let _ = std::fs::remove_file(socket);
}

#[test]
fn help_matches_redis_cli_on_redis_server() {
    for server in servers() {
        // rkv-server may lack COMMAND DOCS, where each client falls back to
        // its own built-in table; only redis-server makes the texts comparable.
        if server.kind() != rkv_tests::server::ServerKind::Redis {
            continue;
        }
        for topic in [
            &["HELP", "SET"][..],
            &["HELP", "@hyperloglog"],
            &["HELP", "CLIENT", "KILL"],
            &["help", "config"],
        ] {
            // rkv-cli adds a `complexity:` line after each command's group
            // line (redis-cli has none); everything else is byte for byte.
            let mut ours = run(Client::Rkv, server.port(), topic, b"");
            let theirs = run(Client::Redis, server.port(), topic, b"");
            if topic[1] != "@hyperloglog" {
                assert!(ours.stdout.contains("complexity:"), "{topic:?}: {ours:?}");
            }
            ours.stdout = ours
                .stdout
                .split_inclusive('\n')
                .filter(|line| !line.contains("complexity:"))
                .collect();
            assert_eq!(ours, theirs, "{topic:?}");
        }
    }
}

#[test]
fn resp3_pushes_show_only_on_a_terminal() {
    let script = b"CLIENT TRACKING on\nGET tracked\nSET tracked 2\nGET tracked\nPING\n";
    for server in servers() {
        for (args, env) in [
            (&["-3"][..], &[][..]),
            (&["-3", "--no-raw"], &[]),
            (&["-3"], &[("FAKETTY", "1")]),
        ] {
            seed(&server, &[&["SET", "tracked", "1"]]);
            let ours = run_with_env(Client::Rkv, server.port(), args, script, env);
            seed(&server, &[&["SET", "tracked", "1"]]);
            let theirs = run_with_env(Client::Redis, server.port(), args, script, env);
            assert_eq!(ours, theirs, "{args:?} {env:?} on {}", server.kind().name());
        }
    }
}

#[test]
fn delimiters_tags_protocol_and_push_flags() {
    for server in servers() {
        seed_sample_data(&server);
        assert_same(&server, &["-d", ",", "LRANGE", "list", "0", "-1"], b"");
        assert_same(&server, &["-d", "|", "-D", "#", "HGETALL", "hash"], b"");
        assert_same(&server, &["-D", "", "GET", "greeting"], b"");
        assert_same(
            &server,
            &["-X", "VALUE", "SET", "from-tag", "VALUE"],
            b"tagged input",
        );
        assert_same(&server, &["GET", "from-tag"], b"");
        assert_same(&server, &["-X", "NOPE", "SET", "from-tag", "VALUE"], b"x");
        assert_same(&server, &["-2", "--json", "HGETALL", "hash"], b"");
        let script = b"CLIENT TRACKING on\nGET tracked\nSET tracked 2\nPING\n";
        for choice in ["y", "no", "maybe"] {
            seed(&server, &[&["SET", "tracked", "1"]]);
            let ours = run(
                Client::Rkv,
                server.port(),
                &["-3", "--show-pushes", choice],
                script,
            );
            seed(&server, &[&["SET", "tracked", "1"]]);
            let theirs = run(
                Client::Redis,
                server.port(),
                &["-3", "--show-pushes", choice],
                script,
            );
            assert_eq!(
                ours,
                theirs,
                "--show-pushes {choice} on {}",
                server.kind().name()
            );
        }
    }
}
