//! INFO [section ...]: the server's report, section by section, with Redis
//! 7.0's field names and order.
//!
//! Memory figures come from jemalloc's own statistics, as Redis's do:
//! `used_memory` is what the allocator handed out, the ratios compare it with
//! jemalloc's active and resident pages and the process RSS. The overhead is
//! the start-up footprint plus the keyspace's hash-table arrays; per-client
//! buffer accounting is a later issue. Fields for features rkv does not have
//! (persistence, replication, scripting, forks...) report truthful zeros.

use std::fmt::Write as _;

use crate::command::flags;
use crate::command::{Arg, ArgKind};
use crate::command::{CommandSpec, Ctx};
use crate::families::pubsub::Class;
use crate::server::{Server, REDIS_VERSION, RKV_VERSION};

/// Declaration of INFO.
pub const SPEC: CommandSpec = CommandSpec {
    name: "info",
    arity: -1,
    flags: flags::LOADING | flags::STALE,
    acl: crate::command::acl::DANGEROUS,
    group: "server",
    summary: "Get information and statistics about the server",
    complexity: "O(1)",
    tips: &[
        "nondeterministic_output",
        "request_policy:all_shards",
        "response_policy:special",
    ],
    history: &[(
        "7.0.0",
        "Added support for taking multiple section arguments.",
    )],
    args: &[Arg {
        multiple: true,
        optional: true,
        ..Arg::new("section", ArgKind::String)
    }],
    handler: info,
    ..CommandSpec::BASE
};

/// Sections INFO shows without arguments (and for `default`).
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Which sections a call asked for, as Redis's `genInfoSectionDict` reads
/// the arguments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Named sections, lower case.
    pub names: Vec<String>,
    /// `all` (or `everything`) was given.
    pub all: bool,
}

impl Selection {
    /// Parses INFO's arguments (without the command name).
    pub fn parse(args: &[&[u8]]) -> Selection {
        let mut sel = Selection::default();
        if args.is_empty() {
            sel.add_defaults();
            return sel;
        }
        for a in args {
            let name = String::from_utf8_lossy(a).to_ascii_lowercase();
            match name.as_str() {
                "default" => sel.add_defaults(),
                "all" | "everything" => sel.all = true,
                _ => sel.add(name),
            }
        }
        sel
    }

    fn add_defaults(&mut self) {
        for s in DEFAULT_SECTIONS {
            self.add(s.to_string());
        }
    }

    fn add(&mut self, name: String) {
        if !self.names.contains(&name) {
            self.names.push(name);
        }
    }

    /// Whether section `name` is wanted.
    pub fn wants(&self, name: &str) -> bool {
        self.all || self.names.iter().any(|n| n == name)
    }
}

/// `INFO [section ...]`
fn info(ctx: &mut Ctx) {
    let sel = Selection::parse(&ctx.argv[1..]);
    let text = render(ctx.srv, &sel);
    ctx.out.verbatim("txt", text.as_bytes());
}

/// Builds the INFO text for `sel`: sections in Redis's order, separated by
/// an empty line, every line ending in CRLF.
pub fn render(srv: &mut Server, sel: &Selection) -> String {
    let mut out = String::new();
    let section = |out: &mut String, title: &str| {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        let _ = write!(out, "# {title}\r\n");
    };
    if sel.wants("server") {
        section(&mut out, "Server");
        server_section(&mut out, srv);
    }
    if sel.wants("clients") {
        section(&mut out, "Clients");
        clients_section(&mut out, srv);
    }
    if sel.wants("memory") {
        section(&mut out, "Memory");
        memory_section(&mut out, srv);
    }
    if sel.wants("persistence") {
        section(&mut out, "Persistence");
        persistence_section(&mut out, srv);
    }
    if sel.wants("stats") {
        section(&mut out, "Stats");
        stats_section(&mut out, srv);
    }
    if sel.wants("replication") {
        section(&mut out, "Replication");
        replication_section(&mut out, srv);
    }
    if sel.wants("cpu") {
        section(&mut out, "CPU");
        cpu_section(&mut out);
    }
    if sel.wants("module_list") || sel.wants("modules") {
        section(&mut out, "Modules");
    }
    if sel.wants("commandstats") {
        section(&mut out, "Commandstats");
        commandstats_section(&mut out, srv);
    }
    if sel.wants("errorstats") {
        section(&mut out, "Errorstats");
        for (code, n) in &srv.stats.errors {
            let _ = write!(out, "errorstat_{}:count={n}\r\n", safe_info(code));
        }
    }
    if sel.wants("latencystats") {
        // Per-command latency histograms are not tracked yet; Redis prints
        // the bare header when latency tracking is off.
        section(&mut out, "Latencystats");
    }
    if sel.wants("cluster") {
        section(&mut out, "Cluster");
        out.push_str("cluster_enabled:0\r\n");
    }
    if sel.wants("keyspace") {
        section(&mut out, "Keyspace");
        for (i, db) in srv.dbs.iter().enumerate() {
            let (keys, expires) = (db.len(), db.expires_len());
            if keys > 0 || expires > 0 {
                let _ = write!(out, "db{i}:keys={keys},expires={expires},avg_ttl=0\r\n");
            }
        }
    }
    out
}

