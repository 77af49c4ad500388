//! `cmsgpack`: lua-cmsgpack 0.4.0 as Redis bundles it (deps/lua/src/lua_cmsgpack.c).
//!
//! Packing: tables whose keys are exactly 1..n become arrays, other tables
//! maps; integral numbers (that fit an int64) use the smallest integer
//! encoding, other numbers float 32 when that is lossless, else float 64;
//! strings are always str8/16/32 (never bin); tables nested 16 deep, nil,
//! functions and userdata pack as nil. Unpacking does not know bin and ext
//! types ("Bad data format in input.").

use std::ffi::{c_int, CStr};

use mlua::ffi::{self, lua_State};

use super::capi::{self, lua_cfunction, LibResult, Raise};

/// Tables deeper than this pack as nil (guards against cycles).
const MAX_NESTING: c_int = 16;

const FUNCTIONS: &[(&CStr, ffi::lua_CFunction)] = &[
    (c"pack", mp_pack),
    (c"unpack", mp_unpack),
    (c"unpack_one", mp_unpack_one),
    (c"unpack_limit", mp_unpack_limit),
];

/// Pushes the cmsgpack module table.
///
/// # Safety
/// `l` must be valid; allocation failures raise Lua errors.
pub unsafe fn push_module(l: *mut lua_State) {
    ffi::lua_createtable(l, 0, FUNCTIONS.len() as c_int + 4);
    for (name, func) in FUNCTIONS {
        ffi::lua_pushcfunction(l, *func);
        ffi::lua_setfield(l, -2, name.as_ptr());
    }
    let fields: [(&CStr, &CStr); 4] = [
        (c"_NAME", c"cmsgpack"),
        (c"_VERSION", c"lua-cmsgpack 0.4.0"),
        (c"_COPYRIGHT", c"Copyright (C) 2012, Salvatore Sanfilippo"),
        (c"_DESCRIPTION", c"MessagePack C implementation for Lua"),
    ];
    for (key, value) in fields {
        ffi::lua_pushstring_(l, value.as_ptr());
        ffi::lua_setfield(l, -2, key.as_ptr());
    }
}

lua_cfunction!(
    /// `cmsgpack.pack(v1, v2, ...)`: the encodings of all arguments, concatenated.
    mp_pack => pack_impl
);
lua_cfunction!(
    /// `cmsgpack.unpack(s)`: every value encoded in `s`.
    mp_unpack => unpack_impl
);
lua_cfunction!(
    /// `cmsgpack.unpack_one(s[, offset])`: next offset (-1 at the end), one value.
    mp_unpack_one => unpack_one_impl
);
lua_cfunction!(
    /// `cmsgpack.unpack_limit(s, limit[, offset])`: next offset, up to `limit` values.
    mp_unpack_limit => unpack_limit_impl
);

unsafe fn pack_impl(l: *mut lua_State) -> LibResult {
    let nargs = ffi::lua_gettop(l);
    if nargs == 0 {
        return Err(Raise::arg(0, "MessagePack pack needs input."));
    }
    if ffi::lua_checkstack(l, nargs) == 0 {
        return Err(Raise::arg(0, "Too many arguments for MessagePack pack."));
    }
    let mut out = Vec::new();
    for i in 1..=nargs {
        capi::check_stack(l, 1, "in function mp_check")?;
        ffi::lua_pushvalue(l, i);
        encode_value(l, &mut out, 0)?;
    }
    capi::push_bytes(l, &out);
    Ok(1)
}

