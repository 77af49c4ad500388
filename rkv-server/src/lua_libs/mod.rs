//! The Lua libraries Redis 7.0 loads into its scripting VM, rewritten in
//! Rust over the Lua 5.1 C API (mlua's vendored Lua 5.1):
//!
//! - [`cjson`]: JSON (`cjson.encode`, `cjson.decode`, `cjson.null`, settings).
//! - [`cmsgpack`]: MessagePack (`cmsgpack.pack`, `unpack`, `unpack_one`, `unpack_limit`).
//! - [`lua_struct`]: binary packing (`struct.pack`, `unpack`, `size`).
//! - [`bit`]: LuaBitOp 32-bit operations (`bit.band`, `bit.tohex`...).
//!
//! [`register_all`] installs them as Redis's `luaLoadLibraries` does: each
//! as a global table; `struct` and `bit` (opened with `luaL_register`) are
//! also recorded in the registry's `_LOADED` table (`package.loaded`), while
//! `cjson` and `cmsgpack` (set with `lua_setglobal`) are not.
//!
//! Errors behave as the C libraries' do: they are Lua strings, prefixed by
//! the calling chunk's position where the C code used `luaL_error`, with
//! Redis's exact texts.

pub mod bit;
pub mod capi;
pub mod cjson;
pub mod cmsgpack;
pub mod lua_struct;
pub mod number_text;

#[cfg(test)]
mod test_support;

use std::ffi::CStr;

use mlua::ffi::{self, lua_State};

/// Installs the globals `cjson`, `struct`, `cmsgpack` and `bit` into `lua`,
/// as Redis's scripting VM has them.
pub fn register_all(lua: &mlua::Lua) -> mlua::Result<()> {
    // SAFETY: the closure runs in protected mode (allocation errors become
    // mlua errors) and leaves nothing on the stack.
    unsafe { lua.exec_raw::<()>((), |l| open_all(l)) }
}

/// Opens the four libraries in Redis's order.
///
/// # Safety
/// `l` must be a valid state running in protected mode.
unsafe fn open_all(l: *mut lua_State) {
    cjson::push_module(l);
    ffi::lua_setglobal(l, c"cjson".as_ptr());
    register_library(l, c"struct", lua_struct::FUNCTIONS);
    cmsgpack::push_module(l);
    ffi::lua_setglobal(l, c"cmsgpack".as_ptr());
    register_library(l, c"bit", bit::FUNCTIONS);
}

/// What Lua 5.1's `luaL_register(L, name, functions)` does for a new
/// library: a global table, also stored in `_LOADED[name]`.
///
/// # Safety
/// As [`open_all`].
unsafe fn register_library(
    l: *mut lua_State,
    name: &CStr,
    functions: &[(&CStr, ffi::lua_CFunction)],
) {
    ffi::lua_createtable(l, 0, functions.len() as i32);
    for (fname, func) in functions {
        ffi::lua_pushcfunction(l, *func);
        ffi::lua_setfield(l, -2, fname.as_ptr());
    }
    ffi::lua_getfield_(l, ffi::LUA_REGISTRYINDEX, c"_LOADED".as_ptr());
    if ffi::lua_type(l, -1) == ffi::LUA_TTABLE {
        ffi::lua_pushvalue(l, -2);
        ffi::lua_setfield(l, -2, name.as_ptr());
    }
    ffi::lua_pop(l, 1);
    ffi::lua_setglobal(l, name.as_ptr());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Redis's scripts cannot see `package`, so these follow the C source:
    /// `luaL_register` records struct and bit in `_LOADED`, while cjson and
    /// cmsgpack only set globals.
    #[test]
    fn globals_and_loaded_table_as_lua_5_1_luaopen_functions_leave_them() {
        let lua = mlua::Lua::new();
        register_all(&lua).unwrap();
        let check: (bool, bool, bool, bool, String) = lua
            .load(
                "return package.loaded.cjson == nil, package.loaded.cmsgpack == nil, \
                 package.loaded.struct == struct, package.loaded.bit == bit, \
                 type(cjson.encode) .. type(cmsgpack.pack) .. type(struct.pack) .. type(bit.band)",
            )
            .eval()
            .unwrap();
        assert_eq!(
            check,
            (
                true,
                true,
                true,
                true,
                "functionfunctionfunctionfunction".to_string()
            )
        );
    }

    /// Large inputs go through in linear time (a quadratic path would take
    /// minutes here), and survive a round trip unchanged.
    #[test]
    fn large_payloads_round_trip() {
        let lua = mlua::Lua::new();
        register_all(&lua).unwrap();
        let ok: bool = lua
            .load(
                "local t = {} for i = 1, 200000 do t[i] = {id = i, name = 'n\"' .. i, v = i / 7} end \
                 local s = cjson.encode(t) local back = cjson.decode(s) \
                 local m = cmsgpack.pack(back) local again = cmsgpack.unpack(m) \
                 local big = string.rep('\\0x\"', 300000) \
                 return #back == 200000 and again[200000].name == 'n\"200000' \
                    and cjson.decode(cjson.encode(big)) == big and cmsgpack.unpack(cmsgpack.pack(big)) == big \
                    and cjson.encode(again) == s",
            )
            .eval()
            .unwrap();
        assert!(ok);
    }
}
