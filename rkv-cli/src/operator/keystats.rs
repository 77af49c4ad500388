//! `--keystats`: --bigkeys and --memkeys in one pass, with the top key
//! sizes, a key-size percentile table and a key-name length distribution,
//! laid out as redis-cli 7.4+ prints them.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rkv_proto::{quote_repr, Frame};

use super::bigkeys::{key_sizes, key_types, known_types, TypeStats};
use super::info::bytes_to_human;
use super::scan::scan_page;
use crate::format::OutputMode;
use crate::session::{interrupted, Session};
use crate::KeyspaceArgs;

/// How often the live summary is redrawn on a terminal.
const REFRESH: Duration = Duration::from_millis(300);

/// Upper bounds of the key-name length buckets (0: anything longer).
const LENGTH_BUCKETS: [u64; 8] = [
    1 << 5,
    1 << 8,
    1 << 16,
    1024 * 1024,
    16 * 1024 * 1024,
    128 * 1024 * 1024,
    512 * 1024 * 1024,
    0,
];

/// One of the biggest keys seen.
struct TopKey {
    size: u64,
    kind: String,
    quoted_name: String,
}

/// Everything gathered so far.
struct Stats {
    sampled: u64,
    total_keys: u64,
    total_size: u64,
    mem: Vec<TypeStats>,
    big: Vec<TypeStats>,
    top: Vec<TopKey>,
    top_limit: usize,
    sizes: Vec<u64>,
    length_counts: [u64; LENGTH_BUCKETS.len()],
    length_total: u64,
    length_max: u64,
}

