//! `rkv-rdb analyze`: a memory report of an RDB file, read in one pass
//! with bounded memory: totals by type, encoding and database, the biggest
//! keys, key prefixes, an expiry histogram; as text, JSON, CSV and HTML.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

use serde_json::json;

use super::html::write_html;
use super::memory::key_size;
use super::records::for_each_rdb_item;
use super::AnalyzeArgs;
use crate::length::parse_canonical_int;
use crate::rdb_type as t;
use crate::reader::{Item, KeyEntry};
use crate::value::Value;

/// Most distinct prefixes kept at once; past it the smallest half is
/// dropped (and the report says the prefix figures are approximate).
const MAX_PREFIXES: usize = 20_000;

/// Expiry histogram buckets: upper bounds in seconds from the snapshot time.
const EXPIRY_BUCKETS: [(&str, i64); 6] = [
    ("expired", 0),
    ("< 1 hour", 3600),
    ("< 1 day", 86_400),
    ("< 1 week", 7 * 86_400),
    ("< 30 days", 30 * 86_400),
    (">= 30 days", i64::MAX),
];

/// Count and estimated bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tally {
    /// Number of keys.
    pub keys: u64,
    /// Estimated bytes.
    pub bytes: u64,
}

impl Tally {
    fn add(&mut self, bytes: u64) {
        self.keys += 1;
        self.bytes += bytes;
    }
}

/// One key's line of the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyReport {
    /// Estimated bytes in memory.
    pub size: u64,
    /// Database.
    pub db: u64,
    /// Key name.
    pub key: Vec<u8>,
    /// Type name.
    pub type_name: &'static str,
    /// Encoding Redis would use.
    pub encoding: &'static str,
    /// Number of elements.
    pub elements: u64,
    /// Length of the longest element.
    pub largest_element: u64,
    /// Expiry, unix milliseconds.
    pub expire_ms: Option<i64>,
}

/// The whole report.
#[derive(Debug, Default)]
pub struct Report {
    /// All keys.
    pub total: Tally,
    /// By type.
    pub by_type: BTreeMap<&'static str, Tally>,
    /// By encoding.
    pub by_encoding: BTreeMap<&'static str, Tally>,
    /// By database.
    pub by_db: BTreeMap<u64, Tally>,
    /// By key prefix.
    pub by_prefix: HashMap<Vec<u8>, Tally>,
    /// Whether prefixes were dropped to bound memory.
    pub prefixes_approximate: bool,
    /// Keys per expiry bucket (same order as the bucket names), and keys
    /// without expiry last.
    pub expiry: [u64; EXPIRY_BUCKETS.len() + 1],
    /// The biggest keys, smallest first (a bounded heap).
    top: BinaryHeap<Reverse<KeyReport>>,
    /// Snapshot time (aux `ctime`), unix seconds.
    pub ctime: Option<i64>,
}

/// The encoding Redis 7.0 gives a value after loading it.
pub fn loaded_encoding(value: &Value, rdb_type: u8) -> &'static str {
    match value {
        Value::String(s) if s.len() <= 20 && parse_canonical_int(s).is_some() => "int",
        Value::String(s) if s.len() <= 44 => "embstr",
        Value::String(_) => "raw",
        _ => match rdb_type {
            t::HASH_ZIPMAP | t::HASH_ZIPLIST | t::ZSET_ZIPLIST => "listpack",
            other => t::encoding_name(other),
        },
    }
}

fn largest_element(value: &Value) -> u64 {
    let max = match value {
        Value::String(s) => s.len(),
        Value::List(v) | Value::Set(v) => v.iter().map(Vec::len).max().unwrap_or(0),
        Value::SortedSet(v) => v.iter().map(|(m, _)| m.len()).max().unwrap_or(0),
        Value::Hash(v) => v
            .iter()
            .map(|(f, x)| f.len().max(x.len()))
            .max()
            .unwrap_or(0),
        Value::HashWithFieldExpiry(v) => v
            .iter()
            .map(|f| f.field.len().max(f.value.len()))
            .max()
            .unwrap_or(0),
        Value::Stream(s) => s
            .entries
            .iter()
            .flat_map(|e| e.fields.iter().map(|(f, v)| f.len().max(v.len())))
            .max()
            .unwrap_or(0),
        Value::Module(_) => 0,
    };
    max as u64
}

