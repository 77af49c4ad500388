//! maxmemory end to end, on rkv-server and redis-server alike: the OOM
//! replies byte for byte, which keys each policy may evict (volatile-*
//! never a key without TTL, noeviction nothing), memory back under the
//! limit after eviction, `evicted` keyspace events, and OBJECT FREQ under
//! an LFU policy.

use rkv_tests::{skip_without_redis_server, RawConnection, ServerKind, ServerProcess};

/// Keys without TTL (`p:<i>`) and with one (`v:<i>`) written per scenario.
const KEYS_EACH: usize = 300;
/// Value size: large enough that keys dominate the server's memory.
const VALUE_LEN: usize = 1000;

/// The servers to run a scenario on: rkv always, Redis when installed.
fn kinds() -> Vec<ServerKind> {
    if skip_without_redis_server() {
        vec![ServerKind::Rkv]
    } else {
        vec![ServerKind::Rkv, ServerKind::Redis]
    }
}

fn int(con: &mut redis::Connection, args: &[&str]) -> i64 {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(con).unwrap()
}

fn info_field(con: &mut redis::Connection, section: &str, field: &str) -> u64 {
    let text: String = redis::cmd("INFO").arg(section).query(con).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field}"))
        .trim()
        .parse()
        .unwrap()
}

fn config_set(con: &mut redis::Connection, name: &str, value: &str) {
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg(name)
        .arg(value)
        .query(con)
        .unwrap();
}

/// Fills the server, then sets maxmemory so that about `over` bytes must go.
fn fill_and_limit(con: &mut redis::Connection, policy: &str, over: u64) -> u64 {
    let value = "x".repeat(VALUE_LEN);
    let mut pipe = redis::pipe();
    for i in 0..KEYS_EACH {
        pipe.cmd("SET").arg(format!("p:{i}")).arg(&value).ignore();
        pipe.cmd("SET")
            .arg(format!("v:{i}"))
            .arg(&value)
            .arg("EX")
            .arg(10_000 + i)
            .ignore();
    }
    let _: () = pipe.query(con).unwrap();
    config_set(con, "maxmemory-policy", policy);
    // No time limit on a pass, so what is evicted does not depend on speed.
    config_set(con, "maxmemory-eviction-tenacity", "100");
    let used = info_field(con, "memory", "used_memory");
    let limit = used - over;
    config_set(con, "maxmemory", &limit.to_string());
    limit
}

fn count(con: &mut redis::Connection, pattern: &str) -> usize {
    let keys: Vec<String> = redis::cmd("KEYS").arg(pattern).query(con).unwrap();
    keys.len()
}

