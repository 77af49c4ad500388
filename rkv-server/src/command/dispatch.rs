//! Running one command: Redis's `processCommand` checks then `call`, in one
//! order (lookup, arity, protection, authentication, pause, execute,
//! statistics, slow log, latency, MONITOR). Handlers never repeat these.

use std::fmt::Write as _;

use rkv_proto::ReplyWriter;

use super::ctx::Ctx;
use super::spec::{flags, CommandSpec};
use super::table::CommandId;
use crate::client::{Client, ReplyMode};
use crate::config::ProtectedAccess;
use crate::errors;
use crate::server::Server;

/// What the connection should do after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Go on with the next command.
    Continue,
    /// A CLIENT PAUSE holds this command back: retry it later, unconsumed.
    Paused,
    /// The command blocked the client (BLPOP...): its reply comes later
    /// through `Client::pushed`; run nothing more from it until then.
    Blocked,
}

/// Runs one request from `client`, appending the reply to `out`.
pub fn execute(
    srv: &mut Server,
    client: &mut Client,
    argv: &[&[u8]],
    out: &mut Vec<u8>,
) -> Outcome {
    // The cached clock is refreshed when the command is called (`call`),
    // as Redis's `call` does from the same clock read that times it.
    client.last_interaction_ms = srv.now_ms;
    let reply_start = out.len();
    let dirty_before = srv.dirty;
    crate::tracking::before_command(srv, client.id, reply_start);
    let outcome = check_and_call(srv, client, argv, out);
    // Keys the command found expired or created: their events go out now
    // (commands touching other databases drain those themselves).
    let (protocol, db) = (client.protocol, client.db);
    let mut tail = ReplyWriter::new(out, protocol);
    crate::keyspace_events::drain_pending_db(srv, Some((&mut *client, &mut tail)), db);
    if outcome == Outcome::Continue {
        let filtered = std::mem::take(&mut client.multi.replies_filtered);
        apply_reply_mode(client, out, reply_start, filtered);
    }
    // Like Redis's handleClientsBlockedOnKeys after each command: a write
    // may have given blocked clients a key to pop from.
    if srv.dirty != dirty_before && srv.blocking.any() {
        crate::blocking::handle_ready_keys_after(srv, client, out);
    }
    crate::tracking::after_command(srv, client, out, outcome != Outcome::Paused);
    outcome
}

/// CLIENT REPLY OFF/SKIP: Redis drops a reply when the mode in force once
/// the command ran (rejections included) says so, then moves SKIP along:
/// the command after `CLIENT REPLY SKIP` is the one skipped. `filtered`:
/// the command (EXEC) already dropped what was silenced.
fn apply_reply_mode(client: &mut Client, reply: &mut Vec<u8>, reply_start: usize, filtered: bool) {
    match client.reply_mode {
        ReplyMode::Off if !filtered => reply.truncate(reply_start),
        ReplyMode::Off => {}
        ReplyMode::Skip => {
            if !filtered {
                reply.truncate(reply_start);
            }
            client.reply_mode = ReplyMode::On;
        }
        ReplyMode::SkipNext => client.reply_mode = ReplyMode::Skip,
        ReplyMode::On => {}
    }
}