/// The prefix of `key`: its first `depth` ':'-separated segments (the
/// whole key when it has no more segments than that).
pub fn prefix_of(key: &[u8], depth: usize) -> &[u8] {
    let mut seen = 0;
    for (i, &b) in key.iter().enumerate() {
        if b == b':' {
            seen += 1;
            if seen == depth {
                return &key[..i];
            }
        }
    }
    key
}

impl Report {
    /// Builds the per-key line for `entry`, taking its name.
    pub fn key_report(entry: KeyEntry) -> KeyReport {
        KeyReport {
            size: key_size(&entry.key, &entry.value, entry.rdb_type) as u64,
            db: entry.db,
            key: entry.key,
            type_name: entry.value.type_name(),
            encoding: loaded_encoding(&entry.value, entry.rdb_type),
            elements: entry.value.len() as u64,
            largest_element: largest_element(&entry.value),
            expire_ms: entry.expire_ms,
        }
    }

    /// Counts one key.
    pub fn add(&mut self, line: &KeyReport, top_n: usize, prefix_depth: usize) {
        self.total.add(line.size);
        self.by_type
            .entry(line.type_name)
            .or_default()
            .add(line.size);
        self.by_encoding
            .entry(line.encoding)
            .or_default()
            .add(line.size);
        self.by_db.entry(line.db).or_default().add(line.size);
        let prefix = prefix_of(&line.key, prefix_depth);
        match self.by_prefix.get_mut(prefix) {
            Some(tally) => tally.add(line.size),
            None => {
                if self.by_prefix.len() >= MAX_PREFIXES {
                    self.prune_prefixes();
                }
                self.by_prefix
                    .entry(prefix.to_vec())
                    .or_default()
                    .add(line.size);
            }
        }
        let bucket = match line.expire_ms {
            None => EXPIRY_BUCKETS.len(),
            Some(ms) => {
                let now = self.ctime.unwrap_or(0) * 1000;
                let left = (ms - now) / 1000;
                EXPIRY_BUCKETS
                    .iter()
                    .position(|&(_, bound)| left < bound || (bound == 0 && ms <= now))
                    .unwrap_or(EXPIRY_BUCKETS.len() - 1)
            }
        };
        self.expiry[bucket] += 1;
        // Most keys are smaller than the smallest kept: no copy for those.
        let kept = self.top.len() < top_n
            || self
                .top
                .peek()
                .is_some_and(|Reverse(smallest)| line > smallest);
        if top_n > 0 && kept {
            self.top.push(Reverse(line.clone()));
            if self.top.len() > top_n {
                self.top.pop();
            }
        }
    }

    fn prune_prefixes(&mut self) {
        let mut sizes: Vec<u64> = self.by_prefix.values().map(|t| t.bytes).collect();
        sizes.sort_unstable();
        let cut = sizes[sizes.len() / 2];
        self.by_prefix.retain(|_, t| t.bytes > cut);
        self.prefixes_approximate = true;
    }

    /// The biggest keys, biggest first.
    pub fn top_keys(&self) -> Vec<KeyReport> {
        let mut keys: Vec<KeyReport> = self.top.iter().map(|r| r.0.clone()).collect();
        keys.sort_by(|a, b| b.cmp(a));
        keys
    }

    /// The biggest prefixes, biggest first, at most `n`.
    pub fn top_prefixes(&self, n: usize) -> Vec<(Vec<u8>, Tally)> {
        let mut prefixes: Vec<(Vec<u8>, Tally)> = self
            .by_prefix
            .iter()
            .map(|(p, t)| (p.clone(), *t))
            .collect();
        prefixes.sort_by(|a, b| b.1.bytes.cmp(&a.1.bytes).then_with(|| a.0.cmp(&b.0)));
        prefixes.truncate(n);
        prefixes
    }
}

/// Formats unix milliseconds as an ISO 8601 UTC timestamp.
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (proleptic Gregorian), shifted so eras start in March.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + (month <= 2) as i64;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn csv_field(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.into_owned()
    }
}

/// The CSV header (rdbtools' columns).
pub const CSV_HEADER: &str =
    "database,type,key,size_in_bytes,encoding,num_elements,len_largest_element,expiry";

