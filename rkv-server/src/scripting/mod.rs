//! Lua scripting as Redis 7.0 has it: EVAL scripts cached by SHA1 and
//! FUNCTION libraries, each engine in its own sandboxed Lua 5.1 state.
//!
//! - [`vm`]: a sandboxed state ([`sandbox.lua`](./sandbox.lua) builds the
//!   `redis` table and read-only globals).
//! - [`convert`]: RESP replies <-> Lua values.
//! - [`script_cache`]: the EVAL engine and its SHA1 cache.
//! - [`functions`]: the FUNCTION engine and its libraries.
//! - [`run`]: running a script for a client.
//! - [`entry`]: the C function a run enters Lua through.
//! - [`flags`]: script flags and EVAL's shebang.
//! - [`dump`]: FUNCTION DUMP / RESTORE payloads.
//! - [`prng`]: Redis's `math.random` generator.
//! - [`busy`]: serving other clients while a script runs too long.
//!
//! The commands are in [`crate::families::scripting`].

pub mod busy;
pub mod convert;
pub mod dump;
pub mod entry;
pub mod flags;
pub mod functions;
pub mod prng;
pub mod run;
pub mod script_cache;
pub mod vm;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::RawFd;
use std::rc::Rc;

use tokio::sync::Notify;

use crate::client::Client;
pub use functions::FunctionsEngine;
pub use script_cache::EvalEngine;

/// The script being run, for SCRIPT KILL, FUNCTION STATS and BUSY replies.
#[derive(Debug, Clone)]
pub struct RunningScript {
    /// SHA1 (EVAL) or function name (FCALL).
    pub name: Rc<str>,
    /// EVAL rather than FCALL.
    pub is_eval: bool,
    /// When it started (microseconds since the Unix epoch).
    pub started_us: i64,
    /// The caller's command (filled once the busy hook runs: only clients
    /// served from the hook can see it).
    pub argv: Vec<Vec<u8>>,
    /// It ran a write command (SCRIPT KILL then refuses).
    pub wrote: bool,
    /// SCRIPT KILL / FUNCTION KILL asked it to stop.
    pub killed: bool,
    /// The calling client's id and tracking settings when it tracks keys:
    /// keys the script's commands read are remembered for it.
    pub caller_tracking: Option<(u64, crate::tracking::ClientTracking)>,
}

/// Scripting state on the server.
#[derive(Debug)]
pub struct ScriptingState {
    /// EVAL's Lua state and script cache.
    pub eval: EvalEngine,
    /// FUNCTION's Lua state and libraries.
    pub functions: FunctionsEngine,
    /// The script running now, if any.
    pub running: Option<RunningScript>,
    /// The client scripts run their commands as (Redis's `lua_client`).
    script_client: Option<Box<Client>>,
    /// Listening sockets, so a busy script can accept connections.
    pub listener_fds: Vec<RawFd>,
    /// Connections accepted while a script was busy, being served there.
    pub busy_accepted: Vec<busy::AcceptedWhileBusy>,
    /// Connections accepted while busy, for the accept path to adopt.
    pub handoff: Vec<(TcpStream, SocketAddr, SocketAddr)>,
    /// Their unconsumed input, by socket, for the new client to take.
    handoff_input: HashMap<RawFd, Vec<u8>>,
    /// Wakes the task that adopts `handoff` connections.
    pub handoff_notify: Rc<Notify>,
    /// Buffers script runs reuse.
    pub scratch: run::Scratch,
}

impl ScriptingState {
    /// Fresh engines. Creating a Lua state only fails when out of memory.
    pub fn new() -> Self {
        ScriptingState {
            eval: EvalEngine::new().expect("creating the EVAL Lua state"),
            functions: FunctionsEngine::new().expect("creating the FUNCTION Lua state"),
            running: None,
            script_client: None,
            listener_fds: Vec::new(),
            busy_accepted: Vec::new(),
            handoff: Vec::new(),
            handoff_input: HashMap::new(),
            handoff_notify: Rc::new(Notify::new()),
            scratch: run::Scratch::default(),
        }
    }

    /// SCRIPT FLUSH: a new EVAL state with an empty cache.
    pub fn reset_eval(&mut self) {
        self.eval = EvalEngine::new().expect("creating the EVAL Lua state");
    }

    /// Takes the scripts' client for a run (creating it the first time);
    /// it stays boxed so runs do not move the whole struct.
    pub fn take_client(&mut self) -> Box<Client> {
        match self.script_client.take() {
            Some(c) => c,
            None => {
                let mut c = Client::new(0, "lua".into(), String::new(), -1, 0, true);
                c.deny_blocking = true;
                Box::new(c)
            }
        }
    }

    /// SCRIPT KILL (`is_eval`) / FUNCTION KILL: marks the running script
    /// killed, or returns Redis's refusal.
    pub fn kill(&mut self, is_eval: bool) -> Result<(), &'static str> {
        let Some(running) = self.running.as_mut() else {
            return Err(crate::errors::NOTBUSY);
        };
        if running.wrote {
            return Err(crate::errors::UNKILLABLE);
        }
        if is_eval && !running.is_eval {
            return Err(crate::errors::BUSY_FUNCTION);
        }
        if !is_eval && running.is_eval {
            return Err(crate::errors::BUSY_EVAL);
        }
        running.killed = true;
        Ok(())
    }

    /// Input a connection accepted while busy sent and was not answered;
    /// its new client takes it.
    pub fn take_handoff_input(&mut self, fd: RawFd) -> Vec<u8> {
        self.handoff_input.remove(&fd).unwrap_or_default()
    }

    /// Queues a connection accepted while busy for the accept path.
    pub fn hand_off(&mut self, accepted: busy::AcceptedWhileBusy) {
        let busy::AcceptedWhileBusy {
            stream,
            peer,
            local,
            client,
        } = accepted;
        if !client.busy_input.is_empty() {
            self.handoff_input.insert(client.fd, client.busy_input);
        }
        self.handoff.push((stream, peer, local));
        self.handoff_notify.notify_one();
    }

    /// Gives the scripts' client back after a run.
    pub fn put_client(&mut self, c: Box<Client>) {
        self.script_client = Some(c);
    }
}

impl Default for ScriptingState {
    fn default() -> Self {
        Self::new()
    }
}
