//! `cjson.decode`: JSON text to Lua values, built on the Lua stack.
//!
//! Like the C original the input is read as a NUL-terminated string: an
//! embedded NUL is the end of the input. Nesting is handled with an explicit
//! stack of open containers, so deep input cannot exhaust the Rust stack.

use std::ffi::c_int;
use std::ptr;

use mlua::ffi::{self, lua_State};

use super::{config, Config};
use crate::lua_libs::capi::{self, lua_cfunction, LibResult, Raise};
use crate::lua_libs::number_text::strtod;

lua_cfunction!(
    /// `cjson.decode(text)`.
    json_decode => decode_impl
);

unsafe fn decode_impl(l: *mut lua_State) -> LibResult {
    if ffi::lua_gettop(l) != 1 {
        return Err(Raise::arg(1, "expected 1 argument"));
    }
    let cfg = *config(l)?;
    let data = capi::check_bytes(l, 1)?;
    // Only the first character is guaranteed to be ASCII, which is enough
    // to spot UTF-16/32.
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return Err(Raise::located(
            "JSON parser does not support UTF-16 or UTF-32",
        ));
    }
    let mut parser = Parser {
        data,
        pos: 0,
        tmp: Vec::with_capacity(data.len()),
        cfg,
        depth: 0,
    };
    parser.parse(l)?;
    Ok(1)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    /// The decoded text is in `Parser::tmp`.
    Str,
    Number(f64),
    Boolean(bool),
    Null,
    Colon,
    Comma,
    End,
    Error(&'static str),
}

impl Kind {
    /// The name parse errors print for this token.
    fn name(self) -> &'static str {
        match self {
            Kind::ObjBegin => "T_OBJ_BEGIN",
            Kind::ObjEnd => "T_OBJ_END",
            Kind::ArrBegin => "T_ARR_BEGIN",
            Kind::ArrEnd => "T_ARR_END",
            Kind::Str => "T_STRING",
            Kind::Number(_) => "T_NUMBER",
            Kind::Boolean(_) => "T_BOOLEAN",
            Kind::Null => "T_NULL",
            Kind::Colon => "T_COLON",
            Kind::Comma => "T_COMMA",
            Kind::End => "T_END",
            Kind::Error(what) => what,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    /// 0-based position, printed 1-based.
    index: usize,
}

/// An open container: arrays remember the next index to fill.
enum Open {
    Array(c_int),
    Object,
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    tmp: Vec<u8>,
    cfg: Config,
    depth: c_int,
}

impl Parser<'_> {
    /// The byte at `i`, NUL past the end (the C code's terminator).
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn error_token(&self, what: &'static str) -> Token {
        Token {
            kind: Kind::Error(what),
            index: self.pos,
        }
    }

