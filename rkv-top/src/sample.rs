//! One poll of one server: everything the dashboard reads in a round of
//! INFO, CONFIG GET, SLOWLOG GET, CLIENT LIST and PING.

use std::time::{Duration, Instant};

use rkv_proto::Frame;

use crate::info::Info;

/// What one poll of a server returned.
#[derive(Debug, Clone)]
pub struct Sample {
    /// When the INFO reply arrived (rates divide by the gap between two of these).
    pub taken_at: Instant,
    /// The parsed `INFO all` reply.
    pub info: Info,
    /// `CONFIG GET maxmemory`, when the server answered it.
    pub maxmemory: Option<u64>,
    /// The newest SLOWLOG entries, newest first.
    pub slowlog: Vec<SlowlogEntry>,
    /// Clients sorted by output buffer memory, biggest first.
    pub clients: Vec<ClientLine>,
    /// Round-trip times of this poll's PINGs.
    pub pings: Vec<Duration>,
    /// LATENCY LATEST: the latency monitor's events (empty unless the
    /// server's latency-monitor-threshold is set).
    pub latency_events: Vec<LatencyEvent>,
}

/// One LATENCY LATEST entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatencyEvent {
    /// Event name (`command`, `fast-command`, `fork`, `aof-write`…).
    pub name: String,
    /// Unix time of the latest spike.
    pub unix_time: u64,
    /// The latest spike, in milliseconds.
    pub latest_ms: u64,
    /// The worst spike recorded, in milliseconds.
    pub max_ms: u64,
}

/// One SLOWLOG GET entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlowlogEntry {
    /// The entry's id.
    pub id: u64,
    /// Unix time the command ran.
    pub unix_time: u64,
    /// How long it ran, in microseconds.
    pub micros: u64,
    /// The command and its arguments, joined by spaces.
    pub command: String,
}

/// The parts of a CLIENT LIST line the dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientLine {
    /// `addr=` of the client.
    pub addr: String,
    /// `name=` of the client (often empty).
    pub name: String,
    /// `cmd=`: the last command it ran.
    pub cmd: String,
    /// `omem=`: output buffer memory in bytes.
    pub omem: u64,
}

/// Reads a SLOWLOG GET reply; entries that are not arrays are skipped.
pub fn parse_slowlog(reply: &Frame) -> Vec<SlowlogEntry> {
    let Frame::Array(entries) = reply else {
        return Vec::new();
    };
    entries.iter().filter_map(parse_slowlog_entry).collect()
}

fn parse_slowlog_entry(entry: &Frame) -> Option<SlowlogEntry> {
    let Frame::Array(parts) = entry else {
        return None;
    };
    let int = |i: usize| match parts.get(i)? {
        Frame::Integer(n) => u64::try_from(*n).ok(),
        _ => None,
    };
    let command = match parts.get(3)? {
        Frame::Array(args) => args
            .iter()
            .map(|a| String::from_utf8_lossy(a.as_bytes().unwrap_or_default()).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    };
    Some(SlowlogEntry {
        id: int(0)?,
        unix_time: int(1)?,
        micros: int(2)?,
        command,
    })
}

/// Reads a LATENCY LATEST reply; malformed entries are skipped.
pub fn parse_latency_latest(reply: &Frame) -> Vec<LatencyEvent> {
    let Frame::Array(entries) = reply else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let Frame::Array(parts) = entry else {
                return None;
            };
            let int = |i: usize| match parts.get(i)? {
                Frame::Integer(n) => u64::try_from(*n).ok(),
                _ => None,
            };
            Some(LatencyEvent {
                name: String::from_utf8_lossy(parts.first()?.as_bytes()?).into_owned(),
                unix_time: int(1)?,
                latest_ms: int(2)?,
                max_ms: int(3)?,
            })
        })
        .collect()
}

/// Reads CLIENT LIST text, biggest output buffer first.
pub fn parse_client_list(text: &str) -> Vec<ClientLine> {
    let mut clients: Vec<ClientLine> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let field = |name: &str| {
                line.split(' ')
                    .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                    .unwrap_or_default()
                    .to_owned()
            };
            ClientLine {
                addr: field("addr"),
                name: field("name"),
                cmd: field("cmd"),
                omem: field("omem").parse().unwrap_or(0),
            }
        })
        .collect();
    clients.sort_by_key(|c| std::cmp::Reverse(c.omem));
    clients
}

/// Reads the value of a two-element CONFIG GET reply (array or RESP3 map).
pub fn parse_config_value(reply: &Frame) -> Option<u64> {
    let value = match reply {
        Frame::Array(items) => items.get(1)?,
        Frame::Map(pairs) => &pairs.first()?.1,
        _ => return None,
    };
    std::str::from_utf8(value.as_bytes()?).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Frame {
        Frame::Bulk(s.as_bytes().to_vec())
    }

    #[test]
    fn slowlog_entries_join_their_arguments() {
        let reply = Frame::Array(vec![Frame::Array(vec![
            Frame::Integer(7),
            Frame::Integer(1_700_000_000),
            Frame::Integer(12_500),
            Frame::Array(vec![bulk("KEYS"), bulk("user:*")]),
            bulk("127.0.0.1:5000"),
            bulk(""),
        ])]);
        let entries = parse_slowlog(&reply);
        assert_eq!(entries[0].micros, 12_500);
        assert_eq!(entries[0].command, "KEYS user:*");
    }

    #[test]
    fn latency_latest_reads_each_event() {
        let reply = Frame::Array(vec![Frame::Array(vec![
            bulk("command"),
            Frame::Integer(1_795_278_929),
            Frame::Integer(105),
            Frame::Integer(250),
        ])]);
        let events = parse_latency_latest(&reply);
        assert_eq!(events[0].name, "command");
        assert_eq!((events[0].latest_ms, events[0].max_ms), (105, 250));
        assert!(parse_latency_latest(&Frame::Error("ERR".into())).is_empty());
    }

    #[test]
    fn client_list_sorts_by_output_memory() {
        let text =
            "id=1 addr=a:1 name= omem=0 cmd=get\nid=2 addr=b:2 name=big omem=20504 cmd=replconf\n";
        let clients = parse_client_list(text);
        assert_eq!(clients[0].addr, "b:2");
        assert_eq!((clients[0].omem, clients[0].name.as_str()), (20504, "big"));
    }

    #[test]
    fn config_value_reads_both_protocols() {
        let resp2 = Frame::Array(vec![bulk("maxmemory"), bulk("1048576")]);
        assert_eq!(parse_config_value(&resp2), Some(1_048_576));
        let resp3 = Frame::Map(vec![(bulk("maxmemory"), bulk("0"))]);
        assert_eq!(parse_config_value(&resp3), Some(0));
        assert_eq!(parse_config_value(&Frame::Error("ERR".into())), None);
    }
}
