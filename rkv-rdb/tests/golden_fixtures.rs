//! Reads the RDB files written by a real redis-server 7.0.15 (see
//! fixtures/make-fixtures.sh) and checks every key's decoded value.

use std::collections::BTreeMap;

use rkv_rdb::rdb_type as t;
use rkv_rdb::value::{StreamId, Value};
use rkv_rdb::{Item, KeyEntry, RdbReader};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn read_all(bytes: &[u8]) -> (Vec<Item>, BTreeMap<Vec<u8>, KeyEntry>) {
    let items: Vec<Item> = RdbReader::new(bytes)
        .unwrap()
        .collect::<Result<_, _>>()
        .expect("fixture reads without error");
    let keys = items
        .iter()
        .filter_map(|i| match i {
            Item::Key(k) => Some((k.key.clone(), k.clone())),
            _ => None,
        })
        .collect();
    (items, keys)
}

fn b(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn check_all_types(name: &str) {
    let bytes = fixture(name);
    let (items, keys) = read_all(&bytes);
    assert_eq!(keys.len(), 29);
    assert_eq!(
        items.last(),
        Some(&Item::End {
            checksum_verified: true
        })
    );
    assert!(items.contains(&Item::Aux {
        key: b("redis-ver"),
        value: b("7.0.15")
    }));
    let function = items.iter().find_map(|i| match i {
        Item::Function { code } => Some(code.clone()),
        _ => None,
    });
    assert!(function.unwrap().starts_with(b"#!lua name=mylib"));

    let value = |k: &str| &keys[k.as_bytes()].value;
    let rdb_type = |k: &str| keys[k.as_bytes()].rdb_type;
    assert_eq!(value("str:raw"), &Value::String(b("hello")));
    assert_eq!(value("str:int8"), &Value::String(b("-12")));
    assert_eq!(value("str:int16"), &Value::String(b("1234")));
    assert_eq!(value("str:int32"), &Value::String(b("1234567")));
    assert_eq!(value("str:int64"), &Value::String(b("123456789012345")));
    assert_eq!(
        value("str:long"),
        &Value::String(b(&"abcdefghij".repeat(30)))
    );
    assert_eq!(value("str:empty"), &Value::String(vec![]));
    assert_eq!(
        value("str:binary"),
        &Value::String(b"bin\x00ary\xff".to_vec())
    );

    assert_eq!(rdb_type("list:small"), t::LIST_QUICKLIST_2);
    assert_eq!(
        value("list:small"),
        &Value::List(vec![
            b("a"),
            b("b"),
            b("1"),
            b("2"),
            b("-3"),
            b("with space")
        ])
    );
    let Value::List(big) = value("list:big") else {
        panic!()
    };
    assert_eq!(big.len(), 3000);
    assert_eq!(big[2999], b("element-3000"));
    assert_eq!(
        value("list:bigelem"),
        &Value::List(vec![b("x"), vec![b'y'; 10000], b("z")])
    );

    assert_eq!(rdb_type("set:intset"), t::SET_INTSET);
    assert_eq!(
        value("set:intset"),
        &Value::Set(vec![b("-100"), b("1"), b("2"), b("3")])
    );
    assert_eq!(
        value("set:intset64"),
        &Value::Set(vec![b("1"), b("5000000000")])
    );
    assert_eq!(rdb_type("set:strings"), t::SET);
    assert_eq!(rdb_type("set:bigints"), t::SET);
    assert_eq!(value("set:bigints").len(), 600);

    assert_eq!(rdb_type("zset:small"), t::ZSET_LISTPACK);
    let Value::SortedSet(small) = value("zset:small") else {
        panic!()
    };
    assert_eq!(
        small,
        &vec![
            (b("minus"), -4.0),
            (b("one"), 1.0),
            (b("two"), 2.0),
            (b("three"), 3.5)
        ]
    );
    let Value::SortedSet(inf) = value("zset:inf") else {
        panic!()
    };
    assert_eq!(inf[0], (b("bottom"), f64::NEG_INFINITY));
    assert_eq!(inf[2], (b("tenth"), 0.1));
    assert_eq!(inf[3], (b("huge"), 1e100));
    assert_eq!(inf[4], (b("top"), f64::INFINITY));
    assert_eq!(rdb_type("zset:big"), t::ZSET_2);
    let Value::SortedSet(big) = value("zset:big") else {
        panic!()
    };
    assert!(big.contains(&(b("member-10"), 10.0 / 7.0)));
    assert_eq!(rdb_type("zset:longmember"), t::ZSET_2);

    assert_eq!(rdb_type("hash:small"), t::HASH_LISTPACK);
    assert_eq!(
        value("hash:small"),
        &Value::Hash(vec![
            (b("name"), b("alice")),
            (b("age"), b("30")),
            (b("city"), b("paris"))
        ])
    );
    assert_eq!(rdb_type("hash:big"), t::HASH);
    assert_eq!(value("hash:big").len(), 600);
    assert_eq!(rdb_type("hash:longvalue"), t::HASH);

    assert_eq!(keys[&b("exp:str")].expire_ms, Some(4_102_444_800_000));
    assert_eq!(keys[&b("exp:hash")].expire_ms, Some(4_102_444_800_123));
    assert_eq!(keys[&b("str:raw")].expire_ms, None);
    assert_eq!(keys[&b("db1:key")].db, 1);
    assert_eq!(keys[&b("db5:list")].db, 5);

    assert_eq!(rdb_type("stream:big"), t::STREAM_LISTPACKS_2);
    let Value::Stream(stream) = value("stream:big") else {
        panic!()
    };
    assert_eq!(stream.entries.len(), 248);
    assert_eq!(stream.entries[0].id, StreamId { ms: 1, seq: 1 });
    assert_eq!(
        stream.entries[0].fields,
        vec![(b("n"), b("1")), (b("kind"), b("even-or-odd"))]
    );
    assert_eq!(
        stream.entries.last().unwrap().fields,
        vec![(b("other"), b("field"))]
    );
    assert_eq!(stream.last_id, StreamId { ms: 300, seq: 0 });
    assert_eq!(stream.max_deleted_id, StreamId { ms: 249, seq: 1 });
    assert_eq!(stream.entries_added, 251);
    assert_eq!(stream.groups.len(), 2);
    let g1 = &stream.groups[0];
    assert_eq!(g1.name, b("g1"));
    assert_eq!(g1.pending.len(), 7);
    assert_eq!(
        g1.consumers
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>(),
        vec![b("alice"), b("bob"), b("carol")]
    );
    assert_eq!(g1.consumers[0].pending.len(), 4);
    assert_eq!(g1.consumers[1].pending.len(), 3);
    assert!(g1.pending.iter().all(|p| p.delivery_count == 1));
    let Value::Stream(empty) = value("stream:empty") else {
        panic!()
    };
    assert!(empty.entries.is_empty());
    assert_eq!(empty.groups[0].name, b("g0"));
}

#[test]
fn compressed_fixture_decodes_every_key() {
    check_all_types("all-types.rdb");
}

#[test]
fn uncompressed_fixture_decodes_every_key() {
    check_all_types("all-types-uncompressed.rdb");
}

#[test]
fn both_fixtures_hold_the_same_data() {
    let (_, a) = read_all(&fixture("all-types.rdb"));
    let (_, b) = read_all(&fixture("all-types-uncompressed.rdb"));
    let values = |m: &BTreeMap<Vec<u8>, KeyEntry>| -> Vec<(Vec<u8>, Value)> {
        m.iter()
            .map(|(k, e)| (k.clone(), e.value.clone()))
            .collect()
    };
    assert_eq!(values(&a), values(&b));
}
