//! Conversions between RESP replies and Lua values, as Redis's
//! `redisProtocolToLuaType` and `luaReplyToRedisReply` do them, and Lua
//! arguments to command arguments (`luaArgsToRedisArgv`).

use std::borrow::Cow;

use mlua::{Lua, Table, Value};
use rkv_proto::request::parse_i64;
use rkv_proto::{parse_frame, Frame, ReplyWriter};

use super::vm::format_g;

/// Table keys the conversions and runs use, created once per Lua state:
/// pushing a held string is cheaper than interning the text each time.
#[derive(Debug, Clone)]
pub struct Names {
    /// `ok` (status replies).
    pub ok: mlua::String,
    /// `err` (error replies).
    pub err: mlua::String,
    /// `d` (the dispatcher slot).
    pub d: mlua::String,
    /// `KEYS`.
    pub keys: mlua::String,
    /// `ARGV`.
    pub argv: mlua::String,
    /// `result` (where a run leaves a value needing full conversion).
    pub result: mlua::String,
}

impl Names {
    /// The names in `lua`.
    pub fn new(lua: &Lua) -> mlua::Result<Names> {
        Ok(Names {
            ok: lua.create_string("ok")?,
            err: lua.create_string("err")?,
            d: lua.create_string("d")?,
            keys: lua.create_string("KEYS")?,
            argv: lua.create_string("ARGV")?,
            result: lua.create_string("result")?,
        })
    }
}

/// The `{err=...}` text Redis's `luaPushErrorBuff` builds from an error
/// line: `-CODE msg` keeps its code, a bare message gets `ERR`; newlines at
/// either end of the message are trimmed.
pub fn error_text(line: &str) -> String {
    let (code, msg) = match line.strip_prefix('-') {
        Some(rest) => match rest.split_once(' ') {
            Some((code, msg)) => (code, msg),
            None => ("ERR", rest),
        },
        None => ("ERR", line),
    };
    let msg = msg.trim_matches(|c| c == '\r' || c == '\n');
    format!("{code} {msg}")
}

/// An error table `{err=...}` for an error line; `reply_error` marks it as
/// an error a command already counted (`ignore_error_stats_update`).
pub fn error_table(lua: &Lua, line: &str, reply_error: bool) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("err", error_text(line))?;
    if reply_error {
        t.raw_set("ignore_error_stats_update", true)?;
    }
    Ok(t)
}

/// A command reply as a Lua value. `resp3` says which protocol the reply
/// was written in (`redis.setresp`): a RESP2 null is `false`, a RESP3 null
/// `nil`.
pub fn frame_to_lua(lua: &Lua, frame: &Frame, resp3: bool) -> mlua::Result<Value> {
    Ok(match frame {
        Frame::Simple(s) => single_field(lua, "ok", Value::String(lua.create_string(s)?))?,
        Frame::Error(s) => Value::Table(error_table(lua, &format!("-{s}"), true)?),
        Frame::Integer(i) => Value::Number(*i as f64),
        Frame::Bulk(b) => Value::String(lua.create_string(b)?),
        Frame::Null => {
            if resp3 {
                Value::Nil
            } else {
                Value::Boolean(false)
            }
        }
        Frame::Array(items) | Frame::Push(items) => {
            let t = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, item) in items.iter().enumerate() {
                t.raw_set(i + 1, frame_to_lua(lua, item, resp3)?)?;
            }
            Value::Table(t)
        }
        Frame::Map(pairs) => {
            let inner = lua.create_table()?;
            for (k, v) in pairs {
                let k = frame_to_lua(lua, k, resp3)?;
                if !k.is_nil() {
                    inner.raw_set(k, frame_to_lua(lua, v, resp3)?)?;
                }
            }
            single_field(lua, "map", Value::Table(inner))?
        }
        Frame::Set(items) => {
            let inner = lua.create_table()?;
            for item in items {
                let k = frame_to_lua(lua, item, resp3)?;
                if !k.is_nil() {
                    inner.raw_set(k, true)?;
                }
            }
            single_field(lua, "set", Value::Table(inner))?
        }
        Frame::Double(text) => {
            let d = match text.as_str() {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                t => t.parse().unwrap_or(f64::NAN),
            };
            single_field(lua, "double", Value::Number(d))?
        }
        Frame::Boolean(b) => Value::Boolean(*b),
        Frame::BigNumber(s) => {
            single_field(lua, "big_number", Value::String(lua.create_string(s)?))?
        }
        Frame::Verbatim(format, text) => {
            let inner = lua.create_table()?;
            inner.raw_set("string", lua.create_string(text)?)?;
            inner.raw_set("format", lua.create_string(format)?)?;
            single_field(lua, "verbatim_string", Value::Table(inner))?
        }
        Frame::Attribute(_, value) => frame_to_lua(lua, value, resp3)?,
    })
}

