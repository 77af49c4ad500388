//! Tracking end to end without sockets: commands run through the real
//! dispatcher, key changes are signalled the way write commands and expiry
//! signal them (`keyspace_events::signal_modified_key`), and the bytes each
//! client would receive are checked.

use std::cell::RefCell;
use std::rc::Rc;

use rkv_proto::Protocol;

use crate::client::Client;
use crate::command::dispatch::execute;
use crate::config::{Config, LoadedConfig};
use crate::keyspace_events::{signal_flushed_db, signal_modified_key};
use crate::server::Server;

fn server() -> Server {
    Server::new(LoadedConfig {
        // No save points: FLUSHALL would write a dump into the crate's directory.
        config: Config {
            save_points: Vec::new(),
            ..Config::default()
        },
        config_file: None,
        applied: Vec::new(),
    })
}

/// Registers client `id` speaking `protocol`.
fn connect(srv: &mut Server, id: u64, protocol: Protocol) {
    let mut c = Client::new(id, "test".into(), "test".into(), -1, srv.now_ms, true);
    c.protocol = protocol;
    srv.clients.insert(id, Rc::new(RefCell::new(c)));
}

/// Runs `line` as client `id`, returning its reply bytes (pushes held
/// for it after the reply included).
fn run(srv: &mut Server, id: u64, line: &str) -> String {
    let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    let rc = srv.clients[&id].clone();
    let mut c = rc.borrow_mut();
    let mut out = Vec::new();
    execute(srv, &mut c, &argv, &mut out);
    String::from_utf8(out).unwrap()
}

/// What other clients queued for client `id`.
fn pushed(srv: &Server, id: u64) -> String {
    let bytes = std::mem::take(&mut srv.clients[&id].borrow_mut().pushed);
    String::from_utf8(bytes).unwrap()
}

fn push(key: &str) -> String {
    format!(
        ">2\r\n$10\r\ninvalidate\r\n*1\r\n${}\r\n{key}\r\n",
        key.len()
    )
}

#[test]
fn a_read_key_is_invalidated_once_when_it_changes() {
    let mut srv = server();
    connect(&mut srv, 1, Protocol::Resp3);
    assert_eq!(run(&mut srv, 1, "CLIENT TRACKING ON"), "+OK\r\n");
    run(&mut srv, 1, "GET k");
    run(&mut srv, 1, "MGET k other");
    assert_eq!(srv.tracking.key_count(), 2);
    assert_eq!(srv.tracking.item_count(), 2);
    // Expiry and eviction signal without a caller; the database is irrelevant.
    signal_modified_key(&mut srv, None, 3, b"k");
    assert_eq!(pushed(&srv, 1), push("k"));
    signal_modified_key(&mut srv, None, 0, b"k");
    assert_eq!(pushed(&srv, 1), "");
    assert_eq!(srv.tracking.key_count(), 1);
    // Write commands never remember their keys.
    run(&mut srv, 1, "SET w 1");
    assert_eq!(srv.tracking.key_count(), 1);
}

#[test]
fn own_changes_follow_the_reply_unless_noloop() {
    let mut srv = server();
    connect(&mut srv, 1, Protocol::Resp3);
    run(&mut srv, 1, "CLIENT TRACKING ON");
    run(&mut srv, 1, "GET k");
    // What a write command by client 1 does: signal, then reply.
    let rc = srv.clients[&1].clone();
    let mut c = rc.borrow_mut();
    super::before_command(&mut srv, 1, 0);
    signal_modified_key(&mut srv, Some(&mut c), 0, b"k");
    let mut out = b"+OK\r\n".to_vec();
    super::after_command(&mut srv, &mut c, &mut out, true);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("+OK\r\n{}", push("k"))
    );
    drop(c);

    run(&mut srv, 1, "CLIENT TRACKING ON NOLOOP");
    run(&mut srv, 1, "GET k");
    let mut c = rc.borrow_mut();
    super::before_command(&mut srv, 1, 0);
    signal_modified_key(&mut srv, Some(&mut c), 0, b"k");
    let mut out = Vec::new();
    super::after_command(&mut srv, &mut c, &mut out, true);
    assert!(out.is_empty());
    assert_eq!(srv.tracking.key_count(), 0);
}

