//! Writing replies in the client's protocol version.
//!
//! Handlers call typed methods (`map`, `double`, `null`...) and the writer picks
//! the RESP2 or RESP3 encoding, the way Redis's `addReply*` functions do, so no
//! command needs to know which protocol its client speaks.

use std::io::Write;

/// The protocol a client negotiated with `HELLO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, the default.
    #[default]
    Resp2,
    /// RESP3.
    Resp3,
}

/// Appends encoded replies to an output buffer.
#[derive(Debug)]
pub struct ReplyWriter<'a> {
    buf: &'a mut Vec<u8>,
    proto: Protocol,
}

impl<'a> ReplyWriter<'a> {
    /// A writer appending to `buf` in protocol `proto`.
    pub fn new(buf: &'a mut Vec<u8>, proto: Protocol) -> Self {
        ReplyWriter { buf, proto }
    }

    /// The protocol being written.
    pub fn protocol(&self) -> Protocol {
        self.proto
    }

    /// Switches the encoding for everything written from now on (HELLO
    /// answers in the protocol it just negotiated).
    pub fn set_protocol(&mut self, proto: Protocol) {
        self.proto = proto;
    }

    /// Whether the client speaks RESP3.
    pub fn is_resp3(&self) -> bool {
        self.proto == Protocol::Resp3
    }

