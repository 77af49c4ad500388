//! Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE,
//! SUNSUBSCRIBE, PUBLISH, SPUBLISH, and the PUBSUB container
//! ([`introspect`]).
//!
//! Subscriptions live twice, kept in step: in the server's [`Registry`]
//! (who gets a message) and in each client's [`ClientSubscriptions`] (what
//! it unsubscribes from, CLIENT LIST counts). Messages for other clients
//! are queued in their `pushed` buffers ([`delivery`]).

pub mod delivery;
pub mod frames;
pub mod introspect;
pub mod registry;

pub use registry::{Class, ClientSubscriptions, Registry};

use crate::client::{Client, ClientKind};
use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx, KeySpec};
use crate::server::Server;

/// Flags of the subscribe/unsubscribe commands.
const SUBSCRIBE_FLAGS: u32 =
    flags::PUBSUB | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::SUBSCRIBED_CONTEXT;
/// Flags of PUBLISH and SPUBLISH.
const PUBLISH_FLAGS: u32 =
    flags::PUBSUB | flags::LOADING | flags::STALE | flags::FAST | flags::MAY_REPLICATE;

/// Shard channels are declared as (non-)keys from argument 1 on, so a
/// cluster can route them.
const SHARD_CHANNELS: &[KeySpec] = &[KeySpec::range(&["NOT_KEY"], 1, -1, 1)];
/// SPUBLISH's one shard channel.
const SHARD_CHANNEL: &[KeySpec] = &[KeySpec::range(&["NOT_KEY"], 1, 0, 1)];

/// Declarations of the pub/sub family.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "subscribe",
        arity: -2,
        flags: SUBSCRIBE_FLAGS,
        group: "pubsub",
        since: "2.0.0",
        summary: "Listen for messages published to the given channels",
        complexity: "O(N) where N is the number of channels to subscribe to.",
        args: &[Arg::new("channel", ArgKind::String).multiple()],
        handler: subscribe,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "unsubscribe",
        arity: -1,
        flags: SUBSCRIBE_FLAGS,
        group: "pubsub",
        since: "2.0.0",
        summary: "Stop listening for messages posted to the given channels",
        complexity: "O(N) where N is the number of clients already subscribed to a channel.",
        args: &[Arg::new("channel", ArgKind::String).optional().multiple()],
        handler: unsubscribe,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "psubscribe",
        arity: -2,
        flags: SUBSCRIBE_FLAGS,
        group: "pubsub",
        since: "2.0.0",
        summary: "Listen for messages published to channels matching the given patterns",
        complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
        args: &[Arg {
            name: "pattern",
            kind: ArgKind::Block,
            multiple: true,
            children: &[Arg::new("pattern", ArgKind::Pattern)],
            ..Arg::BASE
        }],
        handler: psubscribe,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "punsubscribe",
        arity: -1,
        flags: SUBSCRIBE_FLAGS,
        group: "pubsub",
        since: "2.0.0",
        summary: "Stop listening for messages posted to channels matching the given patterns",
        complexity:
            "O(N+M) where N is the number of patterns the client is already subscribed and M \
                     is the number of total patterns subscribed in the system (by any client).",
        args: &[Arg::new("pattern", ArgKind::Pattern).optional().multiple()],
        handler: punsubscribe,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "publish",
        arity: 3,
        flags: PUBLISH_FLAGS,
        group: "pubsub",
        since: "2.0.0",
        summary: "Post a message to a channel",
        complexity:
            "O(N+M) where N is the number of clients subscribed to the receiving channel and \
                     M is the total number of subscribed patterns (by any client).",
        args: &[
            Arg::new("channel", ArgKind::String),
            Arg::new("message", ArgKind::String),
        ],
        handler: publish,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "ssubscribe",
        arity: -2,
        flags: SUBSCRIBE_FLAGS,
        keys: SHARD_CHANNELS,
        group: "pubsub",
        since: "7.0.0",
        summary: "Listen for messages published to the given shard channels",
        complexity: "O(N) where N is the number of shard channels to subscribe to.",
        args: &[Arg::new("shardchannel", ArgKind::String).multiple()],
        handler: ssubscribe,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "sunsubscribe",
        arity: -1,
        flags: SUBSCRIBE_FLAGS,
        keys: SHARD_CHANNELS,
        group: "pubsub",
        since: "7.0.0",
        summary: "Stop listening for messages posted to the given shard channels",
        complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
        args: &[Arg::new("shardchannel", ArgKind::String)
            .optional()
            .multiple()],
        handler: sunsubscribe,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "spublish",
        arity: 3,
        flags: PUBLISH_FLAGS,
        keys: SHARD_CHANNEL,
        group: "pubsub",
        since: "7.0.0",
        summary: "Post a message to a shard channel",
        complexity:
            "O(N) where N is the number of clients subscribed to the receiving shard channel.",
        args: &[
            Arg::new("shardchannel", ArgKind::String),
            Arg::new("message", ArgKind::String),
        ],
        handler: spublish,
        ..CommandSpec::BASE
    },
    introspect::PUBSUB,
];

