//! The one C function every script run enters Lua through (Redis's
//! `luaCallFunction`): it installs the dispatcher, passes KEYS and ARGV,
//! calls the script under the error handler and sorts out its result, all
//! inside a single protected call on the state's main stack.
//!
//! mlua's `Function::call` would do the same in several protected calls,
//! each allocating closures and copying every value into its reference
//! thread; a one-command script spent a fifth of its time there.

use std::os::raw::{c_int, c_void};

use mlua::{ffi, Lua, RegistryKey};

use super::convert::c_cast_i64;

/// Upvalues of the entry closure, in order.
const UP_RT: c_int = 1;
const UP_D: c_int = 2;
const UP_DISPATCHER: c_int = 3;
const UP_STORE: c_int = 4;
const UP_KEYS: c_int = 5;
const UP_ARGV: c_int = 6;
const UP_HANDLER: c_int = 7;
const UP_OK: c_int = 8;
const UP_ERR: c_int = 9;
const UP_RESULT: c_int = 10;
const UPVALUES: c_int = 10;

/// How the script's code gets its keys and arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// EVAL: as the `KEYS` and `ARGV` globals.
    Globals,
    /// FCALL: as the function's two arguments.
    Arguments,
}

/// What a script returned, sorted so the common replies need no
/// conversion through mlua values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// A string: [`Entered::top_bytes`] reads it.
    Bulk,
    /// A `{ok = text}` table whose text needs no cleaning:
    /// [`Entered::top_bytes`] reads the text.
    Status,
    /// A number, truncated as Redis's `(long long)` cast does.
    Integer(i64),
    /// A boolean.
    Boolean(bool),
    /// `nil` or a value with no RESP form (functions, userdata...).
    Nil,
    /// Anything else (arrays, error tables, RESP3 types...): the value
    /// waits in `rt.result` for [`Entry::take_result`].
    Value,
    /// The script raised an error: the handler's value waits in
    /// `rt.result`.
    Failed,
}

/// One run's inputs and result, shared with the C side through a pointer.
struct Call<'a> {
    script: c_int,
    style: Style,
    keys: &'a [&'a [u8]],
    args: &'a [&'a [u8]],
    outcome: Outcome,
}

/// The entry closure of one Lua state and the state's main stack.
#[derive(Debug)]
pub struct Entry {
    main: *mut ffi::lua_State,
    closure: RegistryKey,
}

/// The Lua values the entry closure keeps as upvalues.
pub struct Upvalues<'a> {
    /// The runtime slots table (`rt.d`, `rt.result`).
    pub rt: &'a mlua::Table,
    /// Where the globals live (KEYS and ARGV go there).
    pub store: &'a mlua::Table,
    /// The command dispatcher installed as `rt.d` for the run.
    pub dispatcher: &'a mlua::Function,
    /// The error handler.
    pub handler: &'a mlua::Function,
}

impl Entry {
    /// Creates the entry closure in `lua`.
    pub fn new(lua: &Lua, up: Upvalues<'_>) -> mlua::Result<Entry> {
        let names = (
            lua.create_string("d")?,
            lua.create_string("KEYS")?,
            lua.create_string("ARGV")?,
            lua.create_string("ok")?,
            lua.create_string("err")?,
            lua.create_string("result")?,
        );
        let mut main: *mut ffi::lua_State = std::ptr::null_mut();
        let values = (
            up.rt,
            &names.0,
            up.dispatcher,
            up.store,
            &names.1,
            &names.2,
            up.handler,
            &names.3,
            &names.4,
            &names.5,
        );
        // SAFETY: `exec_raw` runs the closure in protected mode with the
        // ten values on the stack; pushcclosure pops them as upvalues and
        // leaves the closure as the one result. `state` is the state mlua
        // drives, whose stack is the one later runs use.
        let closure: mlua::Function = unsafe {
            lua.exec_raw(values, |state| {
                main = state;
                ffi::lua_pushcclosure(state, entry, UPVALUES);
            })
        }?;
        Ok(Entry {
            main,
            closure: lua.create_registry_value(closure)?,
        })
    }