#[test]
fn oom_replies_match_redis() {
    let script: &[&[&str]] = &[
        &["SET", "a", "1"],
        &["CONFIG", "SET", "maxmemory", "1"],
        &["SET", "b", "2"],
        &["GET", "a"],
        &["APPEND", "a", "x"],
        &["MULTI"],
        &["GET", "a"],
        &["EXEC"],
        &["MULTI"],
        &["DISCARD"],
        &["DEL", "a"],
        &["SET", "c", "3"],
        &["CONFIG", "SET", "maxmemory", "0"],
        &["SET", "c", "3"],
    ];
    let mut transcripts = Vec::new();
    for kind in kinds() {
        let server = ServerProcess::start(kind);
        let mut raw: RawConnection = server.raw();
        let replies: Vec<Vec<u8>> = script.iter().map(|c| raw.command(c)).collect();
        assert!(
            replies[2].starts_with(b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"),
            "{kind:?}: {:?}",
            String::from_utf8_lossy(&replies[2])
        );
        transcripts.push(replies);
    }
    if transcripts.len() == 2 {
        assert_eq!(transcripts[0], transcripts[1]);
    }
}

#[test]
fn noeviction_evicts_nothing_and_refuses_writes() {
    for kind in kinds() {
        let server = ServerProcess::start(kind);
        let mut con = server.client();
        fill_and_limit(&mut con, "noeviction", 100_000);
        let r: redis::RedisResult<()> = redis::cmd("SET").arg("new").arg("v").query(&mut con);
        let err = r.unwrap_err().to_string();
        assert!(err.contains("OOM"), "{kind:?}: {err}");
        assert_eq!(count(&mut con, "*"), 2 * KEYS_EACH, "{kind:?}");
        assert_eq!(info_field(&mut con, "stats", "evicted_keys"), 0);
    }
}

#[test]
fn volatile_policies_evict_only_keys_with_ttl() {
    for kind in kinds() {
        for policy in [
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
        ] {
            let server = ServerProcess::start(kind);
            let mut con = server.client();
            let limit = fill_and_limit(&mut con, policy, 100_000);
            let _: () = redis::cmd("SET")
                .arg("new")
                .arg("v")
                .query(&mut con)
                .unwrap();
            assert_eq!(count(&mut con, "p:*"), KEYS_EACH, "{kind:?} {policy}");
            let volatile = count(&mut con, "v:*");
            assert!(volatile < KEYS_EACH, "{kind:?} {policy}: nothing evicted");
            let evicted = info_field(&mut con, "stats", "evicted_keys");
            assert_eq!(evicted as usize, KEYS_EACH - volatile, "{kind:?} {policy}");
            assert!(info_field(&mut con, "memory", "used_memory") <= limit + 10_000);
            // Once the volatile keys cannot cover the excess, writes fail.
            config_set(&mut con, "maxmemory", "1");
            let r: redis::RedisResult<()> = redis::cmd("SET").arg("more").arg("v").query(&mut con);
            assert!(
                r.unwrap_err().to_string().contains("OOM"),
                "{kind:?} {policy}"
            );
            assert_eq!(count(&mut con, "v:*"), 0, "{kind:?} {policy}");
            assert_eq!(count(&mut con, "p:*"), KEYS_EACH, "{kind:?} {policy}");
        }
    }
}

#[test]
fn allkeys_policies_evict_until_under_the_limit() {
    for kind in kinds() {
        for policy in ["allkeys-lru", "allkeys-lfu", "allkeys-random"] {
            let server = ServerProcess::start(kind);
            let mut con = server.client();
            let limit = fill_and_limit(&mut con, policy, 200_000);
            let _: () = redis::cmd("SET")
                .arg("new")
                .arg("v")
                .query(&mut con)
                .unwrap();
            let left = count(&mut con, "*");
            assert!(left < 2 * KEYS_EACH, "{kind:?} {policy}: nothing evicted");
            assert!(
                left > KEYS_EACH,
                "{kind:?} {policy}: evicted too much ({left})"
            );
            let used = info_field(&mut con, "memory", "used_memory");
            assert!(
                used <= limit + 10_000,
                "{kind:?} {policy}: {used} > {limit}"
            );
        }
    }
}

#[test]
fn lru_keeps_recently_read_keys() {
    for kind in kinds() {
        let server = ServerProcess::start(kind);
        let mut con = server.client();
        let value = "x".repeat(VALUE_LEN);
        for i in 0..KEYS_EACH {
            let _: () = redis::cmd("SET")
                .arg(format!("old:{i}"))
                .arg(&value)
                .query(&mut con)
                .unwrap();
        }
        // The LRU clock counts seconds: let the first keys age.
        std::thread::sleep(std::time::Duration::from_millis(2100));
        for i in 0..KEYS_EACH {
            let _: () = redis::cmd("SET")
                .arg(format!("hot:{i}"))
                .arg(&value)
                .query(&mut con)
                .unwrap();
        }
        config_set(&mut con, "maxmemory-policy", "allkeys-lru");
        config_set(&mut con, "maxmemory-samples", "10");
        let used = info_field(&mut con, "memory", "used_memory");
        config_set(&mut con, "maxmemory", &(used - 150_000).to_string());
        let _: () = redis::cmd("SET")
            .arg("trigger")
            .arg("v")
            .query(&mut con)
            .unwrap();
        let evicted_old = KEYS_EACH - count(&mut con, "old:*");
        let evicted_hot = KEYS_EACH - count(&mut con, "hot:*");
        assert!(evicted_old > 50, "{kind:?}: {evicted_old} old evicted");
        assert!(
            evicted_hot * 5 < evicted_old,
            "{kind:?}: old {evicted_old}, hot {evicted_hot}"
        );
    }
}

#[test]
fn evicted_keys_are_announced() {
    for kind in kinds() {
        let server = ServerProcess::start(kind);
        let mut con = server.client();
        config_set(&mut con, "notify-keyspace-events", "Ee");
        let mut sub = server.raw();
        sub.command(&["SUBSCRIBE", "__keyevent@0__:evicted"]);
        let _: () = redis::cmd("SET")
            .arg("victim")
            .arg("x".repeat(50_000))
            .query(&mut con)
            .unwrap();
        config_set(&mut con, "maxmemory-policy", "allkeys-random");
        let used = info_field(&mut con, "memory", "used_memory");
        config_set(&mut con, "maxmemory", &(used - 20_000).to_string());
        let _: () = redis::cmd("PING").query(&mut con).unwrap();
        let msg = sub.read_reply();
        assert_eq!(
            msg,
            b"*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:evicted\r\n$6\r\nvictim\r\n",
            "{kind:?}: {}",
            String::from_utf8_lossy(&msg)
        );
    }
}

#[test]
fn object_freq_follows_accesses_under_lfu() {
    for kind in kinds() {
        let server = ServerProcess::start(kind);
        let mut con = server.client();
        let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut con).unwrap();
        let r: redis::RedisResult<i64> = redis::cmd("OBJECT").arg("FREQ").arg("k").query(&mut con);
        assert!(r
            .unwrap_err()
            .to_string()
            .contains("An LFU maxmemory policy is not selected"));
        config_set(&mut con, "maxmemory-policy", "allkeys-lfu");
        let _: () = redis::cmd("SET").arg("f").arg("v").query(&mut con).unwrap();
        assert_eq!(
            int(&mut con, &["OBJECT", "FREQ", "f"]),
            5,
            "{kind:?}: LFU_INIT_VAL"
        );
        let _: String = redis::cmd("GET").arg("f").query(&mut con).unwrap();
        assert_eq!(int(&mut con, &["OBJECT", "FREQ", "f"]), 6, "{kind:?}");
        for _ in 0..200 {
            let _: String = redis::cmd("GET").arg("f").query(&mut con).unwrap();
        }
        let freq = int(&mut con, &["OBJECT", "FREQ", "f"]);
        assert!((8..=20).contains(&freq), "{kind:?}: {freq}");
        let r: redis::RedisResult<i64> = redis::cmd("OBJECT")
            .arg("IDLETIME")
            .arg("f")
            .query(&mut con);
        assert!(r.unwrap_err().to_string().contains("idle time not tracked"));
    }
}

