//! DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the databases and
//! load the dump back (Redis's `debug.c`), a round trip through the RDB code.

use super::convert::Limits;
use super::{load, saving};
use crate::command::Ctx;

/// Redis's reply when the dump cannot be read back.
const LOAD_FAILED: &str = "ERR Error trying to load the RDB dump";

/// `DEBUG RELOAD ...` (the dispatcher already checked DEBUG's protection).
pub fn debug_reload(ctx: &mut Ctx) {
    let (mut flush, mut save) = (true, true);
    for opt in &ctx.argv[2..] {
        if opt.eq_ignore_ascii_case(b"merge") {
            // Loading replaces keys of the same name, so merging needs no flag.
        } else if opt.eq_ignore_ascii_case(b"noflush") {
            flush = false;
        } else if opt.eq_ignore_ascii_case(b"nosave") {
            save = false;
        } else {
            return ctx
                .error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
        }
    }
    if save && saving::save_now(ctx.srv).is_err() {
        return ctx.error("ERR");
    }
    if flush {
        crate::keyspace_events::signal_flushed_db(ctx.srv, None);
        // Redis's emptyData clears the function libraries too.
        ctx.srv.scripting.functions.flush();
        for db in ctx.srv.dbs.iter_mut() {
            drop(db.take_all());
        }
    }
    let srv = &mut *ctx.srv;
    srv.update_clock();
    let path = srv.config.dir.join(&srv.config.dbfilename);
    let limits = Limits::from_config(&srv.config);
    let loaded = load::load_file(
        &mut srv.dbs,
        &path,
        &limits,
        srv.config.rdbchecksum,
        srv.now_ms,
    );
    let loaded = loaded.and_then(|stats| match stats {
        Some(stats) => load::install_functions(srv, &stats.functions).map(|()| Some(stats)),
        None => Ok(None),
    });
    match loaded {
        Ok(Some(_)) => {
            crate::warning!("DB reloaded by DEBUG RELOAD");
            ctx.out.ok();
        }
        Ok(None) => ctx.error(LOAD_FAILED),
        Err(e) => {
            crate::warning!("{e}");
            ctx.error(LOAD_FAILED);
        }
    }
}
