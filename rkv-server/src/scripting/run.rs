//! Running a script or function for a client: Redis's `scriptPrepareForRun`,
//! `luaCallFunction` and `scriptResetRun`. The script's commands go through
//! [`call_from_script`] on the engine's own client; the result or error is
//! converted into the caller's reply.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;

use std::os::raw::c_int;

use mlua::{ffi, Function, HookTriggers, Lua, MultiValue, Table, Value, VmState};
use rkv_proto::Protocol;

use super::busy::{self, BusyWatch};
use super::convert::{
    self, error_info, error_table, reply_to_lua, simple_reply, ArgvBuf, Names, SimpleReply,
};
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
    pub name: String,
    /// The compiled code.
    pub func: Function,
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
    /// What the last `raw_call` left for `d('reply')`.
    pending: Pending,
    /// The caller's command, copied into [`RunningScript::argv`] only when
    /// the busy hook first fires (nothing can read it before).
    caller_argv: &'s [&'s [u8]],
}

/// Buffers a run's commands reuse (kept on the server between runs).
#[derive(Debug, Default)]
pub struct Scratch {
    argv: ArgvBuf,
    reply: Vec<u8>,
}

/// What [`raw_call`] could not push itself, for `d('reply')`.
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
    /// The command panicked: the panic resumes from `d('reply')`, where
    /// mlua carries it out of the Lua call.
    Panicked(Box<dyn std::any::Any + Send>),
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
        started: Instant::now(),
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
        watch: BusyWatch::new(threshold, ctx.client.id),
        caller_argv: ctx.argv,
        pending: Pending::Nothing,
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
        ..
    } = state.into_inner();
    ctx.srv.scripting.scratch = scratch;
    busy::finish(ctx.srv, &watch);
    let resp3 = client.protocol == Protocol::Resp3;
    ctx.srv.scripting.put_client(client);
    ctx.srv.scripting.running = None;
    match outcome {
        Ok((true, value)) => {
            for code in convert::lua_to_reply(&mut ctx.out, &vm.names, &value, resp3) {
                ctx.srv.stats.count_error(&code);
            }
        }
        Ok((false, err)) => write_error(ctx, &inv.name, &err),
        Err(e) => {
            let text = lua_error_text(&e);
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

/// Calls the code with the dispatcher installed for its duration.
fn call_script(
    vm: &Vm,
    inv: &Invocation<'_>,
    state: &RefCell<RunState<'_>>,
) -> mlua::Result<(bool, Value)> {
    vm.current
        .set((state as *const RefCell<RunState<'_>>).cast());
    let _clear = ClearOnDrop(&vm.current);
    let result = match inv.kind {
        ScriptKind::Eval => {
            enter_eval(vm, inv.keys, inv.args)?;
            vm.xpcall.call::<(bool, Value)>((&inv.func, &vm.handler))
        }
        ScriptKind::Function => {
            let (keys, args) = enter_function(vm, inv.keys, inv.args)?;
            vm.run.call::<(bool, Value)>((&inv.func, keys, args))
        }
    };
    vm.rt.raw_set(&vm.names.d, Value::Nil)?;
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
        vm.rt.raw_set("killed", Value::Nil)?;
    }
    result
}

/// Installs the dispatcher (`rt.d`) and sets the KEYS and ARGV globals,
/// in one protected call rather than one per string, table and field.
fn enter_eval(vm: &Vm, keys: &[&[u8]], args: &[&[u8]]) -> mlua::Result<()> {
    let names = &vm.names;
    let slots = (
        &vm.rt,
        &names.d,
        &vm.dispatcher,
        &vm.store,
        &names.keys,
        &names.argv,
    );
    // SAFETY: the closure runs in protected mode with `slots` at 1..=6. It
    // holds nothing that needs dropping (a Lua memory error would unwind
    // over it), keeps the stack within LUA_MINSTACK, and leaves nothing.
    unsafe {
        vm.lua.exec_raw::<()>(slots, |state| {
            ffi::lua_pushvalue(state, 2);
            ffi::lua_pushvalue(state, 3);
            ffi::lua_rawset(state, 1);
            ffi::lua_pushvalue(state, 5);
            push_sequence(state, keys);
            ffi::lua_rawset(state, 4);
            ffi::lua_pushvalue(state, 6);
            push_sequence(state, args);
            ffi::lua_rawset(state, 4);
            ffi::lua_settop(state, 0);
        })
    }
}

/// Installs the dispatcher (`rt.d`) and returns a function's `keys` and
/// `args` tables, in one protected call.
fn enter_function(vm: &Vm, keys: &[&[u8]], args: &[&[u8]]) -> mlua::Result<(Table, Table)> {
    // SAFETY: as in `enter_eval`; the two tables are left as the results.
    unsafe {
        vm.lua
            .exec_raw::<(Table, Table)>((&vm.rt, &vm.names.d, &vm.dispatcher), |state| {
                ffi::lua_pushvalue(state, 2);
                ffi::lua_pushvalue(state, 3);
                ffi::lua_rawset(state, 1);
                ffi::lua_settop(state, 0);
                push_sequence(state, keys);
                push_sequence(state, args);
            })
    }
}

/// Pushes a new table `{items...}` of strings.
///
/// # Safety
/// `state` must be a Lua state in a protected call with two free slots.
unsafe fn push_sequence(state: *mut ffi::lua_State, items: &[&[u8]]) {
    ffi::lua_createtable(state, items.len() as c_int, 0);
    for (i, item) in items.iter().enumerate() {
        ffi::lua_pushlstring(state, item.as_ptr().cast(), item.len());
        ffi::lua_rawseti(state, -2, (i + 1) as ffi::lua_Integer);
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

/// `d('reply')`: the result of the last [`raw_call`] that could not push it.
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
        Pending::Panicked(payload) => {
            drop(st);
            std::panic::resume_unwind(payload)
        }
    }
}

/// What [`raw_call`] pushes itself: pointers into the scratch reply,
/// which nothing touches until the next call.
enum Pushed {
    Nothing,
    Status(*const u8, usize),
    Bulk(*const u8, usize),
    Number(f64),
    Nil,
    False,
}

/// `raw_call(...)` (`redis.call` / `redis.pcall` behind their checks): runs
/// the command straight from the Lua stack. Returns `(ok, value)` for a
/// status, integer, bulk or null reply, and nothing otherwise: the reply
/// or error then waits in the run state for `d('reply')`.
///
/// # Safety
/// Called by Lua only, with upvalue 1 the VM's [`CurrentRun`] (kept alive
/// by the state's app data).
pub unsafe extern "C-unwind" fn raw_call(state: *mut ffi::lua_State) -> c_int {
    let current = &*ffi::lua_touserdata(state, ffi::lua_upvalueindex(1)).cast::<Cell<*const ()>>();
    let p = current.get();
    if p.is_null() {
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
                st.pending = Pending::Panicked(payload);
            }
            return 0;
        }
    };
    // Nothing needing a drop is alive from here on: the pushes may raise a
    // Lua memory error, which unwinds (longjmp) over this frame.
    if let Pushed::Nothing = pushed {
        return 0;
    }
    ffi::lua_pushboolean(state, 1);
    match pushed {
        Pushed::Nothing => {}
        Pushed::Status(ptr, len) => {
            ffi::lua_createtable(state, 0, 1);
            ffi::lua_pushlstring(state, b"ok".as_ptr().cast(), 2);
            ffi::lua_pushlstring(state, ptr.cast(), len);
            ffi::lua_rawset(state, -3);
        }
        Pushed::Bulk(ptr, len) => {
            ffi::lua_pushlstring(state, ptr.cast(), len);
        }
        Pushed::Number(n) => ffi::lua_pushnumber(state, n),
        Pushed::Nil => ffi::lua_pushnil(state),
        Pushed::False => ffi::lua_pushboolean(state, 0),
    }
    2
}

/// The Rust half of [`raw_call`]: converts the arguments, runs the command
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
