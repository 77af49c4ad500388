//! Bitmap and HyperLogLog commands against a key of another type, run
//! through the real dispatcher with a list stored directly in the keyspace
//! (the list commands live in another family).

use crate::client::Client;
use crate::command::dispatch::execute;
use crate::config::{Config, LoadedConfig};
use crate::db::Value;
use crate::server::Server;
use crate::types::ListValue;

const WRONGTYPE: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

/// A server whose db 0 holds the list `l` and the string `s`, and a client.
fn server_with_list() -> (Server, Client) {
    let mut srv = Server::new(LoadedConfig {
        config: Config::default(),
        config_file: None,
        applied: Vec::new(),
    });
    let mut list = ListValue::new();
    list.push_back(b"x");
    let now = srv.now_ms;
    srv.dbs[0].set(b"l", Value::List(Box::new(list)), false, now);
    srv.dbs[0].set(b"s", Value::string(b"\xf0"), false, now);
    let client = Client::new(1, "test".into(), "test".into(), -1, now, true);
    (srv, client)
}

/// The reply bytes of one command.
fn run(srv: &mut Server, client: &mut Client, line: &str) -> Vec<u8> {
    let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    let mut out = Vec::new();
    execute(srv, client, &argv, &mut out);
    out
}

#[test]
fn every_bit_and_hll_command_refuses_a_list() {
    let (mut srv, mut client) = server_with_list();
    for line in [
        "SETBIT l 0 1",
        "GETBIT l 0",
        "BITCOUNT l",
        "BITCOUNT l x y",
        "BITPOS l 1",
        "BITOP AND d s l",
        "BITFIELD l GET u8 0",
        "BITFIELD l SET u8 0 1",
        "BITFIELD_RO l GET u8 0",
        "PFADD l a",
        "PFCOUNT l",
        "PFCOUNT l missing",
        "PFMERGE l missing",
        "PFMERGE d l",
    ] {
        assert_eq!(run(&mut srv, &mut client, line), WRONGTYPE, "{line}");
    }
    assert_eq!(run(&mut srv, &mut client, "EXISTS d"), b":0\r\n");
}

#[test]
fn argument_errors_come_before_the_type_check_where_redis_has_them() {
    let (mut srv, mut client) = server_with_list();
    assert_eq!(
        run(&mut srv, &mut client, "SETBIT l x 1"),
        b"-ERR bit offset is not an integer or out of range\r\n"
    );
    assert_eq!(
        run(&mut srv, &mut client, "BITPOS l 2"),
        b"-ERR The bit argument must be 1 or 0.\r\n"
    );
    assert_eq!(
        run(&mut srv, &mut client, "BITFIELD l GET u64 0"),
        &b"-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"[..]
    );
    assert_eq!(
        run(&mut srv, &mut client, "BITOP AND l s"),
        b":1\r\n",
        "the destination's old type does not matter"
    );
    assert_eq!(run(&mut srv, &mut client, "TYPE l"), b"+string\r\n");
}