/// A command's RESP reply as a Lua value, and whether it is an error.
/// Replies of one simple item are converted straight from the bytes; the
/// rest go through [`frame_to_lua`]. An empty reply is `nil`.
pub fn reply_to_lua(
    lua: &Lua,
    names: &Names,
    reply: &[u8],
    resp3: bool,
) -> mlua::Result<(bool, Value)> {
    if let Some(v) = simple_reply_to_lua(lua, names, reply, resp3)? {
        return Ok((false, v));
    }
    match parse_frame(reply) {
        Ok(Some((frame, _))) => Ok((frame.is_error(), frame_to_lua(lua, &frame, resp3)?)),
        _ => Ok((false, Value::Nil)),
    }
}

/// A reply of one simple item, as [`simple_reply`] finds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SimpleReply<'a> {
    /// `+text` (valid UTF-8, one line).
    Status(&'a [u8]),
    /// `:n`.
    Int(i64),
    /// `$n` and its bytes.
    Bulk(&'a [u8]),
    /// `$-1` or `_`.
    Null,
}

/// The reply if it is exactly one status, integer, bulk string or null.
pub fn simple_reply(reply: &[u8]) -> Option<SimpleReply<'_>> {
    let eol = reply.iter().position(|&c| c == b'\r')?;
    if reply.get(eol + 1) != Some(&b'\n') || eol == 0 {
        return None;
    }
    let line = &reply[1..eol];
    let rest = &reply[eol + 2..];
    match reply[0] {
        b'+' if rest.is_empty() && std::str::from_utf8(line).is_ok() => {
            Some(SimpleReply::Status(line))
        }
        b':' if rest.is_empty() => parse_i64(line).map(SimpleReply::Int),
        b'_' if rest.is_empty() => Some(SimpleReply::Null),
        b'$' if line == b"-1" && rest.is_empty() => Some(SimpleReply::Null),
        b'$' => match parse_i64(line) {
            Some(n) if n >= 0 && rest.len() == n as usize + 2 && rest.ends_with(b"\r\n") => {
                Some(SimpleReply::Bulk(&rest[..n as usize]))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The fast path of [`reply_to_lua`]: a status, integer, bulk string or
/// null reply that is the whole of `reply`; `None` for anything else.
fn simple_reply_to_lua(
    lua: &Lua,
    names: &Names,
    reply: &[u8],
    resp3: bool,
) -> mlua::Result<Option<Value>> {
    let null = if resp3 {
        Value::Nil
    } else {
        Value::Boolean(false)
    };
    Ok(match simple_reply(reply) {
        Some(SimpleReply::Status(line)) => Some(Value::Table(status_table(lua, names, line)?)),
        Some(SimpleReply::Int(i)) => Some(Value::Number(i as f64)),
        Some(SimpleReply::Bulk(b)) => Some(Value::String(lua.create_string(b)?)),
        Some(SimpleReply::Null) => Some(null),
        None => None,
    })
}

/// `{ok=line}`.
fn status_table(lua: &Lua, names: &Names, line: &[u8]) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(0, 1)?;
    t.raw_set(&names.ok, lua.create_string(line)?)?;
    Ok(t)
}

fn single_field(lua: &Lua, name: &str, v: Value) -> mlua::Result<Value> {
    let t = lua.create_table()?;
    t.raw_set(name, v)?;
    Ok(Value::Table(t))
}

/// What an error table returned or raised by a script says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The `err` text (`CODE message`).
    pub msg: String,
    /// Where it was raised (`@user_script`), if known.
    pub source: Option<String>,
    /// The line, if known.
    pub line: Option<String>,
    /// The error came from a command reply and was counted there.
    pub ignore_stats: bool,
}

/// Reads an error table's fields (Redis's `luaExtractErrorInformation`).
pub fn error_info(t: &Table) -> ErrorInfo {
    let text = |name: &str| -> Option<String> {
        let v: Value = t.get(name).ok()?;
        super::vm::lua_bytes(&v).map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    ErrorInfo {
        msg: text("err").unwrap_or_default(),
        source: text("source"),
        line: text("line"),
        ignore_stats: matches!(
            t.get::<Value>("ignore_error_stats_update"),
            Ok(Value::Boolean(true))
        ),
    }
}

/// Writes a script's return value as its reply. `script_resp3` is the
/// protocol the script chose (booleans depend on it). Returns the error
/// codes written that must be counted in the error statistics.
pub fn lua_to_reply(
    out: &mut ReplyWriter<'_>,
    names: &Names,
    v: &Value,
    script_resp3: bool,
) -> Vec<String> {
    let mut counted = Vec::new();
    write_value(out, names, v, script_resp3, &mut counted);
    counted
}

fn write_value(
    out: &mut ReplyWriter<'_>,
    names: &Names,
    v: &Value,
    resp3: bool,
    counted: &mut Vec<String>,
) {
    match v {
        Value::String(s) => out.bulk(&s.as_bytes()),
        Value::Boolean(b) => {
            if resp3 {
                out.boolean(*b);
            } else if *b {
                out.int(1);
            } else {
                out.null();
            }
        }
        Value::Integer(i) => out.int(*i),
        Value::Number(n) => out.int(c_cast_i64(*n)),
        Value::Table(t) => write_table(out, names, t, resp3, counted),
        _ => out.null(),
    }
}

/// `(long long)d` as x86-64 does it: out-of-range values become `i64::MIN`.
pub fn c_cast_i64(d: f64) -> i64 {
    if d.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&d) {
        i64::MIN
    } else {
        d as i64
    }
}

/// Replaces CR and LF with spaces, as Redis does for status lines (and
/// stops at a NUL, as C strings do).
fn one_line(b: &[u8]) -> Cow<'_, str> {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    let text = String::from_utf8_lossy(&b[..end]);
    if text.contains(['\r', '\n']) {
        Cow::Owned(text.replace(['\r', '\n'], " "))
    } else {
        text
    }
}

fn write_table(
    out: &mut ReplyWriter<'_>,
    names: &Names,
    t: &Table,
    resp3: bool,
    counted: &mut Vec<String>,
) {
    if let Ok(Value::String(_)) = t.raw_get::<Value>(&names.err) {
        let info = error_info(t);
        out.error(&info.msg);
        if !info.ignore_stats {
            counted.push(crate::errors::error_code(&info.msg).to_string());
        }
        return;
    }
    if let Ok(Value::String(s)) = t.raw_get::<Value>(&names.ok) {
        out.simple(&one_line(&s.as_bytes()));
        return;
    }
    match t.raw_get::<Value>("double") {
        Ok(Value::Number(d)) => return out.double(d),
        Ok(Value::Integer(i)) => return out.double(i as f64),
        _ => {}
    }
    if let Ok(Value::String(s)) = t.raw_get::<Value>("big_number") {
        out.big_number(&one_line(&s.as_bytes()));
        return;
    }
    if let Ok(Value::Table(vt)) = t.raw_get::<Value>("verbatim_string") {
        if let (Ok(Value::String(format)), Ok(Value::String(text))) =
            (vt.raw_get::<Value>("format"), vt.raw_get::<Value>("string"))
        {
            let format = format.as_bytes();
            let mut f = [b' '; 3];
            for (dst, src) in f.iter_mut().zip(format.iter()) {
                *dst = *src;
            }
            out.verbatim(&String::from_utf8_lossy(&f), &text.as_bytes());
            return;
        }
    }
    if let Ok(Value::Table(map)) = t.raw_get::<Value>("map") {
        let pairs = raw_pairs(&map);
        out.map(pairs.len());
        for (k, v) in &pairs {
            write_value(out, names, k, resp3, counted);
            write_value(out, names, v, resp3, counted);
        }
        return;
    }
    if let Ok(Value::Table(set)) = t.raw_get::<Value>("set") {
        let pairs = raw_pairs(&set);
        out.set(pairs.len());
        for (k, _) in &pairs {
            write_value(out, names, k, resp3, counted);
        }
        return;
    }
    let mut items = Vec::new();
    for j in 1.. {
        match t.raw_get::<Value>(j) {
            Ok(Value::Nil) | Err(_) => break,
            Ok(v) => items.push(v),
        }
    }
    out.array(items.len());
    for v in &items {
        write_value(out, names, v, resp3, counted);
    }
}

/// A table's entries in `lua_next` order.
fn raw_pairs(t: &Table) -> Vec<(Value, Value)> {
    let mut pairs = Vec::new();
    let _ = t.for_each(|k: Value, v: Value| {
        pairs.push((k, v));
        Ok(())
    });
    pairs
}

/// Lua arguments of `redis.call` as command arguments, in one reused
/// buffer: numbers as `%.17g`, strings as they are.
#[derive(Debug, Default)]
pub struct ArgvBuf {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl ArgvBuf {
    /// Converts `args`; anything but strings and numbers is Redis's error.
    pub fn fill(&mut self, args: &[Value]) -> Result<(), &'static str> {
        self.bytes.clear();
        self.ends.clear();
        if args.is_empty() {
            return Err("Please specify at least one argument for this redis lib call");
        }
        for v in args {
            match v {
                Value::Number(n) => self.bytes.extend_from_slice(format_g(*n, 17).as_bytes()),
                Value::Integer(i) => {
                    self.bytes
                        .extend_from_slice(itoa::Buffer::new().format(*i).as_bytes());
                }
                Value::String(s) => self.bytes.extend_from_slice(&s.as_bytes()),
                _ => return Err("Lua redis lib command arguments must be strings or integers"),
            }
            self.ends.push(self.bytes.len());
        }
        Ok(())
    }

    /// Converts the `n` values on a Lua stack as [`ArgvBuf::fill`] does
    /// (numbers that mlua would read as integers print as integers).
    ///
    /// # Safety
    /// `state` must be a valid Lua state with at least `n` values.
    pub unsafe fn fill_from_stack(
        &mut self,
        state: *mut mlua::ffi::lua_State,
        n: std::os::raw::c_int,
    ) -> Result<(), &'static str> {
        use mlua::ffi;
        self.bytes.clear();
        self.ends.clear();
        if n == 0 {
            return Err("Please specify at least one argument for this redis lib call");
        }
        for i in 1..=n {
            match ffi::lua_type(state, i) {
                ffi::LUA_TSTRING => {
                    let mut len = 0;
                    let p = ffi::lua_tolstring(state, i, &mut len);
                    self.bytes
                        .extend_from_slice(std::slice::from_raw_parts(p.cast::<u8>(), len));
                }
                ffi::LUA_TNUMBER => push_number(&mut self.bytes, ffi::lua_tonumber(state, i)),
                _ => return Err("Lua redis lib command arguments must be strings or integers"),
            }
            self.ends.push(self.bytes.len());
        }
        Ok(())
    }

    /// The converted arguments.
    pub fn refs(&self) -> Vec<&[u8]> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let arg = &self.bytes[start..end];
                start = end;
                arg
            })
            .collect()
    }
}

