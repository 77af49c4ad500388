//! Running a script or function for a client: Redis's `scriptPrepareForRun`,
//! `luaCallFunction` and `scriptResetRun`. The script's commands go through
//! [`call_from_script`] on the engine's own client; the result or error is
//! converted into the caller's reply.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use std::os::raw::c_int;

use mlua::{ffi, Function, HookTriggers, Lua, MultiValue, Value, VmState};
use rkv_proto::Protocol;

use super::busy::{self, BusyWatch};
use super::convert::{
    self, error_info, error_table, reply_to_lua, simple_reply, ArgvBuf, Names, SimpleReply,
};
use super::entry::{Entered, Outcome, Style};
use super::script_cache::lua_error_text;
use super::vm::Vm;
use super::RunningScript;
use crate::client::Client;
use crate::command::dispatch::call_from_script;
use crate::command::Ctx;
use crate::server::Server;

/// EVAL or FCALL: they differ in error texts, KILL commands and how
/// KEYS/ARGV reach the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptKind {
    /// EVAL / EVALSHA: KEYS and ARGV are globals.
    Eval,
    /// FCALL: the function gets `(keys, args)`.
    Function,
}

/// One invocation.
pub struct Invocation<'a> {
    /// EVAL or FCALL.
    pub kind: ScriptKind,
    /// The SHA1 (EVAL) or function name (FCALL), as errors name the script.
    pub name: Rc<str>,
    /// The compiled code's Lua registry reference (its owner, the script
    /// cache or function library, cannot change while a script runs).
    pub func: c_int,
    /// Key arguments.
    pub keys: &'a [&'a [u8]],
    /// Other arguments.
    pub args: &'a [&'a [u8]],
    /// Writes are refused (EVAL_RO/FCALL_RO, `no-writes`).
    pub read_only: bool,
    /// Declared `allow-oom`: commands run even over `maxmemory`.
    pub allow_oom: bool,
}

/// What a running script's commands need.
struct RunState<'s> {
    srv: &'s mut Server,
    client: Box<Client>,
    read_only: bool,
    allow_oom: bool,
    wrote: bool,
    /// Reused for each command's arguments and reply.
    scratch: Scratch,
    /// The busy-script clock.
    watch: BusyWatch,
    /// What the last [`command_call`] left for `d('reply')`.
    pending: Pending,
    /// The caller's command, copied into [`RunningScript::argv`] only when
    /// the busy hook first fires (nothing can read it before).
    caller_argv: &'s [&'s [u8]],
    /// A panic of a command the script ran, resumed once the run is over.
    panic: Option<Box<dyn std::any::Any + Send>>,
}

/// Buffers a run's commands reuse (kept on the server between runs).
#[derive(Debug, Default)]
pub struct Scratch {
    argv: ArgvBuf,
    reply: Vec<u8>,
}

