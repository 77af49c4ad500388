//! Client eviction (`maxmemory-clients`): when the buffers of all normal
//! and pub/sub clients together pass the limit, the biggest clients are
//! disconnected until the total fits, as Redis 7.0's `evictClients` does.
//! Clients with CLIENT NO-EVICT on and MONITOR clients are never evicted.

use crate::client::Client;
use crate::server::Server;

/// Memory of a client's connection state that does not depend on its
/// buffers: Redis's `sizeof(client)` plus the 16 KB static reply buffer.
const FIXED_CLIENT_BYTES: usize = 784 + 16 * 1024;

/// Redis never lets the limit go below 128 KB, so a bad setting cannot
/// lock every client out.
const MIN_LIMIT: usize = 128 * 1024;

/// The limit in force (Redis's `getClientEvictionLimit`): bytes, or a
/// percentage of `maxmemory` when negative; none when 0 or a percentage
/// without `maxmemory`.
pub fn limit(setting: i64, maxmemory: u64) -> Option<usize> {
    let bytes = match setting {
        0 => return None,
        n if n < 0 && maxmemory == 0 => return None,
        n if n < 0 => (maxmemory as f64 * (-n) as f64 / 100.0) as usize,
        n => n as usize,
    };
    Some(bytes.max(MIN_LIMIT))
}

/// What a client's buffers and bookkeeping take, as CLIENT LIST `tot-mem`
/// counts it (less the arguments of a command being run).
pub fn client_memory(c: &Client) -> usize {
    FIXED_CLIENT_BYTES + c.pending_output() + c.qbuf + c.qbuf_free + c.multi.mem_overhead()
}

/// Whether `c` may be evicted for `maxmemory-clients`.
fn evictable(c: &Client) -> bool {
    !c.no_evict && !c.monitor && !c.close_asap
}

/// Disconnects the biggest clients while all clients together use more
/// than `maxmemory-clients`; `caller` (the client running a command) may
/// be one of them. Returns how many were evicted.
pub fn evict_clients(srv: &mut Server, caller: &mut Client) -> usize {
    let Some(limit) = limit(srv.config.maxmemory_clients, srv.config.maxmemory) else {
        return 0;
    };
    let mut sizes: Vec<(usize, u64)> = Vec::new();
    let mut total = 0;
    for (&id, c) in &srv.clients {
        let (size, can_go) = if id == caller.id {
            (client_memory(caller), evictable(caller))
        } else if let Ok(c) = c.try_borrow() {
            (client_memory(&c), evictable(&c))
        } else {
            continue;
        };
        total += size;
        if can_go {
            sizes.push((size, id));
        }
    }
    if total < limit {
        return 0;
    }
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let mut evicted = 0;
    for (size, id) in sizes {
        if total < limit {
            break;
        }
        if id == caller.id {
            caller.kill();
        } else if let Some(Ok(mut c)) = srv.clients.get(&id).map(|c| c.try_borrow_mut()) {
            c.kill();
        } else {
            continue;
        }
        total -= size;
        evicted += 1;
        srv.stats.evicted_clients += 1;
    }
    evicted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(limit(0, 1 << 30), None);
        assert_eq!(limit(-10, 0), None);
        assert_eq!(limit(-10, 100 << 20), Some(10 << 20));
        assert_eq!(limit(1, 0), Some(MIN_LIMIT));
        assert_eq!(limit(1 << 20, 0), Some(1 << 20));
    }
}
