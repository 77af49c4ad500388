//! Thin helpers over the Lua 5.1 C API shared by the four libraries.
//!
//! The libraries are C functions (`lua_CFunction`) working on the Lua stack
//! directly, as Redis's C originals do: going through mlua's `Value` would
//! turn tiny floats and `-0.0` into integer 0, and Rust callback errors would
//! reach scripts as userdata instead of strings.
//!
//! Each library function is an `unsafe fn(*mut lua_State) -> LibResult`
//! wrapped by [`lua_cfunction!`]: the body returns errors as [`Raise`]
//! values; the wrapper raises them with `lua_error` only after every Rust
//! value has been dropped, so the `longjmp` crosses no frame with pending
//! destructors (the pattern mlua itself uses). The one exception is an
//! allocation failure inside a Lua API call (a memory error `longjmp`s out
//! at once): the Rust buffers of that call are then leaked, not freed.

use std::ffi::{c_int, CStr};
use std::ptr;

use mlua::ffi::{self, lua_State};

/// A Lua error a library function raises, in the flavour of the C helper
/// Redis's library would have called. Messages are bytes: they may quote
/// arbitrary input.
#[derive(Debug)]
pub enum Raise {
    /// `luaL_error`: the message gets the calling Lua chunk's `name:line: `
    /// prefix (`luaL_where(L, 1)`).
    Located(Vec<u8>),
    /// `luaL_argerror(L, narg, extramsg)`: "bad argument #n to 'f' (...)",
    /// also position-prefixed.
    Arg(c_int, Vec<u8>),
    /// `luaG_runerror` from inside a C function (e.g. "table index is
    /// nil" from `lua_settable`): no prefix at all.
    Plain(Vec<u8>),
}

impl Raise {
    /// A [`Raise::Located`] error.
    pub fn located(msg: impl Into<Vec<u8>>) -> Self {
        Raise::Located(msg.into())
    }

    /// A [`Raise::Arg`] error.
    pub fn arg(narg: c_int, extramsg: impl Into<Vec<u8>>) -> Self {
        Raise::Arg(narg, extramsg.into())
    }

    /// A [`Raise::Plain`] error.
    pub fn plain(msg: impl Into<Vec<u8>>) -> Self {
        Raise::Plain(msg.into())
    }
}

/// What a library function body returns: the number of results it pushed.
pub type LibResult = Result<c_int, Raise>;

/// Runs `body` and turns its error into a Lua error. Panics become Lua
/// errors too, since unwinding into Lua's C frames is not allowed.
///
/// # Safety
/// `l` must be the state of a running C function call.
pub unsafe fn run(l: *mut lua_State, body: unsafe fn(*mut lua_State) -> LibResult) -> c_int {
    let outcome = std::panic::catch_unwind(|| unsafe { body(l) });
    let err = match outcome {
        Ok(Ok(n)) => return n,
        Ok(Err(err)) => err,
        Err(_) => Raise::plain("internal error in a Lua library"),
    };
    raise(l, err)
}

/// Pushes the message of `err` and calls `lua_error`; the Rust strings are
/// dropped before the jump.
unsafe fn raise(l: *mut lua_State, err: Raise) -> ! {
    // Only the message survives the error; emptying the stack guarantees
    // room for it even when the failure was a full stack.
    ffi::lua_settop(l, 0);
    match err {
        Raise::Located(msg) => {
            ffi::luaL_where(l, 1);
            push_bytes(l, &msg);
            drop(msg);
            ffi::lua_concat(l, 2);
        }
        Raise::Arg(narg, extra) => {
            push_bytes(l, &extra);
            drop(extra);
            // The pushed string stays on the stack, so its pointer is valid
            // for the duration of the call.
            let extra_ptr = ffi::lua_tolstring(l, -1, ptr::null_mut());
            ffi::luaL_argerror(l, narg, extra_ptr);
        }
        Raise::Plain(msg) => {
            push_bytes(l, &msg);
            drop(msg);
        }
    }
    ffi::lua_error(l)
}

