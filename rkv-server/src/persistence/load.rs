//! Loading a dump into the databases (Redis's `rdbLoad`): at start-up, a
//! slice at a time while clients get `-LOADING`, and at once for DEBUG
//! RELOAD.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;
use std::time::Instant;

use rkv_rdb::{Item, KeyHeader, RdbReader, Step};

use super::convert::{Limits, LoadError};
use super::load_sink::ServerSink;
use crate::db::keyspace::{lru_clock, LRU_CLOCK_MAX};
use crate::db::Db;
use crate::server::Server;
use crate::{notice, warning};

/// What a load did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadStats {
    /// Keys stored.
    pub loaded: u64,
    /// Keys skipped because they had already expired.
    pub expired: u64,
    /// The code of the FUNCTION libraries the dump holds, for
    /// [`install_functions`] once the keys are in.
    pub functions: Vec<Vec<u8>>,
}

/// Installs the function libraries a dump held (replacing libraries of the
/// same name); a library that does not compile fails the load, as in Redis.
pub fn install_functions(srv: &mut Server, codes: &[Vec<u8>]) -> Result<(), String> {
    for code in codes {
        let engine = &mut srv.scripting.functions;
        let lib = engine
            .compile(code, engine.libraries(), true, false)
            .map_err(|e| format!("Failed loading library: {e}"))?;
        engine
            .install(lib, true)
            .map_err(|e| format!("Failed loading library: {e}"))?;
    }
    Ok(())
}

/// A dump being read into the databases, a slice at a time, so the server
/// can answer (`-LOADING`) between slices.
pub struct DumpLoader<R: Read = BufReader<File>> {
    reader: RdbReader<R>,
    sink: ServerSink,
    now_ms: i64,
    clock: u32,
    /// What was loaded so far.
    pub stats: LoadStats,
    /// The dump file's size.
    pub total_bytes: u64,
    /// The `used-mem` aux field, once read.
    pub rdb_used_mem: u64,
    /// The database the keys being read go to (last SELECTDB).
    current_db: u64,
}

impl DumpLoader {
    /// Opens the dump at `path`; `Ok(None)` when there is none.
    pub fn open(
        path: &Path,
        limits: Limits,
        verify_checksum: bool,
        now_ms: i64,
    ) -> Result<Option<Self>, String> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("Fatal error loading the DB: {e}. Exiting.")),
        };
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        let reader = RdbReader::new(BufReader::with_capacity(1 << 16, file))
            .map_err(|e| format!("Wrong signature trying to load DB from file: {e}"))?
            .verify_checksum(verify_checksum);
        Ok(Some(DumpLoader {
            reader,
            sink: ServerSink::new(limits),
            now_ms,
            clock: lru_clock(now_ms),
            stats: LoadStats::default(),
            total_bytes,
            rdb_used_mem: 0,
            current_db: 0,
        }))
    }
}

impl<R: Read> DumpLoader<R> {
    /// Reads an RDB image from `source` (an AOF base file's preamble).
    pub fn from_reader(
        source: R,
        limits: Limits,
        verify_checksum: bool,
        now_ms: i64,
    ) -> Result<Self, String> {
        let reader = RdbReader::new(source)
            .map_err(|e| format!("Bad RDB image: {e}"))?
            .verify_checksum(verify_checksum);
        Ok(DumpLoader {
            reader,
            sink: ServerSink::new(limits),
            now_ms,
            clock: lru_clock(now_ms),
            stats: LoadStats::default(),
            total_bytes: 0,
            rdb_used_mem: 0,
            current_db: 0,
        })
    }

    /// Bytes of the dump read so far.
    pub fn loaded_bytes(&self) -> u64 {
        self.reader.offset()
    }

    /// Reads up to `max_items` items into `dbs`; `Ok(true)` at the end of
    /// the file. Keys replace keys of the same name; expired keys and empty
    /// collections are skipped, as a Redis master does.
    pub fn step(&mut self, dbs: &mut [Db], max_items: usize) -> Result<bool, String> {
        for _ in 0..max_items {
            let step = self
                .reader
                .next_step(&mut self.sink)
                .map_err(|e| format!("Internal error in RDB reading: {e}"))?;
            let Some(step) = step else {
                return Ok(true);
            };
            match step {
                Step::Item(Item::Aux { key, value }) => {
                    if key == b"used-mem" {
                        self.rdb_used_mem = std::str::from_utf8(&value)
                            .ok()
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                    }
                    log_aux(&key, &value, self.now_ms);
                }
                Step::Item(Item::Function { code }) => self.stats.functions.push(code),
                Step::Item(Item::SelectDb(db)) => self.current_db = db,
                Step::Item(Item::ResizeDb {
                    db_size,
                    expires_size,
                }) => {
                    // A key takes at least 4 bytes of file: a bigger hint is
                    // corrupt and must not size the tables.
                    let bound = self.total_bytes / 4;
                    let db = usize::try_from(self.current_db).ok();
                    if let Some(db) = db.and_then(|i| dbs.get_mut(i)) {
                        if db_size <= bound && expires_size <= db_size {
                            db.reserve(db_size as usize, expires_size as usize);
                        }
                    }
                }
                Step::Item(_) => {}
                Step::Key(header, value) => {
                    let at = Clock {
                        now_ms: self.now_ms,
                        lru: self.clock,
                    };
                    store(dbs, header, value, at, &mut self.stats)?
                }
            }
        }
        Ok(false)
    }
}

