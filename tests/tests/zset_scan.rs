//! ZSCAN over a large (skiplist-encoded) sorted set returns every member that
//! was present for the whole iteration, even while another connection keeps
//! adding members (which makes the member table grow and rehash).
//!
//! Runs against rkv-server; `RKV_DIFF_AGAINST=redis` runs it against
//! redis-server instead, to check the expectation itself.

use std::collections::HashSet;

use rkv_tests::differential::candidate_kind;
use rkv_tests::ServerProcess;

/// Members present before the scan starts.
const MEMBERS: usize = 50_000;
/// Members per ZADD when loading.
const BATCH: usize = 1_000;
/// Members the other connection adds between two ZSCAN calls.
const ADDED_PER_STEP: usize = 50;

#[test]
fn zscan_sees_every_member_while_another_client_adds() {
    let server = ServerProcess::start(candidate_kind());
    let mut loader = server.client();
    let mut writer = server.client();

    for start in (0..MEMBERS).step_by(BATCH) {
        let mut cmd = redis::cmd("ZADD");
        cmd.arg("big");
        for i in start..start + BATCH {
            cmd.arg(i).arg(format!("member:{i}"));
        }
        let added: usize = cmd.query(&mut loader).expect("ZADD");
        assert_eq!(added, BATCH);
    }
    let encoding: String = redis::cmd("OBJECT")
        .arg("ENCODING")
        .arg("big")
        .query(&mut loader)
        .expect("OBJECT ENCODING");
    assert_eq!(encoding, "skiplist");

    let mut seen: HashSet<String> = HashSet::new();
    let mut cursor: u64 = 0;
    let mut extra = 0usize;
    let mut calls = 0usize;
    loop {
        let (next, page): (u64, Vec<String>) = redis::cmd("ZSCAN")
            .arg("big")
            .arg(cursor)
            .arg("COUNT")
            .arg(200)
            .query(&mut loader)
            .expect("ZSCAN");
        assert_eq!(page.len() % 2, 0, "member/score pairs");
        for pair in page.chunks(2) {
            let score: f64 = pair[1].parse().expect("score");
            if let Some(i) = pair[0].strip_prefix("member:") {
                assert_eq!(score, i.parse::<f64>().unwrap(), "{}", pair[0]);
            }
            seen.insert(pair[0].clone());
        }
        calls += 1;
        let mut cmd = redis::cmd("ZADD");
        cmd.arg("big");
        for _ in 0..ADDED_PER_STEP {
            cmd.arg(-1).arg(format!("extra:{extra}"));
            extra += 1;
        }
        let _: usize = cmd.query(&mut writer).expect("concurrent ZADD");
        cursor = next;
        if cursor == 0 {
            break;
        }
        assert!(calls < 100_000, "ZSCAN does not terminate");
    }

    let missing: Vec<usize> = (0..MEMBERS)
        .filter(|i| !seen.contains(&format!("member:{i}")))
        .collect();
    assert!(
        missing.is_empty(),
        "{} members never returned, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(calls > 1, "a skiplist set is scanned in several steps");
}
