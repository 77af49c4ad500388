//! Parsing of INFO replies into a lookup table, plus the structured lines
//! (keyspace, replicas, commandstats) that pack several fields into one value.

use std::collections::BTreeMap;

/// One INFO reply: every `field:value` line, keyed by field name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Info {
    fields: BTreeMap<String, String>,
}

/// One `dbN:keys=..,expires=..` line of the Keyspace section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbKeys {
    /// The database number.
    pub db: u32,
    /// Keys in the database.
    pub keys: u64,
    /// Keys with a time to live.
    pub expires: u64,
}

/// One `slaveN:ip=..,port=..,state=..,offset=..,lag=..` line on a master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaLine {
    /// `ip:port` of the replica.
    pub addr: String,
    /// Replication state (`online`, `wait_bgsave`, `send_bulk`…).
    pub state: String,
    /// Replication offset the replica acknowledged.
    pub offset: u64,
    /// Seconds since the replica's last acknowledgement.
    pub lag_seconds: u64,
}

/// One `cmdstat_NAME:calls=..,usec=..` line of the Commandstats section.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandStat {
    /// Command name, subcommands as `config|set`.
    pub name: String,
    /// Calls since start (or CONFIG RESETSTAT).
    pub calls: u64,
    /// Microseconds spent since start.
    pub usec: u64,
}

impl Info {
    /// Parses the text of an INFO reply; section headers and blank lines are skipped.
    pub fn parse(text: &str) -> Info {
        let fields = text
            .lines()
            .map(|line| line.trim_end_matches('\r'))
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Info { fields }
    }

    /// The raw value of `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field).map(String::as_str)
    }

    /// `field` as an unsigned integer.
    pub fn u64(&self, field: &str) -> Option<u64> {
        self.get(field)?.parse().ok()
    }

    /// `field` as a signed integer.
    pub fn i64(&self, field: &str) -> Option<i64> {
        self.get(field)?.parse().ok()
    }

    /// `field` as a decimal number.
    pub fn f64(&self, field: &str) -> Option<f64> {
        self.get(field)?.parse().ok()
    }

    /// The databases listed in the Keyspace section, in order.
    pub fn keyspace(&self) -> Vec<DbKeys> {
        let mut dbs: Vec<DbKeys> = self
            .fields
            .iter()
            .filter_map(|(k, v)| {
                let db = k.strip_prefix("db")?.parse().ok()?;
                let parts = packed_fields(v);
                Some(DbKeys {
                    db,
                    keys: packed_u64(&parts, "keys")?,
                    expires: packed_u64(&parts, "expires").unwrap_or(0),
                })
            })
            .collect();
        // Field names sort as text (db10 before db2); operators expect numbers.
        dbs.sort_by_key(|d| d.db);
        dbs
    }

    /// The replicas a master lists, in `slaveN` order.
    pub fn replicas(&self) -> Vec<ReplicaLine> {
        let mut numbered: Vec<(u32, ReplicaLine)> = self
            .fields
            .iter()
            .filter_map(|(k, v)| {
                let n: u32 = k.strip_prefix("slave")?.parse().ok()?;
                let parts = packed_fields(v);
                let ip = packed(&parts, "ip")?;
                let port = packed(&parts, "port")?;
                Some((
                    n,
                    ReplicaLine {
                        addr: format!("{ip}:{port}"),
                        state: packed(&parts, "state").unwrap_or("?").to_owned(),
                        offset: packed_u64(&parts, "offset").unwrap_or(0),
                        lag_seconds: packed_u64(&parts, "lag").unwrap_or(0),
                    },
                ))
            })
            .collect();
        numbered.sort_by_key(|(n, _)| *n);
        numbered.into_iter().map(|(_, r)| r).collect()
    }

    /// Every command's counters from the Commandstats section.
    pub fn command_stats(&self) -> Vec<CommandStat> {
        self.fields
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("cmdstat_")?;
                let parts = packed_fields(v);
                Some(CommandStat {
                    name: name.to_owned(),
                    calls: packed_u64(&parts, "calls")?,
                    usec: packed_u64(&parts, "usec").unwrap_or(0),
                })
            })
            .collect()
    }
}

/// Splits `a=1,b=2` into pairs.
fn packed_fields(value: &str) -> Vec<(&str, &str)> {
    value.split(',').filter_map(|p| p.split_once('=')).collect()
}

fn packed<'a>(parts: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    parts.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
}

fn packed_u64(parts: &[(&str, &str)], name: &str) -> Option<u64> {
    packed(parts, name)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# Server\r\nredis_version:7.0.15\r\n\r\n# Stats\r\nkeyspace_hits:150\r\n\
        # Replication\r\nslave1:ip=10.0.0.2,port=6380,state=online,offset=90,lag=2\r\n\
        slave0:ip=10.0.0.1,port=6379,state=online,offset=100,lag=0\r\n\
        # Commandstats\r\ncmdstat_config|set:calls=3,usec=26,usec_per_call=8.67\r\n\
        # Keyspace\r\ndb10:keys=5,expires=1,avg_ttl=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n";

    #[test]
    fn plain_fields_parse_without_carriage_returns() {
        let info = Info::parse(SAMPLE);
        assert_eq!(info.get("redis_version"), Some("7.0.15"));
        assert_eq!(info.u64("keyspace_hits"), Some(150));
        assert_eq!(info.get("# Server"), None);
    }

    #[test]
    fn keyspace_is_sorted_by_db_number() {
        let dbs = Info::parse(SAMPLE).keyspace();
        assert_eq!(dbs.iter().map(|d| d.db).collect::<Vec<_>>(), [2, 10]);
        assert_eq!((dbs[1].keys, dbs[1].expires), (5, 1));
    }

    #[test]
    fn replicas_come_in_slave_number_order() {
        let replicas = Info::parse(SAMPLE).replicas();
        assert_eq!(replicas[0].addr, "10.0.0.1:6379");
        assert_eq!((replicas[1].offset, replicas[1].lag_seconds), (90, 2));
    }

    #[test]
    fn command_stats_keep_subcommand_names() {
        let stats = Info::parse(SAMPLE).command_stats();
        assert_eq!(stats[0].name, "config|set");
        assert_eq!((stats[0].calls, stats[0].usec), (3, 26));
    }
}
