//! `bit`: LuaBitOp 1.0.2 as Redis bundles it (deps/lua/src/lua_bit.c).
//!
//! Every argument is normalised to 32 bits the way the C code does it:
//! adding 2^52+2^51 to the double and keeping the low word of its bits,
//! i.e. rounding to an integer and reducing it modulo 2^32. Results are
//! signed 32-bit numbers.

use std::ffi::{c_int, CStr};

use mlua::ffi::{self, lua_State};

use super::capi::{self, lua_cfunction, LibResult, Raise};

/// The library's functions, for `luaL_register`-style installation.
pub const FUNCTIONS: &[(&CStr, ffi::lua_CFunction)] = &[
    (c"tobit", bit_tobit),
    (c"bnot", bit_bnot),
    (c"band", bit_band),
    (c"bor", bit_bor),
    (c"bxor", bit_bxor),
    (c"lshift", bit_lshift),
    (c"rshift", bit_rshift),
    (c"arshift", bit_arshift),
    (c"rol", bit_rol),
    (c"ror", bit_ror),
    (c"bswap", bit_bswap),
    (c"tohex", bit_tohex),
];

/// The 32 bits of a number: the low word of `n + 2^52 + 2^51`.
pub fn normalise(n: f64) -> u32 {
    (n + 6755399441055744.0).to_bits() as u32
}

/// Argument `idx` as 32 bits; non-numbers are an error ("number expected").
unsafe fn barg(l: *mut lua_State, idx: c_int) -> Result<u32, Raise> {
    let b = normalise(ffi::lua_tonumber(l, idx));
    if b == 0 && ffi::lua_isnumber(l, idx) == 0 {
        return Err(capi::type_error(l, idx, "number"));
    }
    Ok(b)
}

/// Pushes `b` as a signed 32-bit number.
unsafe fn bret(l: *mut lua_State, b: u32) -> LibResult {
    ffi::lua_pushnumber(l, f64::from(b as i32));
    Ok(1)
}

unsafe fn tobit_impl(l: *mut lua_State) -> LibResult {
    bret(l, barg(l, 1)?)
}

unsafe fn bnot_impl(l: *mut lua_State) -> LibResult {
    bret(l, !barg(l, 1)?)
}

/// Folds `op` over all arguments: the first, then from the last down.
unsafe fn fold_args(l: *mut lua_State, op: fn(u32, u32) -> u32) -> LibResult {
    let mut b = barg(l, 1)?;
    let mut i = ffi::lua_gettop(l);
    while i > 1 {
        b = op(b, barg(l, i)?);
        i -= 1;
    }
    bret(l, b)
}

unsafe fn band_impl(l: *mut lua_State) -> LibResult {
    fold_args(l, |a, b| a & b)
}

unsafe fn bor_impl(l: *mut lua_State) -> LibResult {
    fold_args(l, |a, b| a | b)
}

unsafe fn bxor_impl(l: *mut lua_State) -> LibResult {
    fold_args(l, |a, b| a ^ b)
}

/// A shift or rotation of argument 1 by argument 2 modulo 32.
unsafe fn shift_args(l: *mut lua_State, op: fn(u32, u32) -> u32) -> LibResult {
    let b = barg(l, 1)?;
    let n = barg(l, 2)? & 31;
    bret(l, op(b, n))
}

unsafe fn lshift_impl(l: *mut lua_State) -> LibResult {
    shift_args(l, |b, n| b << n)
}

unsafe fn rshift_impl(l: *mut lua_State) -> LibResult {
    shift_args(l, |b, n| b >> n)
}

unsafe fn arshift_impl(l: *mut lua_State) -> LibResult {
    shift_args(l, |b, n| ((b as i32) >> n) as u32)
}

unsafe fn rol_impl(l: *mut lua_State) -> LibResult {
    shift_args(l, u32::rotate_left)
}

unsafe fn ror_impl(l: *mut lua_State) -> LibResult {
    shift_args(l, u32::rotate_right)
}

unsafe fn bswap_impl(l: *mut lua_State) -> LibResult {
    bret(l, barg(l, 1)?.swap_bytes())
}

/// `tohex(x[, n])`: `n` hex digits (default 8, at most 8), upper case when
/// `n` is negative.
unsafe fn tohex_impl(l: *mut lua_State) -> LibResult {
    let mut b = barg(l, 1)?;
    let mut n = if ffi::lua_type(l, 2) == ffi::LUA_TNONE {
        8
    } else {
        barg(l, 2)? as i32
    };
    let digits: &[u8; 16] = if n < 0 {
        n = n.wrapping_neg();
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    // -(-2^31) overflows; compiled Redis treats it as more than 8 digits.
    let n = if n < 0 { 8 } else { n.min(8) as usize };
    let mut buf = [0u8; 8];
    for slot in buf[..n].iter_mut().rev() {
        *slot = digits[(b & 15) as usize];
        b >>= 4;
    }
    capi::push_bytes(l, &buf[..n]);
    Ok(1)
}

lua_cfunction!(
    /// `bit.tobit(x)`.
    bit_tobit => tobit_impl
);
lua_cfunction!(
    /// `bit.bnot(x)`.
    bit_bnot => bnot_impl
);
lua_cfunction!(
    /// `bit.band(x1, ...)`.
    bit_band => band_impl
);
lua_cfunction!(
    /// `bit.bor(x1, ...)`.
    bit_bor => bor_impl
);
lua_cfunction!(
    /// `bit.bxor(x1, ...)`.
    bit_bxor => bxor_impl
);
lua_cfunction!(
    /// `bit.lshift(x, n)`.
    bit_lshift => lshift_impl
);
lua_cfunction!(
    /// `bit.rshift(x, n)`.
    bit_rshift => rshift_impl
);
lua_cfunction!(
    /// `bit.arshift(x, n)`.
    bit_arshift => arshift_impl
);
lua_cfunction!(
    /// `bit.rol(x, n)`.
    bit_rol => rol_impl
);
lua_cfunction!(
    /// `bit.ror(x, n)`.
    bit_ror => ror_impl
);
lua_cfunction!(
    /// `bit.bswap(x)`.
    bit_bswap => bswap_impl
);
lua_cfunction!(
    /// `bit.tohex(x[, n])`.
    bit_tohex => tohex_impl
);

#[cfg(test)]
mod tests;