    /// Bytes written so far to the underlying buffer.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether the underlying buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Drops everything written after `len` (used to retract a deferred reply).
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    /// Raw, already-encoded bytes.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// `+OK`.
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// A status reply, `+<s>`. `s` must not contain CR or LF.
    pub fn simple(&mut self, s: &str) {
        self.buf.push(b'+');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    /// An error reply, `-<msg>`; `msg` starts with its code (`ERR ...`,
    /// `WRONGTYPE ...`). Newlines are replaced by spaces, as Redis does, so a
    /// message can never break the framing.
    pub fn error(&mut self, msg: &str) {
        self.buf.push(b'-');
        self.buf.extend(
            msg.bytes()
                .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
        );
        self.buf.extend_from_slice(b"\r\n");
    }

    /// An integer reply.
    pub fn int(&mut self, n: i64) {
        self.header(b':', n);
    }

    /// A bulk string.
    pub fn bulk(&mut self, s: &[u8]) {
        self.header(b'$', s.len() as i64);
        self.buf.extend_from_slice(s);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// An integer sent as a bulk string (GET of an integer-encoded value).
    pub fn bulk_int(&mut self, n: i64) {
        let mut b = itoa::Buffer::new();
        self.bulk(b.format(n).as_bytes());
    }

    /// A bulk string or, for `None`, a null.
    pub fn bulk_opt(&mut self, s: Option<&[u8]>) {
        match s {
            Some(s) => self.bulk(s),
            None => self.null(),
        }
    }

    /// A null bulk string (`$-1` in RESP2, `_` in RESP3).
    pub fn null(&mut self) {
        match self.proto {
            Protocol::Resp2 => self.buf.extend_from_slice(b"$-1\r\n"),
            Protocol::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }

    /// A null array (`*-1` in RESP2, `_` in RESP3).
    pub fn null_array(&mut self) {
        match self.proto {
            Protocol::Resp2 => self.buf.extend_from_slice(b"*-1\r\n"),
            Protocol::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }

    /// An array header of `n` elements; the elements follow.
    pub fn array(&mut self, n: usize) {
        self.header(b'*', n as i64);
    }

    /// A map header of `n` key/value pairs (a flat array of `2n` in RESP2).
    pub fn map(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', 2 * n as i64),
            Protocol::Resp3 => self.header(b'%', n as i64),
        }
    }

    /// A set header of `n` elements (an array in RESP2).
    pub fn set(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', n as i64),
            Protocol::Resp3 => self.header(b'~', n as i64),
        }
    }

    /// A push header of `n` elements (an array in RESP2).
    pub fn push(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', n as i64),
            Protocol::Resp3 => self.header(b'>', n as i64),
        }
    }

    /// A boolean (`:1`/`:0` in RESP2, `#t`/`#f` in RESP3).
    pub fn boolean(&mut self, b: bool) {
        match (self.proto, b) {
            (Protocol::Resp2, true) => self.buf.extend_from_slice(b":1\r\n"),
            (Protocol::Resp2, false) => self.buf.extend_from_slice(b":0\r\n"),
            (Protocol::Resp3, true) => self.buf.extend_from_slice(b"#t\r\n"),
            (Protocol::Resp3, false) => self.buf.extend_from_slice(b"#f\r\n"),
        }
    }

    /// A double, formatted as Redis 7.0 formats it (`%.17g`; `inf`/`-inf`): a bulk
    /// string in RESP2, a `,` double in RESP3.
    pub fn double(&mut self, d: f64) {
        let text = format_double(d);
        match self.proto {
            Protocol::Resp2 => self.bulk(text.as_bytes()),
            Protocol::Resp3 => {
                self.buf.push(b',');
                self.buf.extend_from_slice(text.as_bytes());
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }

    /// A verbatim string (`=` with a three-letter format in RESP3, a bulk string
    /// in RESP2), as INFO and CLIENT LIST reply.
    pub fn verbatim(&mut self, format: &str, text: &[u8]) {
        match self.proto {
            Protocol::Resp2 => self.bulk(text),
            Protocol::Resp3 => {
                self.header(b'=', (text.len() + 4) as i64);
                self.buf.extend_from_slice(format.as_bytes());
                self.buf.push(b':');
                self.buf.extend_from_slice(text);
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }

    /// A big number (`(` in RESP3, a bulk string in RESP2).
    pub fn big_number(&mut self, digits: &str) {
        match self.proto {
            Protocol::Resp2 => self.bulk(digits.as_bytes()),
            Protocol::Resp3 => {
                self.buf.push(b'(');
                self.buf.extend_from_slice(digits.as_bytes());
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }

    /// A bulk string built with `format_args!`, without an intermediate String.
    pub fn bulk_fmt(&mut self, args: std::fmt::Arguments<'_>) {
        let mut tmp = Vec::with_capacity(64);
        let _ = tmp.write_fmt(args);
        self.bulk(&tmp);
    }

    fn header(&mut self, kind: u8, n: i64) {
        let mut b = itoa::Buffer::new();
        self.buf.push(kind);
        self.buf.extend_from_slice(b.format(n).as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }
}

/// Formats a double as C's `printf("%.17g")` does, with `inf`, `-inf` and
/// `nan` spelled as Redis spells them.
pub fn format_double(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d.is_nan() {
        return "nan".into();
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    const PRECISION: i32 = 17;
    // Scientific form with 17 significant digits tells us the decimal exponent.
    let sci = format!("{:.*e}", (PRECISION - 1) as usize, d);
    let (mantissa, exp) = sci.split_once('e').expect("exponent in {:e} output");
    let exp: i32 = exp.parse().expect("numeric exponent");
    if !(-4..PRECISION).contains(&exp) {
        let mantissa = trim_fraction_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (PRECISION - 1 - exp).max(0) as usize;
        trim_fraction_zeros(&format!("{d:.decimals$}")).to_string()
    }
}

fn trim_fraction_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(proto: Protocol, f: impl FnOnce(&mut ReplyWriter)) -> String {
        let mut buf = Vec::new();
        f(&mut ReplyWriter::new(&mut buf, proto));
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn resp2_and_resp3_shapes() {
        use Protocol::*;
        assert_eq!(write(Resp2, |w| w.null()), "$-1\r\n");
        assert_eq!(write(Resp3, |w| w.null()), "_\r\n");
        assert_eq!(write(Resp2, |w| w.null_array()), "*-1\r\n");
        assert_eq!(write(Resp2, |w| w.map(2)), "*4\r\n");
        assert_eq!(write(Resp3, |w| w.map(2)), "%2\r\n");
        assert_eq!(write(Resp3, |w| w.set(1)), "~1\r\n");
        assert_eq!(write(Resp2, |w| w.boolean(true)), ":1\r\n");
        assert_eq!(write(Resp3, |w| w.boolean(false)), "#f\r\n");
        assert_eq!(write(Resp2, |w| w.double(1.5)), "$3\r\n1.5\r\n");
        assert_eq!(write(Resp3, |w| w.double(f64::NEG_INFINITY)), ",-inf\r\n");
        assert_eq!(
            write(Resp3, |w| w.verbatim("txt", b"hi")),
            "=6\r\ntxt:hi\r\n"
        );
        assert_eq!(write(Resp2, |w| w.error("ERR a\r\nb")), "-ERR a  b\r\n");
        assert_eq!(write(Resp2, |w| w.bulk_int(-12)), "$3\r\n-12\r\n");
    }

    #[test]
    fn set_protocol_changes_later_encodings() {
        let mut buf = Vec::new();
        let mut w = ReplyWriter::new(&mut buf, Protocol::Resp2);
        w.map(1);
        w.set_protocol(Protocol::Resp3);
        assert_eq!(w.protocol(), Protocol::Resp3);
        w.map(1);
        assert_eq!(buf, b"*2\r\n%1\r\n");
    }

    #[test]
    fn doubles_like_printf_17g() {
        let cases = [
            (1.1, "1.1000000000000001"),
            (0.1, "0.10000000000000001"),
            (3.0, "3"),
            (-2.5, "-2.5"),
            (1e17, "1e+17"),
            (1.5e16, "15000000000000000"),
            (1e-5, "1.0000000000000001e-05"),
            (0.0001, "0.0001"),
            (123456789.125, "123456789.125"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "4.9406564584124654e-324"),
        ];
        for (d, want) in cases {
            assert_eq!(format_double(d), want, "{d:e}");
        }
    }
}