/// Encodes and pops the value on top of the stack.
unsafe fn encode_value(l: *mut lua_State, out: &mut Vec<u8>, level: c_int) -> Result<(), Raise> {
    let mut t = ffi::lua_type(l, -1);
    if t == ffi::LUA_TTABLE && level == MAX_NESTING {
        t = ffi::LUA_TNIL;
    }
    match t {
        ffi::LUA_TSTRING => encode_bytes(out, capi::to_bytes(l, -1).unwrap_or(b"")),
        ffi::LUA_TBOOLEAN => out.push(if ffi::lua_toboolean(l, -1) != 0 {
            0xc3
        } else {
            0xc2
        }),
        ffi::LUA_TNUMBER => encode_number(out, ffi::lua_tonumber(l, -1)),
        ffi::LUA_TTABLE => {
            if table_is_an_array(l)? {
                encode_array_table(l, out, level)?;
            } else {
                encode_map_table(l, out, level)?;
            }
        }
        _ => out.push(0xc0),
    }
    ffi::lua_pop(l, 1);
    Ok(())
}

/// Whether the table on top has exactly the keys 1..n.
unsafe fn table_is_an_array(l: *mut lua_State) -> Result<bool, Raise> {
    let top = ffi::lua_gettop(l);
    let mut count: c_int = 0;
    let mut max: c_int = 0;
    capi::check_stack(l, 2, "in function table_is_an_array")?;
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        ffi::lua_pop(l, 1);
        let n = ffi::lua_tonumber(l, -1);
        // IS_INT_EQUIVALENT: the key survives a round trip through `int`.
        let int_equivalent = n.is_finite() && f64::from(capi::x86_f64_to_i32(n)) == n;
        if ffi::lua_type(l, -1) != ffi::LUA_TNUMBER || n <= 0.0 || !int_equivalent {
            ffi::lua_settop(l, top);
            return Ok(false);
        }
        if n > f64::from(max) {
            max = n as c_int;
        }
        count += 1;
    }
    ffi::lua_settop(l, top);
    Ok(max == count)
}

unsafe fn encode_array_table(
    l: *mut lua_State,
    out: &mut Vec<u8>,
    level: c_int,
) -> Result<(), Raise> {
    let len = ffi::lua_objlen(l, -1);
    encode_container_header(out, len as u64, 0x90, 0xdc, 0xdd);
    capi::check_stack(l, 1, "in function mp_encode_lua_table_as_array")?;
    for i in 1..=len {
        // Keys are exactly 1..len, so a raw read equals lua_gettable.
        ffi::lua_rawgeti_(l, -1, i as c_int);
        encode_value(l, out, level + 1)?;
    }
    Ok(())
}

unsafe fn encode_map_table(
    l: *mut lua_State,
    out: &mut Vec<u8>,
    level: c_int,
) -> Result<(), Raise> {
    capi::check_stack(l, 3, "in function mp_encode_lua_table_as_map")?;
    let mut len: u64 = 0;
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        ffi::lua_pop(l, 1);
        len += 1;
    }
    encode_container_header(out, len, 0x80, 0xde, 0xdf);
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        ffi::lua_pushvalue(l, -2);
        encode_value(l, out, level + 1)?;
        encode_value(l, out, level + 1)?;
    }
    Ok(())
}