/// Runs the scan; Ctrl-C stops it early with the summary so far.
pub fn run(session: &mut Session, keyspace: &KeyspaceArgs, interval: Option<f64>) -> ExitCode {
    let tty = session.mode == OutputMode::Standard;
    let total_keys = match session.link.as_mut().map(|l| l.call(&["DBSIZE"])) {
        Some(Ok(Frame::Integer(n))) => n.max(0) as u64,
        Some(Ok(Frame::Error(e))) => {
            eprintln!("Couldn't determine DBSIZE: {e}");
            return ExitCode::from(1);
        }
        _ => {
            eprintln!("\nI/O error");
            return ExitCode::from(1);
        }
    };
    println!(
        "\n# Scanning the entire keyspace to find the biggest keys and distribution information."
    );
    println!("# Use -i 0.1 to sleep 0.1 sec per 100 SCAN commands (not usually needed).");
    println!("# Use --top <n> to display <n> top key sizes (default is 10).");
    println!("# Ctrl-C to stop the scan.\n");
    let mut stats = Stats {
        sampled: 0,
        total_keys,
        total_size: 0,
        mem: known_types(),
        big: known_types(),
        top: Vec::new(),
        top_limit: keyspace.top.unwrap_or(10) as usize,
        sizes: Vec::new(),
        length_counts: [0; LENGTH_BUCKETS.len()],
        length_total: 0,
        length_max: 0,
    };
    let mut cursor = String::from("0");
    let mut last_refresh = Instant::now();
    let mut loops = 0u64;
    loop {
        let (next, keys) = match scan_page(session, &cursor, keyspace) {
            Ok(page) => page,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        };
        loops += 1;
        if let Err(e) = add_page(session, &keys, keyspace, &mut stats) {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
        if tty && last_refresh.elapsed() > REFRESH {
            let lines = summary(&stats, tty);
            print!("{}\x1b[{}A\r", render(&lines, tty), lines.len());
            let _ = std::io::stdout().flush();
            last_refresh = Instant::now();
        }
        if let Some(secs) = interval {
            if loops.is_multiple_of(100) {
                std::thread::sleep(Duration::from_secs_f64(secs));
            }
        }
        cursor = next;
        if cursor == "0" || interrupted() {
            break;
        }
    }
    let mut lines = summary(&stats, tty);
    lines.push(String::new());
    lines.extend(size_percentiles(&mut stats.sizes));
    lines.push(String::new());
    lines.extend(length_distribution(&stats));
    lines.push(String::new());
    lines.extend(type_table(&stats));
    print!("{}", render(&lines, tty));
    if cursor != "0" {
        println!("\nScan interrupted at cursor {cursor}.");
    }
    ExitCode::SUCCESS
}

fn render(lines: &[String], tty: bool) -> String {
    let clear = if tty { "\x1b[2K\r" } else { "" };
    lines.iter().map(|l| format!("{clear}{l}\n")).collect()
}

/// Measures one SCAN page: memory and element counts per key.
fn add_page(
    session: &mut Session,
    keys: &[Vec<u8>],
    keyspace: &KeyspaceArgs,
    stats: &mut Stats,
) -> Result<(), String> {
    let mem_kinds = key_types(session, keys, &mut stats.mem)?;
    let mem_sizes = key_sizes(
        session,
        keys,
        &mem_kinds,
        &stats.mem,
        true,
        keyspace.memkeys_samples,
    )?;
    let big_kinds = key_types(session, keys, &mut stats.big)?;
    let big_sizes = key_sizes(session, keys, &big_kinds, &stats.big, false, None)?;
    for (i, key) in keys.iter().enumerate() {
        let (Some(mem_kind), Some(big_kind)) = (mem_kinds[i], big_kinds[i]) else {
            continue;
        };
        stats.total_size += mem_sizes[i];
        stats.sampled += 1;
        let kind_name = stats.mem[mem_kind].name.clone();
        insert_top(stats, key, mem_sizes[i], kind_name);
        update(&mut stats.mem[mem_kind], key, mem_sizes[i]);
        update(&mut stats.big[big_kind], key, big_sizes[i]);
        stats.sizes.push(mem_sizes[i]);
        let len = key.len() as u64;
        stats.length_total += len;
        stats.length_max = stats.length_max.max(len);
        let bucket = LENGTH_BUCKETS
            .iter()
            .position(|b| *b == 0 || len <= *b)
            .unwrap_or(LENGTH_BUCKETS.len() - 1);
        stats.length_counts[bucket] += 1;
    }
    Ok(())
}

fn update(stats: &mut TypeStats, key: &[u8], size: u64) {
    stats.total += size;
    stats.count += 1;
    if stats.biggest < size {
        stats.biggest = size;
        stats.biggest_key = Some(String::from_utf8_lossy(key).into_owned());
    }
}

/// Keeps the `top_limit` biggest keys, biggest first, earlier keys first
/// among equals.
fn insert_top(stats: &mut Stats, key: &[u8], size: u64, kind: String) {
    if stats.top_limit != 0
        && stats.top.len() == stats.top_limit
        && stats.top.last().is_some_and(|t| size <= t.size)
    {
        return;
    }
    let at = stats
        .top
        .iter()
        .position(|t| size > t.size)
        .unwrap_or(stats.top.len());
    stats.top.insert(
        at,
        TopKey {
            size,
            kind: kind.chars().take(9).collect(),
            quoted_name: quote_repr(key),
        },
    );
    if stats.top.len() > stats.top_limit {
        stats.top.truncate(stats.top_limit);
    }
}

/// Progress, top sizes and the biggest key per type.
fn summary(stats: &Stats, tty: bool) -> Vec<String> {
    let mut out = Vec::new();
    let done = if stats.total_keys == 0 {
        0.0
    } else {
        (stats.sampled as f64 / stats.total_keys as f64).min(1.0)
    };
    let bar = if tty {
        let filled = (60.0 * done).round() as usize;
        format!(
            "\x1b[32m{}\x1b[31m{}\x1b[39m",
            "|".repeat(filled),
            "-".repeat(60 - filled)
        )
    } else {
        "keys scanned".to_string()
    };
    out.push(format!("{:6.2}% {bar}", done * 100.0));
    out.push(format!("Keys sampled: {}", stats.sampled));
    out.push(format!(
        "Keys size:    {}",
        bytes_to_human(stats.total_size as i64)
    ));
    out.push(String::new());
    out.push(format!("--- Top {} key sizes ---", stats.top_limit));
    for (i, top) in stats.top.iter().enumerate() {
        out.push(format!(
            "{:3} {:>8} {:<10} {}",
            i + 1,
            bytes_to_human(top.size as i64),
            top.kind,
            top.quoted_name
        ));
    }
    out.push(String::new());
    out.push("--- Top size per type ---".into());
    for t in stats.mem.iter().filter(|t| t.biggest_key.is_some()) {
        out.push(format!(
            "{:<10} {} is {}",
            t.name,
            t.biggest_key.as_deref().unwrap_or_default(),
            bytes_to_human(t.biggest as i64)
        ));
    }
    out.push(String::new());
    out.push("--- Top length and cardinality per type ---".into());
    for t in stats.big.iter().filter(|t| t.biggest_key.is_some()) {
        let amount = if t.unit == "bytes" {
            bytes_to_human(t.biggest as i64)
        } else {
            format!("{} {}", t.biggest, t.unit)
        };
        out.push(format!(
            "{:<10} {} has {amount}",
            t.name,
            t.biggest_key.as_deref().unwrap_or_default()
        ));
    }
    out
}

/// Percentile rows at 0, 50, 75, 87.5, ... % (halving the remaining
/// distance each time, as an HDR histogram's percentile iterator does),
/// one row per distinct cumulative count.
fn size_percentiles(sizes: &mut [u64]) -> Vec<String> {
    let mut out = vec![
        "Key size Percentile Total keys".to_string(),
        "-------- ---------- -----------".to_string(),
    ];
    sizes.sort_unstable();
    let total = sizes.len() as u64;
    let mut next_percentile = 0.0f64;
    let mut last_count = 0u64;
    let mut i = 0usize;
    while i < sizes.len() {
        let value = sizes[i];
        let mut j = i;
        while j < sizes.len() && sizes[j] == value {
            j += 1;
        }
        let cumulative = j as u64;
        let current = 100.0 * cumulative as f64 / total as f64;
        while next_percentile <= current {
            if cumulative != last_count {
                let shown = if cumulative == total {
                    100.0
                } else {
                    next_percentile
                };
                out.push(format!(
                    "{:>8} {:9.4}% {:11}",
                    bytes_to_human(value as i64),
                    shown,
                    cumulative
                ));
                last_count = cumulative;
            }
            if next_percentile >= 100.0 {
                break;
            }
            let halvings = (100.0 / (100.0 - next_percentile)).log2().floor() + 1.0;
            next_percentile += 100.0 / 2f64.powf(halvings);
        }
        i = j;
    }
    let (mean, deviation) = mean_and_deviation(sizes);
    out.push(format!(
        "Note: 0.01% size precision, Mean: {}, StdDeviation: {}",
        bytes_to_human(mean as i64),
        bytes_to_human(deviation as i64)
    ));
    out
}

fn mean_and_deviation(values: &[u64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|v| *v as f64).sum::<f64>() / n;
    let variance = values
        .iter()
        .map(|v| (*v as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, variance.sqrt())
}

/// Cumulative counts of key-name lengths per bucket.
fn length_distribution(stats: &Stats) -> Vec<String> {
    let mut out = vec![
        "Key name length Percentile Total keys".to_string(),
        "--------------- ---------- -----------".to_string(),
    ];
    let total = stats.sampled;
    let mut cumulative = 0u64;
    for (bound, count) in LENGTH_BUCKETS.iter().zip(stats.length_counts) {
        if *bound == 0 || count == 0 {
            continue;
        }
        cumulative += count;
        out.push(format!(
            "{:>15} {:9.4}% {:11}",
            bytes_to_human((*bound).min(stats.length_max) as i64),
            100.0 * cumulative as f64 / total as f64,
            cumulative
        ));
    }
    if cumulative < total {
        out.push(format!("           inf {:9.4}% {:11}", 100.0, total));
    }
    let avg = stats
        .length_total
        .checked_div(total)
        .map_or_else(|| "0".to_string(), |avg| bytes_to_human(avg as i64));
    out.push(format!(
        "Total key length is {} ({avg} avg)",
        bytes_to_human(stats.length_total as i64)
    ));
    out
}

/// One row per type: counts, memory, and length or cardinality.
fn type_table(stats: &Stats) -> Vec<String> {
    let mut out = vec![
        "Type        Total keys  Keys % Tot size Avg size  Total length/card Avg ln/card"
            .to_string(),
        "--------- ------------ ------- -------- -------- ------------------ -----------"
            .to_string(),
    ];
    for mem in stats.mem.iter().filter(|t| t.count > 0) {
        let (mut total_length, mut avg_length) = (" - ".to_string(), " - ".to_string());
        if let Some(big) = stats.big.iter().find(|b| b.name == mem.name) {
            if big.size_command.is_some() && big.count > 0 {
                let avg = big.total as f64 / big.count as f64;
                if big.unit == "bytes" {
                    total_length = bytes_to_human(big.total as i64);
                    avg_length = bytes_to_human(avg.round() as i64);
                } else {
                    total_length = format!("{} {}", big.total, big.unit);
                    avg_length = format!("{avg:.2}");
                }
            }
        }
        let share = if stats.sampled > 0 {
            100.0 * mem.count as f64 / stats.sampled as f64
        } else {
            0.0
        };
        out.push(format!(
            "{:<10} {:11} {share:6.2}% {:>8} {:>8} {total_length:>18} {avg_length:>11}",
            mem.name,
            mem.count,
            bytes_to_human(mem.total as i64),
            bytes_to_human((mem.total / mem.count) as i64),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_halve_the_remaining_distance() {
        let mut sizes: Vec<u64> = (1..=8).collect();
        let rows = size_percentiles(&mut sizes);
        let counts: Vec<&str> = rows[2..rows.len() - 1]
            .iter()
            .map(|r| r.split_whitespace().last().unwrap())
            .collect();
        assert_eq!(counts, ["1", "4", "6", "7", "8"]);
        assert!(rows[rows.len() - 2].contains("100.0000%"));
        assert!(rows
            .last()
            .unwrap()
            .starts_with("Note: 0.01% size precision, Mean: 4B"));
    }

    #[test]
    fn top_keys_stay_sorted_and_bounded() {
        let mut stats = Stats {
            sampled: 0,
            total_keys: 0,
            total_size: 0,
            mem: known_types(),
            big: known_types(),
            top: Vec::new(),
            top_limit: 2,
            sizes: Vec::new(),
            length_counts: [0; LENGTH_BUCKETS.len()],
            length_total: 0,
            length_max: 0,
        };
        for (key, size) in [("a", 5), ("b", 9), ("c", 7), ("d", 1)] {
            insert_top(&mut stats, key.as_bytes(), size, "string".into());
        }
        let names: Vec<&str> = stats.top.iter().map(|t| t.quoted_name.as_str()).collect();
        assert_eq!(names, ["\"b\"", "\"c\""]);
    }
}