#[test]
fn clients_over_maxmemory_clients_are_evicted() {
    for kind in kinds() {
        let server = ServerProcess::start(kind);
        let mut admin = server.client();
        let _: () = redis::cmd("CLIENT")
            .arg("NO-EVICT")
            .arg("on")
            .query(&mut admin)
            .unwrap();
        let mut small = server.raw();
        assert_eq!(small.command(&["PING"]), b"+PONG\r\n");
        // Redis's floor for the limit is 128 KB: a half-sent 300 KB argument
        // puts the big client over it on its own.
        config_set(&mut admin, "maxmemory-clients", "1");
        let mut big = server.raw();
        big.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$300000\r\n");
        big.send(&vec![b'x'; 200_000]);
        std::thread::sleep(std::time::Duration::from_millis(200));
        let _: () = redis::cmd("PING").query(&mut admin).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        let closed = big.try_read_reply().unwrap_err();
        assert!(
            closed.contains("closed") || closed.contains("reset"),
            "{kind:?}: the big client was not evicted: {closed}"
        );
        assert_eq!(small.command(&["PING"]), b"+PONG\r\n", "{kind:?}");
        assert_eq!(
            info_field(&mut admin, "stats", "evicted_clients"),
            1,
            "{kind:?}"
        );
    }
}
