//! Running a script or function for a client: Redis's `scriptPrepareForRun`,
//! `luaCallFunction` and `scriptResetRun`. The script's commands go through
//! [`call_from_script`] on the engine's own client; the result or error is
//! converted into the caller's reply.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use mlua::{Function, HookTriggers, Lua, MultiValue, Value, VmState};
use rkv_proto::{parse_frame, Protocol};

use super::busy::{self, BusyWatch};
use super::convert::{self, error_info, error_table, frame_to_lua, lua_args_to_argv};
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
}

/// What a running script's commands need.
struct RunState<'s> {
    srv: &'s mut Server,
    client: Client,
    read_only: bool,
    wrote: bool,
}

/// Runs the invocation and writes its reply (or error) to `ctx.out`.
pub fn run(ctx: &mut Ctx<'_>, vm: &Vm, inv: Invocation<'_>) {
    crate::command::dispatch::feed_monitors_before(ctx.srv, ctx.client, ctx.argv);
    let errors_before = ctx.srv.stats.total_error_replies;
    ctx.srv.scripting.running = Some(RunningScript {
        name: inv.name.clone(),
        is_eval: inv.kind == ScriptKind::Eval,
        started: Instant::now(),
        argv: ctx.argv.iter().map(|a| a.to_vec()).collect(),
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
    let state = RefCell::new(RunState {
        srv: &mut *ctx.srv,
        client,
        read_only: inv.read_only,
        wrote: false,
    });
    let threshold = state.borrow().srv.config.busy_reply_threshold;
    let watch = Rc::new(RefCell::new(BusyWatch::new(threshold, ctx.client.id)));
    if threshold > 0 {
        install_busy_hook(vm, &state, watch.clone());
    }
    let outcome = call_script(vm, &inv, &state);
    if threshold > 0 {
        vm.lua.remove_hook();
    }
    let RunState { client, .. } = state.into_inner();
    busy::finish(ctx.srv, &watch.borrow());
    let resp3 = client.protocol == Protocol::Resp3;
    ctx.srv.scripting.put_client(client);
    ctx.srv.scripting.running = None;
    match outcome {
        Ok((true, value)) => {
            for code in convert::lua_to_reply(&mut ctx.out, &value, resp3) {
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
fn install_busy_hook(vm: &Vm, state: &RefCell<RunState<'_>>, watch: Rc<RefCell<BusyWatch>>) {
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
            if !busy::tick(st.srv, &mut watch.borrow_mut()) {
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
    let lua = &vm.lua;
    let keys = lua.create_sequence_from(
        inv.keys
            .iter()
            .map(|k| lua.create_string(k))
            .collect::<mlua::Result<Vec<_>>>()?,
    )?;
    let args = lua.create_sequence_from(
        inv.args
            .iter()
            .map(|a| lua.create_string(a))
            .collect::<mlua::Result<Vec<_>>>()?,
    )?;
    vm.rt.raw_set("killed", Value::Nil)?;
    lua.scope(|scope| {
        let dispatcher =
            scope.create_function(|lua, args: MultiValue| dispatch(lua, state, args))?;
        vm.rt.raw_set("d", dispatcher)?;
        let result = match inv.kind {
            ScriptKind::Eval => {
                vm.store.raw_set("KEYS", keys)?;
                vm.store.raw_set("ARGV", args)?;
                vm.run.call::<(bool, Value)>(inv.func.clone())
            }
            ScriptKind::Function => vm.run.call::<(bool, Value)>((inv.func.clone(), keys, args)),
        };
        vm.rt.raw_set("d", Value::Nil)?;
        result
    })
}

/// The sandbox's entry into the server: `d(op, ...)` returns `(ok, value)`.
fn dispatch(
    lua: &Lua,
    state: &RefCell<RunState<'_>>,
    args: MultiValue,
) -> mlua::Result<(bool, Value)> {
    let mut args: Vec<Value> = args.into_iter().collect();
    if args.is_empty() {
        return Ok((true, Value::Nil));
    }
    let op = args.remove(0);
    let op = match &op {
        Value::String(s) => s.to_str()?.to_string(),
        _ => String::new(),
    };
    let mut st = state.borrow_mut();
    match op.as_str() {
        "call" => script_call(lua, &mut st, &args),
        "setresp" => {
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
        "acl_check_cmd" => {
            let argv = match lua_args_to_argv(&args) {
                Ok(a) => a,
                Err(msg) => return Ok((false, Value::Table(error_table(lua, msg, false)?))),
            };
            let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
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
        "set_repl" => {
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

/// `redis.call` / `redis.pcall`: runs a command, returns its reply as Lua.
fn script_call(lua: &Lua, st: &mut RunState<'_>, args: &[Value]) -> mlua::Result<(bool, Value)> {
    let argv = match lua_args_to_argv(args) {
        Ok(a) => a,
        Err(msg) => return Ok((false, Value::Table(error_table(lua, msg, false)?))),
    };
    let refs: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
    let mut out = Vec::new();
    let RunState {
        srv,
        client,
        read_only,
        wrote,
    } = st;
    let called = call_from_script(srv, client, &refs, &mut out, *read_only, wrote);
    if let Some(running) = srv.scripting.running.as_mut() {
        running.wrote = *wrote;
    }
    if let Err(refusal) = called {
        let t = error_table(lua, refusal.message(), true)?;
        return Ok((false, Value::Table(t)));
    }
    let resp3 = client.protocol == Protocol::Resp3;
    match parse_frame(&out) {
        Ok(Some((frame, _))) => {
            let is_error = frame.is_error();
            Ok((!is_error, frame_to_lua(lua, &frame, resp3)?))
        }
        _ => Ok((true, Value::Nil)),
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