/// A Lua number as an argument: integral values in `i64` range as
/// integers (as mlua reads them), others as `%.17g`.
fn push_number(bytes: &mut Vec<u8>, n: f64) {
    let in_range = n > -9.223_372_036_854_776e18 && n < 9.223_372_036_854_776e18;
    if in_range && (n - (n as i64) as f64).abs() < f64::EPSILON {
        bytes.extend_from_slice(itoa::Buffer::new().format(n as i64).as_bytes());
    } else {
        bytes.extend_from_slice(format_g(n, 17).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rkv_proto::Protocol;

    #[test]
    fn error_texts() {
        assert_eq!(error_text("-WRONGTYPE bad\r\n"), "WRONGTYPE bad");
        assert_eq!(error_text("-OOPS"), "ERR OOPS");
        assert_eq!(error_text("plain words"), "ERR plain words");
    }

    #[test]
    fn reply_round_trip() {
        let lua = Lua::new();
        let frame = Frame::Array(vec![
            Frame::Integer(3),
            Frame::Bulk(b"x".to_vec()),
            Frame::Null,
        ]);
        let v = frame_to_lua(&lua, &frame, false).unwrap();
        let mut buf = Vec::new();
        let mut w = ReplyWriter::new(&mut buf, Protocol::Resp2);
        assert!(lua_to_reply(&mut w, &Names::new(&lua).unwrap(), &v, false).is_empty());
        // false (a RESP2 null) comes back as a null.
        assert_eq!(buf, b"*3\r\n:3\r\n$1\r\nx\r\n$-1\r\n");
    }

    #[test]
    fn numbers_truncate() {
        let lua = Lua::new();
        let names = Names::new(&lua).unwrap();
        let mut buf = Vec::new();
        let mut w = ReplyWriter::new(&mut buf, Protocol::Resp2);
        lua_to_reply(&mut w, &names, &Value::Number(3.99), false);
        lua_to_reply(&mut w, &names, &Value::Number(-2.5), false);
        assert_eq!(buf, b":3\r\n:-2\r\n");
    }

    #[test]
    fn args() {
        let lua = Lua::new();
        let s = Value::String(lua.create_string("k").unwrap());
        let mut argv = ArgvBuf::default();
        argv.fill(&[
            s,
            Value::Number(1.5),
            Value::Number(10.0),
            Value::Integer(-7),
        ])
        .unwrap();
        assert_eq!(argv.refs(), vec![&b"k"[..], b"1.5", b"10", b"-7"]);
        assert!(argv.fill(&[Value::Boolean(true)]).is_err());
        assert!(argv.fill(&[]).is_err());
    }

    #[test]
    fn args_from_the_stack() {
        let lua = Lua::new();
        let vals = [
            Value::String(lua.create_string("k").unwrap()),
            Value::Number(1.5),
            Value::Number(10.0),
            Value::Number(1e18),
            Value::Number(1e20),
            Value::Number(-0.0),
        ];
        let mut argv = ArgvBuf::default();
        let mut result = Ok(());
        // SAFETY: the closure only reads the values exec_raw pushed.
        unsafe {
            lua.exec_raw::<()>(mlua::MultiValue::from_iter(vals), |state| {
                result = argv.fill_from_stack(state, mlua::ffi::lua_gettop(state));
                mlua::ffi::lua_settop(state, 0);
            })
            .unwrap();
        }
        result.unwrap();
        // Integral numbers print as mlua reads them (integers), others %.17g.
        let expected: [&[u8]; 6] = [b"k", b"1.5", b"10", b"1000000000000000000", b"1e+20", b"0"];
        assert_eq!(argv.refs(), expected);
    }

    #[test]
    fn simple_replies_as_lua() {
        let lua = Lua::new();
        let names = Names::new(&lua).unwrap();
        let conv = |bytes: &[u8], resp3| reply_to_lua(&lua, &names, bytes, resp3).unwrap();
        let (err, v) = conv(b"+OK\r\n", false);
        let Value::Table(t) = v else { panic!() };
        assert!(!err);
        assert_eq!(t.raw_get::<String>("ok").unwrap(), "OK");
        assert!(matches!(conv(b":-12\r\n", false), (false, Value::Number(n)) if n == -12.0));
        assert!(matches!(
            conv(b"$-1\r\n", false),
            (false, Value::Boolean(false))
        ));
        assert!(matches!(conv(b"_\r\n", true), (false, Value::Nil)));
        let (_, v) = conv(b"$3\r\na\r\n\r\n", false);
        let Value::String(s) = v else { panic!() };
        assert_eq!(&*s.as_bytes(), b"a\r\n");
        let (err, v) = conv(b"-ERR bad\r\n", false);
        let Value::Table(t) = v else { panic!() };
        assert!(err);
        assert_eq!(t.raw_get::<String>("err").unwrap(), "ERR bad");
        assert!(matches!(conv(b"", false), (false, Value::Nil)));
    }
}
