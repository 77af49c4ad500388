//! The geo handlers run through the real dispatcher: replies as Redis
//! 7.0.15 gives them (taken from redis-server), WRONGTYPE against a list,
//! and what the STORE forms leave in the keyspace.

use crate::client::Client;
use crate::command::dispatch::execute;
use crate::config::{Config, LoadedConfig};
use crate::db::Value;
use crate::server::Server;
use crate::types::ListValue;

const WRONGTYPE: &[u8] = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

/// A server whose db 0 holds the list `l`, and a client.
fn server() -> (Server, Client) {
    let mut srv = Server::new(LoadedConfig {
        config: Config::default(),
        config_file: None,
        applied: Vec::new(),
    });
    let mut list = ListValue::new();
    list.push_back(b"x");
    let now = srv.now_ms;
    srv.dbs[0].set(b"l", Value::List(Box::new(list)), false, now);
    let client = Client::new(1, "test".into(), "test".into(), -1, now, true);
    (srv, client)
}

fn run(srv: &mut Server, client: &mut Client, line: &str) -> Vec<u8> {
    let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    let mut out = Vec::new();
    execute(srv, client, &argv, &mut out);
    out
}

#[test]
fn add_then_read_back() {
    let (mut srv, mut c) = server();
    let sicily = "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania";
    assert_eq!(run(&mut srv, &mut c, sicily), b":2\r\n");
    assert_eq!(
        run(&mut srv, &mut c, "ZSCORE Sicily Palermo"),
        b"$16\r\n3479099956230698\r\n"
    );
    assert_eq!(
        run(&mut srv, &mut c, "GEOPOS Sicily Palermo nope"),
        b"*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n"
    );
    assert_eq!(
        run(&mut srv, &mut c, "GEOHASH Sicily Palermo Catania"),
        b"*2\r\n$11\r\nsqc8b49rny0\r\n$11\r\nsqdtr74hyu0\r\n"
    );
    assert_eq!(
        run(&mut srv, &mut c, "GEODIST Sicily Palermo Catania km"),
        b"$8\r\n166.2742\r\n"
    );
    assert_eq!(
        run(
            &mut srv,
            &mut c,
            "GEORADIUS Sicily 15 37 200 km WITHDIST ASC"
        ),
        b"*2\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n"
    );
    assert_eq!(
        run(&mut srv, &mut c, "GEOADD Sicily 200 100 x"),
        b"-ERR invalid longitude,latitude pair 200.000000,100.000000\r\n"
    );
    assert_eq!(
        run(&mut srv, &mut c, "GEOADD Sicily NX XX 1 2 x"),
        b"-ERR syntax error\r\n"
    );
}

#[test]
fn every_geo_command_refuses_a_list() {
    let (mut srv, mut c) = server();
    for line in [
        "GEOADD l 1 2 m",
        "GEOPOS l m",
        "GEOHASH l m",
        "GEODIST l a b",
        "GEORADIUS l 1 2 3 km",
        "GEORADIUS_RO l 1 2 3 km",
        "GEORADIUSBYMEMBER l m 3 km",
        "GEORADIUSBYMEMBER_RO l m 3 km",
        "GEOSEARCH l FROMLONLAT 1 2 BYRADIUS 3 km",
        "GEOSEARCHSTORE d l FROMLONLAT 1 2 BYRADIUS 3 km",
    ] {
        assert_eq!(run(&mut srv, &mut c, line), WRONGTYPE, "{line}");
    }
    // Coordinates are checked before the key, as in Redis.
    assert_eq!(
        run(&mut srv, &mut c, "GEOADD l 1 100 m"),
        b"-ERR invalid longitude,latitude pair 1.000000,100.000000\r\n"
    );
}

#[test]
fn store_forms_replace_or_delete_the_destination() {
    let (mut srv, mut c) = server();
    run(
        &mut srv,
        &mut c,
        "GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
    );
    run(&mut srv, &mut c, "SET d x EX 100");
    assert_eq!(
        run(&mut srv, &mut c, "GEORADIUS g 15 37 200 km STOREDIST d"),
        b":2\r\n"
    );
    assert_eq!(run(&mut srv, &mut c, "TTL d"), b":-1\r\n");
    assert_eq!(
        run(&mut srv, &mut c, "ZRANGE d 0 -1 WITHSCORES"),
        b"*4\r\n$7\r\nCatania\r\n$18\r\n56.441257870158204\r\n$7\r\nPalermo\r\n$18\r\n190.44242984775784\r\n"
    );
    assert_eq!(
        run(
            &mut srv,
            &mut c,
            "GEOSEARCHSTORE d g FROMLONLAT 0 0 BYBOX 1 1 m"
        ),
        b":0\r\n"
    );
    assert_eq!(run(&mut srv, &mut c, "EXISTS d"), b":0\r\n");
    run(&mut srv, &mut c, "SET d x");
    assert_eq!(
        run(
            &mut srv,
            &mut c,
            "GEOSEARCHSTORE d nokey FROMMEMBER m BYRADIUS 1 m"
        ),
        b":0\r\n"
    );
    assert_eq!(run(&mut srv, &mut c, "EXISTS d"), b":0\r\n");
}
