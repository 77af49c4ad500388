//! `cjson.encode`: Lua value to JSON text, walking tables on the Lua stack.

use std::ffi::c_int;

use mlua::ffi::{self, lua_State};

use super::{config, Config};
use crate::lua_libs::capi::{self, lua_cfunction, x86_f64_to_i32, LibResult, Raise};
use crate::lua_libs::number_text::push_g;

lua_cfunction!(
    /// `cjson.encode(value)`.
    json_encode => encode_impl
);

unsafe fn encode_impl(l: *mut lua_State) -> LibResult {
    let cfg = *config(l)?;
    if ffi::lua_gettop(l) != 1 {
        return Err(Raise::arg(1, "expected 1 argument"));
    }
    let mut out = Vec::new();
    append_data(l, &cfg, 0, &mut out)?;
    capi::push_bytes(l, &out);
    Ok(1)
}

/// "Cannot serialise <type of the value at lindex>: <reason>".
unsafe fn exception(l: *mut lua_State, lindex: c_int, reason: &str) -> Raise {
    Raise::located(format!(
        "Cannot serialise {}: {reason}",
        capi::type_name_at(l, lindex)
    ))
}

/// Appends the value on top of the stack.
unsafe fn append_data(
    l: *mut lua_State,
    cfg: &Config,
    depth: c_int,
    out: &mut Vec<u8>,
) -> Result<(), Raise> {
    match ffi::lua_type(l, -1) {
        ffi::LUA_TSTRING => append_string(l, -1, out),
        ffi::LUA_TNUMBER => append_number(l, cfg, -1, out)?,
        ffi::LUA_TBOOLEAN => out.extend_from_slice(if ffi::lua_toboolean(l, -1) != 0 {
            b"true"
        } else {
            b"false"
        }),
        ffi::LUA_TTABLE => {
            let depth = depth + 1;
            // Room for key, value and an error message per level.
            if depth > cfg.encode_max_depth || ffi::lua_checkstack(l, 3) == 0 {
                return Err(Raise::located(format!(
                    "Cannot serialise, excessive nesting ({depth})"
                )));
            }
            let len = array_length(l, cfg)?;
            if len > 0 {
                append_array(l, cfg, depth, len, out)?;
            } else {
                append_object(l, cfg, depth, out)?;
            }
        }
        ffi::LUA_TNIL => out.extend_from_slice(b"null"),
        ffi::LUA_TLIGHTUSERDATA if ffi::lua_touserdata(l, -1).is_null() => {
            out.extend_from_slice(b"null")
        }
        _ => return Err(exception(l, -1, "type not supported")),
    }
    Ok(())
}

/// The array length of the table on top of the stack, or -1 when it must be
/// an object: every key a number >= 1 with no fraction, and not
/// excessively sparse (or an error, unless sparse conversion is on).
unsafe fn array_length(l: *mut lua_State, cfg: &Config) -> Result<c_int, Raise> {
    let mut max: c_int = 0;
    let mut items: c_int = 0;
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        if ffi::lua_type(l, -2) == ffi::LUA_TNUMBER {
            let k = ffi::lua_tonumber(l, -2);
            // C tests `k` for truth, so NaN passes here and fails below.
            if k != 0.0 && k.floor() == k && k >= 1.0 {
                if k > f64::from(max) {
                    max = x86_f64_to_i32(k);
                }
                items = items.wrapping_add(1);
                ffi::lua_pop(l, 1);
                continue;
            }
        }
        ffi::lua_pop(l, 2);
        return Ok(-1);
    }
    if cfg.sparse_ratio > 0 && max > items.wrapping_mul(cfg.sparse_ratio) && max > cfg.sparse_safe {
        if cfg.sparse_convert == 0 {
            return Err(exception(l, -1, "excessively sparse array"));
        }
        return Ok(-1);
    }
    Ok(max)
}