/// The load's time, for expiries and idle times.
#[derive(Debug, Clone, Copy)]
struct Clock {
    now_ms: i64,
    lru: u32,
}

/// Stores a key read from the dump, unless it has expired or is empty.
fn store(
    dbs: &mut [Db],
    header: KeyHeader<'_>,
    value: Result<crate::db::Value, LoadError>,
    clock: Clock,
    stats: &mut LoadStats,
) -> Result<(), String> {
    let index = usize::try_from(header.db).unwrap_or(usize::MAX);
    let count = dbs.len();
    let Some(db) = dbs.get_mut(index) else {
        return Err(format!(
            "FATAL: Data file was created with a Redis server configured to handle \
             more than {count} databases. Exiting"
        ));
    };
    // A replica keeps them: its master sends their DELs (Redis skips them
    // only when it is a master).
    if header.expire_ms.is_some_and(|at| at < clock.now_ms)
        && !crate::replication::replica::keeps_expired_keys()
    {
        stats.expired += 1;
        return Ok(());
    }
    let key = header.key;
    let value = match value {
        Ok(v) => v,
        Err(LoadError::EmptyKey) => {
            warning!(
                "rdbLoadObject skipping empty key: {}",
                String::from_utf8_lossy(key)
            );
            return Ok(());
        }
        Err(e) => return Err(format!("Internal error in RDB reading: {e}")),
    };
    db.add_loaded(key, value, clock.now_ms);
    if let Some(at) = header.expire_ms {
        db.set_expire(key, at);
    }
    if let (Some(idle), Some(e)) = (header.idle, db.get_mut_raw(key)) {
        let span = u64::from(LRU_CLOCK_MAX) + 1;
        e.lru = ((u64::from(clock.lru) + span - idle % span) % span) as u32;
    }
    stats.loaded += 1;
    Ok(())
}

/// Reads the whole dump at `path` into `dbs` at once (DEBUG RELOAD);
/// `Ok(None)` when there is no dump.
pub fn load_file(
    dbs: &mut [Db],
    path: &Path,
    limits: &Limits,
    verify_checksum: bool,
    now_ms: i64,
) -> Result<Option<LoadStats>, String> {
    let Some(mut loader) = DumpLoader::open(path, *limits, verify_checksum, now_ms)? else {
        return Ok(None);
    };
    while !loader.step(dbs, usize::MAX)? {}
    Ok(Some(std::mem::take(&mut loader.stats)))
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

/// Items read between two chances for clients to be answered.
const ITEMS_PER_SLICE: usize = 1000;

/// Loads `dir`/`dbfilename` into the server's (empty) databases, logging
/// as Redis does. It reads a slice at a time and yields in between, so
/// clients connecting meanwhile get `-LOADING` (dispatch checks
/// `srv.rdb.loading`); an unreadable dump is fatal.
pub async fn load_at_startup(shared: Rc<RefCell<Server>>) -> Result<(), String> {
    let started = Instant::now();
    let opened = {
        let mut srv = shared.borrow_mut();
        srv.update_clock();
        let path = srv.config.dir.join(&srv.config.dbfilename);
        let limits = Limits::from_config(&srv.config);
        DumpLoader::open(&path, limits, srv.config.rdbchecksum, srv.now_ms)?
    };
    let Some(mut loader) = opened else {
        return Ok(());
    };
    {
        let mut srv = shared.borrow_mut();
        let now = srv.now_ms / 1000;
        srv.rdb.begin_loading(now, loader.total_bytes);
    }
    loop {
        let done = {
            let mut srv = shared.borrow_mut();
            if srv.shutdown.is_some() {
                // SHUTDOWN while loading: stop here, the main task exits.
                srv.rdb.loading = false;
                return Ok(());
            }
            let step = loader.step(&mut srv.dbs, ITEMS_PER_SLICE);
            srv.rdb.loading_progress.loaded_bytes = loader.loaded_bytes();
            srv.rdb.loading_progress.rdb_used_mem = loader.rdb_used_mem;
            if step.is_err() {
                srv.rdb.loading = false;
            }
            step?
        };
        if done {
            break;
        }
        tokio::task::yield_now().await;
    }
    let mut srv = shared.borrow_mut();
    srv.rdb.loading = false;
    install_functions(&mut srv, &loader.stats.functions)?;
    srv.rdb.last_load_keys_loaded = loader.stats.loaded;
    srv.rdb.last_load_keys_expired = loader.stats.expired;
    notice!(
        "Done loading RDB, keys loaded: {}, keys expired: {}.",
        loader.stats.loaded,
        loader.stats.expired
    );
    notice!(
        "DB loaded from disk: {:.3} seconds",
        started.elapsed().as_secs_f64()
    );
    Ok(())
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
            functions: vec![
                b"#!lua name=lib\nredis.register_function('f', function() return 1 end)".to_vec(),
            ],
            repl: None,
            key_delay_us: 0,
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
                expired: 1,
                functions: params.functions.clone(),
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