/// What [`command_call`] could not push itself, for `d('reply')`.
#[derive(Default)]
enum Pending {
    /// Nothing (`d('reply')` returns `(true, nil)`).
    #[default]
    Nothing,
    /// The reply in the scratch buffer.
    Reply,
    /// The arguments were not strings or numbers.
    BadArgs(&'static str),
    /// The command was refused before running (counted already).
    Refused(&'static str),
    /// The command panicked: the script gets an error, and the panic
    /// resumes when the run is over.
    Panicked,
}

/// Where a VM's dispatcher finds the running script's [`RunState`]: null
/// between runs. Set only by [`call_script`] for the duration of the call.
pub type CurrentRun = Rc<Cell<*const ()>>;

/// The sandbox's entry into the server, `d(op, ...)` returning
/// `(ok, value)`; created once per VM (`rt.d` holds it only during a run).
pub fn create_dispatcher(lua: &Lua, current: CurrentRun, names: Names) -> mlua::Result<Function> {
    lua.create_function(move |lua, args: MultiValue| {
        let p = current.get();
        if p.is_null() {
            return Ok((true, Value::Nil));
        }
        // SAFETY: `call_script` stores a pointer to its live `RefCell<RunState>`
        // and clears it before returning (the `ClearOnDrop` guard, also on
        // error), so a non-null pointer always refers to the running state.
        // Only the lifetime is erased; `borrow_mut` rules out aliasing.
        let state = unsafe { &*(p as *const RefCell<RunState<'static>>) };
        dispatch(lua, &names, state, args)
    })
}

/// Clears the VM's current-run pointer when the run's call ends.
struct ClearOnDrop<'a>(&'a CurrentRun);

impl Drop for ClearOnDrop<'_> {
    fn drop(&mut self) {
        self.0.set(std::ptr::null());
    }
}

/// Runs the invocation and writes its reply (or error) to `ctx.out`.
pub fn run(ctx: &mut Ctx<'_>, vm: &Vm, inv: Invocation<'_>) {
    crate::command::dispatch::feed_monitors_before(ctx.srv, ctx.client, ctx.argv);
    let errors_before = ctx.srv.stats.total_error_replies;
    ctx.srv.scripting.running = Some(RunningScript {
        name: inv.name.clone(),
        is_eval: inv.kind == ScriptKind::Eval,
        started_us: ctx.started_us,
        argv: Vec::new(),
        wrote: false,
        killed: false,
        caller_tracking: ctx
            .client
            .tracking
            .on
            .then(|| (ctx.client.id, ctx.client.tracking.clone())),
    });
    let mut client = ctx.srv.scripting.take_client();
    client.db = ctx.client.db;
    client.protocol = Protocol::Resp2;
    client.deny_blocking = true;
    let scratch = std::mem::take(&mut ctx.srv.scripting.scratch);
    let threshold = ctx.srv.config.busy_reply_threshold;
    let state = RefCell::new(RunState {
        srv: &mut *ctx.srv,
        client,
        read_only: inv.read_only,
        allow_oom: inv.allow_oom,
        wrote: false,
        scratch,
        watch: BusyWatch::new(threshold, ctx.client.id, ctx.started_us),
        caller_argv: ctx.argv,
        pending: Pending::Nothing,
        panic: None,
    });
    if threshold > 0 {
        install_busy_hook(vm, &state);
    }
    let outcome = call_script(vm, &inv, &state);
    if threshold > 0 {
        vm.lua.remove_hook();
    }
    let RunState {
        client,
        scratch,
        watch,
        panic,
        ..
    } = state.into_inner();
    ctx.srv.scripting.scratch = scratch;
    busy::finish(ctx.srv, &watch);
    let resp3 = client.protocol == Protocol::Resp3;
    ctx.srv.scripting.put_client(client);
    ctx.srv.scripting.running = None;
    if let Some(payload) = panic {
        std::panic::resume_unwind(payload);
    }
    match outcome {
        Ok(entered) => write_result(ctx, vm, &inv.name, &entered, resp3),
        Err(text) => {
            let cut: String = text.chars().take(100).collect();
            ctx.error(&format!("ERR Error running script {}, {cut} ", inv.name));
        }
    }
    // Redis counts a failed call whenever an error reply was counted while
    // the script ran, its commands' included.
    if ctx.srv.stats.total_error_replies != errors_before {
        ctx.failed = true;
    }
}

/// Checks the run's time every 100000 Lua instructions (as Redis does);
/// past the threshold it serves the other clients, and once SCRIPT KILL
/// or FUNCTION KILL was accepted it makes the script fail.
fn install_busy_hook(vm: &Vm, state: &RefCell<RunState<'_>>) {
    // The hook must be 'static; it is removed (in `run`) before `state` is
    // dropped, so this pointer never dangles while the hook can fire.
    let state: *const RefCell<RunState<'static>> = (state as *const RefCell<RunState<'_>>).cast();
    let rt = vm.rt.clone();
    vm.lua.set_hook(
        HookTriggers::new().every_nth_instruction(100_000),
        move |lua, debug| {
            // The sandbox's own frames (the error handler, the runner) must
            // finish even after a kill, or the error would escape them.
            if debug.source().source.as_deref() == Some("@rkv_internal") {
                return Ok(VmState::Continue);
            }
            // SAFETY: see above; the dispatcher's borrow (a command running
            // for the script) never overlaps a hook, as no Lua runs then,
            // and `try_borrow_mut` guards it anyway.
            let state = unsafe { &*state };
            let Ok(mut st) = state.try_borrow_mut() else {
                return Ok(VmState::Continue);
            };
            let st = &mut *st;
            if let Some(running) = st.srv.scripting.running.as_mut() {
                if running.argv.is_empty() {
                    running.argv = st.caller_argv.iter().map(|a| a.to_vec()).collect();
                }
            }
            if !busy::tick(st.srv, &mut st.watch) {
                return Ok(VmState::Continue);
            }
            if rt.raw_get::<Value>("killed")?.is_nil() {
                crate::warning!("Lua script killed by user with SCRIPT KILL.");
                rt.raw_set("killed", KILLED)?;
                fail_on_every_line(lua);
            }
            Err(mlua::Error::runtime(KILLED))
        },
    );
}

/// After a kill, makes the hook fire on every line too, as Redis does, so
/// a script catching the error with pcall cannot keep running.
fn fail_on_every_line(lua: &Lua) {
    // SAFETY: only the hook mask of the running state changes; the hook
    // function and its count stay those mlua installed.
    let _ = unsafe {
        lua.exec_raw::<()>((), |state| {
            use mlua::ffi;
            let hook = ffi::lua_gethook(state);
            let count = ffi::lua_gethookcount(state);
            ffi::lua_sethook(state, hook, ffi::LUA_MASKLINE | ffi::LUA_MASKCOUNT, count);
        })
    };
}

/// The error a killed script fails with.
const KILLED: &str = "Script killed by user with SCRIPT KILL...";

/// Calls the code through the VM's entry with the run's state reachable
/// from the dispatcher for its duration.
fn call_script(
    vm: &Vm,
    inv: &Invocation<'_>,
    state: &RefCell<RunState<'_>>,
) -> Result<Entered, String> {
    vm.current
        .set((state as *const RefCell<RunState<'_>>).cast());
    let _clear = ClearOnDrop(&vm.current);
    let style = match inv.kind {
        ScriptKind::Eval => Style::Globals,
        ScriptKind::Function => Style::Arguments,
    };
    let entered = vm.entry.enter(inv.func, style, inv.keys, inv.args);
    // The busy hook marks a killed run in `rt.killed` (the error handler
    // reads it); only such a run needs it cleared.
    let killed = state
        .borrow()
        .srv
        .scripting
        .running
        .as_ref()
        .is_some_and(|r| r.killed);
    if killed {
        vm.rt
            .raw_set("killed", Value::Nil)
            .map_err(|e| lua_error_text(&e))?;
    }
    entered
}

/// Writes what the script returned (or the error it raised) as the reply.
fn write_result(ctx: &mut Ctx<'_>, vm: &Vm, name: &str, entered: &Entered, resp3: bool) {
    match entered.outcome {
        Outcome::Bulk => ctx.out.bulk(entered.top_bytes()),
        // The entry reports only valid UTF-8 as a plain status.
        Outcome::Status => ctx
            .out
            .simple(std::str::from_utf8(entered.top_bytes()).unwrap_or_default()),
        Outcome::Integer(n) => ctx.out.int(n),
        Outcome::Boolean(b) if resp3 => ctx.out.boolean(b),
        Outcome::Boolean(true) => ctx.out.int(1),
        Outcome::Boolean(false) | Outcome::Nil => ctx.out.null(),
        Outcome::Value | Outcome::Failed => {
            let value = match vm.take_result() {
                Ok(value) => value,
                Err(e) => {
                    let cut: String = lua_error_text(&e).chars().take(100).collect();
                    ctx.error(&format!("ERR Error running script {name}, {cut} "));
                    return;
                }
            };
            if entered.outcome == Outcome::Failed {
                write_error(ctx, name, &value);
                return;
            }
            for code in convert::lua_to_reply(&mut ctx.out, &vm.names, &value, resp3) {
                ctx.srv.stats.count_error(&code);
            }
        }
    }
}

/// The sandbox's entry into the server: `d(op, ...)` returns `(ok, value)`.
fn dispatch(
    lua: &Lua,
    names: &Names,
    state: &RefCell<RunState<'_>>,
    mut args: MultiValue,
) -> mlua::Result<(bool, Value)> {
    let Some(op) = args.pop_front() else {
        return Ok((true, Value::Nil));
    };
    let args = args.make_contiguous();
    let mut st = state.borrow_mut();
    let op = match &op {
        Value::String(s) => s.as_bytes(),
        _ => return Ok((true, Value::Nil)),
    };
    match &*op {
        b"reply" => pending_reply(lua, names, st),
        b"setresp" => {
            let resp = match args.first() {
                Some(Value::Integer(3)) => true,
                Some(Value::Number(n)) => *n == 3.0,
                _ => false,
            };
            st.client.protocol = if resp {
                Protocol::Resp3
            } else {
                Protocol::Resp2
            };
            Ok((true, Value::Nil))
        }
        b"acl_check_cmd" => {
            let st = &mut *st;
            if let Err(msg) = st.scratch.argv.fill(args) {
                return Ok((false, Value::Table(error_table(lua, msg, false)?)));
            }
            let refs = st.scratch.argv.refs();
            if st.srv.commands.resolve(&refs).is_err() {
                let t = error_table(
                    lua,
                    "Invalid command passed to redis.acl_check_cmd()",
                    false,
                )?;
                return Ok((false, Value::Table(t)));
            }
            Ok((true, Value::Boolean(true)))
        }
        b"set_repl" => {
            let flags = match args.first() {
                Some(Value::Integer(n)) => *n,
                Some(Value::Number(n)) => *n as i64,
                _ => 3,
            };
            st.srv.propagation.set_script_targets(flags);
            Ok((true, Value::Nil))
        }
        _ => Ok((true, Value::Nil)),
    }
}

/// `d('reply')`: the result of the last [`command_call`] that could not
/// push it.
fn pending_reply(
    lua: &Lua,
    names: &Names,
    mut st: std::cell::RefMut<'_, RunState<'_>>,
) -> mlua::Result<(bool, Value)> {
    match std::mem::take(&mut st.pending) {
        Pending::Nothing => Ok((true, Value::Nil)),
        Pending::Reply => {
            let resp3 = st.client.protocol == Protocol::Resp3;
            let (is_error, value) = reply_to_lua(lua, names, &st.scratch.reply, resp3)?;
            Ok((!is_error, value))
        }
        Pending::BadArgs(msg) => Ok((false, Value::Table(error_table(lua, msg, false)?))),
        Pending::Refused(msg) => Ok((false, Value::Table(error_table(lua, msg, true)?))),
        Pending::Panicked => Ok((
            false,
            Value::Table(error_table(lua, "ERR the command panicked", false)?),
        )),
    }
}

/// What [`command_call`] pushes itself: pointers into the scratch reply,
/// which nothing touches until the next call.
enum Pushed {
    Nothing,
    Status(*const u8, usize),
    Bulk(*const u8, usize),
    Number(f64),
    Nil,
    False,
}

/// Upvalues of [`command_call`], in order.
const CALL_CURRENT: c_int = 1;
const CALL_DISPATCHER: c_int = 2;
const CALL_REPLY: c_int = 3;
const CALL_OUTSIDE: c_int = 4;
const CALL_RAISES: c_int = 5;
/// How many upvalues [`command_call`] takes.
pub const CALL_UPVALUES: c_int = 5;

/// `redis.call(...)` and `redis.pcall(...)` (Redis's
/// `luaRedisGenericCommand`): runs the command straight from the Lua
/// stack and returns its reply converted; `redis.call` raises an error
/// reply, `redis.pcall` returns it. Status, integer, bulk and null replies
/// are pushed here; the others go through the dispatcher's `d('reply')`.
///
/// # Safety
/// Called by Lua only, with the upvalues (in order): the VM's
/// [`CurrentRun`] as a light userdata (kept alive by the state's app data),
/// the dispatcher, the string `reply`, a function raising the "outside a
/// script" error, and whether errors are raised.
pub unsafe extern "C-unwind" fn command_call(state: *mut ffi::lua_State) -> c_int {
    let current =
        &*ffi::lua_touserdata(state, ffi::lua_upvalueindex(CALL_CURRENT)).cast::<Cell<*const ()>>();
    let p = current.get();
    if p.is_null() {
        ffi::lua_pushvalue(state, ffi::lua_upvalueindex(CALL_OUTSIDE));
        ffi::lua_call(state, 0, 0);
        return 0;
    }
    // SAFETY: as in `create_dispatcher`: a non-null pointer is the live run.
    let cell = &*p.cast::<RefCell<RunState<'static>>>();
    let pushed = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_from_stack(state, cell)
    })) {
        Ok(pushed) => pushed,
        Err(payload) => {
            if let Ok(mut st) = cell.try_borrow_mut() {
                st.pending = Pending::Panicked;
                st.panic = Some(payload);
            }
            Pushed::Nothing
        }
    };
    // Nothing needing a drop is alive from here on: the pushes may raise a
    // Lua memory error, which unwinds (longjmp) over this frame.
    match pushed {
        Pushed::Nothing => {
            ffi::lua_pushvalue(state, ffi::lua_upvalueindex(CALL_DISPATCHER));
            ffi::lua_pushvalue(state, ffi::lua_upvalueindex(CALL_REPLY));
            ffi::lua_call(state, 1, 2);
            if ffi::lua_toboolean(state, -2) == 0
                && ffi::lua_toboolean(state, ffi::lua_upvalueindex(CALL_RAISES)) != 0
            {
                ffi::lua_error(state);
            }
        }
        Pushed::Status(ptr, len) => {
            ffi::lua_createtable(state, 0, 1);
            ffi::lua_pushlstring_(state, b"ok".as_ptr().cast(), 2);
            ffi::lua_pushlstring_(state, ptr.cast(), len);
            ffi::lua_rawset(state, -3);
        }
        Pushed::Bulk(ptr, len) => ffi::lua_pushlstring_(state, ptr.cast(), len),
        Pushed::Number(n) => ffi::lua_pushnumber(state, n),
        Pushed::Nil => ffi::lua_pushnil(state),
        Pushed::False => ffi::lua_pushboolean(state, 0),
    }
    1
}