/// The checks of Redis's `processCommand`, then the call.
fn check_and_call(
    srv: &mut Server,
    client: &mut Client,
    argv: &[&[u8]],
    out: &mut Vec<u8>,
) -> Outcome {
    let mut reply = ReplyWriter::new(out, client.protocol);
    let id = match srv.commands.resolve(argv) {
        Ok(id) => id,
        Err(container) => {
            let msg = if container {
                unknown_subcommand(argv)
            } else {
                unknown_command(argv)
            };
            // Redis clears `lastcmd` on a failed lookup (CLIENT LIST cmd=NULL).
            "NULL".clone_into(&mut client.last_cmd);
            reject(srv, client, argv, &mut reply, None, &msg);
            return Outcome::Continue;
        }
    };
    let entry = srv.commands.entry(id);
    // Redis records the command as the client's last before any check.
    if client.last_cmd != entry.full_name {
        client.last_cmd.clone_from(&entry.full_name);
    }
    let spec = entry.spec;
    if (spec.arity > 0 && argv.len() != spec.arity as usize)
        || (argv.len() as i64) < -(spec.arity as i64)
    {
        let msg = format!(
            "ERR wrong number of arguments for '{}' command",
            entry.full_name
        );
        reject(srv, client, argv, &mut reply, Some(id), &msg);
        return Outcome::Continue;
    }
    if spec.has(flags::PROTECTED) && !protected_allowed(srv, client) {
        let msg = format!(
            "ERR {} command not allowed. If the enable-debug-command option is set to \"local\", you can \
             run it from a local connection, otherwise you need to set this option in the configuration \
             file, and then restart the server.",
            spec.name.to_ascii_uppercase()
        );
        reject(srv, client, argv, &mut reply, Some(id), &msg);
        return Outcome::Continue;
    }
    if srv.auth_required() && !client.authenticated && !spec.has(flags::NO_AUTH) {
        reject(srv, client, argv, &mut reply, Some(id), errors::NOAUTH);
        return Outcome::Continue;
    }
    if client.multi.active && spec.has(flags::NO_MULTI) {
        let msg = "ERR Command not allowed inside a transaction";
        reject(srv, client, argv, &mut reply, Some(id), msg);
        return Outcome::Continue;
    }
    // Redis evicts clients over maxmemory-clients first; a caller evicted
    // itself gets no reply.
    if srv.config.maxmemory_clients != 0 {
        crate::evict::clients::evict_clients(srv, client);
        if client.close_asap {
            return Outcome::Continue;
        }
    }
    // Redis's maxmemory step: evict first, then refuse what may grow memory.
    // Our master's writes are applied whatever our memory (it evicts).
    // Computed once: a script command's flags come from its script.
    let eff = effective_flags(srv, client, spec, argv);
    if srv.config.maxmemory != 0 && !crate::replication::replica::is_master_client(client) {
        let denyoom = eff & flags::DENYOOM != 0;
        if crate::evict::rejects_for_oom(srv, client, &mut reply, spec, denyoom) {
            reject(srv, client, argv, &mut reply, Some(id), errors::OOM);
            return Outcome::Continue;
        }
    }
    // Writes (and PING) are refused while snapshots fail, so a broken disk
    // is noticed (stop-writes-on-bgsave-error).
    if !crate::replication::replica::is_master_client(client)
        && crate::persistence::write_denied(srv, eff, spec.name == "ping")
    {
        let msg = crate::persistence::MISCONF;
        reject(srv, client, argv, &mut reply, Some(id), msg);
        return Outcome::Continue;
    }
    // min-replicas-to-write: too few replicas acknowledged lately.
    if eff & flags::WRITE != 0 && !crate::replication::master::enough_good_replicas(srv) {
        reject(srv, client, argv, &mut reply, Some(id), errors::NOREPLICAS);
        return Outcome::Continue;
    }
    // A read-only replica takes writes from its master only.
    if let Some(msg) = crate::replication::replica::refusal_for_write(srv, client, eff) {
        reject(srv, client, argv, &mut reply, Some(id), msg);
        return Outcome::Continue;
    }
    // While the link is down, `replica-serve-stale-data no` leaves only
    // the `stale` commands (INFO, REPLICAOF...).
    if let Some(msg) = crate::replication::replica::refusal_for_stale(srv, eff) {
        reject(srv, client, argv, &mut reply, Some(id), msg);
        return Outcome::Continue;
    }
    if srv.rdb.loading && !spec.has(flags::LOADING) {
        let msg = crate::persistence::LOADING;
        reject(srv, client, argv, &mut reply, Some(id), msg);
        return Outcome::Continue;
    }
    // Redis 7.0 restricts RESP2 subscribers to a few commands (RESP3
    // interleaves pushes with replies, so anything goes there).
    if crate::families::pubsub::in_subscribed_context(client)
        && !spec.has(flags::SUBSCRIBED_CONTEXT)
    {
        let msg = format!(
            "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET \
             are allowed in this context",
            entry.full_name
        );
        reject(srv, client, argv, &mut reply, Some(id), &msg);
        return Outcome::Continue;
    }
    let may_replicate = eff & (flags::WRITE | flags::MAY_REPLICATE) != 0;
    // Redis flags MONITOR clients as replicas: they may not touch the
    // keyspace, and (like replicas) are never paused.
    if client.monitor && (may_replicate || eff & flags::READONLY != 0) {
        reject(
            srv,
            client,
            argv,
            &mut reply,
            Some(id),
            errors::REPLICA_KEYSPACE,
        );
        return Outcome::Continue;
    }
    if let Some(pause) = srv.pause {
        srv.update_clock();
        let held = !pause.writes_only || may_replicate;
        if held && pause.until_ms > srv.now_ms && !client.monitor {
            return Outcome::Paused;
        }
    }
    if may_replicate && srv.replication.failover.pauses_writes() && !client.monitor {
        return Outcome::Paused;
    }
    if client.multi.active && !spec.has(flags::RUNS_IN_MULTI) {
        let dirty_cas = client.dirty_cas.get();
        client.multi.queue(id, argv, eff, dirty_cas);
        reply.simple("QUEUED");
        return Outcome::Continue;
    }
    let blocked = call(srv, client, argv, reply, id);
    client.repl_write_offset = srv.replication.master_repl_offset;
    if blocked {
        Outcome::Blocked
    } else {
        Outcome::Continue
    }
}

