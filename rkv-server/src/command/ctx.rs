//! [`Ctx`]: what a command handler gets: the server, the calling client, the
//! arguments and a reply writer; plus the `…_or_reply` helpers that parse an
//! argument or send Redis's error for it.

use rkv_proto::ReplyWriter;

use super::spec::CommandSpec;
use super::table::CommandId;
use crate::client::Client;
use crate::db::{Db, Entry};
use crate::errors::{self, OpError};
use crate::keyspace_events::class;
use crate::server::Server;

/// The context of one command execution.
pub struct Ctx<'a> {
    /// Server state (everything but the calling client's connection).
    pub srv: &'a mut Server,
    /// The calling client.
    pub client: &'a mut Client,
    /// Arguments, the command name at index 0.
    pub argv: &'a [&'a [u8]],
    /// Where the reply goes.
    pub out: ReplyWriter<'a>,
    /// The command being run.
    pub cmd: &'static CommandSpec,
    /// Its table id.
    pub cmd_id: CommandId,
    /// Whether an error reply was sent (commandstats `failed_calls`).
    pub(crate) failed: bool,
    /// Argument indexes MONITOR and the slow log must not show (passwords).
    pub(crate) redacted: u64,
    /// Set by [`Ctx::block`]: the command parked the client instead of replying.
    pub(crate) blocked: bool,
    /// What this command propagates if it changes the dataset (see
    /// [`crate::propagate`]).
    pub(crate) own_propagation: crate::propagate::OwnPropagation,
    /// When the command started, in microseconds since the Unix epoch (its
    /// duration and a script's running time are measured from it).
    pub started_us: i64,
}

impl<'a> Ctx<'a> {
    /// Argument `i`.
    pub fn arg(&self, i: usize) -> &'a [u8] {
        self.argv[i]
    }

    /// Number of arguments, the command name included.
    pub fn argc(&self) -> usize {
        self.argv.len()
    }

    /// The cached time of this command, ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.srv.now_ms
    }

    /// The client's selected database.
    pub fn db(&mut self) -> &mut Db {
        &mut self.srv.dbs[self.client.db]
    }

    /// Looks a key up for reading: counts a keyspace hit or miss (and
    /// publishes `keymiss` for a miss).
    pub fn lookup_read(&mut self, key: &[u8]) -> Option<&mut Entry> {
        if self.missed_with_event(key) {
            return None;
        }
        let now = self.srv.now_ms;
        let found = self.srv.dbs[self.client.db].lookup(key, now);
        if found.is_some() {
            self.srv.stats.keyspace_hits += 1;
        } else {
            self.srv.stats.keyspace_misses += 1;
        }
        found
    }

    /// [`Ctx::lookup_read`], handing back the reply writer beside the entry so
    /// a value can be written into the reply without copying it first.
    pub fn lookup_read_and_reply(
        &mut self,
        key: &[u8],
    ) -> (Option<&mut Entry>, &mut ReplyWriter<'a>) {
        if self.missed_with_event(key) {
            return (None, &mut self.out);
        }
        let now = self.srv.now_ms;
        let found = self.srv.dbs[self.client.db].lookup(key, now);
        if found.is_some() {
            self.srv.stats.keyspace_hits += 1;
        } else {
            self.srv.stats.keyspace_misses += 1;
        }
        (found, &mut self.out)
    }

    /// Before a read lookup: lazy expiry with its event; then, only when
    /// `keymiss` events are enabled, a miss is counted and published here
    /// (true). Otherwise the lookup itself counts, with a single probe.
    fn missed_with_event(&mut self, key: &[u8]) -> bool {
        self.expire_and_report(key);
        if self.srv.config.notify_keyspace_events & class::KEY_MISS == 0 {
            return false;
        }
        let now = self.srv.now_ms;
        if self.srv.dbs[self.client.db].contains(key, now) {
            return false;
        }
        self.srv.stats.keyspace_misses += 1;
        self.notify(class::KEY_MISS, "keymiss", key);
        true
    }

    /// Deletes `key` if it expired and sends its `expired` event right
    /// away, before anything the command itself publishes.
    fn expire_and_report(&mut self, key: &[u8]) {
        let now = self.srv.now_ms;
        if self.srv.dbs[self.client.db].expire_if_needed(key, now) {
            self.drain_pending();
        }
    }

    /// Looks a key up for writing (no hit/miss accounting).
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.expire_and_report(key);
        let now = self.srv.now_ms;
        self.srv.dbs[self.client.db].lookup(key, now)
    }

    /// Counts `n` changes to the dataset.
    pub fn dirty(&mut self, n: u64) {
        self.srv.dirty += n;
    }

    /// Sends an error reply (`msg` starts with its code) and counts it.
    pub fn error(&mut self, msg: &str) {
        self.out.error(msg);
        self.srv.stats.count_error(errors::error_code(msg));
        self.failed = true;
    }

    /// Sends the reply for an [`OpError`].
    pub fn error_op(&mut self, e: OpError) {
        self.error(&e.to_string());
    }

    /// `ERR wrong number of arguments for '<cmd>' command`.
    pub fn wrong_arity(&mut self) {
        let name = self.srv.commands.entry(self.cmd_id).full_name.clone();
        self.error(&format!(
            "ERR wrong number of arguments for '{name}' command"
        ));
    }

    /// `ERR syntax error`.
    pub fn syntax_error(&mut self) {
        self.error(errors::SYNTAX);
    }

    /// Parses argument `i` as an integer, or replies with Redis's error.
    pub fn i64_or_reply(&mut self, i: usize) -> Option<i64> {
        let v = rkv_proto::request::parse_i64(self.argv[i]);
        if v.is_none() {
            self.error(errors::NOT_INTEGER);
        }
        v
    }

    /// Parses argument `i` as a float the way Redis's `getDoubleFromObject`
    /// does, or replies with Redis's error.
    pub fn f64_or_reply(&mut self, i: usize) -> Option<f64> {
        let v = parse_f64(self.argv[i]);
        if v.is_none() {
            self.error(errors::NOT_FLOAT);
        }
        v
    }

    /// Hides argument `i` from MONITOR and the slow log.
    pub fn redact_arg(&mut self, i: usize) {
        if i < 64 {
            self.redacted |= 1 << i;
        }
    }
}