/// `SUBSCRIBE channel [channel ...]`
fn subscribe(ctx: &mut Ctx) {
    subscribe_generic(ctx, Class::Channel);
}

/// `PSUBSCRIBE pattern [pattern ...]`
fn psubscribe(ctx: &mut Ctx) {
    subscribe_generic(ctx, Class::Pattern);
}

/// `SSUBSCRIBE shardchannel [shardchannel ...]`
fn ssubscribe(ctx: &mut Ctx) {
    subscribe_generic(ctx, Class::Shard);
}

/// `UNSUBSCRIBE [channel ...]`
fn unsubscribe(ctx: &mut Ctx) {
    unsubscribe_generic(ctx, Class::Channel);
}

/// `PUNSUBSCRIBE [pattern ...]`
fn punsubscribe(ctx: &mut Ctx) {
    unsubscribe_generic(ctx, Class::Pattern);
}

/// `SUNSUBSCRIBE [shardchannel ...]`
fn sunsubscribe(ctx: &mut Ctx) {
    unsubscribe_generic(ctx, Class::Shard);
}

/// `PUBLISH channel message`: the number of clients that received it.
fn publish(ctx: &mut Ctx) {
    let n = delivery::publish(ctx, Class::Channel);
    ctx.out.int(n as i64);
}

/// `SPUBLISH shardchannel message`
fn spublish(ctx: &mut Ctx) {
    let n = delivery::publish(ctx, Class::Shard);
    ctx.out.int(n as i64);
}

/// Subscribes the caller to every argument, confirming each one (also
/// those it already had).
fn subscribe_generic(ctx: &mut Ctx, class: Class) {
    let id = ctx.client.id;
    for i in 1..ctx.argc() {
        let name = ctx.arg(i);
        if ctx.client.subscriptions.add(class, name) {
            ctx.srv.pubsub.add(class, name, id);
        }
        let count = ctx.client.subscriptions.count_for(class);
        frames::subscribed(&mut ctx.out, class, name, count);
    }
    if ctx.client.kind == ClientKind::Normal {
        ctx.client.kind = ClientKind::Pubsub;
    }
}

/// Unsubscribes the caller from the arguments, or from everything of
/// `class` when there are none.
fn unsubscribe_generic(ctx: &mut Ctx, class: Class) {
    if ctx.argc() == 1 {
        let names = ctx.client.subscriptions.names(class);
        if names.is_empty() {
            let count = ctx.client.subscriptions.count_for(class);
            frames::unsubscribed(&mut ctx.out, class, None, count);
        }
        for name in &names {
            unsubscribe_one(ctx, class, name);
        }
    } else {
        for i in 1..ctx.argc() {
            let name = ctx.arg(i);
            unsubscribe_one(ctx, class, name);
        }
    }
    leave_pubsub_mode_if_idle(ctx.client);
}

/// Removes one subscription (if held) and confirms it either way.
fn unsubscribe_one(ctx: &mut Ctx, class: Class, name: &[u8]) {
    let id = ctx.client.id;
    if ctx.client.subscriptions.remove(class, name) {
        ctx.srv.pubsub.remove(class, name, id);
    }
    let count = ctx.client.subscriptions.count_for(class);
    frames::unsubscribed(&mut ctx.out, class, Some(name), count);
}

/// A client with no subscription left is an ordinary client again.
fn leave_pubsub_mode_if_idle(client: &mut Client) {
    if client.kind == ClientKind::Pubsub && client.subscriptions.total() == 0 {
        client.kind = ClientKind::Normal;
    }
}

/// Drops every subscription of `client` without confirmations (RESET,
/// disconnection).
pub fn forget_client(srv: &mut Server, client: &mut Client) {
    let subs = std::mem::take(&mut client.subscriptions);
    srv.pubsub.drop_client(client.id, &subs);
    leave_pubsub_mode_if_idle(client);
}

/// Whether the client is in RESP2 subscribed mode, where only commands
/// flagged `SUBSCRIBED_CONTEXT` may run.
pub fn in_subscribed_context(client: &Client) -> bool {
    client.kind == ClientKind::Pubsub && client.protocol == rkv_proto::Protocol::Resp2
}
