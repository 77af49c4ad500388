//! The INFO `persistence` section.

use std::fmt::Write as _;

use crate::server::Server;

/// Appends the fields of INFO persistence (Redis 7.0's order); the AOF and
/// module-fork fields report a server without them.
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
         rdb_last_load_keys_loaded:{}\r\n\
         aof_enabled:0\r\n\
         aof_rewrite_in_progress:0\r\n\
         aof_rewrite_scheduled:0\r\n\
         aof_last_rewrite_time_sec:-1\r\n\
         aof_current_rewrite_time_sec:-1\r\n\
         aof_last_bgrewrite_status:ok\r\n\
         aof_rewrites:0\r\n\
         aof_rewrites_consecutive_failures:0\r\n\
         aof_last_write_status:ok\r\n\
         aof_last_cow_size:0\r\n\
         module_fork_in_progress:0\r\n\
         module_fork_last_cow_size:0\r\n",
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
}
