//! Opening the append-only set: at start-up (load what is there, or
//! create a new set as Redis 7 does: a base, an incremental file and the
//! manifest) and when CONFIG SET turns `appendonly` on at run time (a new
//! base from the current dataset, the old files retired).

use std::fs;
use std::path::{Path, PathBuf};

use rkv_aof::layout::{AofPart, FileRole};
use rkv_aof::load::load_files;
use rkv_aof::manifest::{file_path, manifest_name, AofFileInfo, FileKind, Manifest};
use rkv_aof::writer::{AppendFile, CommandFeed};

use super::load::ServerLoadTarget;
use super::Aof;
use crate::server::Server;

/// At start-up with `appendonly yes`: loads the set in
/// `dir/appenddirname` into `srv`, or creates one, and opens its last
/// incremental file for appending. An error stops start-up.
pub fn start(srv: &mut Server) -> Result<(), String> {
    if !srv.config.appendonly {
        return Ok(());
    }
    let (dir, prefix) = locate(srv);
    let manifest_path = dir.join(manifest_name(&prefix));
    let single = srv.config.dir.join(&prefix);
    if !manifest_path.exists() && single.is_file() {
        upgrade_single_file(&single, &dir, &prefix)?;
    }
    let mut manifest = if manifest_path.exists() {
        let manifest = Manifest::load(&manifest_path).map_err(|e| e.to_string())?;
        replay(srv, &dir, &manifest)?;
        manifest
    } else {
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut manifest = Manifest::default();
        write_base(srv, &dir, &prefix, &mut manifest)?;
        manifest
    };
    if manifest.incr.is_empty() {
        manifest.start_new_incr(&prefix);
        create_last_incr(&dir, &manifest)?;
        manifest
            .write_atomically(&dir, &manifest_name(&prefix))
            .map_err(|e| e.to_string())?;
    }
    open(srv, dir, manifest)
}

/// A Redis 6 `appendonly.aof` in `dir` becomes the base of a new set, as
/// Redis 7 upgrades it: moved into the directory under the same name and
/// listed as the base (its commands, or RDB preamble, load as before).
fn upgrade_single_file(single: &Path, dir: &Path, prefix: &str) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let manifest = Manifest {
        base: Some(AofFileInfo {
            name: prefix.to_string(),
            seq: 1,
            kind: FileKind::Base,
        }),
        base_seq: 1,
        ..Manifest::default()
    };
    manifest
        .write_atomically(dir, &manifest_name(prefix))
        .map_err(|e| e.to_string())?;
    fs::rename(single, dir.join(prefix)).map_err(|e| format!("{}: {e}", single.display()))?;
    crate::notice!("Successfully migrated an old-style AOF into the AOF directory");
    Ok(())
}