/// The flags the checks see, as Redis's `getCommandFlags` and
/// `processCommand` compute them: EXEC adds those of the queued commands (a
/// transaction with a write is a write), and a script that declares flags
/// (EVAL's shebang, a function's `flags`) stands for its command's.
fn effective_flags(srv: &Server, client: &Client, spec: &CommandSpec, argv: &[&[u8]]) -> u32 {
    if client.multi.active && crate::families::transactions::is_exec(spec) {
        return spec.flags | client.multi.flags;
    }
    match declared_script_flags(srv, spec, argv) {
        Some(script) => script_command_flags(spec.flags, script),
        None => spec.flags,
    }
}

/// The flags the script a command runs declares, if it runs one that does:
/// EVAL reads its body's shebang, EVALSHA the cached script's, FCALL the
/// function's. `None` for other commands, unknown scripts and EVAL scripts
/// without a shebang (compatibility mode).
fn declared_script_flags(srv: &Server, spec: &CommandSpec, argv: &[&[u8]]) -> Option<u32> {
    use crate::scripting::flags::{parse_shebang, EVAL_COMPAT_MODE};
    let target = argv.get(1)?;
    let declared = match spec.name {
        "eval" | "eval_ro" => parse_shebang(target).ok()?.0,
        "evalsha" | "evalsha_ro" => srv.scripting.eval.get(target)?.flags,
        "fcall" | "fcall_ro" => srv.scripting.functions.function(target)?.flags,
        _ => return None,
    };
    (declared & EVAL_COMPAT_MODE == 0).then_some(declared)
}

/// Redis's `scriptFlagsToCmdFlags`: a script's declared flags replace its
/// command's write/denyoom/stale flags; no MAY_REPLICATE guess is needed.
fn script_command_flags(cmd_flags: u32, script: u32) -> u32 {
    use crate::scripting::flags::{ALLOW_OOM, ALLOW_STALE, NO_WRITES};
    let mut f = cmd_flags & !(flags::STALE | flags::DENYOOM | flags::WRITE | flags::MAY_REPLICATE);
    if script & (ALLOW_OOM | NO_WRITES) == 0 {
        f |= flags::DENYOOM;
    }
    if script & NO_WRITES == 0 {
        f |= flags::WRITE;
    }
    if script & ALLOW_STALE != 0 {
        f |= flags::STALE;
    }
    f
}

/// Why a script's `redis.call` was refused before running (Redis's
/// `scriptCall` checks); the text becomes the script's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptCallRefusal {
    /// No such command (or subcommand).
    Unknown,
    /// Arity mismatch.
    WrongArity,
    /// The command is flagged `noscript`.
    NoScript,
    /// A write from a read-only script (EVAL_RO, FCALL_RO, `no-writes`).
    WriteFromReadOnly,
    /// A command that may grow memory while over `maxmemory` (scripts
    /// without `allow-oom` that have not written yet).
    OutOfMemory,
    /// A write on a read-only replica (scripts that have not written yet).
    ReadOnlyReplica,
}

