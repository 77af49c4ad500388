//! Compatibility with the real redis-server (skipped when it is not
//! installed): files rkv-rdb writes pass redis-check-rdb and load into
//! Redis with the same data; DUMP payloads cross both ways; memory
//! estimates stay within 20% of MEMORY USAGE.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rkv_rdb::cli::analyze::loaded_encoding;
use rkv_rdb::cli::memory::key_size;
use rkv_rdb::value::Value;
use rkv_rdb::writer::{KeyMeta, RdbWriter, WriteOptions};
use rkv_rdb::{dump_payload, Item, RdbReader};
use support::{redis_available, RedisServer, Reply};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

/// Sorts what Redis keeps unordered, so values compare by content.
fn normalized(value: Value) -> Value {
    match value {
        Value::Set(mut members) => {
            members.sort();
            Value::Set(members)
        }
        Value::Hash(mut pairs) => {
            pairs.sort();
            Value::Hash(pairs)
        }
        Value::SortedSet(mut members) => {
            members.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            Value::SortedSet(members)
        }
        other => other,
    }
}

/// Every key of a server, decoded from its DUMP payload, by (db, key).
fn server_values(server: &RedisServer) -> BTreeMap<(u64, Vec<u8>), Value> {
    let mut conn = server.connect().unwrap();
    let mut values = BTreeMap::new();
    for db in 0..16 {
        for key in conn.keys(db) {
            let (value, _) = dump_payload::decode(&conn.dump(&key), dump_payload::WRITE_VERSION)
                .expect("Redis DUMP payload decodes");
            values.insert((db, key), normalized(value));
        }
    }
    values
}

/// Rewrites `input` with RdbWriter, key by key.
fn rewrite(input: &Path, output: &Path, options: WriteOptions) {
    let reader = RdbReader::new(std::fs::File::open(input).unwrap()).unwrap();
    let out = std::io::BufWriter::new(std::fs::File::create(output).unwrap());
    let mut writer = RdbWriter::new(out, options).unwrap();
    let mut resize = (0, 0);
    for item in reader {
        match item.unwrap() {
            Item::Aux { key, value } => writer.write_aux(&key, &value).unwrap(),
            Item::Function { code } => writer.write_function(&code).unwrap(),
            Item::ResizeDb {
                db_size,
                expires_size,
            } => resize = (db_size, expires_size),
            Item::SelectDb(db) => writer.select_db(db, resize.0, resize.1).unwrap(),
            Item::Key(k) => {
                let meta = KeyMeta {
                    expire_ms: k.expire_ms,
                    idle: k.idle,
                    freq: k.freq,
                };
                writer.write_key(&k.key, &k.value, &meta).unwrap()
            }
            _ => {}
        }
    }
    writer.finish().unwrap();
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("rkv-rdb-compat-{name}-{}.rdb", std::process::id()))
}

#[test]
fn rewritten_fixture_passes_redis_check_rdb_and_loads_identically() {
    if !redis_available() {
        eprintln!("redis-server not installed: skipped");
        return;
    }
    for (n, options) in [
        WriteOptions::default(),
        WriteOptions {
            compression: false,
            checksum: false,
        },
    ]
    .into_iter()
    .enumerate()
    {
        let rewritten = temp(&format!("rewrite{n}"));
        rewrite(&fixture("all-types.rdb"), &rewritten, options);
        let check = Command::new("redis-check-rdb")
            .arg(&rewritten)
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&check.stdout);
        assert!(
            check.status.success() && log.contains("RDB looks OK"),
            "{log}"
        );

        let original =
            RedisServer::start_with(Some(&fixture("all-types.rdb")), &format!("orig{n}"));
        let copy = RedisServer::start_with(Some(&rewritten), &format!("copy{n}"));
        let expected = server_values(&original);
        assert_eq!(expected.len(), 29);
        assert_eq!(server_values(&copy), expected);

        let (mut a, mut b) = (original.connect().unwrap(), copy.connect().unwrap());
        for (db, key) in expected.keys() {
            a.call(&["SELECT", &db.to_string()]);
            b.call(&["SELECT", &db.to_string()]);
            for probe in ["PEXPIRETIME", "OBJECT"] {
                let args: Vec<&[u8]> = if probe == "OBJECT" {
                    vec![b"OBJECT", b"ENCODING", key]
                } else {
                    vec![b"PEXPIRETIME", key]
                };
                assert_eq!(
                    a.call_bytes(&args),
                    b.call_bytes(&args),
                    "{probe} {}",
                    String::from_utf8_lossy(key)
                );
            }
        }
        assert_eq!(a.call(&["FUNCTION", "LIST"]), b.call(&["FUNCTION", "LIST"]));
        std::fs::remove_file(rewritten).ok();
    }
}

