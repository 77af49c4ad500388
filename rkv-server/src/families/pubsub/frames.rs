//! The frames pub/sub sends: subscribe/unsubscribe confirmations and
//! delivered messages, an array in RESP2 and a push (`>`) in RESP3.

use rkv_proto::{Protocol, ReplyWriter};

use super::registry::Class;

/// `subscribe <name> <count>` (or `psubscribe`/`ssubscribe`).
pub fn subscribed(out: &mut ReplyWriter<'_>, class: Class, name: &[u8], count: usize) {
    out.push(3);
    out.bulk(class.subscribe_word());
    out.bulk(name);
    out.int(count as i64);
}

/// `unsubscribe <name> <count>`; a null name when the client had nothing
/// of that class to unsubscribe from.
pub fn unsubscribed(out: &mut ReplyWriter<'_>, class: Class, name: Option<&[u8]>, count: usize) {
    out.push(3);
    out.bulk(class.unsubscribe_word());
    match name {
        Some(n) => out.bulk(n),
        None => out.null(),
    }
    out.int(count as i64);
}

/// A delivered message, encoded for a subscriber speaking `proto`:
/// `message channel payload`, `smessage channel payload`, or with a
/// pattern, `pmessage pattern channel payload`.
pub fn message(
    proto: Protocol,
    class: Class,
    pattern: Option<&[u8]>,
    channel: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let mut buf = Vec::with_capacity(payload.len() + channel.len() + 48);
    let mut out = ReplyWriter::new(&mut buf, proto);
    match (class, pattern) {
        (_, Some(p)) => {
            out.push(4);
            out.bulk(b"pmessage");
            out.bulk(p);
        }
        (Class::Shard, None) => {
            out.push(3);
            out.bulk(b"smessage");
        }
        _ => {
            out.push(3);
            out.bulk(b"message");
        }
    }
    out.bulk(channel);
    out.bulk(payload);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_frames_per_protocol() {
        assert_eq!(
            message(Protocol::Resp2, Class::Channel, None, b"ch", b"hi"),
            b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"
        );
        assert_eq!(
            message(Protocol::Resp3, Class::Channel, None, b"ch", b"hi"),
            b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"
        );
        assert_eq!(
            message(Protocol::Resp2, Class::Pattern, Some(b"c*"), b"ch", b""),
            b"*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$0\r\n\r\n"
        );
        assert_eq!(
            message(Protocol::Resp3, Class::Shard, None, b"s", b"x"),
            b">3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$1\r\nx\r\n"
        );
    }

    #[test]
    fn confirmations_per_protocol() {
        let mut buf = Vec::new();
        subscribed(
            &mut ReplyWriter::new(&mut buf, Protocol::Resp2),
            Class::Pattern,
            b"a*",
            2,
        );
        assert_eq!(buf, b"*3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:2\r\n");
        buf.clear();
        unsubscribed(
            &mut ReplyWriter::new(&mut buf, Protocol::Resp2),
            Class::Channel,
            None,
            0,
        );
        assert_eq!(buf, b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
        buf.clear();
        unsubscribed(
            &mut ReplyWriter::new(&mut buf, Protocol::Resp3),
            Class::Shard,
            None,
            0,
        );
        assert_eq!(buf, b">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n");
    }
}