    /// Runs the function at registry reference `script` with `keys` and
    /// `args`. On success the result stays on the stack until the returned
    /// [`Entered`] drops; `Err` carries the message of an error raised
    /// outside the script (out of memory setting it up).
    pub fn enter(
        &self,
        script: c_int,
        style: Style,
        keys: &[&[u8]],
        args: &[&[u8]],
    ) -> Result<Entered, String> {
        let mut call = Call {
            script,
            style,
            keys,
            args,
            outcome: Outcome::Nil,
        };
        let state = self.main;
        // SAFETY: `main` is the state mlua created; between mlua's own
        // operations its stack is balanced, and nothing else runs on it
        // (the server has one thread). Pushing a registry value and a
        // light userdata allocates nothing; the entry runs protected, and
        // `call` outlives it.
        unsafe {
            let base = ffi::lua_gettop(state);
            if ffi::lua_checkstack(state, 3) == 0 {
                return Err("not enough stack space to run the script".into());
            }
            ffi::lua_rawgeti_(state, ffi::LUA_REGISTRYINDEX, self.closure.id());
            ffi::lua_pushlightuserdata(state, (&mut call as *mut Call<'_>).cast::<c_void>());
            if ffi::lua_pcall(state, 1, 1, 0) != 0 {
                let message = string_at(state, -1)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_else(|| "unknown error".into());
                ffi::lua_settop(state, base);
                return Err(message);
            }
            Ok(Entered {
                state,
                base,
                outcome: call.outcome,
            })
        }
    }
}

/// A finished run whose result is still on the Lua stack.
pub struct Entered {
    state: *mut ffi::lua_State,
    base: c_int,
    /// What the script returned.
    pub outcome: Outcome,
}

impl Entered {
    /// The string left for [`Outcome::Bulk`] and [`Outcome::Status`].
    pub fn top_bytes(&self) -> &[u8] {
        // SAFETY: the value at `base + 1` is the entry's result, kept alive
        // by the stack until `self` drops.
        unsafe { string_at(self.state, self.base + 1).unwrap_or_default() }
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        // SAFETY: pops only what `enter` pushed (settop allocates nothing).
        unsafe { ffi::lua_settop(self.state, self.base) }
    }
}

/// The bytes of the string at `idx`, if it is one (numbers are not
/// converted: that would allocate).
unsafe fn string_at<'a>(state: *mut ffi::lua_State, idx: c_int) -> Option<&'a [u8]> {
    if ffi::lua_type(state, idx) != ffi::LUA_TSTRING {
        return None;
    }
    let mut len = 0usize;
    let p = ffi::lua_tolstring(state, idx, &mut len);
    Some(std::slice::from_raw_parts(p.cast::<u8>(), len))
}

/// The entry closure: `entry(call)` with `call` a light userdata.
unsafe extern "C-unwind" fn entry(state: *mut ffi::lua_State) -> c_int {
    let call = &mut *ffi::lua_touserdata(state, 1).cast::<Call<'_>>();
    ffi::lua_settop(state, 0);
    set_slot(state, UP_D, UP_DISPATCHER);
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(UP_HANDLER));
    ffi::lua_rawgeti_(state, ffi::LUA_REGISTRYINDEX, call.script);
    let nargs = match call.style {
        Style::Globals => {
            set_sequence(state, UP_KEYS, call.keys);
            set_sequence(state, UP_ARGV, call.args);
            0
        }
        Style::Arguments => {
            push_sequence(state, call.keys);
            push_sequence(state, call.args);
            2
        }
    };
    let failed = ffi::lua_pcall(state, nargs, 1, 1) != 0;
    // The result (or the handler's value) is at 2.
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(UP_D));
    ffi::lua_pushnil(state);
    ffi::lua_rawset(state, ffi::lua_upvalueindex(UP_RT));
    call.outcome = if failed {
        stash_result(state);
        Outcome::Failed
    } else {
        classify(state)
    };
    // The one result: the status text (on top) or the value itself.
    if call.outcome != Outcome::Status {
        ffi::lua_settop(state, 2);
    }
    1
}

/// Sorts the result at 2; leaves the string [`Entered::top_bytes`] reads
/// on top for strings and plain statuses.
unsafe fn classify(state: *mut ffi::lua_State) -> Outcome {
    match ffi::lua_type(state, 2) {
        ffi::LUA_TSTRING => Outcome::Bulk,
        ffi::LUA_TNUMBER => Outcome::Integer(c_cast_i64(ffi::lua_tonumber(state, 2))),
        ffi::LUA_TBOOLEAN => Outcome::Boolean(ffi::lua_toboolean(state, 2) != 0),
        ffi::LUA_TTABLE => {
            // An `err` string makes it an error reply, whatever `ok` holds.
            if field_type(state, UP_ERR) == ffi::LUA_TSTRING {
                stash_result(state);
                return Outcome::Value;
            }
            ffi::lua_settop(state, 2);
            if field_type(state, UP_OK) == ffi::LUA_TSTRING
                && string_at(state, 3).is_some_and(plain_status)
            {
                return Outcome::Status;
            }
            stash_result(state);
            Outcome::Value
        }
        _ => Outcome::Nil,
    }
}

/// Pushes `t[name]` (raw) for the table at 2, `name` an upvalue; returns
/// its type.
unsafe fn field_type(state: *mut ffi::lua_State, name: c_int) -> c_int {
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(name));
    ffi::lua_rawget_(state, 2);
    ffi::lua_type(state, -1)
}

/// A status text sent as is: valid UTF-8 without CR, LF or NUL (the
/// general conversion cleans the others).
fn plain_status(text: &[u8]) -> bool {
    !text.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0) && std::str::from_utf8(text).is_ok()
}

/// Keeps the value at 2 in `rt.result` for the general conversion.
unsafe fn stash_result(state: *mut ffi::lua_State) {
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(UP_RESULT));
    ffi::lua_pushvalue(state, 2);
    ffi::lua_rawset(state, ffi::lua_upvalueindex(UP_RT));
}

/// `rt[upvalue name] = upvalue value`.
unsafe fn set_slot(state: *mut ffi::lua_State, name: c_int, value: c_int) {
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(name));
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(value));
    ffi::lua_rawset(state, ffi::lua_upvalueindex(UP_RT));
}

/// `store[upvalue name] = {items...}`.
unsafe fn set_sequence(state: *mut ffi::lua_State, name: c_int, items: &[&[u8]]) {
    ffi::lua_pushvalue(state, ffi::lua_upvalueindex(name));
    push_sequence(state, items);
    ffi::lua_rawset(state, ffi::lua_upvalueindex(UP_STORE));
}

/// Pushes a new table `{items...}` of strings.
///
/// # Safety
/// `state` must be a Lua state in a protected call with two free slots.
pub unsafe fn push_sequence(state: *mut ffi::lua_State, items: &[&[u8]]) {
    ffi::lua_createtable(state, items.len() as c_int, 0);
    for (i, item) in items.iter().enumerate() {
        ffi::lua_pushlstring_(state, item.as_ptr().cast(), item.len());
        ffi::lua_rawseti_(state, -2, (i + 1) as c_int);
    }
}