#[test]
fn resp2_redirection_to_a_subscriber_and_broken_redirection() {
    let mut srv = server();
    connect(&mut srv, 1, Protocol::Resp2);
    connect(&mut srv, 2, Protocol::Resp2);
    run(&mut srv, 2, "SUBSCRIBE __redis__:invalidate");
    assert_eq!(run(&mut srv, 1, "CLIENT TRACKING ON REDIRECT 2"), "+OK\r\n");
    assert_eq!(run(&mut srv, 1, "CLIENT GETREDIR"), ":2\r\n");
    run(&mut srv, 1, "GET k");
    signal_modified_key(&mut srv, None, 0, b"k");
    assert_eq!(
        pushed(&srv, 2),
        "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n"
    );
    srv.clients.remove(&2);
    run(&mut srv, 1, "GET k");
    signal_modified_key(&mut srv, None, 0, b"k");
    assert!(srv.clients[&1].borrow().tracking.broken_redirect);
    assert_eq!(pushed(&srv, 1), "", "RESP2 cannot be told");
}

#[test]
fn flush_sends_a_null_to_everyone_after_the_flusher_reply() {
    let mut srv = server();
    connect(&mut srv, 1, Protocol::Resp3);
    connect(&mut srv, 2, Protocol::Resp3);
    connect(&mut srv, 3, Protocol::Resp2);
    run(&mut srv, 1, "CLIENT TRACKING ON");
    run(&mut srv, 2, "CLIENT TRACKING ON BCAST");
    run(&mut srv, 1, "GET k");
    assert_eq!(
        run(&mut srv, 1, "FLUSHALL"),
        "+OK\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n"
    );
    assert_eq!(pushed(&srv, 2), ">2\r\n$10\r\ninvalidate\r\n_\r\n");
    assert_eq!(srv.tracking.key_count(), 0);
    // A client not tracking gets nothing.
    signal_flushed_db(&mut srv, Some(0));
    assert_eq!(pushed(&srv, 3), "");
    assert_eq!(pushed(&srv, 1), ">2\r\n$10\r\ninvalidate\r\n_\r\n");
}

#[test]
fn bcast_collects_changes_per_prefix_until_the_batch_ends() {
    let mut srv = server();
    connect(&mut srv, 1, Protocol::Resp3);
    connect(&mut srv, 2, Protocol::Resp3);
    run(&mut srv, 1, "CLIENT TRACKING ON BCAST PREFIX a PREFIX b");
    run(&mut srv, 2, "CLIENT TRACKING ON BCAST PREFIX a NOLOOP");
    assert_eq!(srv.tracking.prefix_count(), 2);
    let rc = srv.clients[&2].clone();
    signal_modified_key(&mut srv, Some(&mut rc.borrow_mut()), 0, b"a2");
    signal_modified_key(&mut srv, None, 0, b"a1");
    signal_modified_key(&mut srv, None, 0, b"zz");
    signal_modified_key(&mut srv, None, 0, b"b");
    assert_eq!(pushed(&srv, 1), "", "sent at the end of the batch");
    super::broadcast_pending(&mut srv);
    assert_eq!(
        pushed(&srv, 1),
        format!(
            ">2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\na1\r\n$2\r\na2\r\n{}",
            push("b")
        )
    );
    assert_eq!(pushed(&srv, 2), push("a1"));
    super::broadcast_pending(&mut srv);
    assert_eq!(pushed(&srv, 1), "");
    run(&mut srv, 1, "CLIENT TRACKING OFF");
    assert_eq!(srv.tracking.prefix_count(), 1);
    assert_eq!(srv.tracking.client_count(), 1);
}

