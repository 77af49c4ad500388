//! Connection-family behaviour that needs several real connections or raw
//! bytes: CLIENT KILL, CLIENT PAUSE, MONITOR, AUTH with `requirepass`,
//! HELLO 3 framing and CLIENT REPLY OFF/SKIP.
//!
//! Every test runs against rkv-server; `RKV_DIFF_AGAINST=redis` runs them
//! against redis-server instead, to check the expectations themselves.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use regex::bytes::Regex;
use rkv_tests::differential::candidate_kind;
use rkv_tests::raw::CloseOutcome;
use rkv_tests::rkv_binary::rkv_server_path;
use rkv_tests::{skip_without_redis_server, RawConnection, ServerKind, ServerProcess};

/// Ports this test file may bind for servers it starts itself.
const OWN_PORTS: std::ops::Range<u16> = 7640..7650;

fn server() -> ServerProcess {
    ServerProcess::start(candidate_kind())
}

fn text(reply: &[u8]) -> String {
    String::from_utf8_lossy(reply).into_owned()
}

/// The integer in a `:n` reply.
fn int(reply: &[u8]) -> i64 {
    let t = text(reply);
    t.strip_prefix(':')
        .and_then(|n| n.trim_end().parse().ok())
        .unwrap_or_else(|| panic!("not an integer reply: {t:?}"))
}

/// The value of `field=` in a CLIENT INFO reply.
fn info_field(conn: &mut RawConnection, field: &str) -> String {
    let info = text(&conn.command(&["CLIENT", "INFO"]));
    let prefix = format!("{field}=");
    info.split([' ', '\n'])
        .find_map(|f| f.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {field} in {info:?}"))
        .to_string()
}

#[track_caller]
fn assert_matches(pattern: &str, reply: &[u8]) {
    let re = Regex::new(&format!("^(?:{pattern})$")).unwrap();
    assert!(
        re.is_match(reply),
        "{:?} does not match /{pattern}/",
        text(reply)
    );
}

#[test]
fn client_kill_by_id_closes_the_other_connection() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut killer = server.raw();
    let mut victim = server.raw();
    let victim_id = int(&victim.command(&["CLIENT", "ID"]));
    let id_arg = victim_id.to_string();
    assert_eq!(int(&killer.command(&["CLIENT", "KILL", "ID", &id_arg])), 1);
    assert_eq!(victim.wait_closed(), CloseOutcome::Closed);
    let list = text(&killer.command(&["CLIENT", "LIST"]));
    assert!(!list.contains(&format!("id={victim_id} ")), "{list}");
    assert_eq!(int(&killer.command(&["CLIENT", "KILL", "ID", &id_arg])), 0);
}

#[test]
fn client_kill_by_addr_in_old_and_new_forms() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut killer = server.raw();

    let mut first = server.raw();
    let addr = info_field(&mut first, "addr");
    assert_eq!(killer.command(&["CLIENT", "KILL", &addr]), b"+OK\r\n");
    assert_eq!(first.wait_closed(), CloseOutcome::Closed);
    assert_eq!(
        killer.command(&["CLIENT", "KILL", &addr]),
        b"-ERR No such client\r\n"
    );

    let mut second = server.raw();
    let addr = info_field(&mut second, "addr");
    assert_eq!(int(&killer.command(&["CLIENT", "KILL", "ADDR", &addr])), 1);
    assert_eq!(second.wait_closed(), CloseOutcome::Closed);

    // SKIPME yes (the default) spares the caller; SKIPME no kills it after the reply.
    let own = info_field(&mut killer, "id");
    assert_eq!(int(&killer.command(&["CLIENT", "KILL", "ID", &own])), 0);
    let reply = killer.command(&["CLIENT", "KILL", "ID", &own, "SKIPME", "no"]);
    assert_eq!(int(&reply), 1);
    assert_eq!(killer.wait_closed(), CloseOutcome::Closed);
}

/// Sends `args` on `conn` and returns the reply and how long it took.
fn timed(conn: &mut RawConnection, args: &[&str]) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let reply = conn.command(args);
    (reply, started.elapsed())
}

