//! Loading a dump into the databases (Redis's `rdbLoad`): at start-up
//! before any client is accepted, and for DEBUG RELOAD.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;
use std::time::Instant;

use rkv_rdb::{Item, RdbReader};

use super::convert::{self, Limits, LoadError};
use crate::db::keyspace::{lru_clock, LRU_CLOCK_MAX};
use crate::db::Db;
use crate::server::Server;
use crate::{notice, warning};

/// What a load did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LoadStats {
    /// Keys stored.
    pub loaded: u64,
    /// Keys skipped because they had already expired.
    pub expired: u64,
}

/// Reads the dump at `path` into `dbs`, replacing keys of the same name.
/// `Ok(None)` when there is no dump. Expired keys and empty collections
/// are skipped, as a Redis master does.
pub fn load_file(
    dbs: &mut [Db],
    path: &Path,
    limits: &Limits,
    verify_checksum: bool,
    now_ms: i64,
) -> Result<Option<LoadStats>, String> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("Fatal error loading the DB: {e}. Exiting.")),
    };
    let mut reader = RdbReader::new(BufReader::with_capacity(1 << 16, file))
        .map_err(|e| format!("Wrong signature trying to load DB from file: {e}"))?
        .verify_checksum(verify_checksum);
    let mut stats = LoadStats::default();
    let clock = lru_clock(now_ms);
    loop {
        let item = reader
            .next_item()
            .map_err(|e| format!("Internal error in RDB reading: {e}"))?;
        let Some(item) = item else { break };
        match item {
            Item::Aux { key, value } => log_aux(&key, &value, now_ms),
            Item::Key(entry) => {
                let index = usize::try_from(entry.db).unwrap_or(usize::MAX);
                let Some(db) = dbs.get_mut(index) else {
                    return Err(format!(
                        "FATAL: Data file was created with a Redis server configured to handle \
                         more than {} databases. Exiting",
                        dbs.len()
                    ));
                };
                if entry.expire_ms.is_some_and(|at| at < now_ms) {
                    stats.expired += 1;
                    continue;
                }
                let value = match convert::from_rdb(entry.value, limits) {
                    Ok(v) => v,
                    Err(LoadError::EmptyKey) => {
                        warning!(
                            "rdbLoadObject skipping empty key: {}",
                            String::from_utf8_lossy(&entry.key)
                        );
                        continue;
                    }
                    Err(e) => return Err(format!("Internal error in RDB reading: {e}")),
                };
                db.set(&entry.key, value, false, now_ms);
                if let Some(at) = entry.expire_ms {
                    db.set_expire(&entry.key, at);
                }
                if let (Some(idle), Some(e)) = (entry.idle, db.get_mut_raw(&entry.key)) {
                    let span = u64::from(LRU_CLOCK_MAX) + 1;
                    e.lru = ((u64::from(clock) + span - idle % span) % span) as u32;
                }
                stats.loaded += 1;
            }
            Item::Function { .. } => {
                warning!("Skipping a function library in the RDB: rkv does not load functions from dumps");
            }
            _ => {}
        }
    }
    Ok(Some(stats))
}

/// Logs the aux fields Redis reports when loading.
fn log_aux(key: &[u8], value: &[u8], now_ms: i64) {
    let text = String::from_utf8_lossy(value);
    match key {
        b"redis-ver" => notice!("Loading RDB produced by version {text}"),
        b"ctime" => {
            if let Ok(ctime) = text.parse::<i64>() {
                notice!("RDB age {} seconds", (now_ms / 1000 - ctime).max(0));
            }
        }
        b"used-mem" => {
            if let Ok(bytes) = text.parse::<u64>() {
                notice!(
                    "RDB memory usage when created {:.2} Mb",
                    bytes as f64 / (1024.0 * 1024.0)
                );
            }
        }
        _ => {}
    }
}

/// Loads `dir`/`dbfilename` into the server's (empty) databases, logging
/// as Redis does; an unreadable dump is fatal.
pub fn load_at_startup(srv: &mut Server) -> Result<(), String> {
    let started = Instant::now();
    srv.update_clock();
    let path = srv.config.dir.join(&srv.config.dbfilename);
    let limits = Limits::from_config(&srv.config);
    srv.rdb.loading = true;
    let result = load_file(
        &mut srv.dbs,
        &path,
        &limits,
        srv.config.rdbchecksum,
        srv.now_ms,
    );
    srv.rdb.loading = false;
    match result? {
        None => Ok(()),
        Some(stats) => {
            srv.rdb.last_load_keys_loaded = stats.loaded;
            srv.rdb.last_load_keys_expired = stats.expired;
            notice!(
                "Done loading RDB, keys loaded: {}, keys expired: {}.",
                stats.loaded,
                stats.expired
            );
            notice!(
                "DB loaded from disk: {:.3} seconds",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;
    use crate::persistence::snapshot::{save, SnapshotParams};
    use rkv_rdb::WriteOptions;

    #[test]
    fn a_saved_dump_loads_back_without_expired_keys() {
        let dir = std::env::temp_dir().join(format!("rkv-load-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut dbs: Vec<Db> = (0..2).map(|_| Db::new()).collect();
        dbs[1].set(b"live", Value::string(b"x"), false, 0);
        dbs[1].set_expire(b"live", 9_000_000_000_000);
        dbs[0].set(b"gone", Value::string(b"y"), false, 0);
        dbs[0].set_expire(b"gone", 10);
        let params = SnapshotParams {
            path: dir.join("dump.rdb"),
            options: WriteOptions::default(),
            ctime: 0,
            used_mem: 0,
        };
        save(&dbs, &params).unwrap();
        let mut fresh: Vec<Db> = (0..2).map(|_| Db::new()).collect();
        let stats = load_file(&mut fresh, &params.path, &Limits::default(), true, 1000)
            .unwrap()
            .unwrap();
        assert_eq!(
            stats,
            LoadStats {
                loaded: 1,
                expired: 1
            }
        );
        assert_eq!(fresh[1].expire_at(b"live"), Some(9_000_000_000_000));
        assert!(fresh[0].is_empty());
        let mut one: Vec<Db> = vec![Db::new()];
        assert!(load_file(&mut one, &params.path, &Limits::default(), true, 0).is_err());
        assert_eq!(
            load_file(&mut one, &dir.join("none.rdb"), &Limits::default(), true, 0),
            Ok(None)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
