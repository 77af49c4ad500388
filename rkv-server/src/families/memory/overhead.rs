//! Redis's `getMemoryOverheadData` for rkv: where the used memory goes
//! (startup, clients, key tables, dataset), the allocator's ratios, and the
//! plain-language findings MEMORY DOCTOR draws from them.

use crate::memory::{allocator_stats, rss_bytes, used_memory};
use crate::server::Server;

/// `sizeof(dictEntry*)`: one bucket of a key table.
const BUCKET: usize = 8;
/// `sizeof(dictEntry)` as Redis counts a table entry.
const DICT_ENTRY: usize = 24;
/// `sizeof(dict)`.
const DICT: usize = 56;

/// Per-database table overhead (MEMORY STATS `db.N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbOverhead {
    /// Database index.
    pub db: usize,
    /// Main key table: buckets, entries and table header.
    pub main: usize,
    /// Expiry table.
    pub expires: usize,
}

/// The figures MEMORY STATS and MEMORY DOCTOR report.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryOverhead {
    /// Highest used memory seen.
    pub peak_allocated: usize,
    /// Used memory now.
    pub total_allocated: usize,
    /// Used memory once start-up finished.
    pub startup_allocated: usize,
    /// Buffers of normal (non-replica) clients.
    pub clients_normal: usize,
    /// Number of normal clients.
    pub clients: usize,
    /// Non-empty databases.
    pub dbs: Vec<DbOverhead>,
    /// Everything that is not data.
    pub overhead_total: usize,
    /// Keys in all databases.
    pub total_keys: usize,
    /// Data bytes.
    pub dataset: usize,
    /// Dataset as a percentage of memory past start-up.
    pub dataset_perc: f64,
    /// Used memory as a percentage of the peak.
    pub peak_perc: f64,
    /// jemalloc's allocated, active and resident bytes.
    pub allocator_allocated: usize,
    /// See `allocator_allocated`.
    pub allocator_active: usize,
    /// See `allocator_allocated`.
    pub allocator_resident: usize,
    /// RSS of the process.
    pub rss: usize,
}

