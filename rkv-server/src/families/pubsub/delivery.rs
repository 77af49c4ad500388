//! PUBLISH/SPUBLISH delivery: one frame per receiving subscription, in the
//! subscriber's protocol, queued in its `pushed` buffer (the publisher's
//! own copy goes into its reply, before the count, as Redis orders it).

use super::frames;
use super::registry::Class;
use crate::client::Client;
use crate::command::Ctx;
use crate::config::ClassLimit;
use crate::server::Server;
use rkv_proto::ReplyWriter;

/// Sends argument 2 to the subscribers of channel argument 1 (and, for
/// plain channels, to matching pattern subscribers); returns how many
/// deliveries were made.
pub fn publish(ctx: &mut Ctx, class: Class) -> usize {
    let (channel, payload) = (ctx.arg(1), ctx.arg(2));
    deliver(
        ctx.srv,
        Some((&mut *ctx.client, &mut ctx.out)),
        class,
        channel,
        payload,
    )
}

/// Delivers `payload` on `channel` to its subscribers (and, for plain
/// channels, to matching pattern subscribers); returns how many deliveries
/// were made. `caller` is the client running the current command, if any:
/// its own copy goes straight into its reply, at this point of it.
pub fn deliver(
    srv: &mut Server,
    mut caller: Option<(&mut Client, &mut ReplyWriter<'_>)>,
    class: Class,
    channel: &[u8],
    payload: &[u8],
) -> usize {
    let mut targets: Vec<(Option<Vec<u8>>, u64)> = srv
        .pubsub
        .subscribers(class, channel)
        .iter()
        .map(|id| (None, *id))
        .collect();
    if class == Class::Channel {
        targets.extend(
            srv.pubsub
                .pattern_matches(channel)
                .into_iter()
                .map(|(p, id)| (Some(p), id)),
        );
    }
    for (pattern, id) in &targets {
        let pattern = pattern.as_deref();
        if let Some((client, out)) = caller.as_mut() {
            if *id == client.id {
                let frame = frames::message(client.protocol, class, pattern, channel, payload);
                out.raw(&frame);
                continue;
            }
        }
        let Some(target) = srv.clients.get(id) else {
            continue;
        };
        let Ok(mut target) = target.try_borrow_mut() else {
            continue;
        };
        let frame = frames::message(target.protocol, class, pattern, channel, payload);
        let limit = srv.config.client_output_buffer_limit.pubsub;
        enqueue(&mut target, &frame, limit, srv.now_ms);
    }
    targets.len()
}

/// Queues a frame for another client unless it is already being closed,
/// then closes it if its unsent output (queued plus being written) broke
/// `limit` (its output buffer class: pubsub, or normal for tracking pushes).
pub(crate) fn enqueue(target: &mut Client, frame: &[u8], limit: ClassLimit, now_ms: i64) {
    crate::output_limit::push_within(target, frame, limit, now_ms);
}
