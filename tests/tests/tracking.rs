//! Client-side caching across connections: a RESP2 client redirecting its
//! invalidations to a subscriber of `__redis__:invalidate`, a RESP3 client
//! whose cached keys another client changes, BCAST prefixes and NOLOOP,
//! expiry, flushes, a vanished redirection client, the table size limit,
//! and the INFO/CLIENT LIST fields that follow these.
//!
//! Each scenario runs on redis-server and on rkv-server; every frame read
//! is recorded (client ids replaced by names) and the two transcripts must
//! be identical. Key facts are asserted too, so a scenario also fails when
//! both servers agree on something wrong.
//!
//! Needs the key-modified signal in SET, MSET and DEL.

use std::thread::sleep;
use std::time::{Duration, Instant};

use rkv_tests::{skip_without_redis_server, RawConnection, ServerKind, ServerProcess};

/// Every frame a scenario read, in order, with client ids replaced.
#[derive(Debug, Default, PartialEq, Eq)]
struct Transcript {
    lines: Vec<String>,
    /// (id, name) pairs substituted in frames.
    ids: Vec<(i64, &'static str)>,
}

impl Transcript {
    /// Names client `id` in what follows.
    fn name(&mut self, id: i64, name: &'static str) {
        self.ids.push((id, name));
    }

    /// Records `frame`, read on connection `who`, and returns it as text.
    fn record(&mut self, who: &str, frame: &[u8]) -> String {
        let text = String::from_utf8_lossy(frame).into_owned();
        let mut shown = text.clone();
        for (id, name) in &self.ids {
            // Integer frames only: `user:2\r\n` is not client 2.
            shown = shown.replace(&format!("\r\n:{id}\r\n"), &format!("\r\n:<{name}>\r\n"));
            if shown == format!(":{id}\r\n") {
                shown = format!(":<{name}>\r\n");
            }
            shown = shown.replace(&format!("id={id} "), &format!("id=<{name}> "));
            shown = shown.replace(&format!("redir={id} "), &format!("redir=<{name}> "));
        }
        self.lines.push(format!("{who}: {shown:?}"));
        text
    }

    /// Runs a command on `conn` and records its reply.
    fn cmd(&mut self, who: &str, conn: &mut RawConnection, args: &[&str]) -> String {
        let reply = conn.command(args);
        self.record(who, &reply)
    }

    /// Reads one more frame (a push or message) and records it.
    fn read(&mut self, who: &str, conn: &mut RawConnection) -> String {
        let frame = conn.read_reply();
        self.record(who, &frame)
    }
}

/// A reply that varies between runs (INFO, CLIENT LIST), not recorded.
fn text(conn: &mut RawConnection, args: &[&str]) -> String {
    String::from_utf8_lossy(&conn.command(args)).into_owned()
}

/// A client id from CLIENT ID.
fn client_id(conn: &mut RawConnection) -> i64 {
    let reply = String::from_utf8(conn.command(&["CLIENT", "ID"])).unwrap();
    reply.trim_start_matches(':').trim_end().parse().unwrap()
}

/// A RESP3 connection (HELLO's reply is not recorded: it holds the id).
fn resp3(server: &ServerProcess) -> RawConnection {
    let mut conn = server.raw();
    conn.command(&["HELLO", "3"]);
    conn
}

/// An invalidation push for `keys`.
fn push(keys: &[&str]) -> String {
    let mut s = format!(">2\r\n$10\r\ninvalidate\r\n*{}\r\n", keys.len());
    for k in keys {
        s.push_str(&format!("${}\r\n{k}\r\n", k.len()));
    }
    s
}

/// An invalidation as a RESP2 subscriber gets it; `value` is the RESP
/// value (a key array or a null).
fn message(value: &str) -> String {
    format!("*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n{value}")
}

/// The value of `field` in an INFO reply.
fn info_field(info: &str, field: &str) -> String {
    let start = info.find(&format!("\r\n{field}:")).expect(field) + field.len() + 3;
    info[start..].split("\r\n").next().unwrap().to_owned()
}

/// Runs `scenario` on both servers and compares the transcripts.
fn on_both(scenario: fn(&ServerProcess) -> Transcript) {
    let redis = scenario(&ServerProcess::start(ServerKind::Redis));
    let rkv = scenario(&ServerProcess::start(ServerKind::Rkv));
    assert_eq!(
        rkv.lines, redis.lines,
        "rkv (left) and redis (right) transcripts differ"
    );
}

/// Polls until `conn`'s INFO `field` reads `want` (disconnections are
/// processed asynchronously).
#[track_caller]
fn wait_info(conn: &mut RawConnection, field: &str, want: &str) {
    let start = Instant::now();
    loop {
        let info = String::from_utf8(conn.command(&["INFO", "everything"])).unwrap();
        if info_field(&info, field) == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{field} still {}, wanted {want}",
            info_field(&info, field)
        );
        sleep(Duration::from_millis(5));
    }
}

