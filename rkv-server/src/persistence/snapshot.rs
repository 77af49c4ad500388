//! Writing a snapshot of the databases: to a temporary file in `dir`,
//! fsynced, then renamed over the dump, so a crash mid-save never damages
//! the previous dump (Redis's `rdbSave`).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rkv_rdb::{KeyMeta, RdbWriter, WriteOptions};

use super::convert;
use crate::db::Db;
use crate::server::REDIS_VERSION;

/// What a snapshot needs besides the data.
#[derive(Debug, Clone)]
pub struct SnapshotParams {
    /// The dump's final path (`dir`/`dbfilename`).
    pub path: PathBuf,
    /// LZF compression and checksum.
    pub options: WriteOptions,
    /// Unix seconds written as the `ctime` aux field.
    pub ctime: i64,
    /// Allocator bytes written as the `used-mem` aux field.
    pub used_mem: u64,
    /// The code of every FUNCTION library, saved before the keys as Redis
    /// does (`RDB_OPCODE_FUNCTION2`).
    pub functions: Vec<Vec<u8>>,
    /// For a snapshot sent to replicas: the stream position it stands at.
    pub repl: Option<ReplAux>,
    /// `rdb-key-save-delay`: a pause after each key, for tests that must
    /// catch a save in the middle.
    pub key_delay_us: i64,
}

/// The aux fields of a replication snapshot (Redis's `rdbSaveInfo`): a
/// replica takes its master's replication id, offset and selected
/// database of the stream from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplAux {
    /// `repl-stream-db`: the database the stream had selected.
    pub stream_db: i64,
    /// `repl-id`: the master's replication id.
    pub replid: String,
    /// `repl-offset`: the stream offset the snapshot corresponds to.
    pub offset: i64,
}

/// The temporary file a save by process `pid` writes first (Redis's
/// `temp-<pid>.rdb`), in the dump's directory.
pub fn temp_path(dump: &Path, pid: u32) -> PathBuf {
    let dir = dump.parent().unwrap_or_else(|| Path::new("."));
    dir.join(format!("temp-{pid}.rdb"))
}

/// Writes every database to `out` as an RDB stream.
pub fn write_rdb<W: Write>(dbs: &[Db], params: &SnapshotParams, out: W) -> io::Result<W> {
    let mut writer = RdbWriter::new(out, params.options)?;
    match &params.repl {
        None => writer.write_standard_aux(REDIS_VERSION, params.ctime, params.used_mem)?,
        Some(repl) => {
            // Redis puts the replication fields between used-mem and aof-base.
            writer.write_aux(b"redis-ver", REDIS_VERSION.as_bytes())?;
            writer.write_aux(b"redis-bits", b"64")?;
            writer.write_aux(b"ctime", params.ctime.to_string().as_bytes())?;
            writer.write_aux(b"used-mem", params.used_mem.to_string().as_bytes())?;
            writer.write_aux(b"repl-stream-db", repl.stream_db.to_string().as_bytes())?;
            writer.write_aux(b"repl-id", repl.replid.as_bytes())?;
            writer.write_aux(b"repl-offset", repl.offset.to_string().as_bytes())?;
            writer.write_aux(b"aof-base", b"0")?;
        }
    }
    for code in &params.functions {
        writer.write_function(code)?;
    }
    for (index, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        writer.select_db(index as u64, db.len() as u64, db.expires_len() as u64)?;
        for (key, entry) in db.iter() {
            let meta = KeyMeta {
                expire_ms: db.expire_at(key),
                idle: None,
                freq: None,
            };
            convert::write_key(&mut writer, key, &entry.value, &meta)?;
            if params.key_delay_us != 0 {
                key_delay(params.key_delay_us);
            }
        }
    }
    writer.finish()
}

/// Redis's `debugDelay`: microseconds when positive, nanoseconds when
/// negative.
fn key_delay(delay: i64) {
    let pause = if delay > 0 {
        std::time::Duration::from_micros(delay as u64)
    } else {
        std::time::Duration::from_nanos(delay.unsigned_abs())
    };
    std::thread::sleep(pause);
}

/// Saves `dbs` as Redis does: into `temp-<pid>.rdb`, flushed and fsynced,
/// then renamed to the dump's path (and the directory fsynced). On error
/// the temporary file is removed and the old dump is left alone.
pub fn save(dbs: &[Db], params: &SnapshotParams) -> io::Result<()> {
    let temp = temp_path(&params.path, std::process::id());
    let result = write_and_rename(dbs, params, &temp);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_and_rename(dbs: &[Db], params: &SnapshotParams, temp: &Path) -> io::Result<()> {
    let file = File::create(temp)?;
    let out = write_rdb(dbs, params, BufWriter::with_capacity(1 << 16, file))?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    drop(file);
    fs::rename(temp, &params.path)?;
    if let Some(dir) = params.path.parent() {
        // The rename itself is durable only once the directory is synced.
        if let Ok(d) = File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        }) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Value;
    use rkv_rdb::{Item, RdbReader};

    #[test]
    fn saves_through_a_temp_file_and_reads_back() {
        let dir = std::env::temp_dir().join(format!("rkv-snapshot-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut dbs: Vec<Db> = (0..3).map(|_| Db::new()).collect();
        dbs[0].set(b"a", Value::string(b"1"), false, 0);
        dbs[2].set(b"b", Value::string(b"two"), false, 0);
        dbs[2].set_expire(b"b", 4_000_000_000_000);
        let params = SnapshotParams {
            path: dir.join("dump.rdb"),
            options: WriteOptions::default(),
            ctime: 1,
            used_mem: 2,
            functions: Vec::new(),
            repl: None,
            key_delay_us: 0,
        };
        save(&dbs, &params).unwrap();
        assert!(!temp_path(&params.path, std::process::id()).exists());
        let file = File::open(&params.path).unwrap();
        let keys: Vec<(u64, Vec<u8>, Option<i64>)> = RdbReader::new(io::BufReader::new(file))
            .unwrap()
            .map(Result::unwrap)
            .filter_map(|i| match i {
                Item::Key(k) => Some((k.db, k.key, k.expire_ms)),
                _ => None,
            })
            .collect();
        assert_eq!(
            keys,
            vec![
                (0, b"a".to_vec(), None),
                (2, b"b".to_vec(), Some(4_000_000_000_000))
            ]
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
