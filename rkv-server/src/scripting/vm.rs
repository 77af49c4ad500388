//! A sandboxed Lua 5.1 state as Redis 7.0 builds one: the base, table,
//! string and math libraries, the bundled libraries, the `redis` API and
//! read-only globals ([`sandbox.lua`](./sandbox.lua) and
//! [`redis_api.lua`](./redis_api.lua) do the Lua side).
//!
//! EVAL and functions each get their own state, as in Redis.

use std::cell::Cell;
use std::os::raw::c_int;
use std::rc::Rc;

use mlua::{Function, Lua, LuaOptions, StdLib, Table, Value};
use sha1::{Digest, Sha1};

use super::convert::Names;
use super::entry::{Entry, Upvalues};
use super::prng;
use super::run::{command_call, create_dispatcher, CurrentRun, CALL_UPVALUES};
use crate::log::Level;
use crate::server::REDIS_VERSION;

/// `REDIS_VERSION_NUM` for 7.0.15 (`0x00MMmmpp`).
pub const REDIS_VERSION_NUM: i64 = 0x0007_000f;

/// Which engine a state serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmMode {
    /// EVAL / EVALSHA scripts.
    Eval,
    /// FUNCTION libraries.
    Functions,
}

/// One Lua state and the sandbox handles Rust drives it through.
#[derive(Debug)]
pub struct Vm {
    /// The interpreter.
    pub lua: Lua,
    /// Slots filled during a run: `d` (the command dispatcher), `load`
    /// (FUNCTION LOAD's registrar), `killed` (SCRIPT KILL's message).
    pub rt: Table,
    /// Where the globals really live (KEYS and ARGV are set here).
    pub store: Table,
    /// The original `pcall` (FUNCTION LOAD runs the library body with it).
    pub pcall: Function,
    /// Functions only: switches the globals to the load-time API.
    pub set_load_mode: Option<Function>,
    /// Where runs enter the state (see [`Entry`]).
    pub entry: Entry,
    /// The running script's state for [`Vm::dispatcher`] (null between runs).
    pub current: CurrentRun,
    /// The command dispatcher, created once; `rt.d` holds it during a run.
    pub dispatcher: Function,
    /// Table keys, interned once.
    pub names: Names,
}

impl Vm {
    /// A fresh sandboxed state.
    pub fn new(mode: VmMode) -> mlua::Result<Vm> {
        // SAFETY: the debug library is loaded only for the sandbox's error
        // handler, which keeps it in a local; scripts never see `debug`.
        let lua = unsafe {
            Lua::unsafe_new_with(
                StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::DEBUG,
                LuaOptions::new(),
            )
        };
        load_bundled_libraries(&lua)?;
        let rt = lua.create_table()?;
        let current: CurrentRun = Rc::new(Cell::new(std::ptr::null()));
        // The raw call function reaches `current` through a pointer: the
        // Lua state keeps an owner so it lives as long as the state.
        lua.set_app_data(current.clone());
        let names = Names::new(&lua)?;
        let dispatcher = create_dispatcher(&lua, current.clone(), names.clone())?;
        let native = native_helpers(&lua, &current, &dispatcher)?;
        let mode_name = match mode {
            VmMode::Eval => "eval",
            VmMode::Functions => "functions",
        };
        #[allow(clippy::type_complexity)]
        let (store, pcall, set_load_mode, handler): (
            Table,
            Function,
            Option<Function>,
            Function,
        ) = lua
            .load(include_str!("sandbox.lua"))
            .set_name("@rkv_internal")
            .call((rt.clone(), native, mode_name))?;
        let entry = Entry::new(
            &lua,
            Upvalues {
                rt: &rt,
                store: &store,
                dispatcher: &dispatcher,
                handler: &handler,
            },
        )?;
        Ok(Vm {
            lua,
            rt,
            store,
            pcall,
            set_load_mode,
            entry,
            current,
            dispatcher,
            names,
        })
    }

    /// Takes the value a run left in `rt.result` (see
    /// [`super::entry::Outcome::Value`]).
    pub fn take_result(&self) -> mlua::Result<Value> {
        let v = self.rt.raw_get(&self.names.result)?;
        self.rt.raw_set(&self.names.result, Value::Nil)?;
        Ok(v)
    }

    /// Bytes the interpreter holds (INFO `used_memory_lua`).
    pub fn used_memory(&self) -> usize {
        self.lua.used_memory()
    }
}

/// Loads the libraries Redis bundles (cjson, cmsgpack, struct, bit, from
/// [`crate::lua_libs`]) into the globals before the sandbox locks them.
fn load_bundled_libraries(lua: &Lua) -> mlua::Result<()> {
    crate::lua_libs::register_all(lua)
}