#[test]
fn dump_payloads_cross_between_redis_and_rkv_rdb() {
    if !redis_available() {
        eprintln!("redis-server not installed: skipped");
        return;
    }
    let server = RedisServer::start_with(Some(&fixture("all-types.rdb")), "payloads");
    let mut conn = server.connect().unwrap();
    for db in [0u64, 1, 5] {
        for key in conn.keys(db) {
            let payload = conn.dump(&key);
            let (value, _) = dump_payload::decode(&payload, dump_payload::WRITE_VERSION).unwrap();
            let ours = dump_payload::encode(&value, true);
            let mut new_key = b"copy:".to_vec();
            new_key.extend_from_slice(&key);
            let restored = conn.call_bytes(&[b"RESTORE", &new_key, b"0", &ours]);
            assert_eq!(
                restored,
                Reply::Status("OK".into()),
                "{}",
                String::from_utf8_lossy(&key)
            );
            let (back, _) =
                dump_payload::decode(&conn.dump(&new_key), dump_payload::WRITE_VERSION).unwrap();
            assert_eq!(
                normalized(back),
                normalized(value),
                "{}",
                String::from_utf8_lossy(&key)
            );
            conn.call_bytes(&[b"DEL", &new_key]);
        }
    }
    let mut bad = dump_payload::encode(&Value::String(b"x".to_vec()), true);
    bad[1] ^= 1;
    let reply = conn.call_bytes(&[b"RESTORE", b"bad", b"0", &bad]);
    assert_eq!(
        reply,
        Reply::Error("ERR DUMP payload version or checksum are wrong".into())
    );
}

