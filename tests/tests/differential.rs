//! Differential tests: every script in `tests/scripts/` runs against
//! rkv-server and redis-server, and every reply must match byte for byte.
//!
//! Set `RKV_DIFF_AGAINST=redis` to run the scripts redis against redis, which
//! checks that each script line is deterministic.

use rkv_tests::differential::{run_family, script_families};

/// Declares one `#[test]` per script family plus the list of families that
/// have a test, so a new script file without a test is caught.
macro_rules! script_tests {
    ($($family:ident),* $(,)?) => {
        $(
            #[test]
            fn $family() {
                run_family(stringify!($family));
            }
        )*

        /// Families that have a `#[test]` above.
        const TESTED_FAMILIES: &[&str] = &[$(stringify!($family)),*];
    };
}

script_tests!(
    connection,
    connection_client,
    generic,
    dump_restore,
    persistence,
    hash,
    keys,
    notify_lists,
    notify_hashes,
    notify_sets,
    notify_zsets,
    notify_streams,
    notify_new,
    server,
    set,
    sort,
    string,
    strings,
    bitmap,
    bits_wrongtype,
    hll,
    zset,
    geo,
    list,
    pubsub,
    stream,
    notify_strings,
    notify_generic,
    transactions,
    transactions_watch,
    tracking,
    eval,
    functions,
    lua_libs,
    memory,
    replication,
    replication_replica,
    failover
);

#[test]
fn every_script_file_has_a_test() {
    let mut tested: Vec<&str> = TESTED_FAMILIES.to_vec();
    tested.sort_unstable();
    assert_eq!(
        script_families(),
        tested,
        "add each tests/scripts/<family>.txt to script_tests! in tests/tests/differential.rs"
    );
}