/// Replaces the characters that would break INFO's line format.
fn safe_info(s: &str) -> String {
    s.chars()
        .map(|c| if "#:\n\r".contains(c) { '_' } else { c })
        .collect()
}

fn server_section(out: &mut String, srv: &Server) {
    let uptime = (srv.now_ms - srv.started_ms) / 1000;
    let (sys, release, machine) = uname();
    let config_file = srv
        .loaded_config
        .config_file
        .as_deref()
        .map(|p| {
            std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.to_path_buf())
                .display()
                .to_string()
        })
        .unwrap_or_default();
    let _ = write!(
        out,
        "redis_version:{REDIS_VERSION}\r\n\
         rkv_version:{RKV_VERSION}\r\n\
         redis_git_sha1:00000000\r\n\
         redis_git_dirty:0\r\n\
         redis_build_id:0\r\n\
         redis_mode:standalone\r\n\
         os:{sys} {release} {machine}\r\n\
         arch_bits:{}\r\n\
         monotonic_clock:POSIX clock_gettime\r\n\
         multiplexing_api:epoll\r\n\
         atomicvar_api:c11-builtin\r\n\
         gcc_version:0.0.0\r\n\
         process_id:{}\r\n\
         process_supervised:no\r\n\
         run_id:{}\r\n\
         tcp_port:{}\r\n\
         server_time_usec:{}\r\n\
         uptime_in_seconds:{uptime}\r\n\
         uptime_in_days:{}\r\n\
         hz:{}\r\n\
         configured_hz:{}\r\n\
         lru_clock:{}\r\n\
         executable:{}\r\n\
         config_file:{config_file}\r\n\
         io_threads_active:0\r\n",
        usize::BITS,
        std::process::id(),
        srv.run_id,
        srv.port,
        crate::server::unix_us(),
        uptime / (3600 * 24),
        srv.config.hz,
        srv.config.hz,
        crate::db::keyspace::lru_clock(srv.now_ms),
        srv.executable,
    );
}