/// The Rust half of [`command_call`]: converts the arguments, runs the command
/// and classifies its reply.
///
/// # Safety
/// `state` is the calling Lua state; its values are the arguments.
unsafe fn run_from_stack(state: *mut ffi::lua_State, cell: &RefCell<RunState<'_>>) -> Pushed {
    let Ok(mut st) = cell.try_borrow_mut() else {
        return Pushed::Nothing;
    };
    let st = &mut *st;
    st.pending = Pending::Nothing;
    if let Err(msg) = st
        .scratch
        .argv
        .fill_from_stack(state, ffi::lua_gettop(state))
    {
        st.pending = Pending::BadArgs(msg);
        return Pushed::Nothing;
    }
    let refs = st.scratch.argv.refs();
    let out = &mut st.scratch.reply;
    out.clear();
    let called = call_from_script(
        st.srv,
        &mut st.client,
        &refs,
        out,
        st.read_only,
        st.allow_oom,
        &mut st.wrote,
    );
    if let Some(running) = st.srv.scripting.running.as_mut() {
        running.wrote = st.wrote;
    }
    if let Err(refusal) = called {
        st.pending = Pending::Refused(refusal.message());
        return Pushed::Nothing;
    }
    let resp3 = st.client.protocol == Protocol::Resp3;
    match simple_reply(out) {
        Some(SimpleReply::Status(s)) => Pushed::Status(s.as_ptr(), s.len()),
        Some(SimpleReply::Bulk(b)) => Pushed::Bulk(b.as_ptr(), b.len()),
        Some(SimpleReply::Int(i)) => Pushed::Number(i as f64),
        Some(SimpleReply::Null) if resp3 => Pushed::Nil,
        Some(SimpleReply::Null) => Pushed::False,
        None => {
            st.pending = Pending::Reply;
            Pushed::Nothing
        }
    }
}

/// The reply for a script that raised an error (Redis's luaCallFunction).
fn write_error(ctx: &mut Ctx<'_>, name: &str, err: &Value) {
    let Value::Table(t) = err else {
        let text = match err {
            Value::String(s) => String::from_utf8_lossy(&s.as_bytes()).into_owned(),
            _ => "execution failure".to_string(),
        };
        let cut: String = text.chars().take(100).collect();
        ctx.error(&format!("ERR Error running script {name}, {cut} "));
        return;
    };
    let info = error_info(t);
    let mut msg = info.msg;
    if let (Some(line), Some(source)) = (info.line, info.source) {
        msg.push_str(&format!(" script: {name}, on {source}:{line}."));
    }
    if info.ignore_stats {
        ctx.out.error(&msg);
    } else {
        ctx.error(&msg);
    }
}