/// One CSV row.
pub fn csv_row(line: &KeyReport) -> String {
    format!(
        "{},{},{},{},{},{},{},{}",
        line.db,
        line.type_name,
        csv_field(&line.key),
        line.size,
        line.encoding,
        line.elements,
        line.largest_element,
        line.expire_ms.map(iso8601).unwrap_or_default()
    )
}

fn human(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// The report as JSON.
pub fn report_json(report: &Report, top: usize) -> serde_json::Value {
    let tallies = |m: Vec<(String, Tally)>| -> serde_json::Value {
        m.into_iter()
            .map(|(k, t)| (k, json!({"keys": t.keys, "bytes": t.bytes})))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    json!({
        "total": {"keys": report.total.keys, "bytes": report.total.bytes},
        "by_type": tallies(report.by_type.iter().map(|(k, t)| (k.to_string(), *t)).collect()),
        "by_encoding": tallies(report.by_encoding.iter().map(|(k, t)| (k.to_string(), *t)).collect()),
        "by_db": tallies(report.by_db.iter().map(|(k, t)| (k.to_string(), *t)).collect()),
        "top_keys": report.top_keys().iter().map(|k| json!({
            "db": k.db, "key": String::from_utf8_lossy(&k.key), "type": k.type_name,
            "encoding": k.encoding, "bytes": k.size, "elements": k.elements,
            "expire_ms": k.expire_ms,
        })).collect::<Vec<_>>(),
        "top_prefixes": report.top_prefixes(top).iter().map(|(p, t)| json!({
            "prefix": String::from_utf8_lossy(p), "keys": t.keys, "bytes": t.bytes,
        })).collect::<Vec<_>>(),
        "prefixes_approximate": report.prefixes_approximate,
        "expiry": EXPIRY_BUCKETS.iter().map(|(name, _)| *name).chain(["no expiry"])
            .zip(report.expiry.iter())
            .map(|(name, n)| (name.to_owned(), json!(n)))
            .collect::<serde_json::Map<_, _>>(),
    })
}

/// The report as a readable text table.
pub fn report_text(report: &Report, top: usize) -> String {
    let mut out = String::new();
    let mut section = |title: &str, rows: Vec<(String, Tally)>| {
        out.push_str(&format!("\n{title}\n"));
        out.push_str(&format!("  {:<32} {:>10} {:>12}\n", "", "keys", "memory"));
        for (name, t) in rows {
            out.push_str(&format!(
                "  {:<32} {:>10} {:>12}\n",
                name,
                t.keys,
                human(t.bytes)
            ));
        }
    };
    section("Total", vec![("all keys".to_owned(), report.total)]);
    section(
        "By type",
        report
            .by_type
            .iter()
            .map(|(k, t)| (k.to_string(), *t))
            .collect(),
    );
    section(
        "By encoding",
        report
            .by_encoding
            .iter()
            .map(|(k, t)| (k.to_string(), *t))
            .collect(),
    );
    section(
        "By database",
        report
            .by_db
            .iter()
            .map(|(k, t)| (format!("db{k}"), *t))
            .collect(),
    );
    let prefix_title = if report.prefixes_approximate {
        "Biggest key prefixes (approximate: many distinct prefixes)"
    } else {
        "Biggest key prefixes"
    };
    section(
        prefix_title,
        report
            .top_prefixes(top)
            .into_iter()
            .map(|(p, t)| (String::from_utf8_lossy(&p).into_owned(), t))
            .collect(),
    );
    out.push_str("\nBiggest keys\n");
    out.push_str(&format!(
        "  {:<32} {:>4} {:<7} {:<10} {:>10} {:>12}  expiry\n",
        "key", "db", "type", "encoding", "elements", "memory"
    ));
    for k in report.top_keys() {
        out.push_str(&format!(
            "  {:<32} {:>4} {:<7} {:<10} {:>10} {:>12}  {}\n",
            String::from_utf8_lossy(&k.key),
            k.db,
            k.type_name,
            k.encoding,
            k.elements,
            human(k.size),
            k.expire_ms.map(iso8601).unwrap_or_else(|| "-".to_owned())
        ));
    }
    out.push_str("\nExpiry (from the snapshot's time)\n");
    for ((name, _), n) in EXPIRY_BUCKETS.iter().zip(&report.expiry) {
        out.push_str(&format!("  {name:<32} {n:>10}\n"));
    }
    out.push_str(&format!(
        "  {:<32} {:>10}\n",
        "no expiry",
        report.expiry[EXPIRY_BUCKETS.len()]
    ));
    out
}

/// Reads `args.file` and builds the report, writing CSV rows as it goes.
pub fn analyze(args: &AnalyzeArgs) -> Result<Report, String> {
    let mut csv: Option<Box<dyn Write>> = match &args.csv {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(Box::new(BufWriter::new(std::io::stdout()))),
        Some(p) => Some(Box::new(BufWriter::new(
            File::create(p).map_err(|e| format!("{}: {e}", p.display()))?,
        ))),
    };
    if let Some(out) = &mut csv {
        writeln!(out, "{CSV_HEADER}").map_err(|e| e.to_string())?;
    }
    let mut report = Report::default();
    for_each_rdb_item(&args.file, |item| {
        match item {
            Item::Aux { key, value } if key == b"ctime" => {
                report.ctime = std::str::from_utf8(&value)
                    .ok()
                    .and_then(|v| v.parse().ok());
            }
            Item::Key(entry) => {
                let line = Report::key_report(entry);
                if let Some(out) = &mut csv {
                    writeln!(out, "{}", csv_row(&line)).map_err(|e| e.to_string())?;
                }
                report.add(&line, args.top, args.prefix_depth.max(1));
            }
            _ => {}
        }
        Ok(true)
    })?;
    if let Some(mut out) = csv {
        out.flush().map_err(|e| e.to_string())?;
    }
    Ok(report)
}

/// Runs `rkv-rdb analyze`.
pub fn run(args: &AnalyzeArgs) -> ExitCode {
    let result = analyze(args).and_then(|report| {
        if let Some(path) = &args.html {
            let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            write_html(
                &mut BufWriter::new(file),
                &report,
                args.top,
                &args.file.display().to_string(),
            )
            .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let csv_on_stdout = args.csv.as_ref().is_some_and(|p| p.as_os_str() == "-");
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&report_json(&report, args.top)).unwrap_or_default()
            );
        } else if !csv_on_stdout {
            print!("{}", report_text(&report, args.top));
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rkv-rdb: {e}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_cut_at_the_requested_depth() {
        assert_eq!(prefix_of(b"user:1:name", 1), b"user");
        assert_eq!(prefix_of(b"user:1:name", 2), b"user:1");
        assert_eq!(prefix_of(b"plain", 1), b"plain");
    }

    #[test]
    fn timestamps_format_in_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(4_102_444_800_123), "2100-01-01T00:00:00.123Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn top_keys_and_prefix_pruning_stay_bounded() {
        let mut report = Report::default();
        for i in 0..(MAX_PREFIXES as u64 + 10) {
            let line = KeyReport {
                size: i,
                db: 0,
                key: format!("p{i}:x").into_bytes(),
                type_name: "string",
                encoding: "embstr",
                elements: 1,
                largest_element: 1,
                expire_ms: None,
            };
            report.add(&line, 3, 1);
        }
        assert!(report.by_prefix.len() <= MAX_PREFIXES);
        assert!(report.prefixes_approximate);
        let sizes: Vec<u64> = report.top_keys().iter().map(|k| k.size).collect();
        let n = MAX_PREFIXES as u64 + 10;
        assert_eq!(sizes, vec![n - 1, n - 2, n - 3]);
        assert_eq!(
            report.top_prefixes(1)[0].0,
            format!("p{}", n - 1).into_bytes()
        );
    }

    #[test]
    fn smaller_keys_leave_the_top_unchanged() {
        let mut report = Report::default();
        for (i, size) in [50u64, 40, 60, 10, 55, 5, 60].into_iter().enumerate() {
            let line = KeyReport {
                size,
                db: 0,
                key: format!("k{i}").into_bytes(),
                type_name: "string",
                encoding: "embstr",
                elements: 1,
                largest_element: 1,
                expire_ms: None,
            };
            report.add(&line, 3, 1);
        }
        let top: Vec<(u64, Vec<u8>)> = report
            .top_keys()
            .into_iter()
            .map(|k| (k.size, k.key))
            .collect();
        assert_eq!(
            top,
            vec![
                (60, b"k6".to_vec()),
                (60, b"k2".to_vec()),
                (55, b"k4".to_vec())
            ]
        );
        assert_eq!(report.total.keys, 7);
    }
}
