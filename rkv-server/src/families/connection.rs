//! Connection commands: PING, ECHO, QUIT, RESET, SELECT, AUTH, HELLO,
//! MONITOR, and the CLIENT container (its subcommands live in
//! [`super::client`]).

use rkv_proto::Protocol;

use super::client::{set_name_or_reply, SUBCOMMANDS as CLIENT_SUBCOMMANDS};
use crate::client::{ClientKind, ReplyMode};
use crate::command::{acl, flags, Arg, ArgKind, CommandSpec, Ctx};
use crate::errors;
use crate::server::{Server, REDIS_VERSION};

/// Flags of the commands a client may send before authenticating.
const HANDSHAKE_FLAGS: u32 = flags::NOSCRIPT
    | flags::LOADING
    | flags::STALE
    | flags::FAST
    | flags::NO_AUTH
    | flags::ALLOW_BUSY;

/// Declarations of the connection family.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: flags::FAST | flags::SUBSCRIBED_CONTEXT,
        acl: acl::CONNECTION,
        group: "connection",
        summary: "Ping the server",
        complexity: "O(1)",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        args: &[Arg::new("message", ArgKind::String).optional()],
        handler: ping,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::CONNECTION,
        group: "connection",
        summary: "Echo the given string",
        complexity: "O(1)",
        args: &[Arg::new("message", ArgKind::String)],
        handler: echo,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: HANDSHAKE_FLAGS | flags::SUBSCRIBED_CONTEXT | flags::RUNS_IN_MULTI,
        acl: acl::CONNECTION,
        group: "connection",
        summary: "Close the connection",
        complexity: "O(1)",
        handler: quit,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "reset",
        arity: 1,
        flags: HANDSHAKE_FLAGS | flags::SUBSCRIBED_CONTEXT | flags::RUNS_IN_MULTI,
        acl: acl::CONNECTION,
        group: "connection",
        since: "6.2.0",
        summary: "Reset the connection",
        complexity: "O(1)",
        handler: reset,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "select",
        arity: 2,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::CONNECTION,
        group: "connection",
        summary: "Change the selected database for the current connection",
        complexity: "O(1)",
        args: &[Arg::new("index", ArgKind::Integer)],
        handler: select,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "auth",
        arity: -2,
        flags: HANDSHAKE_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        summary: "Authenticate to the server",
        complexity: "O(N) where N is the number of passwords defined for the user",
        history: &[("6.0.0", "Added ACL style (username and password).")],
        args: &[
            Arg {
                since: Some("6.0.0"),
                ..Arg::new("username", ArgKind::String).optional()
            },
            Arg::new("password", ArgKind::String),
        ],
        handler: auth,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "hello",
        arity: -1,
        flags: HANDSHAKE_FLAGS,
        acl: acl::CONNECTION,
        group: "connection",
        since: "6.0.0",
        summary: "Handshake with Redis",
        complexity: "O(1)",
        history: &[(
            "6.2.0",
            "`protover` made optional; when called without arguments the command reports the current connection's context.",
        )],
        args: &[Arg {
            name: "arguments",
            kind: ArgKind::Block,
            optional: true,
            children: &[
                Arg::new("protover", ArgKind::Integer),
                Arg {
                    name: "username_password",
                    kind: ArgKind::Block,
                    token: Some("AUTH"),
                    optional: true,
                    children: &[
                        Arg::new("username", ArgKind::String),
                        Arg::new("password", ArgKind::String),
                    ],
                    ..Arg::BASE
                },
                Arg {
                    token: Some("SETNAME"),
                    ..Arg::new("clientname", ArgKind::String).optional()
                },
            ],
            ..Arg::BASE
        }],
        handler: hello,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "monitor",
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        group: "server",
        summary: "Listen for all requests received by the server in real time",
        handler: monitor,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "client",
        arity: -2,
        group: "connection",
        since: "2.4.0",
        summary: "A container for client connection commands",
        complexity: "Depends on subcommand.",
        subcommands: CLIENT_SUBCOMMANDS,
        ..CommandSpec::BASE
    },
];

/// `PING [message]`
fn ping(ctx: &mut Ctx) {
    if ctx.argc() > 2 {
        return ctx.wrong_arity();
    }
    // A RESP2 subscriber cannot tell a status reply from a message, so
    // Redis answers it with a `pong` array.
    if crate::families::pubsub::in_subscribed_context(ctx.client) {
        ctx.out.array(2);
        ctx.out.bulk(b"pong");
        ctx.out.bulk(ctx.argv.get(1).copied().unwrap_or_default());
        return;
    }
    match ctx.argv.get(1) {
        Some(msg) => ctx.out.bulk(msg),
        None => ctx.out.simple("PONG"),
    }
}

/// `ECHO message`
fn echo(ctx: &mut Ctx) {
    let msg = ctx.arg(1);
    ctx.out.bulk(msg);
}

/// `QUIT`
fn quit(ctx: &mut Ctx) {
    ctx.out.ok();
    ctx.client.close_after_reply = true;
}

/// `SELECT index`
fn select(ctx: &mut Ctx) {
    let Some(i) = ctx.i64_or_reply(1) else {
        return;
    };
    if i32::try_from(i).is_err() {
        return ctx.error(&format!(
            "ERR value is out of range, value must between {} and {}",
            i32::MIN,
            i32::MAX
        ));
    }
    if i < 0 || i as usize >= ctx.srv.dbs.len() {
        return ctx.error(errors::DB_INDEX);
    }
    ctx.client.db = i as usize;
    ctx.out.ok();
}

