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

/// What a client's buffers and bookkeeping take, as CLIENT LIST `tot-mem`
/// counts it (less the arguments of a command being run).
pub fn client_memory(c: &Client) -> usize {
    FIXED_CLIENT_BYTES + c.omem + c.qbuf + c.qbuf_free + c.multi.mem_overhead()
}

/// Whether `c` may be evicted for `maxmemory-clients`.
fn evictable(c: &Client) -> bool {
    !c.no_evict && !c.monitor && !c.close_asap
}

/// Disconnects the biggest clients while all clients together use more
/// than `maxmemory-clients`; `caller` (the client running a command) may
/// be one of them. Returns how many were evicted.
pub fn evict_clients(srv: &mut Server, caller: &mut Client) -> usize {
    if srv.config.maxmemory_clients == 0 {
        return 0;
    }
    let limit = (srv.config.maxmemory_clients as usize).max(MIN_LIMIT);
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