impl ScriptCallRefusal {
    /// Redis's text for the refusal (without an error code).
    pub fn message(self) -> &'static str {
        match self {
            ScriptCallRefusal::Unknown => "Unknown Redis command called from script",
            ScriptCallRefusal::WrongArity => {
                "Wrong number of args calling Redis command from script"
            }
            ScriptCallRefusal::NoScript => "This Redis command is not allowed from script",
            ScriptCallRefusal::WriteFromReadOnly => {
                "Write commands are not allowed from read-only scripts."
            }
            ScriptCallRefusal::OutOfMemory => {
                "-OOM command not allowed when used memory > 'maxmemory'."
            }
            ScriptCallRefusal::ReadOnlyReplica => {
                "-READONLY You can't write against a read only replica."
            }
        }
    }

    /// The error code counted in errorstats for the refusal.
    pub fn code(self) -> &'static str {
        match self {
            ScriptCallRefusal::OutOfMemory => "OOM",
            ScriptCallRefusal::ReadOnlyReplica => "READONLY",
            _ => "ERR",
        }
    }
}

/// Runs one command for a script (`redis.call`/`redis.pcall`): the checks
/// Redis's `scriptCall` makes, then the same [`call`] clients go through, so
/// command statistics, the slow log, MONITOR and keyspace effects are
/// shared. The reply is appended to `out` in `script_client`'s protocol.
/// `wrote` is set when a write command runs (SCRIPT KILL then refuses).
pub fn call_from_script(
    srv: &mut Server,
    script_client: &mut Client,
    argv: &[&[u8]],
    out: &mut Vec<u8>,
    read_only: bool,
    allow_oom: bool,
    wrote: &mut bool,
) -> Result<(), ScriptCallRefusal> {
    let refuse = |srv: &mut Server, id: Option<CommandId>, why: ScriptCallRefusal| {
        srv.stats.count_error(why.code());
        if let Some(id) = id {
            srv.stats.commands[id].rejected_calls += 1;
        }
        Err(why)
    };
    let Ok(id) = srv.commands.resolve(argv) else {
        return refuse(srv, None, ScriptCallRefusal::Unknown);
    };
    let spec = srv.commands.entry(id).spec;
    if (spec.arity > 0 && argv.len() != spec.arity as usize)
        || (argv.len() as i64) < -(spec.arity as i64)
    {
        return refuse(srv, Some(id), ScriptCallRefusal::WrongArity);
    }
    if spec.has(flags::NOSCRIPT) {
        return refuse(srv, Some(id), ScriptCallRefusal::NoScript);
    }
    if read_only && (spec.has(flags::WRITE) || spec.has(flags::MAY_REPLICATE)) {
        return refuse(srv, Some(id), ScriptCallRefusal::WriteFromReadOnly);
    }
    // Redis's scriptVerifyWriteCommandAllow: a script that has not
    // written yet may not start writing on a read-only replica.
    if !*wrote
        && crate::replication::replica::refusal_for_write(srv, script_client, spec.flags).is_some()
    {
        return refuse(srv, Some(id), ScriptCallRefusal::ReadOnlyReplica);
    }
    // Redis's scriptVerifyOOM: over maxmemory, a script that has not
    // written yet may not start growing memory.
    if !allow_oom && crate::evict::script_call_oom(srv, spec.flags, *wrote) {
        return refuse(srv, Some(id), ScriptCallRefusal::OutOfMemory);
    }
    if spec.has(flags::WRITE) {
        *wrote = true;
    }
    let reply = ReplyWriter::new(out, script_client.protocol);
    call(srv, script_client, argv, reply, id);
    Ok(())
}

