//! Helpers shared by the live-server tests: connections and a synced
//! master/replica pair (Debian's redis-server, or rkv-server).

use std::thread;
use std::time::{Duration, Instant};

use rkv_proto::Client;
use rkv_tests::server::{ServerKind, ServerProcess};

/// A blocking connection to `server`.
pub fn client(server: &ServerProcess) -> Client {
    Client::connect(("127.0.0.1", server.port())).expect("connect to the test server")
}

/// One field of `INFO section` on `server`.
pub fn info_field(server: &ServerProcess, section: &str, field: &str) -> Option<String> {
    let reply = client(server).cmd(&["INFO", section]).ok()?;
    let text = String::from_utf8_lossy(reply.as_bytes()?).into_owned();
    text.lines().find_map(|l| {
        l.trim_end()
            .strip_prefix(&format!("{field}:"))
            .map(str::to_owned)
    })
}

/// A redis-server master (no sync delay) and a replica of it whose link
/// is up.
#[allow(dead_code)]
pub fn master_and_replica() -> (ServerProcess, ServerProcess) {
    master_and_replica_of(ServerKind::Redis)
}

/// A master of `kind` (no sync delay) and a replica of it, of the same
/// kind, whose link is up.
pub fn master_and_replica_of(kind: ServerKind) -> (ServerProcess, ServerProcess) {
    let master = ServerProcess::start_with_args(kind, &["--repl-diskless-sync-delay", "0"]);
    let master_port = master.port().to_string();
    let replica = ServerProcess::start_with_args(kind, &["--replicaof", "127.0.0.1", &master_port]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while info_field(&replica, "replication", "master_link_status").as_deref() != Some("up") {
        assert!(Instant::now() < deadline, "the replica never synced");
        thread::sleep(Duration::from_millis(50));
    }
    (master, replica)
}