fn redirect_to_resp2_subscriber(server: &ServerProcess) -> Transcript {
    let mut t = Transcript::default();
    let (mut sub, mut reader, mut writer) = (server.raw(), server.raw(), server.raw());
    let sub_id = client_id(&mut sub);
    let reader_id = client_id(&mut reader);
    t.name(sub_id, "sub");
    t.name(reader_id, "reader");
    t.cmd("sub", &mut sub, &["SUBSCRIBE", "__redis__:invalidate"]);
    let redirect = sub_id.to_string();
    t.cmd(
        "reader",
        &mut reader,
        &["CLIENT", "TRACKING", "ON", "REDIRECT", &redirect],
    );
    t.cmd("reader", &mut reader, &["CLIENT", "GETREDIR"]);
    t.cmd("reader", &mut reader, &["GET", "k"]);
    t.cmd("reader", &mut reader, &["MGET", "k2", "k3"]);
    t.cmd("writer", &mut writer, &["SET", "k", "1"]);
    assert_eq!(t.read("sub", &mut sub), message("*1\r\n$1\r\nk\r\n"));
    t.cmd(
        "writer",
        &mut writer,
        &["MSET", "k2", "1", "k3", "2", "k", "3"],
    );
    assert_eq!(t.read("sub", &mut sub), message("*1\r\n$2\r\nk2\r\n"));
    t.read("sub", &mut sub);
    // k is no longer tracked: the next frame is PING's.
    t.cmd("sub", &mut sub, &["PING"]);
    // The reader's own change reaches the subscriber too (no NOLOOP).
    t.cmd("reader", &mut reader, &["GET", "k"]);
    t.cmd("reader", &mut reader, &["DEL", "k"]);
    t.read("sub", &mut sub);
    // A flush says "everything" with a null in the reader's protocol.
    t.cmd("writer", &mut writer, &["FLUSHALL"]);
    assert_eq!(t.read("sub", &mut sub), message("$-1\r\n"));
    let list = text(
        &mut reader,
        &["CLIENT", "LIST", "ID", &reader_id.to_string()],
    );
    assert!(list.contains(" flags=t ") && list.contains(&format!(" redir={sub_id} ")));
    // The subscriber goes away: the redirection is broken.
    sub.command(&["QUIT"]);
    wait_info(&mut writer, "connected_clients", "2");
    t.cmd("reader", &mut reader, &["GET", "k"]);
    t.cmd("writer", &mut writer, &["SET", "k", "4"]);
    let list = text(
        &mut reader,
        &["CLIENT", "LIST", "ID", &reader_id.to_string()],
    );
    assert!(list.contains(" flags=tR "), "{list}");
    let info = t.cmd("reader", &mut reader, &["CLIENT", "TRACKINGINFO"]);
    assert!(info.contains("broken_redirect"));
    t.cmd("reader", &mut reader, &["CLIENT", "TRACKING", "OFF"]);
    t.cmd("reader", &mut reader, &["CLIENT", "GETREDIR"]);
    t
}

#[test]
fn resp2_client_redirects_to_a_subscriber() {
    if skip_without_redis_server() {
        return;
    }
    on_both(redirect_to_resp2_subscriber);
}