impl MemoryOverhead {
    /// Collects the figures now (updates the server's peak).
    pub fn collect(srv: &mut Server, caller_buffers: usize) -> MemoryOverhead {
        let used = used_memory();
        srv.peak_memory = srv.peak_memory.max(used);
        let alloc = allocator_stats();
        let startup = srv.used_memory_startup.min(used);
        let mut clients_normal = caller_buffers;
        let mut clients = 1;
        for c in srv.clients.values() {
            if let Ok(c) = c.try_borrow() {
                clients_normal += c.qbuf + c.pending_output();
                clients += 1;
            }
        }
        let dbs: Vec<DbOverhead> = srv
            .dbs
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.is_empty())
            .map(|(i, d)| DbOverhead {
                db: i,
                main: DICT + d.bucket_count() * BUCKET + d.len() * DICT_ENTRY,
                expires: d.expires_len().next_power_of_two() * BUCKET
                    + d.expires_len() * DICT_ENTRY,
            })
            .collect();
        let tables: usize = dbs.iter().map(|d| d.main + d.expires).sum();
        let overhead_total = (startup + clients_normal + tables).min(used);
        let dataset = used - overhead_total;
        let net = used.saturating_sub(startup);
        MemoryOverhead {
            peak_allocated: srv.peak_memory,
            total_allocated: used,
            startup_allocated: startup,
            clients_normal,
            clients,
            dbs,
            overhead_total,
            total_keys: srv.dbs.iter().map(|d| d.len()).sum(),
            dataset,
            dataset_perc: percent(dataset, net),
            peak_perc: percent(used, srv.peak_memory),
            allocator_allocated: alloc.allocated,
            allocator_active: alloc.active,
            allocator_resident: alloc.resident,
            rss: rss_bytes(),
        }
    }

    /// Bytes per key beyond start-up memory (0 without keys).
    pub fn bytes_per_key(&self) -> usize {
        let net = self.total_allocated.saturating_sub(self.startup_allocated);
        net.checked_div(self.total_keys).unwrap_or(0)
    }

    /// Active over allocated: fragmentation inside jemalloc's pages.
    pub fn allocator_frag(&self) -> (f64, i64) {
        ratio(self.allocator_active, self.allocator_allocated)
    }

    /// Resident over active: pages jemalloc holds but does not use.
    pub fn allocator_rss(&self) -> (f64, i64) {
        ratio(self.allocator_resident, self.allocator_active)
    }

    /// RSS over resident: memory outside the allocator.
    pub fn rss_extra(&self) -> (f64, i64) {
        ratio(self.rss, self.allocator_resident)
    }

    /// RSS over used memory: the overall fragmentation ratio.
    pub fn total_frag(&self) -> (f64, i64) {
        ratio(self.rss, self.total_allocated)
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

fn ratio(a: usize, b: usize) -> (f64, i64) {
    let r = if b == 0 { 0.0 } else { a as f64 / b as f64 };
    (r, a as i64 - b as i64)
}

/// Thresholds of Redis's memory doctor.
const SMALL_INSTANCE: usize = 5 << 20;
const WASTE_FLOOR: i64 = 10 << 20;
const CLIENT_AVERAGE_LIMIT: usize = 200 << 10;

/// MEMORY DOCTOR's report: the checks Redis's doctor makes (peak far above
/// current use, fragmentation inside and outside the allocator, big client
/// buffers), each finding in plain words with what to do about it.
pub fn doctor_report(m: &MemoryOverhead) -> String {
    if m.total_allocated < SMALL_INSTANCE {
        return "Hi. This instance holds less than 5 MB of data, too little for any \
                memory finding to mean something. Come back once it has grown.\n"
            .to_string();
    }
    let mut findings: Vec<String> = Vec::new();
    if m.peak_allocated as f64 / m.total_allocated as f64 > 1.5 {
        findings.push(format!(
            "Peak memory: memory use once reached {} bytes, more than 150% of the {} bytes \
             in use now. Memory the allocator got back is not always returned to the \
             system, so the RSS may stay near the peak; this is expected after big \
             deletions. MEMORY PURGE asks the allocator to return what it can.",
            m.peak_allocated, m.total_allocated
        ));
    }
    let (frag, frag_bytes) = m.total_frag();
    if frag > 1.4 && frag_bytes > WASTE_FLOOR {
        findings.push(format!(
            "High total RSS overhead: the process RSS is {frag:.2} times the memory in use \
             ({frag_bytes} bytes more). See the allocator findings below for where it \
             comes from."
        ));
    }
    let (afrag, afrag_bytes) = m.allocator_frag();
    if afrag > 1.1 && afrag_bytes > WASTE_FLOOR {
        findings.push(format!(
            "High allocator fragmentation: jemalloc's active pages hold {afrag:.2} times \
             the bytes in use ({afrag_bytes} bytes of holes). This comes from freeing \
             values of mixed sizes; it shrinks as pages refill. rkv cannot defragment \
             actively."
        ));
    }
    let (arss, arss_bytes) = m.allocator_rss();
    if arss > 1.1 && arss_bytes > WASTE_FLOOR {
        findings.push(format!(
            "High allocator RSS overhead: jemalloc keeps {arss_bytes} bytes of resident \
             pages it does not use ({arss:.2} times its active pages). MEMORY PURGE \
             releases them."
        ));
    }
    let (extra, extra_bytes) = m.rss_extra();
    if extra > 1.1 && extra_bytes > WASTE_FLOOR {
        findings.push(format!(
            "High process RSS overhead: {extra_bytes} bytes of the RSS are outside the \
             allocator (code, stacks, the Lua heap, memory-mapped files)."
        ));
    }
    if m.clients > 0 && m.clients_normal / m.clients > CLIENT_AVERAGE_LIMIT {
        findings.push(format!(
            "Big client buffers: clients hold {} bytes of query and output buffers, more \
             than 200 KB each on average. Slow readers of big replies or pub/sub \
             messages cause this; client-output-buffer-limit caps it, and CLIENT LIST \
             (qbuf, omem) shows who.",
            m.clients_normal
        ));
    }
    if findings.is_empty() {
        return "Hi. I looked at this instance's memory and found nothing to worry \
                about.\n"
            .to_string();
    }
    let mut s = String::from("Hi. I looked at this instance's memory and found:\n\n");
    for f in &findings {
        s.push_str(" * ");
        s.push_str(f);
        s.push_str("\n\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(used: usize, peak: usize) -> MemoryOverhead {
        MemoryOverhead {
            peak_allocated: peak,
            total_allocated: used,
            startup_allocated: 1 << 20,
            clients_normal: 0,
            clients: 1,
            dbs: Vec::new(),
            overhead_total: 1 << 20,
            total_keys: 10,
            dataset: used - (1 << 20),
            dataset_perc: 50.0,
            peak_perc: 100.0,
            allocator_allocated: used,
            allocator_active: used,
            allocator_resident: used,
            rss: used,
        }
    }

    #[test]
    fn small_instances_get_no_findings() {
        assert!(doctor_report(&figures(1 << 20, 1 << 20)).contains("less than 5 MB"));
    }

    #[test]
    fn healthy_instances_are_told_so() {
        assert!(doctor_report(&figures(50 << 20, 50 << 20)).contains("nothing to worry"));
    }

    #[test]
    fn findings_are_listed() {
        let mut m = figures(50 << 20, 200 << 20);
        m.allocator_active = 80 << 20;
        m.allocator_resident = 80 << 20;
        m.rss = 80 << 20;
        m.clients_normal = 10 << 20;
        m.clients = 2;
        let r = doctor_report(&m);
        assert!(r.contains("Peak memory"), "{r}");
        assert!(r.contains("allocator fragmentation"), "{r}");
        assert!(r.contains("total RSS overhead"), "{r}");
        assert!(r.contains("Big client buffers"), "{r}");
        assert!(!r.contains("High process RSS overhead"), "{r}");
    }

    #[test]
    fn bytes_per_key() {
        let m = figures(3 << 20, 3 << 20);
        assert_eq!(m.bytes_per_key(), (2 << 20) / 10);
    }
}