/// Shows a command to MONITOR clients before it runs: EVAL and FCALL are
/// `skip_monitor` so that, as in Redis, they appear before the commands
/// their script calls rather than after.
pub fn feed_monitors_before(srv: &mut Server, client: &Client, argv: &[&[u8]]) {
    if srv.monitors.is_empty() {
        return;
    }
    let mut own = Vec::new();
    let mut writer = ReplyWriter::new(&mut own, client.protocol);
    feed_monitors(srv, client, argv, 0, &mut writer);
}

/// Executes a resolved command and does the bookkeeping after it; true
/// when the command blocked the client. EXEC runs its queue through here.
pub(crate) fn call(
    srv: &mut Server,
    client: &mut Client,
    argv: &[&[u8]],
    reply: ReplyWriter<'_>,
    id: CommandId,
) -> bool {
    let spec = srv.commands.entry(id).spec;
    // One clock read times the command and, for an outermost call, is the
    // time it sees (a script's or a transaction's commands see the time
    // their caller started at, as in Redis).
    let started_us = crate::server::unix_us();
    if srv.call_depth == 0 {
        srv.set_clock_us(started_us);
    }
    srv.call_depth += 1;
    let mut ctx = Ctx {
        srv,
        client,
        argv,
        out: reply,
        cmd: spec,
        cmd_id: id,
        failed: false,
        redacted: 0,
        blocked: false,
        own_propagation: Default::default(),
        started_us,
    };
    ctx.srv.propagation.enter();
    let dirty_before = ctx.srv.dirty;
    (spec.handler)(&mut ctx);
    let dirty_moved = ctx.srv.dirty != dirty_before;
    ctx.srv.call_depth -= 1;
    // Wall-clock time, as Redis 7.0 measures it; a clock stepped back
    // counts as no time.
    let elapsed_us = (crate::server::unix_us() - started_us).max(0) as u64;
    crate::tracking::remember_keys(ctx.srv, ctx.client, spec, argv);
    let Ctx {
        srv,
        client,
        mut out,
        failed,
        redacted,
        blocked,
        own_propagation,
        ..
    } = ctx;
    let is_exec = crate::families::transactions::is_exec(spec);
    crate::propagate::after_handler(srv, client.db, argv, dirty_moved, own_propagation, is_exec);
    if srv.propagation.leave() {
        crate::propagate::flush(srv, true);
    }
    let stats = &mut srv.stats.commands[id];
    stats.calls += 1;
    stats.usec += elapsed_us;
    if failed {
        stats.failed_calls += 1;
    }
    srv.stats.total_commands_processed += 1;

    if !spec.has(flags::SKIP_SLOWLOG) && srv.config.slowlog_log_slower_than >= 0 {
        let threshold = srv.config.slowlog_log_slower_than;
        if elapsed_us >= threshold as u64 {
            let shown = redact(argv, redacted);
            let shown: Vec<&[u8]> = shown.iter().map(Vec::as_slice).collect();
            let name = client.name.clone().unwrap_or_default();
            let max_len = srv.config.slowlog_max_len as usize;
            srv.slowlog.record(
                threshold,
                max_len,
                &shown,
                elapsed_us,
                srv.now_ms / 1000,
                &client.addr,
                &name,
            );
        }
    }
    let event = if spec.has(flags::FAST) {
        "fast-command"
    } else {
        "command"
    };
    srv.latency.record(
        srv.config.latency_monitor_threshold,
        event,
        elapsed_us / 1000,
        srv.now_ms / 1000,
    );

    if !srv.monitors.is_empty() && !spec.has(flags::ADMIN) && !spec.has(flags::SKIP_MONITOR) {
        feed_monitors(srv, client, argv, redacted, &mut out);
    }
    blocked
}