/// Array or map header: fix (n <= 15), 16-bit or 32-bit length.
fn encode_container_header(out: &mut Vec<u8>, n: u64, fix: u8, code16: u8, code32: u8) {
    if n <= 15 {
        out.push(fix | n as u8);
    } else if n <= 0xffff {
        out.push(code16);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(code32);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

/// str: fixstr, str8, str16 or str32 header and the bytes.
fn encode_bytes(out: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 32 {
        out.push(0xa0 | len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        out.push(0xda);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(s);
}

fn encode_number(out: &mut Vec<u8>, n: f64) {
    // IS_INT64_EQUIVALENT: not infinite and unchanged by an int64 round trip.
    let as_int = capi::x86_f64_to_i64(n);
    if !n.is_infinite() && as_int as f64 == n {
        encode_int(out, as_int);
    } else if f64::from(n as f32) == n {
        out.push(0xca);
        out.extend_from_slice(&(n as f32).to_be_bytes());
    } else {
        out.push(0xcb);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            out.push(n as u8);
        } else if n <= 0xff {
            out.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2147483648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// Why decoding stopped early.
enum DecodeError {
    /// Not enough data ("Missing bytes in input.").
    Eof,
    /// An unknown type byte ("Bad data format in input.").
    BadFormat,
    /// A Lua error on the way (stack overflow, nil/NaN map key).
    Lua(Raise),
}

impl From<Raise> for DecodeError {
    fn from(err: Raise) -> Self {
        DecodeError::Lua(err)
    }
}

/// A read position in the input.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The next `n` bytes, consumed.
    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        if self.left() < n {
            return Err(DecodeError::Eof);
        }
        let bytes = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    fn be(&mut self, n: usize) -> Result<u64, DecodeError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }
}

/// Decodes one value and pushes it.
unsafe fn decode_value(l: *mut lua_State, c: &mut Cursor) -> Result<(), DecodeError> {
    if c.left() < 1 {
        return Err(DecodeError::Eof);
    }
    capi::check_stack(
        l,
        1,
        "too many return values at once; use unpack_one or unpack_limit instead.",
    )?;
    let code = c.data[c.pos];
    // lua_pushunsigned is lua_pushinteger on 64-bit: values >= 2^63 wrap.
    let push_int = |v: i64| ffi::lua_pushnumber(l, v as f64);
    match code {
        0xcc..=0xcf => {
            let size = 1 << (code - 0xcc);
            c.take(1)?;
            let v = c.be(size)?;
            push_int(v as i64);
        }
        0xd0..=0xd3 => {
            let size = 1 << (code - 0xd0);
            c.take(1)?;
            let v = c.be(size)?;
            let shift = 64 - 8 * size as u32;
            push_int(((v << shift) as i64) >> shift);
        }
        0xc0 => {
            c.take(1)?;
            ffi::lua_pushnil(l);
        }
        0xc2 | 0xc3 => {
            c.take(1)?;
            ffi::lua_pushboolean(l, c_int::from(code == 0xc3));
        }
        0xca => {
            let bytes = c.take(5)?;
            let f = f32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
            ffi::lua_pushnumber(l, f64::from(f));
        }
        0xcb => {
            let bytes = c.take(9)?;
            let mut raw = [0u8; 8];
            raw.copy_from_slice(&bytes[1..]);
            ffi::lua_pushnumber(l, f64::from_be_bytes(raw));
        }
        0xd9..=0xdb => {
            let size = 1 << (code - 0xd9);
            let header = c.take(1 + size)?;
            let len = header[1..]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            let bytes = c.take(len)?;
            capi::push_bytes(l, bytes);
        }
        0xdc | 0xdd => {
            let size = if code == 0xdc { 2 } else { 4 };
            let header = c.take(1 + size)?;
            let len = header[1..]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            decode_array(l, c, len)?;
        }
        0xde | 0xdf => {
            let size = if code == 0xde { 2 } else { 4 };
            let header = c.take(1 + size)?;
            let len = header[1..]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            decode_map(l, c, len)?;
        }
        _ if code & 0x80 == 0 => {
            c.take(1)?;
            push_int(i64::from(code));
        }
        _ if code & 0xe0 == 0xe0 => {
            c.take(1)?;
            push_int(i64::from(code as i8));
        }
        _ if code & 0xe0 == 0xa0 => {
            let len = usize::from(code & 0x1f);
            let bytes = c.take(1 + len)?;
            capi::push_bytes(l, &bytes[1..]);
        }
        _ if code & 0xf0 == 0x90 => {
            c.take(1)?;
            decode_array(l, c, usize::from(code & 0xf))?;
        }
        _ if code & 0xf0 == 0x80 => {
            c.take(1)?;
            decode_map(l, c, usize::from(code & 0xf))?;
        }
        _ => return Err(DecodeError::BadFormat),
    }
    Ok(())
}

unsafe fn decode_array(l: *mut lua_State, c: &mut Cursor, len: usize) -> Result<(), DecodeError> {
    ffi::lua_createtable(l, 0, 0);
    capi::check_stack(l, 1, "in function mp_decode_to_lua_array")?;
    for index in 1..=len {
        // The key goes on the stack first, as in the C code, so deep
        // nesting exhausts the stack at the same depth.
        ffi::lua_pushnumber(l, index as f64);
        decode_value(l, c)?;
        ffi::lua_rawset(l, -3);
    }
    Ok(())
}

unsafe fn decode_map(l: *mut lua_State, c: &mut Cursor, len: usize) -> Result<(), DecodeError> {
    ffi::lua_createtable(l, 0, 0);
    for _ in 0..len {
        decode_value(l, c)?;
        decode_value(l, c)?;
        // lua_settable's own checks, raised from a C function: no position.
        match ffi::lua_type(l, -2) {
            ffi::LUA_TNIL => return Err(Raise::plain("table index is nil").into()),
            ffi::LUA_TNUMBER if ffi::lua_tonumber(l, -2).is_nan() => {
                return Err(Raise::plain("table index is NaN").into())
            }
            _ => {}
        }
        ffi::lua_rawset(l, -3);
    }
    Ok(())
}

unsafe fn unpack_impl(l: *mut lua_State) -> LibResult {
    unpack_full(l, 0, 0)
}

unsafe fn unpack_one_impl(l: *mut lua_State) -> LibResult {
    let offset = capi::opt_integer(l, 2, 0)?;
    keep_first_argument(l);
    unpack_full(l, 1, offset)
}

unsafe fn unpack_limit_impl(l: *mut lua_State) -> LibResult {
    let limit = capi::check_integer(l, 2)?;
    let offset = capi::opt_integer(l, 3, 0)?;
    keep_first_argument(l);
    unpack_full(l, limit, offset)
}

/// `lua_pop(L, lua_gettop(L) - 1)`: drops all but the first argument (and
/// leaves an empty stack empty).
unsafe fn keep_first_argument(l: *mut lua_State) {
    if ffi::lua_gettop(l) > 1 {
        ffi::lua_settop(l, 1);
    }
}

/// Decodes up to `limit` values from byte `offset` (all of them when both
/// are 0); with a limit or offset, the next offset (or -1) comes first.
unsafe fn unpack_full(l: *mut lua_State, limit: i64, offset: i64) -> LibResult {
    let decode_all = limit == 0 && offset == 0;
    let data = capi::check_bytes(l, 1)?;
    let len = data.len();
    if offset < 0 || limit < 0 {
        // The C code prints the input length where it says "limit".
        return Err(Raise::located(format!(
            "Invalid request to unpack with offset of {} and limit of {}.",
            offset as c_int, len as c_int
        )));
    }
    if offset as u64 > len as u64 {
        return Err(Raise::located(format!(
            "Start offset {} greater than input length {}.",
            offset as c_int, len as c_int
        )));
    }
    let limit = if decode_all {
        i64::from(c_int::MAX)
    } else {
        limit
    };
    let mut cursor = Cursor {
        data,
        pos: offset as usize,
    };
    let mut count: c_int = 0;
    while cursor.left() > 0 && i64::from(count) < limit {
        match decode_value(l, &mut cursor) {
            Ok(()) => count += 1,
            Err(DecodeError::Eof) => return Err(Raise::located("Missing bytes in input.")),
            Err(DecodeError::BadFormat) => return Err(Raise::located("Bad data format in input.")),
            Err(DecodeError::Lua(err)) => return Err(err),
        }
    }
    if !decode_all {
        capi::check_stack(l, 1, "in function mp_unpack_full")?;
        let next = if cursor.left() == 0 {
            -1
        } else {
            cursor.pos as i64
        };
        ffi::lua_pushinteger(l, next);
        ffi::lua_insert(l, 2);
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests;