fn resp3_cache_changed_by_others(server: &ServerProcess) -> Transcript {
    let mut t = Transcript::default();
    let (mut cache, mut writer) = (resp3(server), server.raw());
    let cache_id = client_id(&mut cache);
    t.name(cache_id, "cache");
    t.cmd("cache", &mut cache, &["CLIENT", "TRACKING", "ON"]);
    t.cmd("cache", &mut cache, &["GET", "user:1"]);
    t.cmd("cache", &mut cache, &["GET", "user:2"]);
    let info = text(&mut writer, &["INFO", "everything"]);
    assert_eq!(info_field(&info, "tracking_clients"), "1");
    assert_eq!(info_field(&info, "tracking_total_keys"), "2");
    assert_eq!(info_field(&info, "tracking_total_items"), "2");
    t.cmd("writer", &mut writer, &["SET", "user:1", "x"]);
    assert_eq!(t.read("cache", &mut cache), push(&["user:1"]));
    t.cmd("cache", &mut cache, &["PING"]);
    // Keys are global: a change in another database invalidates too.
    t.cmd("writer", &mut writer, &["SELECT", "1"]);
    t.cmd("writer", &mut writer, &["SET", "user:2", "y"]);
    assert_eq!(t.read("cache", &mut cache), push(&["user:2"]));
    t.cmd("writer", &mut writer, &["SELECT", "0"]);
    // Expiry invalidates from the background.
    t.cmd("writer", &mut writer, &["SET", "e", "1", "PX", "100"]);
    t.cmd("cache", &mut cache, &["GET", "e"]);
    assert_eq!(t.read("cache", &mut cache), push(&["e"]));
    // NOLOOP: the client's own changes are not reported, others' are.
    t.cmd("cache", &mut cache, &["CLIENT", "TRACKING", "ON", "NOLOOP"]);
    t.cmd("cache", &mut cache, &["GET", "a"]);
    t.cmd("cache", &mut cache, &["GET", "b"]);
    t.cmd("cache", &mut cache, &["SET", "a", "1"]);
    t.cmd("writer", &mut writer, &["SET", "b", "1"]);
    assert_eq!(t.read("cache", &mut cache), push(&["b"]));
    t.cmd("cache", &mut cache, &["PING"]);
    // A flush by another client.
    t.cmd("writer", &mut writer, &["FLUSHALL"]);
    assert_eq!(
        t.read("cache", &mut cache),
        ">2\r\n$10\r\ninvalidate\r\n_\r\n"
    );
    t.cmd("cache", &mut cache, &["PING"]);
    t
}

#[test]
fn resp3_client_learns_of_changes_by_others() {
    if skip_without_redis_server() {
        return;
    }
    on_both(resp3_cache_changed_by_others);
}

fn broadcast_prefixes(server: &ServerProcess) -> Transcript {
    let mut t = Transcript::default();
    let (mut bcast, mut quiet, mut writer) = (resp3(server), resp3(server), server.raw());
    t.cmd(
        "bcast",
        &mut bcast,
        &[
            "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "obj:",
        ],
    );
    t.cmd(
        "quiet",
        &mut quiet,
        &[
            "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "NOLOOP",
        ],
    );
    let info = text(&mut writer, &["INFO", "everything"]);
    assert_eq!(info_field(&info, "tracking_total_prefixes"), "2");
    assert_eq!(info_field(&info, "tracking_clients"), "2");
    // One message per prefix with every key changed in the batch, sorted.
    t.cmd(
        "writer",
        &mut writer,
        &[
            "MSET", "user:2", "a", "user:1", "b", "obj:9", "c", "other", "d",
        ],
    );
    assert_eq!(t.read("bcast", &mut bcast), push(&["obj:9"]));
    assert_eq!(t.read("bcast", &mut bcast), push(&["user:1", "user:2"]));
    assert_eq!(t.read("quiet", &mut quiet), push(&["user:1", "user:2"]));
    // NOLOOP leaves out the subscriber's own changes.
    t.cmd("quiet", &mut quiet, &["SET", "user:3", "x"]);
    assert_eq!(t.read("bcast", &mut bcast), push(&["user:3"]));
    t.cmd("quiet", &mut quiet, &["PING"]);
    // Only the prefixes of clients still connected remain.
    bcast.command(&["QUIT"]);
    wait_info(&mut writer, "tracking_clients", "1");
    let info = text(&mut writer, &["INFO", "everything"]);
    assert_eq!(info_field(&info, "tracking_total_prefixes"), "1");
    t.cmd("quiet", &mut quiet, &["CLIENT", "TRACKINGINFO"]);
    t
}

#[test]
fn bcast_clients_get_changes_under_their_prefixes() {
    if skip_without_redis_server() {
        return;
    }
    on_both(broadcast_prefixes);
}

