//! `cjson`: the Lua CJSON 2.1.0 module Redis bundles (deps/lua/src/lua_cjson.c),
//! with Redis's build options (global `cjson`, invalid numbers decoded).
//!
//! The module table holds `encode`, `decode`, the configuration functions,
//! `new` (an independent module with its own configuration), `null` (a NULL
//! lightuserdata, what JSON `null` decodes to), `_NAME` and `_VERSION`. Every
//! function shares one [`Config`] userdata as its first upvalue.

mod decode;
mod encode;

use std::ffi::{c_int, CStr};
use std::ptr;

use mlua::ffi::{self, lua_State};

use super::capi::{self, lua_cfunction, LibResult, Raise};

/// The module's settings, stored in a userdata shared by its functions.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Encode excessively sparse arrays as objects instead of failing.
    pub sparse_convert: c_int,
    /// An array is excessively sparse when `max > items * ratio` (0: never).
    pub sparse_ratio: c_int,
    /// Arrays with `max <= safe` are never excessively sparse.
    pub sparse_safe: c_int,
    /// Deepest table nesting `encode` accepts.
    pub encode_max_depth: c_int,
    /// Deepest array/object nesting `decode` accepts.
    pub decode_max_depth: c_int,
    /// 0: NaN/Inf are an error; 1: written as nan/inf; 2: written as null.
    pub encode_invalid_numbers: c_int,
    /// Whether `decode` takes NaN, Inf, hex and other non-JSON numbers.
    pub decode_invalid_numbers: c_int,
    /// Only reported back: the buffer is not kept between calls here.
    pub encode_keep_buffer: c_int,
    /// Significant digits of encoded numbers (`%.<n>g`, 1..=14).
    pub encode_number_precision: c_int,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sparse_convert: 0,
            sparse_ratio: 2,
            sparse_safe: 10,
            encode_max_depth: 1000,
            decode_max_depth: 1000,
            encode_invalid_numbers: 0,
            decode_invalid_numbers: 1,
            encode_keep_buffer: 1,
            encode_number_precision: 14,
        }
    }
}

/// The shared configuration of the running cjson function.
///
/// # Safety
/// Only valid inside a cjson C closure; the reference lives as long as the
/// closure's upvalue, i.e. the call.
unsafe fn config<'a>(l: *mut lua_State) -> Result<&'a mut Config, Raise> {
    let cfg = ffi::lua_touserdata(l, ffi::lua_upvalueindex(1)).cast::<Config>();
    if cfg.is_null() {
        return Err(Raise::located("BUG: Unable to fetch CJSON configuration"));
    }
    Ok(&mut *cfg)
}

const FUNCTIONS: &[(&CStr, ffi::lua_CFunction)] = &[
    (c"encode", encode::json_encode),
    (c"decode", decode::json_decode),
    (c"encode_sparse_array", cfg_encode_sparse_array),
    (c"encode_max_depth", cfg_encode_max_depth),
    (c"decode_max_depth", cfg_decode_max_depth),
    (c"encode_number_precision", cfg_encode_number_precision),
    (c"encode_keep_buffer", cfg_encode_keep_buffer),
    (c"encode_invalid_numbers", cfg_encode_invalid_numbers),
    (c"decode_invalid_numbers", cfg_decode_invalid_numbers),
    (c"new", cjson_new),
];

/// Pushes a new cjson module table with a fresh configuration.
///
/// # Safety
/// `l` must be valid; allocation failures raise Lua errors.
pub unsafe fn push_module(l: *mut lua_State) {
    ffi::lua_createtable(l, 0, FUNCTIONS.len() as c_int + 3);
    let cfg = ffi::lua_newuserdata(l, std::mem::size_of::<Config>()).cast::<Config>();
    ptr::write(cfg, Config::default());
    for (name, func) in FUNCTIONS {
        ffi::lua_pushvalue(l, -1);
        ffi::lua_pushcclosure(l, *func, 1);
        ffi::lua_setfield(l, -3, name.as_ptr());
    }
    ffi::lua_pop(l, 1);
    ffi::lua_pushlightuserdata(l, ptr::null_mut());
    ffi::lua_setfield(l, -2, c"null".as_ptr());
    ffi::lua_pushstring_(l, c"cjson".as_ptr());
    ffi::lua_setfield(l, -2, c"_NAME".as_ptr());
    ffi::lua_pushstring_(l, c"2.1.0".as_ptr());
    ffi::lua_setfield(l, -2, c"_VERSION".as_ptr());
}

unsafe fn new_impl(l: *mut lua_State) -> LibResult {
    push_module(l);
    Ok(1)
}

lua_cfunction!(
    /// `cjson.new()`: an independent module table.
    cjson_new => new_impl
);

/// `json_arg_init`: at most `args` arguments, padded with nils.
unsafe fn arg_init<'a>(l: *mut lua_State, args: c_int) -> Result<&'a mut Config, Raise> {
    if ffi::lua_gettop(l) > args {
        return Err(Raise::arg(args + 1, "found too many arguments"));
    }
    ffi::lua_settop(l, args);
    config(l)
}

