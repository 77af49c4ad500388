//! PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB, HELP.

use super::registry::Class;
use crate::command::{flags, Arg, ArgKind, CommandSpec, Ctx};

/// Flags of the introspection subcommands.
const INTROSPECT_FLAGS: u32 = flags::PUBSUB | flags::LOADING | flags::STALE;

/// The PUBSUB container and its subcommands.
pub const PUBSUB: CommandSpec = CommandSpec {
    name: "pubsub",
    arity: -2,
    group: "pubsub",
    since: "2.8.0",
    summary: "A container for Pub/Sub commands",
    complexity: "Depends on subcommand.",
    subcommands: &[
        CommandSpec {
            name: "channels",
            arity: -2,
            flags: INTROSPECT_FLAGS,
            group: "pubsub",
            since: "2.8.0",
            summary: "List active channels",
            complexity:
                "O(N) where N is the number of active channels, and assuming constant time \
                         pattern matching (relatively short channels and patterns)",
            args: &[Arg::new("pattern", ArgKind::Pattern).optional()],
            handler: channels,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            group: "pubsub",
            since: "6.2.0",
            summary: "Show helpful text about the different subcommands",
            complexity: "O(1)",
            handler: help,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "numpat",
            arity: 2,
            flags: INTROSPECT_FLAGS,
            group: "pubsub",
            since: "2.8.0",
            summary: "Get the count of unique patterns pattern subscriptions",
            complexity: "O(1)",
            handler: numpat,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "numsub",
            arity: -2,
            flags: INTROSPECT_FLAGS,
            group: "pubsub",
            since: "2.8.0",
            summary: "Get the count of subscribers for channels",
            complexity:
                "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
            args: &[Arg::new("channel", ArgKind::String).optional().multiple()],
            handler: numsub,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "shardchannels",
            arity: -2,
            flags: INTROSPECT_FLAGS,
            group: "pubsub",
            since: "7.0.0",
            summary: "List active shard channels",
            complexity:
                "O(N) where N is the number of active shard channels, and assuming constant \
                         time pattern matching (relatively short shard channels).",
            args: &[Arg::new("pattern", ArgKind::Pattern).optional()],
            handler: shardchannels,
            ..CommandSpec::BASE
        },
        CommandSpec {
            name: "shardnumsub",
            arity: -2,
            flags: INTROSPECT_FLAGS,
            group: "pubsub",
            since: "7.0.0",
            summary: "Get the count of subscribers for shard channels",
            complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested \
                         shard channels",
            args: &[Arg::new("shardchannel", ArgKind::String)
                .optional()
                .multiple()],
            handler: shardnumsub,
            ..CommandSpec::BASE
        },
    ],
    ..CommandSpec::BASE
};

/// Lines of PUBSUB HELP after the first.
const HELP: &[&str] = &[
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Prints this help.",
];

/// `PUBSUB HELP`
fn help(ctx: &mut Ctx) {
    ctx.out.array(HELP.len() + 1);
    ctx.out
        .simple("PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    for line in HELP {
        ctx.out.simple(line);
    }
}

/// `PUBSUB CHANNELS [pattern]`
fn channels(ctx: &mut Ctx) {
    list_names(ctx, Class::Channel);
}

/// `PUBSUB SHARDCHANNELS [pattern]`
fn shardchannels(ctx: &mut Ctx) {
    list_names(ctx, Class::Shard);
}

/// `PUBSUB NUMSUB [channel ...]`
fn numsub(ctx: &mut Ctx) {
    count_subscribers(ctx, Class::Channel);
}

/// `PUBSUB SHARDNUMSUB [shardchannel ...]`
fn shardnumsub(ctx: &mut Ctx) {
    count_subscribers(ctx, Class::Shard);
}

/// `PUBSUB NUMPAT`: distinct patterns subscribed by anyone.
fn numpat(ctx: &mut Ctx) {
    let n = ctx.srv.pubsub.len(Class::Pattern);
    ctx.out.int(n as i64);
}

/// Active names of `class`, filtered by the optional pattern.
fn list_names(ctx: &mut Ctx, class: Class) {
    if ctx.argc() > 3 {
        // Redis accepts the arity, then rejects in the handler with its
        // generic subcommand error.
        let msg = format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
            String::from_utf8_lossy(ctx.arg(1)),
            String::from_utf8_lossy(ctx.arg(0)).to_ascii_uppercase()
        );
        return ctx.error(&msg);
    }
    let pattern = ctx.argv.get(2).copied();
    let names = ctx.srv.pubsub.names_matching(class, pattern);
    ctx.out.array(names.len());
    for n in names {
        ctx.out.bulk(n);
    }
}

/// `name count` pairs (an array in both protocols, as Redis 7.0 replies).
fn count_subscribers(ctx: &mut Ctx, class: Class) {
    let argc = ctx.argc();
    ctx.out.array((argc - 2) * 2);
    for i in 2..argc {
        let name = ctx.arg(i);
        let n = ctx.srv.pubsub.subscribers(class, name).len();
        ctx.out.bulk(name);
        ctx.out.int(n as i64);
    }
}
