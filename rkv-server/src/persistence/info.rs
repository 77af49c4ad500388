//! The INFO `persistence` section.

use std::fmt::Write as _;

use super::state::LoadingProgress;
use crate::server::Server;

/// Appends the fields of INFO persistence (Redis 7.0's order): RDB, then
/// the AOF's (and module-fork) fields, then loading progress.
pub fn write_section(out: &mut String, srv: &Server) {
    let rdb = &srv.rdb;
    let (in_progress, current_secs, keys_total) = match rdb.child {
        Some(child) => (
            1,
            child.started.elapsed().as_secs() as i64,
            child.keys_total,
        ),
        None => (0, -1, 0),
    };
    let _ = write!(
        out,
        "loading:{}\r\n\
         async_loading:0\r\n\
         current_cow_peak:0\r\n\
         current_cow_size:0\r\n\
         current_cow_size_age:0\r\n\
         current_fork_perc:0.00\r\n\
         current_save_keys_processed:0\r\n\
         current_save_keys_total:{keys_total}\r\n\
         rdb_changes_since_last_save:{}\r\n\
         rdb_bgsave_in_progress:{in_progress}\r\n\
         rdb_last_save_time:{}\r\n\
         rdb_last_bgsave_status:{}\r\n\
         rdb_last_bgsave_time_sec:{}\r\n\
         rdb_current_bgsave_time_sec:{current_secs}\r\n\
         rdb_saves:{}\r\n\
         rdb_last_cow_size:{}\r\n\
         rdb_last_load_keys_expired:{}\r\n\
         rdb_last_load_keys_loaded:{}\r\n",
        u8::from(rdb.loading),
        srv.dirty,
        rdb.lastsave,
        if rdb.last_bgsave_ok { "ok" } else { "err" },
        rdb.last_bgsave_time_sec,
        rdb.saves,
        rdb.last_cow_size,
        rdb.last_load_keys_expired,
        rdb.last_load_keys_loaded,
    );
    crate::aof::info_fields(srv, out);
    if rdb.loading {
        write_loading_progress(out, &rdb.loading_progress, srv.now_ms / 1000);
    }
}

/// The `loading_*` fields Redis adds while it loads, with its percentage
/// and ETA arithmetic.
fn write_loading_progress(out: &mut String, p: &LoadingProgress, now: i64) {
    let (mut perc, mut remaining) = (0.0, 1i64);
    if p.total_bytes > 0 {
        perc = p.loaded_bytes as f64 / p.total_bytes as f64 * 100.0;
        remaining = p.total_bytes as i64 - p.loaded_bytes as i64;
    } else if p.rdb_used_mem > 0 {
        perc = (p.loaded_bytes as f64 / p.rdb_used_mem as f64 * 100.0).min(99.99);
        remaining = (p.rdb_used_mem as i64 - p.loaded_bytes as i64).max(1);
    }
    let elapsed = now - p.start_time;
    let eta = if elapsed == 0 {
        1
    } else {
        elapsed * remaining / (p.loaded_bytes as i64 + 1)
    };
    let _ = write!(
        out,
        "loading_start_time:{}\r\n\
         loading_total_bytes:{}\r\n\
         loading_rdb_used_mem:{}\r\n\
         loading_loaded_bytes:{}\r\n\
         loading_loaded_perc:{perc:.2}\r\n\
         loading_eta_seconds:{eta}\r\n",
        p.start_time, p.total_bytes, p.rdb_used_mem, p.loaded_bytes,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loading_progress_follows_redis_arithmetic() {
        let p = LoadingProgress {
            start_time: 100,
            total_bytes: 1000,
            rdb_used_mem: 0,
            loaded_bytes: 249,
        };
        let mut out = String::new();
        write_loading_progress(&mut out, &p, 110);
        assert!(out.contains("loading_loaded_perc:24.90\r\n"), "{out}");
        // 10 s elapsed, 751 bytes left at 250 bytes per 10 s.
        assert!(out.contains("loading_eta_seconds:30\r\n"), "{out}");
    }
}