/// Parses a float as Redis's `string2d` accepts it: no leading/trailing
/// spaces, no NaN, `inf`/`-inf` allowed.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if s.is_empty() || s[0].is_ascii_whitespace() || s[s.len() - 1].is_ascii_whitespace() {
        return None;
    }
    let text = std::str::from_utf8(s).ok()?;
    let lower = text.to_ascii_lowercase();
    let v: f64 = match lower.as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => f64::INFINITY,
        "-inf" | "-infinity" => f64::NEG_INFINITY,
        _ => {
            // Rust accepts a few spellings strtod does not and vice versa;
            // reject the textual ones here so only numbers reach `parse`.
            if lower.contains("inf") || lower.contains("nan") {
                return None;
            }
            if lower.starts_with("0x") || lower.starts_with("-0x") || lower.starts_with("+0x") {
                return parse_hex_float(&lower);
            }
            text.parse().ok()?
        }
    };
    if v.is_nan() {
        return None;
    }
    // strtod reports ERANGE for overflow to infinity and underflow to zero,
    // and Redis's string2d refuses both.
    if v.is_infinite() && !lower.contains("inf") {
        return None;
    }
    if v == 0.0 && !lower.contains("0x") {
        let mantissa = lower.split(['e']).next().unwrap_or("");
        if mantissa.bytes().any(|c| (b'1'..=b'9').contains(&c)) {
            return None;
        }
    }
    Some(v)
}

/// strtod accepts hexadecimal integers (`0x1A`); enough of that for Redis parity.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits = digits.strip_prefix("0x")?;
    let v = u64::from_str_radix(digits, 16).ok()? as f64;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::parse_f64;

    #[test]
    fn floats_as_redis_accepts_them() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"1e3"), Some(1000.0));
        assert_eq!(parse_f64(b".5"), Some(0.5));
        assert_eq!(parse_f64(b"0x10"), Some(16.0));
        assert_eq!(parse_f64(b"0e-400"), Some(0.0));
        assert_eq!(parse_f64(b"1e-310"), Some(1e-310));
        for bad in [
            &b"nan"[..],
            b" 1",
            b"1 ",
            b"",
            b"abc",
            b"1.2.3",
            b"1e400",
            b"-1e400",
            b"1e-400",
        ] {
            assert_eq!(parse_f64(bad), None);
        }
    }
}
