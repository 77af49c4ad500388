//! Statistics over an AOF: commands per name, keys touched per database,
//! sizes, and the time span the `#TS:` annotations cover.

use std::collections::{BTreeMap, HashSet};

use crate::reader::{Command, Entry};

/// Counts for one command name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameStats {
    /// How many times it appears.
    pub count: u64,
    /// Bytes its entries take in the file.
    pub bytes: u64,
}

/// Statistics gathered entry by entry.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Commands seen.
    pub commands: u64,
    /// Bytes of command entries.
    pub command_bytes: u64,
    /// Per lower-case command name.
    pub by_name: BTreeMap<String, NameStats>,
    /// Distinct keys written, per database.
    keys: BTreeMap<usize, HashSet<Vec<u8>>>,
    /// The first `#TS:` time.
    pub first_timestamp: Option<i64>,
    /// The last `#TS:` time.
    pub last_timestamp: Option<i64>,
    db: usize,
}

impl Stats {
    /// Empty statistics; the first file starts in database 0.
    pub fn new() -> Stats {
        Stats::default()
    }

    /// Starts a new file: replay starts again in database 0.
    pub fn start_file(&mut self) {
        self.db = 0;
    }

    /// Accounts for one entry.
    pub fn observe(&mut self, entry: &Entry) {
        match entry {
            Entry::Annotation(a) => {
                if let Some(ts) = a.timestamp() {
                    self.first_timestamp.get_or_insert(ts);
                    self.last_timestamp = Some(ts);
                }
            }
            Entry::Command(cmd) => self.observe_command(cmd),
        }
    }

    fn observe_command(&mut self, cmd: &Command) {
        let name = String::from_utf8_lossy(&cmd.args[0]).to_ascii_lowercase();
        self.commands += 1;
        self.command_bytes += cmd.end - cmd.offset;
        let named = self.by_name.entry(name.clone()).or_default();
        named.count += 1;
        named.bytes += cmd.end - cmd.offset;
        if name == "select" {
            if let Some(db) = cmd
                .args
                .get(1)
                .and_then(|d| std::str::from_utf8(d).ok()?.parse().ok())
            {
                self.db = db;
            }
            return;
        }
        let keys = self.keys.entry(self.db).or_default();
        for key in key_positions(&name, cmd.args.len()).filter_map(|i| cmd.args.get(i)) {
            if !keys.contains(key) {
                keys.insert(key.clone());
            }
        }
    }

    /// Distinct keys touched in each database that saw a write.
    pub fn keys_per_db(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.keys
            .iter()
            .filter(|(_, keys)| !keys.is_empty())
            .map(|(&db, keys)| (db, keys.len()))
    }

    /// Distinct keys touched, all databases together.
    pub fn keys_touched(&self) -> usize {
        self.keys.values().map(HashSet::len).sum()
    }
}

/// The argument positions holding keys for `name` (lower case) with
/// `argc` arguments, for the commands an AOF holds (writes, SELECT,
/// MULTI/EXEC); other commands are taken to have one key, at 1.
fn key_positions(name: &str, argc: usize) -> Box<dyn Iterator<Item = usize>> {
    match name {
        "multi" | "exec" | "flushall" | "flushdb" | "swapdb" | "ping" | "function" | "script"
        | "publish" | "spublish" => Box::new(std::iter::empty()),
        "del" | "unlink" | "exists" | "touch" | "watch" | "pfmerge" | "sinterstore"
        | "sunionstore" | "sdiffstore" => Box::new(1..argc),
        "mset" | "msetnx" => Box::new((1..argc).step_by(2)),
        "rename" | "renamenx" | "copy" | "smove" | "lmove" | "rpoplpush" | "blmove"
        | "brpoplpush" | "georadius" | "zrangestore" | "geosearchstore" => Box::new(1..3.min(argc)),
        "zunionstore" | "zinterstore" | "zdiffstore" => Box::new(std::iter::once(1)),
        "eval" | "evalsha" | "fcall" => Box::new(std::iter::empty()),
        _ => Box::new((argc > 1).then_some(1).into_iter()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::Annotation;

    fn cmd(args: &[&str]) -> Entry {
        Entry::Command(Command {
            offset: 0,
            end: 10,
            line: 1,
            args: args.iter().map(|a| a.as_bytes().to_vec()).collect(),
        })
    }

    #[test]
    fn counts_names_keys_and_time() {
        let mut stats = Stats::new();
        for entry in [
            Entry::Annotation(Annotation {
                offset: 0,
                end: 1,
                line: 1,
                text: b"TS:100".to_vec(),
            }),
            cmd(&["SELECT", "0"]),
            cmd(&["set", "a", "1"]),
            cmd(&["SET", "a", "2"]),
            cmd(&["mset", "b", "1", "c", "2"]),
            cmd(&["select", "2"]),
            cmd(&["del", "a", "z"]),
            Entry::Annotation(Annotation {
                offset: 0,
                end: 1,
                line: 1,
                text: b"TS:160".to_vec(),
            }),
        ] {
            stats.observe(&entry);
        }
        assert_eq!(stats.commands, 6);
        assert_eq!(
            stats.by_name["set"],
            NameStats {
                count: 2,
                bytes: 20
            }
        );
        assert_eq!(stats.keys_per_db().collect::<Vec<_>>(), [(0, 3), (2, 2)]);
        assert_eq!(stats.keys_touched(), 5);
        assert_eq!(
            (stats.first_timestamp, stats.last_timestamp),
            (Some(100), Some(160))
        );
    }
}