#[test]
fn memory_estimates_are_within_a_fifth_of_memory_usage() {
    if !redis_available() {
        eprintln!("redis-server not installed: skipped");
        return;
    }
    let server = RedisServer::start_with(Some(&fixture("all-types.rdb")), "memory");
    let mut conn = server.connect().unwrap();
    let reader = RdbReader::new(std::fs::File::open(fixture("all-types.rdb")).unwrap()).unwrap();
    let mut failures = Vec::new();
    for item in reader {
        let Item::Key(entry) = item.unwrap() else {
            continue;
        };
        conn.call(&["SELECT", &entry.db.to_string()]);
        let Reply::Int(actual) =
            conn.call_bytes(&[b"MEMORY", b"USAGE", &entry.key, b"SAMPLES", b"0"])
        else {
            panic!("MEMORY USAGE")
        };
        let Reply::Bulk(Some(encoding)) = conn.call_bytes(&[b"OBJECT", b"ENCODING", &entry.key])
        else {
            panic!("OBJECT ENCODING")
        };
        let ours = loaded_encoding(&entry.value, entry.rdb_type);
        assert_eq!(
            ours.as_bytes(),
            encoding,
            "encoding of {}",
            String::from_utf8_lossy(&entry.key)
        );
        let estimate = key_size(&entry.key, &entry.value, entry.rdb_type) as f64;
        let ratio = estimate / actual as f64;
        if !(0.8..=1.2).contains(&ratio) {
            failures.push(format!(
                "{} ({ours}): estimate {estimate}, MEMORY USAGE {actual}",
                String::from_utf8_lossy(&entry.key)
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Clears what replaying commands cannot reproduce: consumers' seen and
/// active times (the replay's XCLAIM and CREATECONSUMER set them to now).
fn without_consumer_times(value: Value) -> Value {
    match value {
        Value::Stream(mut stream) => {
            for group in &mut stream.groups {
                for consumer in &mut group.consumers {
                    consumer.seen_time_ms = 0;
                    consumer.active_time_ms = None;
                }
            }
            Value::Stream(stream)
        }
        other => other,
    }
}

#[test]
fn resp_dump_piped_into_redis_cli_recreates_every_key() {
    if !redis_available() || Command::new("redis-cli").arg("--version").output().is_err() {
        eprintln!("redis-server or redis-cli not installed: skipped");
        return;
    }
    let resp = Command::new(env!("CARGO_BIN_EXE_rkv-rdb"))
        .args(["dump", "--format", "resp"])
        .arg(fixture("all-types.rdb"))
        .output()
        .unwrap();
    assert!(resp.status.success());
    let aof = temp("aof");
    let converted = Command::new(env!("CARGO_BIN_EXE_rkv-rdb"))
        .arg("convert")
        .arg(fixture("all-types.rdb"))
        .arg(&aof)
        .arg("--to")
        .arg("aof")
        .status()
        .unwrap();
    assert!(converted.success());
    assert_eq!(std::fs::read(&aof).unwrap(), resp.stdout);
    std::fs::remove_file(aof).ok();

    let original = RedisServer::start_with(Some(&fixture("all-types.rdb")), "pipe-orig");
    let target = RedisServer::start_with(None, "pipe-target");
    let mut pipe = Command::new("redis-cli")
        .args(["-p", &target.port.to_string(), "--pipe"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    pipe.stdin.take().unwrap().write_all(&resp.stdout).unwrap();
    let out = pipe.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && log.contains("errors: 0"), "{log}");

    let strip = |m: BTreeMap<(u64, Vec<u8>), Value>| -> BTreeMap<(u64, Vec<u8>), Value> {
        m.into_iter()
            .map(|(k, v)| (k, without_consumer_times(v)))
            .collect()
    };
    assert_eq!(
        strip(server_values(&target)),
        strip(server_values(&original))
    );
    let (mut a, mut b) = (original.connect().unwrap(), target.connect().unwrap());
    for key in ["exp:str", "exp:hash"] {
        assert_eq!(a.call(&["PEXPIRETIME", key]), b.call(&["PEXPIRETIME", key]));
    }
    assert_eq!(a.call(&["FUNCTION", "LIST"]), b.call(&["FUNCTION", "LIST"]));
}

#[test]
fn memory_estimates_hold_across_sizes_and_encodings() {
    if !redis_available() {
        eprintln!("redis-server not installed: skipped");
        return;
    }
    let server = RedisServer::start_with(None, "memory-sizes");
    let mut conn = server.connect().unwrap();
    let script = r#"
        local function rep(n, w) return string.rep('x', w) .. n end
        for _, len in ipairs({0, 5, 30, 44, 45, 100, 1000, 100000}) do
            redis.call('set', 'str:' .. len, string.rep('s', len))
        end
        redis.call('set', 'str:int', '-123456789')
        local lists = {{'list:tiny', 5, 3}, {'list:small', 1000, 10}, {'list:wide', 10000, 100}, {'list:huge-elems', 100, 5000}}
        for _, l in ipairs(lists) do
            for i = 1, l[2] do redis.call('rpush', l[1], rep(i, l[3])) end
        end
        for i = 1, 10 do redis.call('sadd', 'set:intset16', i) end
        for i = 1, 500 do redis.call('sadd', 'set:intset64', i * 10000000000) end
        for i = 1, 1000 do redis.call('sadd', 'set:strings', rep(i, 5)) end
        for i = 1, 10000 do redis.call('sadd', 'set:long', rep(i, 50)) end
        for i = 1, 100 do redis.call('zadd', 'zset:listpack', i * 1.5, rep(i, 10)) end
        for i = 1, 1000 do redis.call('zadd', 'zset:skiplist', i / 3, rep(i, 10)) end
        for i = 1, 10000 do redis.call('zadd', 'zset:long', i, rep(i, 60)) end
        for i = 1, 500 do redis.call('hset', 'hash:listpack', 'f' .. i, i) end
        for i = 1, 1000 do redis.call('hset', 'hash:table', 'f' .. i, rep(i, 100)) end
        for i = 1, 10000 do redis.call('hset', 'hash:big', rep(i, 20), rep(i, 20)) end
        for i = 1, 10 do redis.call('xadd', 'stream:small', '*', 'a', i) end
        for i = 1, 5000 do redis.call('xadd', 'stream:big', i .. '-0', 'field', rep(i, 30), 'n', i) end
        for g = 1, 10 do redis.call('xgroup', 'create', 'stream:big', 'g' .. g, '0') end
        redis.call('xreadgroup', 'group', 'g1', 'c1', 'count', 500, 'streams', 'stream:big', '>')
        return 1
    "#;
    assert_eq!(conn.call(&["EVAL", script, "0"]), Reply::Int(1));
    assert_eq!(conn.call(&["SAVE"]), Reply::Status("OK".into()));
    // Compare with a server that loaded the file, as `analyze` estimates
    // (a live server over-allocates the stream node it appends to).
    let loaded = RedisServer::start_with(Some(&server.dir.join("dump.rdb")), "memory-loaded");
    let mut conn = loaded.connect().unwrap();
    let reader = RdbReader::new(std::fs::File::open(loaded.dir.join("dump.rdb")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for item in reader {
        let Item::Key(entry) = item.unwrap() else {
            continue;
        };
        let Reply::Int(actual) =
            conn.call_bytes(&[b"MEMORY", b"USAGE", &entry.key, b"SAMPLES", b"0"])
        else {
            panic!("MEMORY USAGE")
        };
        let Reply::Bulk(Some(encoding)) = conn.call_bytes(&[b"OBJECT", b"ENCODING", &entry.key])
        else {
            panic!("OBJECT ENCODING")
        };
        let name = String::from_utf8_lossy(&entry.key).into_owned();
        let ours = loaded_encoding(&entry.value, entry.rdb_type);
        assert_eq!(ours.as_bytes(), encoding, "encoding of {name}");
        let estimate = key_size(&entry.key, &entry.value, entry.rdb_type) as f64;
        let ratio = estimate / actual as f64;
        if !(0.8..=1.2).contains(&ratio) {
            failures.push(format!(
                "{name} ({ours}): estimate {estimate}, MEMORY USAGE {actual}"
            ));
        }
        checked += 1;
    }
    assert_eq!(checked, 25);
    assert!(failures.is_empty(), "{failures:#?}");
}