/// Replies with a rejection (before execution) and counts it. Inside MULTI
/// the transaction is doomed; a rejected EXEC aborts it (even outside
/// MULTI), telling why, as Redis's `rejectCommand` does.
fn reject(
    srv: &mut Server,
    client: &mut Client,
    argv: &[&[u8]],
    reply: &mut ReplyWriter<'_>,
    id: Option<CommandId>,
    msg: &str,
) {
    client.multi.flag_error();
    if let Some(id) = id {
        srv.stats.commands[id].rejected_calls += 1;
    }
    let spec = id.map(|id| srv.commands.entry(id).spec);
    if spec.is_some_and(crate::families::transactions::is_exec) {
        crate::multi::discard(srv, client);
        // Redis's own rejection texts carry no `ERR` here.
        let why = msg.strip_prefix("ERR ").unwrap_or(msg);
        let text = format!("EXECABORT Transaction discarded because of: {why}");
        reply.error(&text);
        srv.stats.count_error("EXECABORT");
        // MONITOR saw MULTI: it sees the EXEC that ends the transaction.
        if !srv.monitors.is_empty() {
            feed_monitors(srv, client, argv, 0, reply);
        }
        return;
    }
    reply.error(msg);
    srv.stats.count_error(errors::error_code(msg));
}

/// Whether a `PROTECTED` command (DEBUG) may run for this client.
fn protected_allowed(srv: &Server, client: &Client) -> bool {
    match srv.config.enable_debug_command {
        ProtectedAccess::Yes => true,
        ProtectedAccess::No => false,
        ProtectedAccess::Local => is_local(&client.addr),
    }
}

fn is_local(addr: &str) -> bool {
    addr.starts_with("127.")
        || addr.starts_with("[::1]")
        || addr.starts_with("::1")
        || addr.starts_with('/')
}

/// `ERR unknown command 'x', with args beginning with: 'a' 'b' `, as Redis builds it.
fn unknown_command(argv: &[&[u8]]) -> String {
    let mut args = String::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        let text = String::from_utf8_lossy(&a[..a.len().min(room)]).into_owned();
        let _ = write!(args, "'{text}' ");
    }
    let name = String::from_utf8_lossy(&argv[0][..argv[0].len().min(128)]).into_owned();
    format!("ERR unknown command '{name}', with args beginning with: {args}")
}

/// `ERR unknown subcommand 'x'. Try CONFIG HELP.`
fn unknown_subcommand(argv: &[&[u8]]) -> String {
    let sub = String::from_utf8_lossy(&argv[1][..argv[1].len().min(128)]).into_owned();
    let container = String::from_utf8_lossy(argv[0]).to_ascii_uppercase();
    format!("ERR unknown subcommand '{sub}'. Try {container} HELP.")
}

/// Arguments with redacted ones replaced, as MONITOR and the slow log show them.
fn redact(argv: &[&[u8]], redacted: u64) -> Vec<Vec<u8>> {
    argv.iter()
        .enumerate()
        .map(|(i, a)| {
            if i < 64 && redacted & (1 << i) != 0 {
                b"(redacted)".to_vec()
            } else {
                a.to_vec()
            }
        })
        .collect()
}

/// Sends `+<time> [<db> <addr>] "arg" ...` to every MONITOR client.
fn feed_monitors(
    srv: &mut Server,
    client: &Client,
    argv: &[&[u8]],
    redacted: u64,
    own_reply: &mut ReplyWriter<'_>,
) {
    let now_us = crate::server::unix_us();
    let mut line = format!(
        "+{}.{:06} [{} {}]",
        now_us / 1_000_000,
        now_us % 1_000_000,
        client.db,
        client.addr
    );
    for a in redact(argv, redacted) {
        line.push(' ');
        line.push_str(&rkv_proto::quote_repr(&a));
    }
    line.push_str("\r\n");
    let monitors = srv.monitors.clone();
    let limits = srv.config.client_output_buffer_limit;
    for id in monitors {
        if id == client.id {
            // A monitor sees its own commands too, after their replies.
            own_reply.raw(line.as_bytes());
            continue;
        }
        if let Some(m) = srv.clients.get(&id) {
            if let Ok(mut m) = m.try_borrow_mut() {
                crate::output_limit::push(&limits, &mut m, line.as_bytes(), srv.now_ms);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_command_text() {
        let argv: Vec<&[u8]> = vec![b"foo", b"a", b"b"];
        assert_eq!(
            unknown_command(&argv),
            "ERR unknown command 'foo', with args beginning with: 'a' 'b' "
        );
        let argv: Vec<&[u8]> = vec![b"foo"];
        assert_eq!(
            unknown_command(&argv),
            "ERR unknown command 'foo', with args beginning with: "
        );
    }
}