/// `RESET`: back to the state of a new connection.
fn reset(ctx: &mut Ctx) {
    if matches!(ctx.client.kind, ClientKind::Master | ClientKind::Replica) && !ctx.client.monitor {
        return ctx.error("ERR can only reset normal client connections");
    }
    let client = &mut *ctx.client;
    if client.monitor {
        client.monitor = false;
        let id = client.id;
        ctx.srv.monitors.retain(|m| *m != id);
    }
    crate::multi::discard(ctx.srv, client);
    crate::families::pubsub::forget_client(ctx.srv, client);
    crate::tracking::disable(ctx.srv, client);
    client.db = 0;
    client.protocol = Protocol::Resp2;
    ctx.out.set_protocol(Protocol::Resp2);
    client.authenticated = !ctx.srv.auth_required();
    "default".clone_into(&mut client.user);
    client.name = None;
    client.kind = ClientKind::Normal;
    client.reply_mode = ReplyMode::On;
    ctx.out.simple("RESET");
}

/// Checks `username`/`password` against the users Redis 7.0 has without
/// ACL files: only `default`, whose password is `requirepass` (none means
/// any password is accepted).
pub fn credentials_valid(srv: &Server, username: &[u8], password: &[u8]) -> bool {
    if username != b"default" {
        return false;
    }
    match srv.config.requirepass.as_deref() {
        Some(pass) if !pass.is_empty() => pass.as_bytes() == password,
        _ => true,
    }
}

/// Authenticates the caller, returning whether the credentials were valid.
fn authenticate(ctx: &mut Ctx, username: &[u8], password: &[u8]) -> bool {
    if !credentials_valid(ctx.srv, username, password) {
        return false;
    }
    ctx.client.authenticated = true;
    "default".clone_into(&mut ctx.client.user);
    true
}

/// `AUTH [username] password`
fn auth(ctx: &mut Ctx) {
    if ctx.argc() > 3 {
        return ctx.syntax_error();
    }
    ctx.redact_arg(1);
    let (username, password): (&[u8], &[u8]) = if ctx.argc() == 2 {
        if !ctx.srv.auth_required() {
            return ctx.error(errors::AUTH_NOPASS);
        }
        (b"default", ctx.arg(1))
    } else {
        ctx.redact_arg(2);
        (ctx.arg(1), ctx.arg(2))
    };
    if authenticate(ctx, username, password) {
        ctx.out.ok();
    } else {
        ctx.error(errors::WRONGPASS);
    }
}

/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`
fn hello(ctx: &mut Ctx) {
    let mut next = 1;
    let mut protocol = None;
    if ctx.argc() >= 2 {
        next = 2;
        let Some(ver) = rkv_proto::request::parse_i64(ctx.arg(1)) else {
            return ctx.error("ERR Protocol version is not an integer or out of range");
        };
        protocol = match ver {
            2 => Some(Protocol::Resp2),
            3 => Some(Protocol::Resp3),
            _ => return ctx.error("NOPROTO unsupported protocol version"),
        };
    }
    let mut j = next;
    while j < ctx.argc() {
        let more = ctx.argc() - 1 - j;
        let opt = ctx.arg(j);
        if opt.eq_ignore_ascii_case(b"auth") && more >= 2 {
            ctx.redact_arg(j + 1);
            ctx.redact_arg(j + 2);
            let (user, pass) = (ctx.arg(j + 1), ctx.arg(j + 2));
            if !authenticate(ctx, user, pass) {
                return ctx.error(errors::WRONGPASS);
            }
            j += 3;
        } else if opt.eq_ignore_ascii_case(b"setname") && more >= 1 {
            let name = ctx.arg(j + 1);
            if !set_name_or_reply(ctx, name) {
                return;
            }
            j += 2;
        } else {
            let msg = format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(opt)
            );
            return ctx.error(&msg);
        }
    }
    if !ctx.client.authenticated {
        return ctx.error(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
             HELLO AUTH <user> <pass> option can be used to authenticate the client and select \
             the RESP protocol version at the same time",
        );
    }
    if let Some(p) = protocol {
        ctx.client.protocol = p;
        ctx.out.set_protocol(p);
    }
    let proto_number = match ctx.client.protocol {
        Protocol::Resp2 => 2,
        Protocol::Resp3 => 3,
    };
    let id = ctx.client.id as i64;
    let out = &mut ctx.out;
    out.map(7);
    out.bulk(b"server");
    out.bulk(b"redis");
    out.bulk(b"version");
    out.bulk(REDIS_VERSION.as_bytes());
    out.bulk(b"proto");
    out.int(proto_number);
    out.bulk(b"id");
    out.int(id);
    out.bulk(b"mode");
    out.bulk(b"standalone");
    out.bulk(b"role");
    out.bulk(b"master");
    out.bulk(b"modules");
    out.array(0);
}

/// `MONITOR`: from now on the client receives every command the server runs.
fn monitor(ctx: &mut Ctx) {
    // Inside EXEC a client expects one reply per command.
    if ctx.client.deny_blocking {
        return ctx.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    }
    // Redis ignores MONITOR from a monitor or a replica, without a reply.
    if ctx.client.monitor || ctx.client.kind == ClientKind::Replica {
        return;
    }
    ctx.client.monitor = true;
    ctx.srv.monitors.push(ctx.client.id);
    ctx.out.ok();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn only_default_user_with_requirepass() {
        let mut srv = Server::new(Config::from_text("", "test").unwrap());
        assert!(credentials_valid(&srv, b"default", b"anything"));
        assert!(!credentials_valid(&srv, b"bob", b"anything"));
        srv.config.requirepass = Some("secret".into());
        assert!(credentials_valid(&srv, b"default", b"secret"));
        assert!(!credentials_valid(&srv, b"default", b"wrong"));
        assert!(!credentials_valid(&srv, b"Default", b"secret"));
    }
}