#[test]
fn client_pause_write_delays_writes_but_not_reads() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut admin = server.raw();
    let mut other = server.raw();
    assert_eq!(
        admin.command(&["CLIENT", "PAUSE", "600", "WRITE"]),
        b"+OK\r\n"
    );
    let (reply, took) = timed(&mut other, &["GET", "k"]);
    assert_eq!(reply, b"$-1\r\n");
    assert!(took < Duration::from_millis(300), "read waited {took:?}");
    let (reply, took) = timed(&mut other, &["SET", "k", "v"]);
    assert_eq!(reply, b"+OK\r\n");
    assert!(
        took >= Duration::from_millis(300),
        "write waited only {took:?}"
    );

    // ALL holds reads too.
    assert_eq!(admin.command(&["CLIENT", "PAUSE", "500"]), b"+OK\r\n");
    let (reply, took) = timed(&mut other, &["GET", "k"]);
    assert_eq!(reply, b"$1\r\nv\r\n");
    assert!(
        took >= Duration::from_millis(250),
        "read waited only {took:?}"
    );
}

#[test]
fn client_unpause_releases_a_held_write() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut admin = server.raw();
    let mut other = server.raw();
    assert_eq!(
        admin.command(&["CLIENT", "PAUSE", "20000", "WRITE"]),
        b"+OK\r\n"
    );
    let started = Instant::now();
    other.send_command(&["SET", "k", "v"]);
    sleep(Duration::from_millis(200));
    assert_eq!(admin.command(&["CLIENT", "UNPAUSE"]), b"+OK\r\n");
    assert_eq!(other.read_reply(), b"+OK\r\n");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn monitor_sees_other_clients_commands_with_auth_redacted() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut monitor = server.raw();
    let mut client = server.raw();
    assert_eq!(monitor.command(&["MONITOR"]), b"+OK\r\n");
    let addr = regex::escape(&info_field(&mut client, "addr"));
    let line = |db: u32, args: &str| format!(r"\+\d+\.\d{{6}} \[{db} {addr}\] {args}\r\n");
    // CLIENT INFO is not an admin command: the monitor sees it.
    assert_matches(&line(0, r#""CLIENT" "INFO""#), &monitor.read_reply());

    client.command(&["SET", "greeting", "hello world\n"]);
    assert_matches(
        &line(0, r#""SET" "greeting" "hello world\\n""#),
        &monitor.read_reply(),
    );
    client.command(&["AUTH", "secret"]);
    assert_matches(&line(0, r#""AUTH" "\(redacted\)""#), &monitor.read_reply());
    client.command(&["HELLO", "2", "AUTH", "default", "pw"]);
    assert_matches(
        &line(0, r#""HELLO" "2" "AUTH" "\(redacted\)" "\(redacted\)""#),
        &monitor.read_reply(),
    );
    // Admin commands (CLIENT LIST) are hidden; SELECT shows the new db.
    client.command(&["CLIENT", "LIST"]);
    client.command(&["SELECT", "5"]);
    assert_matches(&line(5, r#""SELECT" "5""#), &monitor.read_reply());
    client.command(&["ECHO", "\x01"]);
    assert_matches(&line(5, r#""ECHO" "\\x01""#), &monitor.read_reply());

    // The monitor is listed with flag O and may not touch the keyspace.
    let list = text(&client.command(&["CLIENT", "LIST"]));
    assert!(list.contains(" flags=O "), "{list}");
    assert_eq!(
        monitor.command(&["GET", "greeting"]),
        b"-ERR Replica can't interact with the keyspace\r\n"
    );
}

/// A server started with `--requirepass`, on one of [`OWN_PORTS`]
/// (the harness's readiness PING would be refused).
struct PasswordServer {
    child: Child,
    port: u16,
}

impl PasswordServer {
    fn start(password: &str) -> Self {
        let port = OWN_PORTS
            .clone()
            .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
            .expect("a free port in 7640..7650");
        let mut command = match candidate_kind() {
            ServerKind::Rkv => {
                let mut c = Command::new(rkv_server_path());
                c.args(["--save", ""]);
                c
            }
            ServerKind::Redis => {
                let mut c = Command::new("redis-server");
                c.args(["--save", "", "--appendonly", "no"]);
                c
            }
        };
        let child = command
            .args(["--port", &port.to_string(), "--requirepass", password])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while RawConnection::connect(port).is_err() {
            assert!(Instant::now() < deadline, "server never listened on {port}");
            sleep(Duration::from_millis(20));
        }
        PasswordServer { child, port }
    }
}

impl Drop for PasswordServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn requirepass_gates_commands_until_auth() {
    if skip_without_redis_server() {
        return;
    }
    let server = PasswordServer::start("s3cret");
    let mut c = RawConnection::connect(server.port).unwrap();
    assert_eq!(
        c.command(&["GET", "k"]),
        b"-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(
        c.command(&["PING"]),
        b"-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(
        c.command(&["AUTH", "wrong"]),
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(
        c.command(&["HELLO", "3"]),
        &b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the \
HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP \
protocol version at the same time\r\n"[..]
    );
    assert_eq!(c.command(&["AUTH", "s3cret"]), b"+OK\r\n");
    assert_eq!(c.command(&["GET", "k"]), b"$-1\r\n");
    assert_eq!(c.command(&["AUTH", "default", "s3cret"]), b"+OK\r\n");
    // A failed AUTH does not log an authenticated client out.
    assert_eq!(
        c.command(&["AUTH", "default", "nope"]),
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(c.command(&["GET", "k"]), b"$-1\r\n");
    // RESET logs out.
    assert_eq!(c.command(&["RESET"]), b"+RESET\r\n");
    assert_eq!(
        c.command(&["GET", "k"]),
        b"-NOAUTH Authentication required.\r\n"
    );
    // HELLO AUTH authenticates and switches protocol at once.
    let hello = c.command(&["HELLO", "3", "AUTH", "default", "s3cret"]);
    assert!(hello.starts_with(b"%7\r\n"), "{:?}", text(&hello));
    assert_eq!(c.command(&["GET", "k"]), b"_\r\n");
}

#[test]
fn hello_3_switches_the_connection_to_resp3() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut c = server.raw();
    assert_eq!(c.command(&["GET", "missing"]), b"$-1\r\n");
    let hello = c.command(&["HELLO", "3"]);
    assert!(hello.starts_with(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"));
    assert_eq!(c.command(&["GET", "missing"]), b"_\r\n");
    assert_eq!(c.command(&["CLIENT", "GETNAME"]), b"_\r\n");
    let info = c.command(&["CLIENT", "INFO"]);
    assert!(info.starts_with(b"="), "{:?}", text(&info));
    assert!(text(&info).contains(" resp=3\n"));
    let hello = c.command(&["HELLO", "2"]);
    assert!(hello.starts_with(b"*14\r\n"));
    assert_eq!(c.command(&["GET", "missing"]), b"$-1\r\n");
}

#[test]
fn client_reply_off_and_skip_drop_replies() {
    if skip_without_redis_server() {
        return;
    }
    let server = server();
    let mut c = server.raw();
    // OFF silences everything, errors included, until ON answers +OK.
    c.send(b"CLIENT REPLY OFF\r\nPING\r\nNOSUCHCOMMAND\r\nCLIENT REPLY ON\r\nECHO back\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"$4\r\nback\r\n");
    // SKIP drops only the next command's reply, even an error.
    c.send(b"CLIENT REPLY SKIP\r\nECHO one\r\nECHO two\r\n");
    assert_eq!(c.read_reply(), b"$3\r\ntwo\r\n");
    c.send(b"CLIENT REPLY SKIP\r\nNOSUCHCOMMAND\r\nECHO three\r\n");
    assert_eq!(c.read_reply(), b"$5\r\nthree\r\n");
    // ON right after SKIP answers (the flag is cleared before the reply).
    c.send(b"CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nECHO four\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"$4\r\nfour\r\n");
    // SKIP while OFF keeps OFF.
    c.send(b"CLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nECHO a\r\nECHO b\r\nCLIENT REPLY ON\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    // RESET turns replies back on.
    c.send(b"CLIENT REPLY OFF\r\nRESET\r\nECHO five\r\n");
    assert_eq!(c.read_reply(), b"+RESET\r\n");
    assert_eq!(c.read_reply(), b"$4\r\nfive\r\n");
}