/// Declares an `extern "C-unwind"` Lua C function `$name` running `$body`.
macro_rules! lua_cfunction {
    ($(#[$meta:meta])* $name:ident => $body:path) => {
        $(#[$meta])*
        pub(crate) unsafe extern "C-unwind" fn $name(l: *mut mlua::ffi::lua_State) -> std::ffi::c_int {
            unsafe { $crate::lua_libs::capi::run(l, $body) }
        }
    };
}
pub(crate) use lua_cfunction;

/// Pushes `bytes` as a Lua string.
///
/// # Safety
/// `l` must be valid with one free stack slot.
pub unsafe fn push_bytes(l: *mut lua_State, bytes: &[u8]) {
    ffi::lua_pushlstring_(l, bytes.as_ptr().cast(), bytes.len());
}

/// The bytes of the string (or number, converted in place as
/// `lua_tolstring` does) at `idx`, or `None`.
///
/// # Safety
/// The slice borrows Lua memory: it is valid while the value stays at `idx`.
pub unsafe fn to_bytes<'a>(l: *mut lua_State, idx: c_int) -> Option<&'a [u8]> {
    let mut len = 0usize;
    let p = ffi::lua_tolstring(l, idx, &mut len);
    if p.is_null() {
        None
    } else {
        Some(std::slice::from_raw_parts(p.cast::<u8>(), len))
    }
}

/// `lua_typename(L, lua_type(L, idx))`: "nil", "number", "no value"...
///
/// # Safety
/// `l` must be valid.
pub unsafe fn type_name_at(l: *mut lua_State, idx: c_int) -> String {
    type_name(l, ffi::lua_type(l, idx))
}

/// `lua_typename(L, t)`.
///
/// # Safety
/// `l` must be valid.
pub unsafe fn type_name(l: *mut lua_State, t: c_int) -> String {
    CStr::from_ptr(ffi::lua_typename(l, t))
        .to_string_lossy()
        .into_owned()
}

/// `luaL_typerror`: "bad argument #n to 'f' (number expected, got nil)".
///
/// # Safety
/// `l` must be valid.
pub unsafe fn type_error(l: *mut lua_State, narg: c_int, expected: &str) -> Raise {
    Raise::arg(
        narg,
        format!("{expected} expected, got {}", type_name_at(l, narg)),
    )
}

/// `luaL_checklstring`: numbers are converted to strings in place.
///
/// # Safety
/// As [`to_bytes`].
pub unsafe fn check_bytes<'a>(l: *mut lua_State, narg: c_int) -> Result<&'a [u8], Raise> {
    to_bytes(l, narg).ok_or_else(|| type_error(l, narg, "string"))
}

/// `luaL_checknumber`: numbers and numeric strings.
///
/// # Safety
/// `l` must be valid.
pub unsafe fn check_number(l: *mut lua_State, narg: c_int) -> Result<f64, Raise> {
    let n = ffi::lua_tonumber(l, narg);
    if n == 0.0 && ffi::lua_isnumber(l, narg) == 0 {
        return Err(type_error(l, narg, "number"));
    }
    Ok(n)
}

/// `luaL_checkinteger`: the number truncated toward zero, as Lua 5.1's
/// `lua_tointeger` does.
///
/// # Safety
/// `l` must be valid.
pub unsafe fn check_integer(l: *mut lua_State, narg: c_int) -> Result<i64, Raise> {
    let n = ffi::lua_tointeger_(l, narg);
    if n == 0 && ffi::lua_isnumber(l, narg) == 0 {
        return Err(type_error(l, narg, "number"));
    }
    Ok(n)
}

/// `luaL_optinteger`: `default` when the argument is absent or nil.
///
/// # Safety
/// `l` must be valid.
pub unsafe fn opt_integer(l: *mut lua_State, narg: c_int, default: i64) -> Result<i64, Raise> {
    if ffi::lua_type(l, narg) <= ffi::LUA_TNIL {
        Ok(default)
    } else {
        check_integer(l, narg)
    }
}

/// `luaL_checkstack`: "stack overflow (msg)" when the stack cannot grow.
///
/// # Safety
/// `l` must be valid.
pub unsafe fn check_stack(l: *mut lua_State, space: c_int, msg: &str) -> Result<(), Raise> {
    if ffi::lua_checkstack(l, space) == 0 {
        return Err(Raise::located(format!("stack overflow ({msg})")));
    }
    Ok(())
}

/// A C `(int)` conversion of a double as x86-64 performs it
/// (`cvttsd2si`): out-of-range values and NaN become `i32::MIN`.
pub fn x86_f64_to_i32(d: f64) -> i32 {
    if !(-2147483648.0..2147483648.0).contains(&d.trunc()) {
        i32::MIN
    } else {
        d as i32
    }
}

/// A C `(int64_t)` conversion of a double on x86-64: out-of-range values
/// and NaN become `i64::MIN`.
pub fn x86_f64_to_i64(d: f64) -> i64 {
    if !(-9223372036854775808.0..9223372036854775808.0).contains(&d) {
        i64::MIN
    } else {
        d as i64
    }
}

/// A C `(uint64_t)` conversion of a double as gcc emits it on x86-64: below
/// 2^63 a signed conversion, otherwise a signed conversion of `d - 2^63`
/// with the top bit flipped.
pub fn x86_f64_to_u64(d: f64) -> u64 {
    const TWO_63: f64 = 9223372036854775808.0;
    if d >= TWO_63 {
        (x86_f64_to_i64(d - TWO_63) as u64) ^ (1 << 63)
    } else {
        x86_f64_to_i64(d) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x86_conversions_follow_the_cpu() {
        assert_eq!(x86_f64_to_i32(1e10), i32::MIN);
        assert_eq!(x86_f64_to_i32(-3.9), -3);
        assert_eq!(x86_f64_to_i32(f64::NAN), i32::MIN);
        assert_eq!(x86_f64_to_i64(1e30), i64::MIN);
        assert_eq!(x86_f64_to_u64(1e30), 0);
        assert_eq!(x86_f64_to_u64(f64::NAN), 1 << 63);
        assert_eq!(x86_f64_to_u64(18446744073709549568.0), 18446744073709549568);
        assert_eq!(x86_f64_to_u64(-1.0), u64::MAX);
    }
}