/// `uname(2)`'s system name, release and machine.
fn uname() -> (String, String, String) {
    // SAFETY: `utsname` is plain old data; uname fills it with C strings.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is a valid, writable utsname.
    if unsafe { libc::uname(&mut u) } != 0 {
        return Default::default();
    }
    let text = |f: &[libc::c_char]| {
        let bytes: Vec<u8> = f
            .iter()
            .take_while(|c| **c != 0)
            .map(|c| *c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    (text(&u.sysname), text(&u.release), text(&u.machine))
}

fn clients_section(out: &mut String, srv: &Server) {
    let _ = write!(
        out,
        "connected_clients:{}\r\n\
         cluster_connections:0\r\n\
         maxclients:{}\r\n\
         client_recent_max_input_buffer:{}\r\n\
         client_recent_max_output_buffer:{}\r\n\
         blocked_clients:{}\r\n\
         tracking_clients:{}\r\n\
         clients_in_timeout_table:{}\r\n",
        srv.clients.len(),
        srv.config.maxclients,
        srv.stats.client_peaks.max_input(),
        srv.stats.client_peaks.max_output(),
        srv.blocking.blocked_clients(),
        srv.tracking.client_count(),
        srv.blocking.with_timeout(),
    );
}

/// Total RAM in bytes, from `/proc/meminfo`.
fn total_system_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// Redis's `bytesToHuman`: `100B`, `1.50K`, `2.00M`...
pub fn bytes_to_human(n: u64) -> String {
    const UNITS: &[(u64, char)] = &[
        (1 << 10, 'K'),
        (1 << 20, 'M'),
        (1 << 30, 'G'),
        (1 << 40, 'T'),
        (1 << 50, 'P'),
    ];
    UNITS
        .iter()
        .find(|(div, _)| n >= *div && n < div << 10)
        .map_or_else(
            || format!("{n}B"),
            |(div, unit)| format!("{:.2}{unit}", n as f64 / *div as f64),
        )
}

fn memory_section(out: &mut String, srv: &mut Server) {
    // The same breakdown as MEMORY STATS, so the two always agree.
    let m = crate::families::memory::overhead::MemoryOverhead::collect(srv, 0);
    let alloc = crate::memory::AllocatorStats {
        allocated: m.allocator_allocated,
        active: m.allocator_active,
        resident: m.allocator_resident,
        ..Default::default()
    };
    let (rss, used, peak, peak_perc) = (m.rss, m.total_allocated, m.peak_allocated, m.peak_perc);
    let (startup, overhead, dataset) = (m.startup_allocated, m.overhead_total, m.dataset);
    let dataset_perc = m.dataset_perc;
    let clients_normal = m.clients_normal;
    let lazyfree_pending = crate::families::generic::lazyfree::pending_objects();
    let lazyfreed = crate::families::generic::lazyfree::freed_objects();
    let ratio = |a: usize, b: usize| if b > 0 { a as f64 / b as f64 } else { 0.0 };
    let diff = |a: usize, b: usize| a as i64 - b as i64;
    let total = total_system_memory();
    let h = |n: usize| bytes_to_human(n as u64);
    let scripting = &srv.scripting;
    let vm_eval = scripting.eval.vm.used_memory();
    let vm_functions = scripting.functions.vm.used_memory();
    let vm_total = vm_eval + vm_functions;
    let scripts_eval = scripting.eval.scripts_memory();
    let cached_scripts = scripting.eval.len();
    let functions = scripting.functions.function_count();
    let libraries = scripting.functions.libraries().len();
    let functions_mem = scripting.functions.registry_memory();
    let scripts_mem = scripts_eval + functions_mem;
    let maxmemory = srv.config.maxmemory;
    let _ = write!(
        out,
        "used_memory:{used}\r\n\
         used_memory_human:{}\r\n\
         used_memory_rss:{rss}\r\n\
         used_memory_rss_human:{}\r\n\
         used_memory_peak:{peak}\r\n\
         used_memory_peak_human:{}\r\n\
         used_memory_peak_perc:{peak_perc:.2}%\r\n\
         used_memory_overhead:{overhead}\r\n\
         used_memory_startup:{startup}\r\n\
         used_memory_dataset:{dataset}\r\n\
         used_memory_dataset_perc:{dataset_perc:.2}%\r\n\
         allocator_allocated:{}\r\n\
         allocator_active:{}\r\n\
         allocator_resident:{}\r\n\
         total_system_memory:{total}\r\n\
         total_system_memory_human:{}\r\n\
         used_memory_lua:{vm_eval}\r\n\
         used_memory_vm_eval:{vm_eval}\r\n\
         used_memory_lua_human:{}\r\n\
         used_memory_scripts_eval:{scripts_eval}\r\n\
         number_of_cached_scripts:{cached_scripts}\r\n\
         number_of_functions:{functions}\r\n\
         number_of_libraries:{libraries}\r\n\
         used_memory_vm_functions:{vm_functions}\r\n\
         used_memory_vm_total:{vm_total}\r\n\
         used_memory_vm_total_human:{}\r\n\
         used_memory_functions:{functions_mem}\r\n\
         used_memory_scripts:{scripts_mem}\r\n\
         used_memory_scripts_human:{}\r\n\
         maxmemory:{maxmemory}\r\n\
         maxmemory_human:{}\r\n\
         maxmemory_policy:{}\r\n\
         allocator_frag_ratio:{:.2}\r\n\
         allocator_frag_bytes:{}\r\n\
         allocator_rss_ratio:{:.2}\r\n\
         allocator_rss_bytes:{}\r\n\
         rss_overhead_ratio:{:.2}\r\n\
         rss_overhead_bytes:{}\r\n\
         mem_fragmentation_ratio:{:.2}\r\n\
         mem_fragmentation_bytes:{}\r\n\
         mem_not_counted_for_evict:0\r\n\
         mem_replication_backlog:0\r\n\
         mem_total_replication_buffers:0\r\n\
         mem_clients_slaves:0\r\n\
         mem_clients_normal:{clients_normal}\r\n\
         mem_cluster_links:0\r\n\
         mem_aof_buffer:0\r\n\
         mem_allocator:jemalloc-5.3.0\r\n\
         active_defrag_running:0\r\n\
         lazyfree_pending_objects:{lazyfree_pending}\r\n\
         lazyfreed_objects:{lazyfreed}\r\n",
        h(used),
        h(rss),
        h(peak),
        alloc.allocated,
        alloc.active,
        alloc.resident,
        bytes_to_human(total),
        h(vm_eval),
        h(vm_total),
        h(scripts_mem),
        bytes_to_human(maxmemory),
        srv.config.maxmemory_policy.name(),
        ratio(alloc.active, alloc.allocated),
        diff(alloc.active, alloc.allocated),
        ratio(alloc.resident, alloc.active),
        diff(alloc.resident, alloc.active),
        ratio(rss, alloc.resident),
        diff(rss, alloc.resident),
        ratio(rss, used),
        diff(rss, used),
    );
}

fn persistence_section(out: &mut String, srv: &Server) {
    crate::persistence::info::write_section(out, srv);
}

fn stats_section(out: &mut String, srv: &Server) {
    let s = &srv.stats;
    let (exceeded_total_ms, exceeded_current_ms) = crate::evict::exceeded_times_ms(srv);
    let _ = write!(
        out,
        "total_connections_received:{}\r\n\
         total_commands_processed:{}\r\n\
         instantaneous_ops_per_sec:{}\r\n\
         total_net_input_bytes:{}\r\n\
         total_net_output_bytes:{}\r\n\
         total_net_repl_input_bytes:0\r\n\
         total_net_repl_output_bytes:0\r\n\
         instantaneous_input_kbps:{:.2}\r\n\
         instantaneous_output_kbps:{:.2}\r\n\
         instantaneous_input_repl_kbps:0.00\r\n\
         instantaneous_output_repl_kbps:0.00\r\n\
         rejected_connections:{}\r\n\
         sync_full:{}\r\n\
         sync_partial_ok:{}\r\n\
         sync_partial_err:{}\r\n\
         expired_keys:{}\r\n\
         expired_stale_perc:{:.2}\r\n\
         expired_time_cap_reached_count:{}\r\n\
         expire_cycle_cpu_milliseconds:{}\r\n\
         evicted_keys:{}\r\n\
         evicted_clients:{}\r\n\
         total_eviction_exceeded_time:{}\r\n\
         current_eviction_exceeded_time:{}\r\n\
         keyspace_hits:{}\r\n\
         keyspace_misses:{}\r\n\
         pubsub_channels:{}\r\n\
         pubsub_patterns:{}\r\n\
         pubsubshard_channels:{}\r\n\
         latest_fork_usec:0\r\n\
         total_forks:0\r\n\
         migrate_cached_sockets:0\r\n\
         slave_expires_tracked_keys:0\r\n\
         active_defrag_hits:0\r\n\
         active_defrag_misses:0\r\n\
         active_defrag_key_hits:0\r\n\
         active_defrag_key_misses:0\r\n\
         total_active_defrag_time:0\r\n\
         current_active_defrag_time:0\r\n\
         tracking_total_keys:{}\r\n\
         tracking_total_items:{}\r\n\
         tracking_total_prefixes:{}\r\n\
         unexpected_error_replies:0\r\n\
         total_error_replies:{}\r\n\
         dump_payload_sanitizations:0\r\n\
         total_reads_processed:{}\r\n\
         total_writes_processed:{}\r\n\
         io_threaded_reads_processed:0\r\n\
         io_threaded_writes_processed:0\r\n\
         reply_buffer_shrinks:0\r\n\
         reply_buffer_expands:0\r\n",
        s.total_connections_received,
        s.total_commands_processed,
        s.ops_samples.rate(),
        s.total_net_input_bytes,
        s.total_net_output_bytes,
        s.net_input_samples.rate() as f64 / 1024.0,
        s.net_output_samples.rate() as f64 / 1024.0,
        s.rejected_connections,
        s.sync_full,
        s.sync_partial_ok,
        s.sync_partial_err,
        srv.expired_keys().saturating_sub(s.expired_keys_at_reset),
        s.expired_stale_perc * 100.0,
        s.expired_time_cap_reached_count,
        s.expire_cycle_cpu_milliseconds,
        s.evicted_keys,
        s.evicted_clients,
        exceeded_total_ms,
        exceeded_current_ms,
        s.keyspace_hits,
        s.keyspace_misses,
        srv.pubsub.len(Class::Channel),
        srv.pubsub.len(Class::Pattern),
        srv.pubsub.len(Class::Shard),
        srv.tracking.key_count(),
        srv.tracking.item_count(),
        srv.tracking.prefix_count(),
        s.total_error_replies,
        // One read and one write per processed command is the closest
        // count kept; the connection layer does not count syscalls.
        s.total_commands_processed,
        s.total_commands_processed,
    );
}

fn replication_section(out: &mut String, srv: &Server) {
    crate::replication::info::section(out, srv);
}

/// `getrusage(who)` as `(sys, user)` CPU time formatted `sec.usec`.
fn rusage(who: libc::c_int) -> (String, String) {
    // SAFETY: `rusage` is plain old data that getrusage fills in.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage.
    unsafe { libc::getrusage(who, &mut ru) };
    let fmt = |t: libc::timeval| format!("{}.{:06}", t.tv_sec, t.tv_usec);
    (fmt(ru.ru_stime), fmt(ru.ru_utime))
}

fn cpu_section(out: &mut String) {
    let (sys, user) = rusage(libc::RUSAGE_SELF);
    let (csys, cuser) = rusage(libc::RUSAGE_CHILDREN);
    let _ = write!(
        out,
        "used_cpu_sys:{sys}\r\n\
         used_cpu_user:{user}\r\n\
         used_cpu_sys_children:{csys}\r\n\
         used_cpu_user_children:{cuser}\r\n"
    );
    #[cfg(target_os = "linux")]
    {
        let (tsys, tuser) = rusage(libc::RUSAGE_THREAD);
        let _ = write!(
            out,
            "used_cpu_sys_main_thread:{tsys}\r\n\
             used_cpu_user_main_thread:{tuser}\r\n"
        );
    }
}

fn commandstats_section(out: &mut String, srv: &Server) {
    for (id, entry) in srv.commands.iter() {
        let s = &srv.stats.commands[id];
        if s.calls == 0 && s.failed_calls == 0 && s.rejected_calls == 0 {
            continue;
        }
        let per_call = if s.calls == 0 {
            0.0
        } else {
            s.usec as f32 / s.calls as f32
        };
        let _ = write!(
            out,
            "cmdstat_{}:calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}\r\n",
            safe_info(&entry.full_name),
            s.calls,
            s.usec,
            s.rejected_calls,
            s.failed_calls,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(args: &[&str]) -> Selection {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        Selection::parse(&args)
    }

    #[test]
    fn section_selection_follows_redis() {
        let none = sel(&[]);
        assert!(none.wants("server") && none.wants("keyspace") && none.wants("errorstats"));
        assert!(!none.wants("commandstats") && !none.wants("latencystats"));
        assert_eq!(sel(&["default"]), none);
        let two = sel(&["CPU", "keyspace", "cpu"]);
        assert_eq!(two.names, ["cpu", "keyspace"]);
        assert!(!two.wants("server"));
        assert!(sel(&["all"]).wants("commandstats"));
        assert!(sel(&["everything"]).wants("latencystats"));
    }

    #[test]
    fn rendering_orders_sections_and_separates_them() {
        let mut srv = Server::new(crate::config::Config::from_args(&[]).unwrap());
        let text = render(&mut srv, &sel(&["keyspace", "server"]));
        assert!(text.starts_with("# Server\r\nredis_version:7.0.15\r\nrkv_version:"));
        assert!(text.ends_with("\r\n\r\n# Keyspace\r\n"));
        assert!(text.contains("\r\nredis_mode:standalone\r\n"));
        let text = render(&mut srv, &sel(&["nosuchsection"]));
        assert_eq!(text, "");
        let text = render(&mut srv, &sel(&["modules"]));
        assert_eq!(text, "# Modules\r\n");
    }

    #[test]
    fn human_sizes() {
        assert_eq!(bytes_to_human(100), "100B");
        assert_eq!(bytes_to_human(1536), "1.50K");
        assert_eq!(bytes_to_human(3 << 20), "3.00M");
        assert_eq!(bytes_to_human(5 << 30), "5.00G");
    }
}
