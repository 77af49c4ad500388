//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's `multi.c`).
//!
//! Commands sent after MULTI are queued by dispatch (after the checks every
//! command passes; a rejection there dooms the transaction); EXEC runs the
//! queue through the ordinary call path, each command with its own
//! statistics, slow log entry and MONITOR line, and replies with one array.
//! Errors inside EXEC do not roll anything back.

use rkv_proto::ReplyWriter;
use smallvec::SmallVec;

use crate::client::ReplyMode;
use crate::command::dispatch;
use crate::command::{acl, flags, Arg, CommandSpec, Ctx, KeySpec};
use crate::multi;
use crate::watch;

/// Flags all five commands share.
const TX_FLAGS: u32 = flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::RUNS_IN_MULTI;

/// What the transaction commands have in common.
const TX: CommandSpec = CommandSpec {
    arity: 1,
    flags: TX_FLAGS | flags::FAST | flags::ALLOW_BUSY,
    acl: acl::TRANSACTION,
    group: "transactions",
    ..CommandSpec::BASE
};

/// EXEC of a transaction a command was rejected from.
pub const EXECABORT: &str = "EXECABORT Transaction discarded because of previous errors.";

/// The transaction commands.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "multi",
        since: "1.2.0",
        summary: "Mark the start of a transaction block",
        complexity: "O(1)",
        handler: multi,
        ..TX
    },
    CommandSpec {
        name: "exec",
        flags: TX_FLAGS | flags::SKIP_SLOWLOG,
        since: "1.2.0",
        summary: "Execute all commands issued after MULTI",
        complexity: "Depends on commands in the transaction",
        handler: exec,
        ..TX
    },
    CommandSpec {
        name: "discard",
        since: "2.0.0",
        summary: "Discard all commands issued after MULTI",
        complexity: "O(N), when N is the number of queued commands",
        handler: discard,
        ..TX
    },
    CommandSpec {
        name: "watch",
        arity: -2,
        since: "2.2.0",
        summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
        complexity: "O(1) for every key.",
        keys: &[KeySpec::range(&["RO"], 1, -1, 1)],
        args: &[Arg::key("key", 0).multiple()],
        handler: watch,
        ..TX
    },
    CommandSpec {
        name: "unwatch",
        since: "2.2.0",
        summary: "Forget about all watched keys",
        complexity: "O(1)",
        handler: unwatch,
        ..TX
    },
];

/// Whether `spec` is EXEC, whose checks see the queued commands' flags and
/// whose rejection aborts the transaction.
pub fn is_exec(spec: &CommandSpec) -> bool {
    spec.name == "exec"
}

/// `MULTI`
fn multi(ctx: &mut Ctx) {
    if ctx.client.multi.active {
        return ctx.error("ERR MULTI calls can not be nested");
    }
    ctx.client.multi.active = true;
    ctx.out.ok();
}

/// `DISCARD`
fn discard(ctx: &mut Ctx) {
    if !ctx.client.multi.active {
        return ctx.error("ERR DISCARD without MULTI");
    }
    multi::discard(ctx.srv, ctx.client);
    ctx.out.ok();
}

/// `EXEC`
fn exec(ctx: &mut Ctx) {
    if !ctx.client.multi.active {
        return ctx.error("ERR EXEC without MULTI");
    }
    let id = ctx.client.id;
    if watch::watched_key_expired(ctx.srv, id) {
        ctx.client.dirty_cas.set(true);
    }
    if ctx.client.multi.dirty_exec {
        ctx.error(EXECABORT);
        return multi::discard(ctx.srv, ctx.client);
    }
    if ctx.client.dirty_cas.get() {
        ctx.out.null_array();
        return multi::discard(ctx.srv, ctx.client);
    }
    let denied_before = ctx.client.deny_blocking;
    // Blocking commands answer at once inside a transaction.
    ctx.client.deny_blocking = true;
    watch::unwatch_all(ctx.srv, id);
    // The queue stays counted (CLIENT LIST `multi=`) while it runs.
    let queued = std::mem::take(&mut ctx.client.multi.queued);
    // As in Redis, CLIENT REPLY OFF/SKIP silences each reply added while it
    // is in force, the array header and queued CLIENT REPLY calls included.
    if !silenced(ctx.client.reply_mode) {
        ctx.out.array(queued.len());
    }
    let mut reply = Vec::new();
    for cmd in &queued {
        let argv: SmallVec<[&[u8]; 8]> = cmd.argv().collect();
        reply.clear();
        // A queued HELLO changes the protocol of the replies after it.
        let out = ReplyWriter::new(&mut reply, ctx.client.protocol);
        dispatch::call(ctx.srv, ctx.client, &argv, out, cmd.id);
        if !silenced(ctx.client.reply_mode) {
            ctx.out.raw(&reply);
        }
        // Events of keys this command found expired, before the next runs.
        ctx.drain_pending();
    }
    ctx.client.deny_blocking = denied_before;
    multi::discard(ctx.srv, ctx.client);
    ctx.client.multi.replies_filtered = true;
}