/// CONFIG SET appendonly yes, as Redis's `startAppendOnly`: the set
/// opens in the waiting state (writes go to a temporary incremental file)
/// and a background rewrite writes the base; it is scheduled when another
/// child runs, and a running rewrite is restarted so that it covers
/// everything.
pub fn turn_on(srv: &mut Server) -> Result<(), String> {
    let (dir, prefix) = locate(srv);
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let manifest_path = dir.join(manifest_name(&prefix));
    let manifest = if manifest_path.exists() {
        Manifest::load(&manifest_path).map_err(|e| e.to_string())?
    } else {
        Manifest::default()
    };
    let temp = temp_incr_path(&dir, &prefix);
    let _ = fs::remove_file(&temp);
    let file = AppendFile::open(&temp).map_err(|e| e.to_string())?;
    install(srv, dir, manifest, file, true);
    super::rewrite::kill_child(srv);
    if super::rewrite::any_child(srv) {
        srv.aof_rewrite.scheduled = true;
        crate::notice!("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
        return Ok(());
    }
    if super::rewrite::start_background(srv).is_err() {
        srv.aof = None;
        let _ = fs::remove_file(&temp);
        return Err("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.".into());
    }
    Ok(())
}

/// The temporary incremental file of a set waiting for its first
/// rewrite (Redis's `temp-<appendfilename>.incr`).
pub fn temp_incr_path(dir: &Path, prefix: &str) -> PathBuf {
    dir.join(format!("temp-{prefix}.incr"))
}

/// The append-only directory and the file-name prefix.
fn locate(srv: &Server) -> (PathBuf, String) {
    let dir = srv.config.dir.join(&srv.config.appenddirname);
    (dir, srv.config.appendfilename.clone())
}

/// DEBUG LOADAOF: writes out the buffer, empties the dataset and replays
/// the append-only set into it, as a restart would.
pub fn reload(srv: &mut Server) -> Result<(), String> {
    super::write_pending(srv);
    let Some(aof) = srv.aof.as_deref() else {
        return Ok(());
    };
    let (dir, manifest) = (aof.dir.clone(), aof.manifest.clone());
    crate::keyspace_events::signal_flushed_db(srv, None);
    srv.scripting.functions.flush();
    for db in srv.dbs.iter_mut() {
        drop(db.take_all());
    }
    replay(srv, &dir, &manifest)
}

/// Replays the manifest's base and incremental files into `srv`.
fn replay(srv: &mut Server, dir: &Path, manifest: &Manifest) -> Result<(), String> {
    let parts: Vec<AofPart> = manifest
        .files_to_load()
        .map(|info| AofPart {
            path: file_path(dir, info),
            name: info.name.clone(),
            role: if info.kind == FileKind::Base {
                FileRole::Base
            } else {
                FileRole::Incr
            },
        })
        .collect();
    let started = std::time::Instant::now();
    let load_truncated = srv.config.aof_load_truncated;
    let mut target = ServerLoadTarget::new(srv);
    let suspended = super::load::SuspendExpiry::new();
    let loaded = load_files(&parts, load_truncated, &mut target).map_err(|e| {
        format!("Bad file format reading the append only file {e}: make a backup of your AOF file, then use rkv-aof fix <filename>.")
    })?;
    drop(suspended);
    let commands = target.commands;
    for file in &loaded {
        if let Some(len) = file.truncated_to {
            crate::warning!(
                "!!! Warning: short read while loading the AOF file {}!!! AOF loaded anyway because aof-load-truncated is enabled; truncated to {len} bytes",
                file.path.display()
            );
        }
    }
    // The replay is not client traffic: Redis's commandstats start empty.
    srv.stats.reset();
    srv.dirty = 0;
    crate::notice!(
        "DB loaded from append only file: {:.3} seconds ({commands} commands)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes a new base file with the current dataset (an RDB image under
/// `aof-use-rdb-preamble yes`, else commands) and records it.
fn write_base(
    srv: &Server,
    dir: &Path,
    prefix: &str,
    manifest: &mut Manifest,
) -> Result<(), String> {
    let rdb = srv.config.aof_use_rdb_preamble;
    let name = manifest.start_new_base(prefix, rdb).to_string();
    let path = dir.join(&name);
    super::rewrite::write_base_file(srv, &path, rdb)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    crate::notice!("Creating AOF base file {name} on server start");
    Ok(())
}

/// Creates the manifest's last incremental file, empty and on disk.
fn create_last_incr(dir: &Path, manifest: &Manifest) -> Result<(), String> {
    let info = manifest
        .incr
        .last()
        .expect("an incremental file was started");
    let path = file_path(dir, info);
    AppendFile::open(&path)
        .and_then(|f| f.sync_data())
        .map_err(|e| e.to_string())?;
    crate::notice!("Creating AOF incr file {} on server start", info.name);
    Ok(())
}

/// Opens the last incremental file for appending and installs the set.
fn open(srv: &mut Server, dir: PathBuf, manifest: Manifest) -> Result<(), String> {
    let info = manifest.incr.last().expect("a set has an incremental file");
    let file = AppendFile::open(&file_path(&dir, info)).map_err(|e| e.to_string())?;
    install(srv, dir, manifest, file, false);
    Ok(())
}

/// Installs the set with `file` as the file being appended to.
fn install(srv: &mut Server, dir: PathBuf, manifest: Manifest, file: AppendFile, waiting: bool) {
    let size = |name: &str| fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    // A set waiting for its first rewrite has no base or files yet.
    let base_size = match (&manifest.base, waiting) {
        (Some(b), false) => size(&b.name),
        _ => 0,
    };
    let older_incr_size = if waiting {
        0
    } else {
        manifest.incr[..manifest.incr.len().saturating_sub(1)]
            .iter()
            .map(|i| size(&i.name))
            .sum()
    };
    let mut aof = Box::new(Aof {
        dir,
        manifest,
        file,
        feed: CommandFeed::new(srv.config.aof_timestamp_enabled),
        buf: Vec::new(),
        syncer: None,
        base_size,
        rewrite_base_size: base_size,
        older_incr_size,
        last_write_ok: true,
        waiting_rewrite: waiting,
        fsync_failure_logged: false,
    });
    aof.apply_policy(srv.config.appendfsync);
    srv.aof = Some(aof);
}