unsafe fn append_array(
    l: *mut lua_State,
    cfg: &Config,
    depth: c_int,
    len: c_int,
    out: &mut Vec<u8>,
) -> Result<(), Raise> {
    out.push(b'[');
    for i in 1..=len {
        if i > 1 {
            out.push(b',');
        }
        ffi::lua_rawgeti_(l, -1, i);
        append_data(l, cfg, depth, out)?;
        ffi::lua_pop(l, 1);
    }
    out.push(b']');
    Ok(())
}

unsafe fn append_object(
    l: *mut lua_State,
    cfg: &Config,
    depth: c_int,
    out: &mut Vec<u8>,
) -> Result<(), Raise> {
    out.push(b'{');
    let mut first = true;
    ffi::lua_pushnil(l);
    while ffi::lua_next(l, -2) != 0 {
        if !first {
            out.push(b',');
        }
        first = false;
        match ffi::lua_type(l, -2) {
            ffi::LUA_TNUMBER => {
                out.push(b'"');
                append_number(l, cfg, -2, out)?;
                out.extend_from_slice(b"\":");
            }
            ffi::LUA_TSTRING => {
                append_string(l, -2, out);
                out.push(b':');
            }
            _ => return Err(exception(l, -2, "table key must be a number or string")),
        }
        append_data(l, cfg, depth, out)?;
        ffi::lua_pop(l, 1);
    }
    out.push(b'}');
    Ok(())
}

unsafe fn append_number(
    l: *mut lua_State,
    cfg: &Config,
    lindex: c_int,
    out: &mut Vec<u8>,
) -> Result<(), Raise> {
    let num = ffi::lua_tonumber(l, lindex);
    match cfg.encode_invalid_numbers {
        0 if !num.is_finite() => return Err(exception(l, lindex, "must not be NaN or Inf")),
        // "on": NaN is spelled without a sign whatever its bits.
        1 if num.is_nan() => {
            out.extend_from_slice(b"nan");
            return Ok(());
        }
        2 if !num.is_finite() => {
            out.extend_from_slice(b"null");
            return Ok(());
        }
        _ => {}
    }
    push_g(out, num, cfg.encode_number_precision as usize);
    Ok(())
}

/// How each byte is written inside a JSON string: `None` as itself.
static ESCAPES: [Option<&[u8]>; 256] = {
    let mut table: [Option<&[u8]>; 256] = [None; 256];
    const CONTROL: [&[u8]; 32] = [
        b"\\u0000", b"\\u0001", b"\\u0002", b"\\u0003", b"\\u0004", b"\\u0005", b"\\u0006",
        b"\\u0007", b"\\b", b"\\t", b"\\n", b"\\u000b", b"\\f", b"\\r", b"\\u000e", b"\\u000f",
        b"\\u0010", b"\\u0011", b"\\u0012", b"\\u0013", b"\\u0014", b"\\u0015", b"\\u0016",
        b"\\u0017", b"\\u0018", b"\\u0019", b"\\u001a", b"\\u001b", b"\\u001c", b"\\u001d",
        b"\\u001e", b"\\u001f",
    ];
    let mut i = 0;
    while i < 32 {
        table[i] = Some(CONTROL[i]);
        i += 1;
    }
    table[b'"' as usize] = Some(b"\\\"");
    table[b'/' as usize] = Some(b"\\/");
    table[b'\\' as usize] = Some(b"\\\\");
    table[0x7f] = Some(b"\\u007f");
    table
};

/// Appends the string at `lindex` quoted and escaped, copying unescaped
/// runs in one go.
unsafe fn append_string(l: *mut lua_State, lindex: c_int, out: &mut Vec<u8>) {
    let bytes = capi::to_bytes(l, lindex).unwrap_or(b"");
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(esc) = ESCAPES[b as usize] {
            out.extend_from_slice(&bytes[run_start..i]);
            out.extend_from_slice(esc);
            run_start = i + 1;
        }
    }
    out.extend_from_slice(&bytes[run_start..]);
    out.push(b'"');
}
