//! MEMORY against redis-server: MEMORY USAGE within 20% of Redis's figure
//! for every type and encoding (the same commands run on both servers),
//! MEMORY STATS with Redis's field names in Redis's order, and the other
//! subcommands' reply shapes.

use rkv_tests::{skip_without_redis_server, ServerKind, ServerProcess};

/// Builds one value per case, each under key `k` after a FLUSHALL.
fn cases() -> Vec<(&'static str, Vec<Vec<String>>)> {
    let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
    let many = |prefix: &str, n: usize, f: &dyn Fn(usize) -> String| {
        let mut v = words(prefix);
        v.extend((0..n).map(f));
        v
    };
    vec![
        ("int", vec![words("SET k 12345")]),
        ("embstr", vec![words("SET k hello")]),
        ("raw", vec![vec!["SET".into(), "k".into(), "x".repeat(500)]]),
        (
            "raw-appended",
            vec![
                vec!["SET".into(), "k".into(), "x".repeat(100)],
                words("APPEND k yyyyyyyyyy"),
            ],
        ),
        ("quicklist-small", vec![words("RPUSH k a b c 1 2 3")]),
        (
            "quicklist",
            vec![many("RPUSH k", 5000, &|i| format!("element{i}"))],
        ),
        ("intset", vec![many("SADD k", 100, &|i| i.to_string())]),
        (
            "intset-32",
            vec![many("SADD k", 100, &|i| (i * 100_000).to_string())],
        ),
        (
            "set-hashtable",
            vec![many("SADD k", 1000, &|i| format!("member:{i}"))],
        ),
        (
            "hash-listpack",
            vec![many("HSET k", 50, &|i| format!("f{i}"))],
        ),
        (
            "hash-hashtable",
            vec![many("HSET k", 2000, &|i| format!("field:{}", i / 2))],
        ),
        (
            "zset-listpack",
            vec![many("ZADD k", 50, &|i| {
                if i % 2 == 0 {
                    (i / 2).to_string()
                } else {
                    format!("m{i}")
                }
            })],
        ),
        (
            "zset-listpack-float",
            vec![many("ZADD k", 50, &|i| {
                if i % 2 == 0 {
                    format!("{}.1", i / 2)
                } else {
                    format!("m{i}")
                }
            })],
        ),
        (
            "zset-skiplist",
            vec![many("ZADD k", 2000, &|i| {
                if i % 2 == 0 {
                    (i / 2).to_string()
                } else {
                    format!("member:{i}")
                }
            })],
        ),
        ("stream-small", vec![words("XADD k 1-1 a 1 b 2")]),
        (
            "stream",
            (0..1000)
                .map(|i| words(&format!("XADD k {}-1 field1 value{i} field2 {i}", i + 1)))
                .collect(),
        ),
    ]
}

fn run(con: &mut redis::Connection, args: &[String]) {
    let mut cmd = redis::cmd(&args[0]);
    for a in &args[1..] {
        cmd.arg(a);
    }
    let _: redis::Value = cmd.query(con).unwrap();
}

fn usages(kind: ServerKind) -> Vec<(String, i64, i64)> {
    let server = ServerProcess::start(kind);
    let mut con = server.client();
    let mut out = Vec::new();
    for (name, commands) in cases() {
        let _: () = redis::cmd("FLUSHALL").query(&mut con).unwrap();
        for c in &commands {
            run(&mut con, c);
        }
        let sampled: i64 = redis::cmd("MEMORY")
            .arg("USAGE")
            .arg("k")
            .query(&mut con)
            .unwrap();
        let all: i64 = redis::cmd("MEMORY")
            .arg("USAGE")
            .arg("k")
            .arg("SAMPLES")
            .arg(0)
            .query(&mut con)
            .unwrap();
        let encoding: String = redis::cmd("OBJECT")
            .arg("ENCODING")
            .arg("k")
            .query(&mut con)
            .unwrap();
        out.push((format!("{name} ({encoding})"), sampled, all));
    }
    out
}

#[test]
fn memory_usage_is_within_20_percent_of_redis() {
    if skip_without_redis_server() {
        return;
    }
    let ours = usages(ServerKind::Rkv);
    let theirs = usages(ServerKind::Redis);
    let mut report = String::new();
    let mut bad = false;
    for ((name, a, a_all), (their_name, b, b_all)) in ours.iter().zip(&theirs) {
        assert_eq!(name, their_name, "same encodings");
        for (x, y) in [(a, b), (a_all, b_all)] {
            let off = (*x - *y).abs() as f64 / *y as f64;
            bad |= off > 0.2;
            report += &format!("{name}: rkv {x} redis {y} ({:+.1}%)\n", off * 100.0);
        }
    }
    assert!(!bad, "{report}");
}