fn resp3_redirection(server: &ServerProcess) -> Transcript {
    let mut t = Transcript::default();
    let (mut target, mut cache, mut writer) = (resp3(server), resp3(server), server.raw());
    let target_id = client_id(&mut target);
    t.name(target_id, "target");
    let redirect = target_id.to_string();
    t.cmd(
        "cache",
        &mut cache,
        &["CLIENT", "TRACKING", "ON", "REDIRECT", &redirect],
    );
    t.cmd("cache", &mut cache, &["GET", "k"]);
    t.cmd("writer", &mut writer, &["SET", "k", "1"]);
    // A RESP3 redirection client gets pushes, subscribed or not.
    assert_eq!(t.read("target", &mut target), push(&["k"]));
    // When the redirection client itself makes the change, the message is
    // written while its command runs: before its reply.
    t.cmd("cache", &mut cache, &["GET", "k"]);
    assert_eq!(
        t.cmd("target", &mut target, &["SET", "k", "2"]),
        push(&["k"])
    );
    assert_eq!(t.read("target", &mut target), "+OK\r\n");
    t.cmd("target", &mut target, &["FLUSHALL"]);
    t.read("target", &mut target);
    t.cmd("target", &mut target, &["PING"]);
    target.command(&["QUIT"]);
    wait_info(&mut writer, "connected_clients", "2");
    t.cmd("cache", &mut cache, &["GET", "k"]);
    t.cmd("writer", &mut writer, &["SET", "k", "2"]);
    let broken = t.read("cache", &mut cache);
    assert_eq!(
        broken,
        format!(">2\r\n$21\r\ntracking-redir-broken\r\n:{target_id}\r\n")
    );
    t.cmd("cache", &mut cache, &["CLIENT", "TRACKINGINFO"]);
    t
}

#[test]
fn resp3_redirection_and_its_breaking() {
    if skip_without_redis_server() {
        return;
    }
    on_both(resp3_redirection);
}

fn table_limit(server: &ServerProcess) -> Transcript {
    let mut t = Transcript::default();
    let (mut cache, mut admin) = (resp3(server), server.raw());
    t.cmd(
        "admin",
        &mut admin,
        &["CONFIG", "SET", "tracking-table-max-keys", "2"],
    );
    t.cmd("cache", &mut cache, &["CLIENT", "TRACKING", "ON"]);
    t.cmd("cache", &mut cache, &["GET", "a"]);
    t.cmd("cache", &mut cache, &["GET", "b"]);
    t.cmd("cache", &mut cache, &["GET", "c"]);
    // One random key is dropped, with an invalidation as if it changed.
    let evicted = cache.read_reply();
    let evicted = String::from_utf8_lossy(&evicted).into_owned();
    assert!(
        ["a", "b", "c"].iter().any(|k| evicted == push(&[k])),
        "{evicted:?}"
    );
    t.lines.push("cache: <an invalidation of a, b or c>".into());
    t.cmd("cache", &mut cache, &["PING"]);
    let info = text(&mut admin, &["INFO", "everything"]);
    assert_eq!(info_field(&info, "tracking_total_keys"), "2");
    t
}

#[test]
fn full_table_drops_random_keys() {
    if skip_without_redis_server() {
        return;
    }
    on_both(table_limit);
}

/// Keys read by a script's commands are remembered for the client that ran
/// the script (EVAL and FCALL), and a later change invalidates them.
fn keys_read_by_scripts(server: &ServerProcess) -> Transcript {
    let mut t = Transcript::default();
    let (mut cache, mut writer) = (resp3(server), server.raw());
    let cache_id = client_id(&mut cache);
    t.name(cache_id, "cache");
    t.cmd("cache", &mut cache, &["CLIENT", "TRACKING", "ON"]);
    let get = "return redis.call('GET', KEYS[1])";
    t.cmd("cache", &mut cache, &["EVAL", get, "1", "script:k"]);
    t.cmd("writer", &mut writer, &["SET", "script:k", "v"]);
    assert_eq!(t.read("cache", &mut cache), push(&["script:k"]));
    t.cmd("cache", &mut cache, &["PING"]);
    let lib = "#!lua name=trk\nredis.register_function{function_name='rd', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}";
    t.cmd("writer", &mut writer, &["FUNCTION", "LOAD", "REPLACE", lib]);
    t.cmd("cache", &mut cache, &["FCALL_RO", "rd", "1", "fn:k"]);
    t.cmd("writer", &mut writer, &["SET", "fn:k", "v"]);
    assert_eq!(t.read("cache", &mut cache), push(&["fn:k"]));
    t.cmd("cache", &mut cache, &["PING"]);
    t.cmd("writer", &mut writer, &["FUNCTION", "FLUSH"]);
    t
}

#[test]
fn script_reads_are_tracked_for_the_caller() {
    if skip_without_redis_server() {
        return;
    }
    on_both(keys_read_by_scripts);
}