/// Rust helpers the sandbox wraps: they need no running script.
fn native_helpers(lua: &Lua, current: &CurrentRun, dispatcher: &Function) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let current_ptr = Rc::as_ptr(current) as *mut std::ffi::c_void;
    let dispatcher = dispatcher.clone();
    // `command_caller(raises, outside)`: redis.call (raises) or redis.pcall,
    // `outside` raising the error for a call outside a script.
    t.set(
        "command_caller",
        lua.create_function(move |lua, (raises, outside): (bool, Function)| {
            // SAFETY: `exec_raw` runs the closure in protected mode with the
            // dispatcher, `reply` and `outside` at 1..=3; it pushes the
            // upvalues in `command_call`'s order and leaves the closure.
            unsafe {
                lua.exec_raw::<Function>((dispatcher.clone(), "reply", outside), |state| {
                    use mlua::ffi;
                    ffi::lua_pushlightuserdata(state, current_ptr);
                    ffi::lua_insert(state, 1);
                    ffi::lua_pushboolean(state, c_int::from(raises));
                    ffi::lua_pushcclosure(state, command_call, CALL_UPVALUES);
                })
            }
        })?,
    )?;
    t.set(
        "sha1hex",
        lua.create_function(|_, s: mlua::String| Ok(sha1_hex(&s.as_bytes())))?,
    )?;
    t.set(
        "log",
        lua.create_function(|_, (level, msg): (i64, mlua::String)| {
            let level = match level {
                0 => Level::Debug,
                1 => Level::Verbose,
                2 => Level::Notice,
                _ => Level::Warning,
            };
            crate::log::log(
                level,
                format_args!("{}", String::from_utf8_lossy(&msg.as_bytes())),
            );
            Ok(())
        })?,
    )?;
    t.set(
        "rand",
        lua.create_function(|_, ()| Ok(prng::random_fraction()))?,
    )?;
    t.set(
        "srand",
        lua.create_function(|_, seed: f64| {
            prng::srand48(seed as i32);
            Ok(())
        })?,
    )?;
    t.set(
        "c_function",
        lua.create_function(|lua, f: Function| {
            // SAFETY: `exec_raw` runs the closure in protected mode with `f`
            // on the stack; pushcclosure pops it as the upvalue and leaves
            // the new closure as the single result.
            unsafe {
                lua.exec_raw::<Function>(f, |state| {
                    mlua::ffi::lua_pushcclosure(state, call_upvalue, 1);
                })
            }
        })?,
    )?;
    t.set(
        "redis_api",
        lua.load(include_str!("redis_api.lua"))
            .set_name("@rkv_internal")
            .into_function()?,
    )?;
    t.set("version", REDIS_VERSION)?;
    t.set("version_num", REDIS_VERSION_NUM)?;
    Ok(t)
}

/// A C function that calls its upvalue with its arguments and returns
/// what it returns. Errors raised by the upvalue unwind through it with
/// Lua's longjmp; this frame owns nothing that would need dropping.
unsafe extern "C-unwind" fn call_upvalue(state: *mut mlua::ffi::lua_State) -> std::os::raw::c_int {
    use mlua::ffi;
    let n = ffi::lua_gettop(state);
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(1));
    ffi::lua_insert(state, 1);
    ffi::lua_call(state, n, ffi::LUA_MULTRET);
    ffi::lua_gettop(state)
}

/// Lower-case hex SHA1 of `data`, as Redis's `sha1hex`.
pub fn sha1_hex(data: &[u8]) -> String {
    let digest = Sha1::digest(data);
    let mut s = String::with_capacity(40);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Reads a Lua value as bytes the way `lua_tolstring` does (strings and
/// numbers), or `None`.
pub fn lua_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Integer(i) => Some(i.to_string().into_bytes()),
        Value::Number(n) => Some(lua_number_text(*n).into_bytes()),
        _ => None,
    }
}

/// A number as Lua 5.1 prints it (`%.14g`).
pub fn lua_number_text(n: f64) -> String {
    format_g(n, 14)
}

/// C's `%.<precision>g`.
pub fn format_g(v: f64, precision: usize) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let p = precision.max(1);
    let sci = format!("{:.*e}", p - 1, v);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let m = trim_fraction(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        trim_fraction(&format!("{v:.decimals$}")).to_string()
    }
}

fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_g() {
        assert_eq!(format_g(1.0, 17), "1");
        assert_eq!(format_g(3.7, 17), "3.7000000000000002");
        assert_eq!(format_g(0.1, 14), "0.1");
        assert_eq!(format_g(1e20, 17), "1e+20");
        assert_eq!(format_g(123456789012.0, 14), "123456789012");
        assert_eq!(format_g(1e15, 14), "1e+15");
        assert_eq!(format_g(0.0001, 14), "0.0001");
        assert_eq!(format_g(0.00001, 14), "1e-05");
    }

    #[test]
    fn sha1() {
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }

    #[test]
    fn sandbox_builds() {
        let vm = Vm::new(VmMode::Eval).unwrap();
        let f: Function = vm
            .lua
            .load("return type(redis), type(print), type(os)")
            .into_function()
            .unwrap();
        let r: mlua::Result<(String,)> = f.call(());
        assert!(r.is_err(), "os is not a global");
        let r: (String, String) = vm
            .lua
            .load("return type(redis.call), type(string.format)")
            .call(())
            .unwrap();
        assert_eq!(r, ("function".into(), "function".into()));
    }
}
