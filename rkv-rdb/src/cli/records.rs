//! Sources and sinks of records (auxiliary fields, functions, keys) shared
//! by `dump` and `convert`: an RDB or JSON file in, an RDB, JSON or RESP
//! file out.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use super::commands::{key_commands, write_line, write_resp, Command};
use super::json::{aux_to_json, function_to_json, key_to_json, record_from_json, Record};
use super::progress::Progress;
use crate::reader::{Item, KeyEntry, RdbReader};
use crate::value::Value;
use crate::writer::{KeyMeta, RdbWriter, WriteOptions};

/// Opens an RDB file, with a progress bar sized to it.
pub fn open_rdb(path: &Path) -> Result<(RdbReader<File>, Progress), String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let progress = Progress::new(file.metadata().map(|m| m.len()).unwrap_or(0));
    let reader = RdbReader::new(file).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((reader, progress))
}

/// Calls `each` with every record of an RDB file (keys as read, with
/// their metadata).
pub fn for_each_rdb_item(
    path: &Path,
    mut each: impl FnMut(Item) -> Result<bool, String>,
) -> Result<(), String> {
    let (mut reader, progress) = open_rdb(path)?;
    let mut n = 0u64;
    loop {
        let item = reader
            .next_item()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let Some(item) = item else { break };
        n += 1;
        if n.is_multiple_of(1024) {
            progress.set(reader.offset());
        }
        if !each(item)? {
            break;
        }
    }
    progress.finish();
    Ok(())
}

/// Calls `each` with every record of a JSON Lines file.
pub fn for_each_json_record(
    path: &Path,
    mut each: impl FnMut(Record) -> Result<(), String>,
) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let json: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let record =
            record_from_json(&json).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        each(record)?;
    }
    Ok(())
}

/// The record form of a reader item, if it has one.
pub fn item_to_record(item: Item) -> Option<Record> {
    match item {
        Item::Aux { key, value } => Some(Record::Aux(key, value)),
        Item::Function { code } => Some(Record::Function(code)),
        Item::Key(KeyEntry {
            db,
            key,
            value,
            expire_ms,
            idle,
            freq,
            ..
        }) => Some(Record::Key {
            db,
            key,
            value,
            meta: KeyMeta {
                expire_ms,
                idle,
                freq,
            },
        }),
        _ => None,
    }
}

/// Where records go.
pub enum Sink<W: Write> {
    /// JSON Lines.
    Json(W),
    /// RESP commands (AOF, `redis-cli --pipe`).
    Resp {
        /// Output.
        out: W,
        /// Database selected so far.
        db: Option<u64>,
    },
    /// Commands, one per line.
    Lines {
        /// Output.
        out: W,
        /// Database selected so far.
        db: Option<u64>,
    },
    /// An RDB file.
    Rdb {
        /// The writer.
        writer: Box<RdbWriter<W>>,
        /// Database selected so far.
        db: Option<u64>,
    },
}

fn io(e: std::io::Error) -> String {
    e.to_string()
}

impl<W: Write> Sink<W> {
    /// An RDB sink on `out`.
    pub fn rdb(out: W) -> Result<Self, String> {
        Ok(Sink::Rdb {
            writer: Box::new(RdbWriter::new(out, WriteOptions::default()).map_err(io)?),
            db: None,
        })
    }

    fn commands(&mut self, commands: &[Command]) -> Result<(), String> {
        let mut buf = Vec::new();
        let out = match self {
            Sink::Resp { out, .. } => {
                commands.iter().for_each(|c| write_resp(&mut buf, c));
                out
            }
            Sink::Lines { out, .. } => {
                commands.iter().for_each(|c| write_line(&mut buf, c));
                out
            }
            _ => return Ok(()),
        };
        out.write_all(&buf).map_err(io)
    }

    /// Writes one record.
    pub fn put(&mut self, record: &Record) -> Result<(), String> {
        match self {
            Sink::Json(out) => {
                let json = match record {
                    Record::Aux(k, v) => aux_to_json(k, v),
                    Record::Function(code) => function_to_json(code),
                    Record::Key {
                        db,
                        key,
                        value,
                        meta,
                    } => key_to_json(&KeyEntry {
                        db: *db,
                        key: key.clone(),
                        value: value.clone(),
                        expire_ms: meta.expire_ms,
                        idle: meta.idle,
                        freq: meta.freq,
                        rdb_type: 0,
                        offset: 0,
                        size_in_file: 0,
                    }),
                };
                serde_json::to_writer(&mut *out, &json).map_err(|e| e.to_string())?;
                out.write_all(b"\n").map_err(io)
            }
            Sink::Resp { db: selected, .. } | Sink::Lines { db: selected, .. } => {
                let mut commands = Vec::new();
                match record {
                    Record::Aux(..) => {}
                    Record::Function(code) => commands.push(vec![
                        b"FUNCTION".to_vec(),
                        b"LOAD".to_vec(),
                        b"REPLACE".to_vec(),
                        code.clone(),
                    ]),
                    Record::Key {
                        db,
                        key,
                        value,
                        meta,
                    } => {
                        if *selected != Some(*db) {
                            *selected = Some(*db);
                            commands.push(vec![b"SELECT".to_vec(), db.to_string().into_bytes()]);
                        }
                        commands.extend(key_commands(key, value, meta.expire_ms));
                    }
                }
                self.commands(&commands)
            }
            Sink::Rdb {
                writer,
                db: selected,
            } => match record {
                Record::Aux(k, v) => writer.write_aux(k, v).map_err(io),
                Record::Function(code) => writer.write_function(code).map_err(io),
                Record::Key {
                    db,
                    key,
                    value,
                    meta,
                } => {
                    if *selected != Some(*db) {
                        *selected = Some(*db);
                        writer.select_db(*db, 0, 0).map_err(io)?;
                    }
                    if let Value::HashWithFieldExpiry(fields) = value {
                        if fields.iter().any(|f| f.expire_ms.is_some()) {
                            eprintln!(
                                "rkv-rdb: warning: RDB version 10 has no hash field expiries; those of '{}' are dropped",
                                String::from_utf8_lossy(key)
                            );
                        }
                    }
                    writer.write_key(key, value, meta).map_err(io)
                }
            },
        }
    }

    /// Finishes the output (the RDB footer; a flush for the others).
    pub fn finish(self) -> Result<(), String> {
        match self {
            Sink::Json(mut out) | Sink::Resp { mut out, .. } | Sink::Lines { mut out, .. } => {
                out.flush().map_err(io)
            }
            Sink::Rdb { writer, .. } => writer.finish().map(|_| ()).map_err(io),
        }
    }
}