/// Whether CLIENT REPLY drops replies now.
fn silenced(mode: ReplyMode) -> bool {
    matches!(mode, ReplyMode::Off | ReplyMode::Skip)
}

/// `WATCH key [key ...]`
fn watch(ctx: &mut Ctx) {
    if ctx.client.multi.active {
        return ctx.error("ERR WATCH inside MULTI is not allowed");
    }
    // Already doomed: watching more changes nothing.
    if !ctx.client.dirty_cas.get() {
        for key in &ctx.argv[1..] {
            watch::watch(ctx.srv, ctx.client, key);
        }
    }
    ctx.out.ok();
}

/// `UNWATCH`
fn unwatch(ctx: &mut Ctx) {
    watch::unwatch_all(ctx.srv, ctx.client.id);
    ctx.client.dirty_cas.set(false);
    ctx.out.ok();
}

#[cfg(test)]
mod tests {
    use crate::client::Client;
    use crate::command::dispatch::execute;
    use crate::config::Config;
    use crate::keyspace_events::signal_modified_key;
    use crate::server::Server;

    fn setup() -> (Server, Client) {
        let srv = Server::new(Config::from_args(&[]).unwrap());
        let client = Client::new(1, "test".into(), "test".into(), -1, srv.now_ms, true);
        (srv, client)
    }

    /// The reply of one command, as text.
    fn run(srv: &mut Server, client: &mut Client, line: &str) -> String {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        let mut out = Vec::new();
        execute(srv, client, &argv, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn queued_arguments_outlive_the_request_buffer() {
        let (mut srv, mut c) = setup();
        assert_eq!(run(&mut srv, &mut c, "MULTI"), "+OK\r\n");
        let mut request = b"set k v".to_vec();
        let argv: Vec<&[u8]> = request.split(|b| *b == b' ').collect();
        let mut out = Vec::new();
        execute(&mut srv, &mut c, &argv, &mut out);
        assert_eq!(out, b"+QUEUED\r\n");
        request.fill(b'x');
        assert_eq!(run(&mut srv, &mut c, "GET k"), "+QUEUED\r\n");
        assert_eq!(run(&mut srv, &mut c, "EXEC"), "*2\r\n+OK\r\n$1\r\nv\r\n");
        assert!(!c.multi.active);
        assert_eq!(c.multi.count, 0);
    }

    #[test]
    fn queued_commands_are_counted_when_they_run() {
        let (mut srv, mut c) = setup();
        let set = srv.commands.resolve(&[b"set"]).unwrap();
        let exec = srv.commands.resolve(&[b"exec"]).unwrap();
        run(&mut srv, &mut c, "MULTI");
        run(&mut srv, &mut c, "SET a 1");
        run(&mut srv, &mut c, "SET b 2");
        assert_eq!(srv.stats.commands[set].calls, 0);
        run(&mut srv, &mut c, "EXEC");
        assert_eq!(srv.stats.commands[set].calls, 2);
        assert_eq!(srv.stats.commands[exec].calls, 1);
        run(&mut srv, &mut c, "EXEC x");
        assert_eq!(srv.stats.commands[exec].rejected_calls, 1);
    }

    #[test]
    fn rejection_while_queueing_aborts_exec() {
        let (mut srv, mut c) = setup();
        run(&mut srv, &mut c, "MULTI");
        assert_eq!(
            run(&mut srv, &mut c, "GET"),
            "-ERR wrong number of arguments for 'get' command\r\n"
        );
        assert_eq!(run(&mut srv, &mut c, "SET a 1"), "+QUEUED\r\n");
        assert!(c.multi.queued.is_empty());
        assert_eq!(
            run(&mut srv, &mut c, "EXEC"),
            "-EXECABORT Transaction discarded because of previous errors.\r\n"
        );
        assert_eq!(run(&mut srv, &mut c, "EXISTS a"), ":0\r\n");
    }

    #[test]
    fn a_signalled_watched_key_fails_exec_and_is_unwatched() {
        let (mut srv, mut c) = setup();
        run(&mut srv, &mut c, "WATCH k");
        signal_modified_key(&mut srv, None, 0, b"k");
        assert!(c.dirty_cas.get());
        run(&mut srv, &mut c, "MULTI");
        run(&mut srv, &mut c, "SET k 1");
        assert_eq!(run(&mut srv, &mut c, "EXEC"), "*-1\r\n");
        assert!(!c.dirty_cas.get());
        assert_eq!(srv.watches.watched_by(1), 0);
        assert_eq!(run(&mut srv, &mut c, "EXISTS k"), ":0\r\n");
    }

    #[test]
    fn exec_denies_blocking_only_while_it_runs() {
        let (mut srv, mut c) = setup();
        run(&mut srv, &mut c, "MULTI");
        run(&mut srv, &mut c, "BLPOP l 0");
        assert_eq!(run(&mut srv, &mut c, "EXEC"), "*1\r\n*-1\r\n");
        assert!(!c.deny_blocking);
        assert!(!srv.blocking.any());
    }
}
