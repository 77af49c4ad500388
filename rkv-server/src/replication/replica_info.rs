//! What a replica shows of its link: INFO replication's replica lines and
//! ROLE's replica form.

use std::fmt::Write;

use super::replica::LinkState;
use crate::command::ctx::Ctx;
use crate::server::Server;

/// Writes the replica-side lines of INFO replication (`master_host` to
/// `replica_announced`), when this server is a replica.
pub fn info_fields(out: &mut String, srv: &Server) {
    let Some(link) = srv.replication.link.as_ref() else {
        return;
    };
    let now = srv.now_ms / 1000;
    let (applied, read) = link.offsets();
    let up = link.state == LinkState::Connected;
    let last_io = if link.master.is_some() {
        now - link.last_io
    } else {
        -1
    };
    let _ = write!(
        out,
        "master_host:{}\r\n\
         master_port:{}\r\n\
         master_link_status:{}\r\n\
         master_last_io_seconds_ago:{last_io}\r\n\
         master_sync_in_progress:{}\r\n\
         slave_read_repl_offset:{read}\r\n\
         slave_repl_offset:{applied}\r\n",
        link.host,
        link.port,
        if up { "up" } else { "down" },
        u8::from(link.state == LinkState::Transfer),
    );
    if link.state == LinkState::Transfer {
        let t = link.transfer;
        let perc = if t.size != 0 {
            t.read as f64 / t.size as f64 * 100.0
        } else {
            0.0
        };
        let _ = write!(
            out,
            "master_sync_total_bytes:{}\r\n\
             master_sync_read_bytes:{}\r\n\
             master_sync_left_bytes:{}\r\n\
             master_sync_perc:{perc:.2}\r\n\
             master_sync_last_io_seconds_ago:{}\r\n",
            t.size,
            t.read,
            t.size - t.read,
            now - t.last_io,
        );
    }
    if !up {
        let down = if link.down_since != 0 {
            now - link.down_since
        } else {
            -1
        };
        let _ = write!(out, "master_link_down_since_seconds:{down}\r\n");
    }
    let _ = write!(
        out,
        "slave_priority:{}\r\n\
         slave_read_only:{}\r\n\
         replica_announced:{}\r\n",
        srv.config.replica_priority,
        u8::from(srv.config.replica_read_only),
        u8::from(srv.config.replica_announced),
    );
}

/// ROLE on a replica: `slave`, the master's host and port, the link's
/// state, and the applied offset (-1 when not connected).
pub fn role_reply(ctx: &mut Ctx) {
    let Some(link) = ctx.srv.replication.link.as_ref() else {
        return;
    };
    let host = link.host.clone();
    let port = link.port;
    let state = link.state.role_word();
    let offset = link.master.as_ref().map_or(-1, |m| m.position.reploff);
    ctx.out.array(5);
    ctx.out.bulk(b"slave");
    ctx.out.bulk(host.as_bytes());
    ctx.out.int(port.into());
    ctx.out.bulk(state.as_bytes());
    ctx.out.int(offset);
}