#[test]
fn optin_and_optout_follow_client_caching() {
    let mut srv = server();
    connect(&mut srv, 1, Protocol::Resp3);
    run(&mut srv, 1, "CLIENT TRACKING ON OPTIN");
    run(&mut srv, 1, "GET a");
    assert_eq!(srv.tracking.key_count(), 0);
    run(&mut srv, 1, "CLIENT CACHING YES");
    run(&mut srv, 1, "GET b");
    run(&mut srv, 1, "GET c");
    assert_eq!(srv.tracking.key_count(), 1, "CACHING covers one command");
    run(&mut srv, 1, "CLIENT TRACKING OFF");
    run(&mut srv, 1, "CLIENT TRACKING ON OPTOUT");
    run(&mut srv, 1, "CLIENT CACHING NO");
    run(&mut srv, 1, "GET d");
    assert_eq!(srv.tracking.key_count(), 1);
    run(&mut srv, 1, "GET e");
    assert_eq!(srv.tracking.key_count(), 2);
}

#[test]
fn a_full_table_drops_random_keys_with_invalidations() {
    let mut srv = server();
    srv.config.tracking_table_max_keys = 2;
    connect(&mut srv, 1, Protocol::Resp3);
    connect(&mut srv, 2, Protocol::Resp3);
    run(&mut srv, 1, "CLIENT TRACKING ON");
    run(&mut srv, 2, "CLIENT TRACKING ON");
    // Checked right after the command: the reader's own invalidations
    // follow its reply.
    let reply = run(&mut srv, 2, "MGET a b c d");
    assert_eq!(reply.matches("invalidate").count(), 2, "{reply}");
    assert_eq!(srv.tracking.key_count(), 2);
    let reply = run(&mut srv, 1, "MGET e f g");
    assert_eq!(srv.tracking.key_count(), 2);
    let total = reply.matches("invalidate").count() + pushed(&srv, 2).matches("invalidate").count();
    assert_eq!(total, 3);
    srv.config.tracking_table_max_keys = 0;
    run(&mut srv, 1, "MGET h i j");
    assert_eq!(srv.tracking.key_count(), 5);
    srv.config.tracking_table_max_keys = 1;
    crate::cron::tick(&mut srv);
    assert_eq!(srv.tracking.key_count(), 1);
}

#[test]
fn client_list_and_info_show_tracking() {
    let mut srv = server();
    connect(&mut srv, 1, Protocol::Resp3);
    connect(&mut srv, 2, Protocol::Resp2);
    run(&mut srv, 2, "SUBSCRIBE x");
    run(&mut srv, 1, "CLIENT TRACKING ON REDIRECT 2 BCAST");
    let info = run(&mut srv, 1, "CLIENT INFO");
    assert!(
        info.contains(" flags=tB ") && info.contains(" redir=2 "),
        "{info}"
    );
    srv.clients.remove(&2);
    signal_modified_key(&mut srv, None, 0, b"k");
    super::broadcast_pending(&mut srv);
    assert_eq!(
        pushed(&srv, 1),
        ">2\r\n$21\r\ntracking-redir-broken\r\n:2\r\n"
    );
    let info = run(&mut srv, 1, "CLIENT INFO");
    assert!(info.contains(" flags=tRB "), "{info}");
    let info = run(&mut srv, 1, "INFO");
    assert!(info.contains("\r\ntracking_clients:1\r\n"));
    assert!(info.contains("\r\ntracking_total_prefixes:1\r\n"));
}

#[test]
fn messages_redirected_to_the_running_client_precede_its_reply() {
    let mut srv = server();
    connect(&mut srv, 1, Protocol::Resp3);
    connect(&mut srv, 2, Protocol::Resp3);
    run(&mut srv, 1, "CLIENT TRACKING ON REDIRECT 2");
    run(&mut srv, 1, "GET k");
    // Client 2 changes k; an earlier reply of its batch is already queued.
    let rc = srv.clients[&2].clone();
    let mut c = rc.borrow_mut();
    let mut out = b"+PREVIOUS\r\n".to_vec();
    super::before_command(&mut srv, 2, out.len());
    signal_modified_key(&mut srv, Some(&mut c), 0, b"k");
    out.extend_from_slice(b"+OK\r\n");
    super::after_command(&mut srv, &mut c, &mut out, true);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("+PREVIOUS\r\n{}+OK\r\n", push("k"))
    );
    assert_eq!(c.pushed, b"");
}
