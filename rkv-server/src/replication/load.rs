//! Loading the snapshot a full resync received (Redis's second half of
//! `readSyncBulkPayload`): the old data goes, then the snapshot is read in
//! slices while clients get `-LOADING`; with `repl-diskless-load swapdb`
//! it is read into new databases, swapped in at the end (a failed load
//! keeps the old data), and when the snapshot continues the history we
//! already hold, the old data is served meanwhile (Redis's async loading).

use std::cell::RefCell;
use std::io::{Cursor, Read};
use std::rc::Rc;

use super::transfer::Sink;
use crate::db::Db;
use crate::persistence::convert::Limits;
use crate::persistence::load::{install_functions, DumpLoader};
use crate::server::Server;
use crate::{notice, warning};

/// Items read between two chances for clients to be answered.
const ITEMS_PER_SLICE: usize = 1000;

/// Loads the received snapshot into the databases.
pub async fn load_snapshot(
    shared: &Rc<RefCell<Server>>,
    generation: u64,
    sink: Sink,
    same_history: bool,
) -> Result<(), String> {
    let (limits, checksum, now, swap) = {
        let mut srv = shared.borrow_mut();
        srv.update_clock();
        let swap = srv.config.repl_diskless_load == super::replica::DisklessLoad::Swapdb;
        (
            Limits::from_config(&srv.config),
            srv.config.rdbchecksum,
            srv.now_ms,
            swap,
        )
    };
    match sink {
        Sink::File { file, path } => {
            file.sync_all().map_err(|e| {
                format!("Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: {e}")
            })?;
            drop(file);
            let target = {
                let srv = shared.borrow();
                srv.config.dir.join(&srv.config.dbfilename)
            };
            std::fs::rename(&path, &target).map_err(|e| {
                format!(
                    "Failed trying to rename the temp DB into {} in MASTER <-> REPLICA synchronization: {e}",
                    target.display()
                )
            })?;
            let loader = DumpLoader::open(&target, limits, checksum, now)?
                .ok_or_else(|| "The synchronization DB vanished".to_string())?;
            flush_for_new_master(&mut shared.borrow_mut(), generation)?;
            load_in_place(shared, loader).await
        }
        Sink::Memory(bytes) if swap => {
            let mut loader = DumpLoader::from_reader(Cursor::new(bytes), limits, checksum, now)?;
            let count = shared.borrow().dbs.len();
            let mut fresh: Vec<Db> = (0..count).map(|_| Db::new()).collect();
            notice!("MASTER <-> REPLICA sync: Loading DB in memory");
            shared.borrow_mut().rdb.loading = !same_history;
            loop {
                let step = loader.step(&mut fresh, ITEMS_PER_SLICE);
                match step {
                    Ok(true) => break,
                    Ok(false) => tokio::task::yield_now().await,
                    Err(e) => {
                        shared.borrow_mut().rdb.loading = false;
                        return Err(e);
                    }
                }
            }
            let mut srv = shared.borrow_mut();
            srv.rdb.loading = false;
            flush_for_new_master(&mut srv, generation)?;
            srv.dbs = fresh;
            finish(&mut srv, &loader)
        }
        Sink::Memory(bytes) => {
            let loader = DumpLoader::from_reader(Cursor::new(bytes), limits, checksum, now)?;
            flush_for_new_master(&mut shared.borrow_mut(), generation)?;
            load_in_place(shared, loader).await
        }
    }
}

/// Redis's `replicationAttachToNewMaster` and `emptyData`: our replicas
/// must resync from the new history, and the old data goes (watchers and
/// tracking clients are told).
fn flush_for_new_master(srv: &mut Server, generation: u64) -> Result<(), String> {
    super::link::with_link(srv, generation, |_| ())?;
    super::master::disconnect_replicas(srv);
    // The AOF would log the old data's end and the new data's start:
    // it stops here and restarts from a new base once loaded.
    if srv.aof.is_some() {
        crate::aof::shutdown(srv);
        srv.aof = None;
    }
    notice!("MASTER <-> REPLICA sync: Flushing old data");
    crate::keyspace_events::signal_flushed_db(srv, None);
    let count = srv.dbs.len();
    srv.dbs = (0..count).map(|_| Db::new()).collect();
    srv.scripting.functions.flush();
    Ok(())
}

/// Reads the snapshot into the server's (emptied) databases a slice at a
/// time; clients get `-LOADING` meanwhile.
async fn load_in_place<R: Read>(
    shared: &Rc<RefCell<Server>>,
    mut loader: DumpLoader<R>,
) -> Result<(), String> {
    notice!("MASTER <-> REPLICA sync: Loading DB in memory");
    {
        let mut srv = shared.borrow_mut();
        let now = srv.now_ms / 1000;
        srv.rdb.begin_loading(now, loader.total_bytes);
    }
    loop {
        let step = {
            let mut srv = shared.borrow_mut();
            let step = loader.step(&mut srv.dbs, ITEMS_PER_SLICE);
            srv.rdb.loading_progress.loaded_bytes = loader.loaded_bytes();
            srv.rdb.loading_progress.rdb_used_mem = loader.rdb_used_mem;
            if step.is_err() {
                srv.rdb.loading = false;
            }
            step
        };
        match step {
            Ok(true) => break,
            Ok(false) => tokio::task::yield_now().await,
            Err(e) => {
                return Err(format!(
                    "Failed trying to load the MASTER synchronization DB from disk: {e}"
                ))
            }
        }
    }
    let mut srv = shared.borrow_mut();
    srv.rdb.loading = false;
    finish(&mut srv, &loader)
}

/// Installs the snapshot's functions and records the load's figures.
fn finish<R: Read>(srv: &mut Server, loader: &DumpLoader<R>) -> Result<(), String> {
    install_functions(srv, &loader.stats.functions)?;
    srv.rdb.last_load_keys_loaded = loader.stats.loaded;
    srv.rdb.last_load_keys_expired = loader.stats.expired;
    notice!(
        "Done loading RDB, keys loaded: {}, keys expired: {}.",
        loader.stats.loaded,
        loader.stats.expired
    );
    restart_aof(srv);
    Ok(())
}

/// With `appendonly yes`, writes a new AOF base holding the dataset and
/// appends from there (Redis's `restartAOFAfterSYNC`).
pub fn restart_aof(srv: &mut Server) {
    if !srv.config.appendonly || srv.aof.is_some() {
        return;
    }
    notice!("Restarting AOF after a successful sync");
    if let Err(e) = crate::aof::config_changed(srv, "appendonly") {
        warning!("Failed restarting the AOF after the sync: {e}");
    }
}