#[test]
fn memory_usage_arguments_and_missing_keys() {
    let kinds = if skip_without_redis_server() {
        vec![ServerKind::Rkv]
    } else {
        vec![ServerKind::Rkv, ServerKind::Redis]
    };
    let mut transcripts = Vec::new();
    for kind in kinds {
        let server = ServerProcess::start(kind);
        let mut raw = server.raw();
        let script: &[&[&str]] = &[
            &["SET", "k", "v"],
            &["MEMORY", "USAGE", "nokey"],
            &["MEMORY", "USAGE", "k", "SAMPLES", "-1"],
            &["MEMORY", "USAGE", "k", "SAMPLES", "x"],
            &["MEMORY", "USAGE", "k", "SAMPLES"],
            &["MEMORY", "USAGE", "k", "FOO", "1"],
            &["MEMORY", "USAGE"],
            &["MEMORY", "USAGE", "k", "SAMPLES", "0"],
            &["MEMORY", "NOSUCH"],
            &["MEMORY", "PURGE"],
            &["MEMORY", "HELP"],
            &["MEMORY", "STATS", "extra"],
        ];
        transcripts.push(script.iter().map(|c| raw.command(c)).collect::<Vec<_>>());
    }
    if transcripts.len() == 2 {
        for (i, (a, b)) in transcripts[0].iter().zip(&transcripts[1]).enumerate() {
            assert_eq!(
                String::from_utf8_lossy(a),
                String::from_utf8_lossy(b),
                "command {i}"
            );
        }
    }
}

/// MEMORY STATS's field names in order (nested `db.N` maps flattened).
fn stats_fields(kind: ServerKind) -> Vec<String> {
    let server = ServerProcess::start(kind);
    let mut con = server.client();
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut con).unwrap();
    let v: redis::Value = redis::cmd("MEMORY").arg("STATS").query(&mut con).unwrap();
    let redis::Value::Array(items) = v else {
        panic!("MEMORY STATS is not an array: {v:?}");
    };
    let mut names = Vec::new();
    for pair in items.chunks(2) {
        let redis::Value::BulkString(name) = &pair[0] else {
            panic!("field name {:?}", pair[0]);
        };
        names.push(String::from_utf8_lossy(name).into_owned());
        if let redis::Value::Array(inner) = &pair[1] {
            for p in inner.chunks(2) {
                if let redis::Value::BulkString(n) = &p[0] {
                    names.push(String::from_utf8_lossy(n).into_owned());
                }
            }
        }
    }
    names
}

#[test]
fn memory_stats_has_redis_fields() {
    let ours = stats_fields(ServerKind::Rkv);
    assert!(ours.contains(&"keys.count".to_string()));
    if skip_without_redis_server() {
        return;
    }
    assert_eq!(ours, stats_fields(ServerKind::Redis));
}

#[test]
fn doctor_and_malloc_stats_are_text() {
    let server = ServerProcess::rkv();
    let mut con = server.client();
    let doctor: String = redis::cmd("MEMORY").arg("DOCTOR").query(&mut con).unwrap();
    assert!(doctor.contains("5 MB"), "{doctor}");
    let stats: String = redis::cmd("MEMORY")
        .arg("MALLOC-STATS")
        .query(&mut con)
        .unwrap();
    assert!(stats.contains("jemalloc statistics"), "{stats}");
}