    fn next_token(&mut self) -> Token {
        while matches!(self.at(self.pos), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        let index = self.pos;
        let single = |kind| Token { kind, index };
        let ch = self.at(self.pos);
        let kind = match ch {
            0 => return single(Kind::End),
            b'{' => Kind::ObjBegin,
            b'}' => Kind::ObjEnd,
            b'[' => Kind::ArrBegin,
            b']' => Kind::ArrEnd,
            b',' => Kind::Comma,
            b':' => Kind::Colon,
            b'"' => return self.string_token(),
            b'-' | b'0'..=b'9' => {
                if self.cfg.decode_invalid_numbers == 0 && self.is_invalid_number() {
                    return self.error_token("invalid number");
                }
                return self.number_token();
            }
            b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'+' => return self.word_token(),
            _ => return self.error_token("invalid token"),
        };
        self.pos += 1;
        single(kind)
    }

    /// `true`, `false`, `null`, or (when allowed) inf/nan/`+` numbers.
    fn word_token(&mut self) -> Token {
        let index = self.pos;
        let rest = &self.data[self.pos..];
        for (word, kind) in [
            (&b"true"[..], Kind::Boolean(true)),
            (b"false", Kind::Boolean(false)),
            (b"null", Kind::Null),
        ] {
            if rest.starts_with(word) {
                self.pos += word.len();
                return Token { kind, index };
            }
        }
        if self.cfg.decode_invalid_numbers != 0 && self.is_invalid_number() {
            return self.number_token();
        }
        self.error_token("invalid token")
    }

    /// Numbers `strtod` takes but strict JSON does not: a leading `+`,
    /// hex, leading zeros, inf and nan.
    fn is_invalid_number(&self) -> bool {
        let mut p = self.pos;
        if self.at(p) == b'+' {
            return true;
        }
        if self.at(p) == b'-' {
            p += 1;
        }
        let c = self.at(p);
        if c == b'0' {
            let c2 = self.at(p + 1);
            return c2 | 0x20 == b'x' || c2.is_ascii_digit();
        }
        // C compares a signed char: bytes >= 0x80 count as "<= '9'".
        if c <= b'9' || c >= 0x80 {
            return false;
        }
        let rest = &self.data[p.min(self.data.len())..];
        rest.len() >= 3
            && (rest[..3].eq_ignore_ascii_case(b"inf") || rest[..3].eq_ignore_ascii_case(b"nan"))
    }

    fn number_token(&mut self) -> Token {
        let index = self.pos;
        match strtod(&self.data[self.pos..]) {
            Some((value, len)) => {
                self.pos += len;
                Token {
                    kind: Kind::Number(value),
                    index,
                }
            }
            None => self.error_token("invalid number"),
        }
    }

    fn string_token(&mut self) -> Token {
        let index = self.pos;
        self.pos += 1;
        self.tmp.clear();
        loop {
            let mut ch = self.at(self.pos);
            if ch == b'"' {
                break;
            }
            if ch == 0 {
                return self.error_token("unexpected end of string");
            }
            if ch == b'\\' {
                ch = match self.at(self.pos + 1) {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b'u' => {
                        if self.unicode_escape() {
                            continue;
                        }
                        return self.error_token("invalid unicode escape code");
                    }
                    _ => return self.error_token("invalid escape code"),
                };
                self.pos += 1;
            }
            self.tmp.push(ch);
            self.pos += 1;
        }
        self.pos += 1;
        Token {
            kind: Kind::Str,
            index,
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut value = 0;
        for i in 0..4 {
            value = (value << 4) | (self.at(at + i) as char).to_digit(16)?;
        }
        Some(value)
    }

    /// Decodes `\uXXXX` (or a surrogate pair `\uD8xx\uDCxx`) at `pos` into
    /// UTF-8 in `tmp` and moves past it; false on a malformed escape.
    fn unicode_escape(&mut self) -> bool {
        let Some(mut codepoint) = self.hex4(self.pos + 2) else {
            return false;
        };
        let mut escape_len = 6;
        if codepoint & 0xF800 == 0xD800 {
            if codepoint & 0x400 != 0 {
                return false;
            }
            if self.at(self.pos + 6) != b'\\' || self.at(self.pos + 7) != b'u' {
                return false;
            }
            let Some(low) = self.hex4(self.pos + 8) else {
                return false;
            };
            if low & 0xFC00 != 0xDC00 {
                return false;
            }
            codepoint = (((codepoint & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            escape_len = 12;
        }
        push_utf8(&mut self.tmp, codepoint);
        self.pos += escape_len;
        true
    }

    fn parse_error(expected: &str, token: Token) -> Raise {
        Raise::located(format!(
            "Expected {expected} but found {} at character {}",
            token.kind.name(),
            token.index + 1
        ))
    }

    /// Enters a container needing `slots` free stack slots.
    unsafe fn descend(&mut self, l: *mut lua_State, slots: c_int) -> Result<(), Raise> {
        self.depth += 1;
        if self.depth <= self.cfg.decode_max_depth && ffi::lua_checkstack(l, slots) != 0 {
            return Ok(());
        }
        Err(Raise::located(format!(
            "Found too many nested data structures ({}) at character {}",
            self.depth, self.pos
        )))
    }

    /// Checks an object key token, pushes the key, eats the colon and
    /// returns the token starting the value.
    unsafe fn key_and_colon(&mut self, l: *mut lua_State, key: Token) -> Result<Token, Raise> {
        if key.kind != Kind::Str {
            return Err(Self::parse_error("object key string", key));
        }
        capi::push_bytes(l, &self.tmp);
        let colon = self.next_token();
        if colon.kind != Kind::Colon {
            return Err(Self::parse_error("colon", colon));
        }
        Ok(self.next_token())
    }

    /// Parses one complete JSON text, leaving its value on the stack.
    unsafe fn parse(&mut self, l: *mut lua_State) -> Result<(), Raise> {
        let mut open: Vec<Open> = Vec::new();
        let mut token = self.next_token();
        'value: loop {
            // `token` starts a value.
            match token.kind {
                Kind::Str => capi::push_bytes(l, &self.tmp),
                Kind::Number(n) => ffi::lua_pushnumber(l, n),
                Kind::Boolean(b) => ffi::lua_pushboolean(l, c_int::from(b)),
                Kind::Null => ffi::lua_pushlightuserdata(l, ptr::null_mut()),
                Kind::ObjBegin => {
                    self.descend(l, 3)?;
                    ffi::lua_createtable(l, 0, 0);
                    let first = self.next_token();
                    if first.kind != Kind::ObjEnd {
                        open.push(Open::Object);
                        token = self.key_and_colon(l, first)?;
                        continue 'value;
                    }
                    self.depth -= 1;
                }
                Kind::ArrBegin => {
                    self.descend(l, 2)?;
                    ffi::lua_createtable(l, 0, 0);
                    let first = self.next_token();
                    if first.kind != Kind::ArrEnd {
                        open.push(Open::Array(1));
                        token = first;
                        continue 'value;
                    }
                    self.depth -= 1;
                }
                _ => return Err(Self::parse_error("value", token)),
            }
            // A value is complete: store it in its container, then see
            // what follows.
            loop {
                match open.last_mut() {
                    None => break 'value,
                    Some(Open::Array(index)) => {
                        ffi::lua_rawseti_(l, -2, *index);
                        *index += 1;
                        let next = self.next_token();
                        match next.kind {
                            Kind::ArrEnd => {
                                open.pop();
                                self.depth -= 1;
                            }
                            Kind::Comma => {
                                token = self.next_token();
                                continue 'value;
                            }
                            _ => return Err(Self::parse_error("comma or array end", next)),
                        }
                    }
                    Some(Open::Object) => {
                        ffi::lua_rawset(l, -3);
                        let next = self.next_token();
                        match next.kind {
                            Kind::ObjEnd => {
                                open.pop();
                                self.depth -= 1;
                            }
                            Kind::Comma => {
                                let key = self.next_token();
                                token = self.key_and_colon(l, key)?;
                                continue 'value;
                            }
                            _ => return Err(Self::parse_error("comma or object end", next)),
                        }
                    }
                }
            }
        }
        let end = self.next_token();
        if end.kind != Kind::End {
            return Err(Self::parse_error("the end", end));
        }
        Ok(())
    }
}

/// Appends `codepoint` (at most 0x10FFFF here) as UTF-8.
fn push_utf8(out: &mut Vec<u8>, codepoint: u32) {
    if codepoint <= 0x7F {
        out.push(codepoint as u8);
    } else if codepoint <= 0x7FF {
        out.extend_from_slice(&[
            (codepoint >> 6) as u8 | 0xC0,
            (codepoint & 0x3F) as u8 | 0x80,
        ]);
    } else if codepoint <= 0xFFFF {
        out.extend_from_slice(&[
            (codepoint >> 12) as u8 | 0xE0,
            ((codepoint >> 6) & 0x3F) as u8 | 0x80,
            (codepoint & 0x3F) as u8 | 0x80,
        ]);
    } else {
        out.extend_from_slice(&[
            (codepoint >> 18) as u8 | 0xF0,
            ((codepoint >> 12) & 0x3F) as u8 | 0x80,
            ((codepoint >> 6) & 0x3F) as u8 | 0x80,
            (codepoint & 0x3F) as u8 | 0x80,
        ]);
    }
}