/// `json_integer_option`: sets `setting` from argument `idx` when given
/// (range errors name argument 1, as the C code does), pushes its value.
unsafe fn integer_option(
    l: *mut lua_State,
    idx: c_int,
    setting: &mut c_int,
    min: c_int,
    max: c_int,
) -> Result<(), Raise> {
    if ffi::lua_type(l, idx) != ffi::LUA_TNIL {
        let value = capi::check_integer(l, idx)? as c_int;
        if !(min <= value && value <= max) {
            return Err(Raise::arg(
                1,
                format!("expected integer between {min} and {max}"),
            ));
        }
        *setting = value;
    }
    ffi::lua_pushinteger(l, (*setting).into());
    Ok(())
}

/// `json_enum_option` with `bool_true == 1`: booleans or one of `options`
/// by name; pushes a boolean for 0/1 and the option name otherwise.
unsafe fn enum_option(
    l: *mut lua_State,
    idx: c_int,
    setting: &mut c_int,
    options: &[&str],
) -> Result<(), Raise> {
    match ffi::lua_type(l, idx) {
        ffi::LUA_TNIL => {}
        ffi::LUA_TBOOLEAN => *setting = ffi::lua_toboolean(l, idx),
        _ => {
            let arg = capi::check_bytes(l, idx)?;
            // strcmp: the name ends at the first NUL.
            let name = arg.split(|&b| b == 0).next().unwrap_or(b"");
            match options.iter().position(|o| o.as_bytes() == name) {
                Some(i) => *setting = i as c_int,
                None => {
                    let mut msg = b"invalid option '".to_vec();
                    msg.extend_from_slice(name);
                    msg.push(b'\'');
                    return Err(Raise::arg(idx, msg));
                }
            }
        }
    }
    if *setting == 0 || *setting == 1 {
        ffi::lua_pushboolean(l, *setting);
    } else {
        capi::push_bytes(l, options[*setting as usize].as_bytes());
    }
    Ok(())
}

const ON_OFF: &[&str] = &["off", "on"];

unsafe fn encode_sparse_array_impl(l: *mut lua_State) -> LibResult {
    let cfg = arg_init(l, 3)?;
    enum_option(l, 1, &mut cfg.sparse_convert, ON_OFF)?;
    integer_option(l, 2, &mut cfg.sparse_ratio, 0, c_int::MAX)?;
    integer_option(l, 3, &mut cfg.sparse_safe, 0, c_int::MAX)?;
    Ok(3)
}

unsafe fn encode_max_depth_impl(l: *mut lua_State) -> LibResult {
    let cfg = arg_init(l, 1)?;
    integer_option(l, 1, &mut cfg.encode_max_depth, 1, c_int::MAX)?;
    Ok(1)
}

unsafe fn decode_max_depth_impl(l: *mut lua_State) -> LibResult {
    let cfg = arg_init(l, 1)?;
    integer_option(l, 1, &mut cfg.decode_max_depth, 1, c_int::MAX)?;
    Ok(1)
}

unsafe fn encode_number_precision_impl(l: *mut lua_State) -> LibResult {
    let cfg = arg_init(l, 1)?;
    integer_option(l, 1, &mut cfg.encode_number_precision, 1, 14)?;
    Ok(1)
}

unsafe fn encode_keep_buffer_impl(l: *mut lua_State) -> LibResult {
    let cfg = arg_init(l, 1)?;
    enum_option(l, 1, &mut cfg.encode_keep_buffer, ON_OFF)?;
    Ok(1)
}

unsafe fn encode_invalid_numbers_impl(l: *mut lua_State) -> LibResult {
    let cfg = arg_init(l, 1)?;
    enum_option(
        l,
        1,
        &mut cfg.encode_invalid_numbers,
        &["off", "on", "null"],
    )?;
    Ok(1)
}

unsafe fn decode_invalid_numbers_impl(l: *mut lua_State) -> LibResult {
    let cfg = arg_init(l, 1)?;
    enum_option(l, 1, &mut cfg.decode_invalid_numbers, ON_OFF)?;
    Ok(1)
}

lua_cfunction!(
    /// `cjson.encode_sparse_array([convert[, ratio[, safe]]])`.
    cfg_encode_sparse_array => encode_sparse_array_impl
);
lua_cfunction!(
    /// `cjson.encode_max_depth([depth])`.
    cfg_encode_max_depth => encode_max_depth_impl
);
lua_cfunction!(
    /// `cjson.decode_max_depth([depth])`.
    cfg_decode_max_depth => decode_max_depth_impl
);
lua_cfunction!(
    /// `cjson.encode_number_precision([digits])`.
    cfg_encode_number_precision => encode_number_precision_impl
);
lua_cfunction!(
    /// `cjson.encode_keep_buffer([on])`.
    cfg_encode_keep_buffer => encode_keep_buffer_impl
);
lua_cfunction!(
    /// `cjson.encode_invalid_numbers([on|off|"null"])`.
    cfg_encode_invalid_numbers => encode_invalid_numbers_impl
);
lua_cfunction!(
    /// `cjson.decode_invalid_numbers([on])`.
    cfg_decode_invalid_numbers => decode_invalid_numbers_impl
);

#[cfg(test)]
mod tests;