fn info_memory(con: &mut redis::Connection) -> std::collections::HashMap<String, String> {
    let text: String = redis::cmd("INFO").arg("memory").query(con).unwrap();
    text.lines()
        .filter_map(|l| l.trim_end().split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn field(map: &std::collections::HashMap<String, String>, name: &str) -> f64 {
    map.get(name)
        .unwrap_or_else(|| panic!("INFO memory has no {name}"))
        .trim_end_matches('%')
        .parse()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn info_memory_follows_the_data() {
    let server = ServerProcess::rkv();
    let mut con = server.client();
    let empty = info_memory(&mut con);
    for name in [
        "used_memory_rss",
        "used_memory_peak_perc",
        "used_memory_overhead",
        "used_memory_startup",
        "used_memory_dataset_perc",
        "allocator_frag_ratio",
        "allocator_rss_bytes",
        "rss_overhead_ratio",
        "mem_fragmentation_bytes",
        "mem_not_counted_for_evict",
        "mem_clients_normal",
        "lazyfree_pending_objects",
        "total_system_memory",
        "used_memory_lua",
    ] {
        field(&empty, name);
    }
    assert_eq!(empty["mem_allocator"], "jemalloc-5.3.0");

    let value = "x".repeat(1000);
    let mut pipe = redis::pipe();
    for i in 0..10_000 {
        pipe.cmd("SET").arg(format!("key:{i}")).arg(&value).ignore();
    }
    let _: () = pipe.query(&mut con).unwrap();
    let full = info_memory(&mut con);
    let grown = field(&full, "used_memory") - field(&empty, "used_memory");
    // 10,000 values of 1000 bytes (1024-byte allocations) plus keys and table.
    assert!((10.0e6..14.0e6).contains(&grown), "grew by {grown}");
    assert!(field(&full, "used_memory_dataset") > 10.0e6);
    assert!(field(&full, "used_memory_dataset_perc") > 80.0);
    assert!(field(&full, "used_memory_peak") >= field(&full, "used_memory"));

    let _: () = redis::cmd("FLUSHALL").arg("SYNC").query(&mut con).unwrap();
    let flushed = info_memory(&mut con);
    let left = field(&flushed, "used_memory") - field(&empty, "used_memory");
    assert!(left < 1.0e6, "{left} bytes left after FLUSHALL");
    assert!(field(&flushed, "used_memory_peak") >= field(&full, "used_memory"));
    assert!(field(&flushed, "used_memory_peak_perc") < 50.0);

    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory")
        .arg("100mb")
        .query(&mut con)
        .unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg("volatile-ttl")
        .query(&mut con)
        .unwrap();
    let limited = info_memory(&mut con);
    assert_eq!(limited["maxmemory"], "104857600");
    assert_eq!(limited["maxmemory_human"], "100.00M");
    assert_eq!(limited["maxmemory_policy"], "volatile-ttl");
}

/// Adds a set of 1000 members (costly enough to free lazily) at `key`.
fn big_set(con: &mut redis::Connection, key: &str) {
    let members: Vec<String> = (0..1000).map(|i| format!("m{i}")).collect();
    let _: i64 = redis::cmd("SADD")
        .arg(key)
        .arg(&members)
        .query(con)
        .unwrap();
}

fn lazyfreed(con: &mut redis::Connection) -> f64 {
    // The background thread may still be dropping the last value.
    std::thread::sleep(std::time::Duration::from_millis(100));
    field(&info_memory(con), "lazyfreed_objects")
}

#[test]
fn lazyfree_directives_free_in_the_background() {
    let server = ServerProcess::rkv();
    let mut con = server.client();
    let set = |con: &mut redis::Connection, name: &str, value: &str| {
        let _: () = redis::cmd("CONFIG")
            .arg("SET")
            .arg(name)
            .arg(value)
            .query(con)
            .unwrap();
    };
    let mut before = lazyfreed(&mut con);
    let mut step = |con: &mut redis::Connection, what: &str, lazy: bool| {
        let now = lazyfreed(con);
        assert_eq!(
            now > before,
            lazy,
            "{what}: lazyfreed_objects {before} -> {now}"
        );
        before = now;
    };
    big_set(&mut con, "s");
    let _: i64 = redis::cmd("DEL").arg("s").query(&mut con).unwrap();
    step(&mut con, "DEL", false);
    big_set(&mut con, "s");
    let _: i64 = redis::cmd("UNLINK").arg("s").query(&mut con).unwrap();
    step(&mut con, "UNLINK", true);
    set(&mut con, "lazyfree-lazy-user-del", "yes");
    big_set(&mut con, "s");
    let _: i64 = redis::cmd("DEL").arg("s").query(&mut con).unwrap();
    step(&mut con, "DEL under lazyfree-lazy-user-del", true);
    set(&mut con, "lazyfree-lazy-expire", "yes");
    big_set(&mut con, "s");
    let _: i64 = redis::cmd("PEXPIRE")
        .arg("s")
        .arg(1)
        .query(&mut con)
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let _: i64 = redis::cmd("EXISTS").arg("s").query(&mut con).unwrap();
    step(&mut con, "expiry under lazyfree-lazy-expire", true);
    set(&mut con, "lazyfree-lazy-eviction", "yes");
    set(&mut con, "maxmemory-policy", "allkeys-random");
    big_set(&mut con, "s");
    set(&mut con, "maxmemory", "1");
    let _: () = redis::cmd("PING").query(&mut con).unwrap();
    step(&mut con, "eviction under lazyfree-lazy-eviction", true);
}
