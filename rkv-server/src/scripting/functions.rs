//! The FUNCTION engine: its Lua state and the loaded libraries (Redis's
//! `functions.c` + `function_lua.c`). Libraries keep their load order
//! (FUNCTION LIST and DUMP walk them in it).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use mlua::{Function, HookTriggers, Lua, MultiValue, RegistryKey, Table, Value, VmState};

use super::convert::{error_info, error_table};
use super::flags;
use super::script_cache::lua_error_text;
use super::vm::{lua_bytes, Vm, VmMode};

/// How long FUNCTION LOAD may run a library's top-level code.
const LOAD_TIMEOUT: Duration = Duration::from_millis(500);

/// A registered function.
#[derive(Debug, Clone)]
pub struct FunctionInfo {
    /// Its name.
    pub name: String,
    /// `description`, if given.
    pub description: Option<Vec<u8>>,
    /// [`flags`] bits.
    pub flags: u32,
    /// The callback, held in the Lua registry.
    pub func: Rc<RegistryKey>,
}

/// A loaded library.
#[derive(Debug, Clone)]
pub struct Library {
    /// Its name (from `#!lua name=...`).
    pub name: String,
    /// Engine name as Redis prints it.
    pub engine: &'static str,
    /// The full code, shebang included.
    pub code: Vec<u8>,
    /// Its functions, in registration order.
    pub functions: Vec<FunctionInfo>,
}

/// The functions Lua state and its libraries.
#[derive(Debug)]
pub struct FunctionsEngine {
    /// The Lua state.
    pub vm: std::rc::Rc<Vm>,
    /// Libraries in load order.
    libraries: Vec<Library>,
}

/// Redis's rule for library and function names.
fn valid_name(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
}

/// The text Redis gives for a bad library or function name.
const BAD_NAME: &str = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

/// A library's metadata line: name, engine and the code after the line.
struct Metadata {
    engine: Vec<u8>,
    name: Vec<u8>,
    body_start: usize,
}

fn parse_metadata(code: &[u8]) -> Result<Metadata, String> {
    if !code.starts_with(b"#!") {
        return Err("Missing library metadata".into());
    }
    let Some(end) = code.iter().position(|&b| b == b'\n') else {
        return Err("Invalid library metadata".into());
    };
    let parts = match rkv_proto::split_args(&code[..end]) {
        Some(p) if !p.is_empty() => p,
        _ => return Err("Invalid library metadata".into()),
    };
    let engine = parts[0].get(2..).unwrap_or_default().to_vec();
    let mut name = None;
    for part in &parts[1..] {
        if part.len() >= 5 && part[..5].eq_ignore_ascii_case(b"name=") {
            if name.is_some() {
                return Err(
                    "Invalid metadata value, name argument was given multiple times".into(),
                );
            }
            name = Some(part[5..].to_vec());
            continue;
        }
        return Err(format!(
            "Invalid metadata value given: {}",
            String::from_utf8_lossy(part)
        ));
    }
    let Some(name) = name else {
        return Err("Library name was not given".into());
    };
    Ok(Metadata {
        engine,
        name,
        body_start: end,
    })
}

impl FunctionsEngine {
    /// A new engine without libraries.
    pub fn new() -> mlua::Result<Self> {
        Ok(FunctionsEngine {
            vm: std::rc::Rc::new(Vm::new(VmMode::Functions)?),
            libraries: Vec::new(),
        })
    }

    /// Libraries in load order.
    pub fn libraries(&self) -> &[Library] {
        &self.libraries
    }

    /// Number of functions in all libraries.
    pub fn function_count(&self) -> usize {
        self.libraries.iter().map(|l| l.functions.len()).sum()
    }

    /// The function called `name` (function names ignore case across
    /// libraries, as Redis's functions dictionary does).
    pub fn function(&self, name: &[u8]) -> Option<&FunctionInfo> {
        self.libraries
            .iter()
            .flat_map(|l| l.functions.iter())
            .find(|f| f.name.as_bytes().eq_ignore_ascii_case(name))
    }

    /// Memory the registry accounts for (INFO `used_memory_functions`).
    pub fn registry_memory(&self) -> usize {
        let libs: usize = self
            .libraries
            .iter()
            .map(|l| {
                64 + l.name.len()
                    + l.code.len()
                    + l.functions
                        .iter()
                        .map(|f| 64 + f.name.len() + f.description.as_ref().map_or(0, Vec::len))
                        .sum::<usize>()
            })
            .sum();
        184 + libs
    }

    /// Removes every library.
    pub fn flush(&mut self) {
        self.libraries.clear();
    }

    /// FUNCTION DELETE: false when there is no such library.
    pub fn delete(&mut self, name: &[u8]) -> bool {
        let before = self.libraries.len();
        self.libraries.retain(|l| l.name.as_bytes() != name);
        self.libraries.len() != before
    }

    /// Compiles `code` and runs its top level to collect its functions,
    /// without installing anything. Errors are Redis's texts (no code).
    /// `existing` and `replace` give the library-name check Redis makes
    /// before running any code.
    pub fn compile(
        &self,
        code: &[u8],
        existing: &[Library],
        replace: bool,
        timeout: bool,
    ) -> Result<Library, String> {
        let md = parse_metadata(code)?;
        if !valid_name(&md.name) {
            return Err(BAD_NAME.into());
        }
        if !md.engine.eq_ignore_ascii_case(b"lua") {
            return Err(format!(
                "Engine '{}' not found",
                String::from_utf8_lossy(&md.engine)
            ));
        }
        let name = String::from_utf8_lossy(&md.name).into_owned();
        if !replace && existing.iter().any(|l| l.name == name) {
            return Err(format!("Library '{name}' already exists"));
        }
        let functions = self.run_library_body(&code[md.body_start..], timeout)?;
        if functions.is_empty() {
            return Err("No functions registered".into());
        }
        Ok(Library {
            name,
            engine: "LUA",
            code: code.to_vec(),
            functions,
        })
    }

    /// Installs a compiled library: fails if a library of that name exists
    /// (unless `replace`) or one of its functions exists in another library.
    pub fn install(&mut self, lib: Library, replace: bool) -> Result<(), String> {
        install_into(&mut self.libraries, lib, replace)
    }

    /// Joins restored libraries as FUNCTION RESTORE APPEND/REPLACE does.
    pub fn join(&mut self, libs: Vec<Library>, replace: bool) -> Result<(), String> {
        let mut next = self.libraries.clone();
        for lib in &libs {
            if let Some(i) = next.iter().position(|l| l.name == lib.name) {
                if !replace {
                    return Err(format!("Library {} already exists", lib.name));
                }
                next.remove(i);
            }
        }
        for lib in &libs {
            for f in &lib.functions {
                let clash = next
                    .iter()
                    .flat_map(|l| l.functions.iter())
                    .any(|g| g.name.eq_ignore_ascii_case(&f.name));
                if clash {
                    return Err(format!("Function {} already exists", f.name));
                }
            }
        }
        next.extend(libs);
        self.libraries = next;
        Ok(())
    }

    /// Replaces all libraries (FUNCTION RESTORE FLUSH).
    pub fn set_libraries(&mut self, libs: Vec<Library>) {
        self.libraries = libs;
    }

    /// Runs a library's top level with the load-time API, collecting the
    /// functions it registers.
    fn run_library_body(&self, body: &[u8], timeout: bool) -> Result<Vec<FunctionInfo>, String> {
        let vm = &self.vm;
        let lua = &vm.lua;
        let chunk = lua
            .load(super::script_cache::text_only(body).as_ref())
            .set_name("@user_function")
            .into_function()
            .map_err(|e| format!("Error compiling function: {}", lua_error_text(&e)))?;
        let registered: RefCell<Vec<FunctionInfo>> = RefCell::new(Vec::new());
        let started = Instant::now();
        if timeout {
            lua.set_hook(
                HookTriggers::new().every_nth_instruction(100_000),
                move |_, _| {
                    if started.elapsed() > LOAD_TIMEOUT {
                        return Err(mlua::Error::runtime("FUNCTION LOAD timeout"));
                    }
                    Ok(VmState::Continue)
                },
            );
        }
        let outcome = lua.scope(|scope| {
            let registrar = scope.create_function(|lua, args: MultiValue| {
                register_function(lua, &registered, args)
            })?;
            vm.rt.raw_set("load", registrar)?;
            if let Some(set_mode) = &vm.set_load_mode {
                set_mode.call::<()>(true)?;
            }
            let result = vm.pcall.call::<(bool, Value)>(chunk);
            if let Some(set_mode) = &vm.set_load_mode {
                set_mode.call::<()>(false)?;
            }
            vm.rt.raw_set("load", Value::Nil)?;
            result
        });
        lua.remove_hook();
        let timed_out = timeout && started.elapsed() > LOAD_TIMEOUT;
        match outcome {
            Ok((true, _)) => Ok(registered.into_inner()),
            Ok((false, err)) => {
                let msg = if timed_out {
                    "ERR FUNCTION LOAD timeout".to_string()
                } else {
                    match &err {
                        Value::Table(t) => error_info(t).msg,
                        other => match lua_bytes(other) {
                            Some(b) => format!("ERR {}", String::from_utf8_lossy(&b)),
                            None => "ERR unknown error".to_string(),
                        },
                    }
                };
                Err(format!("Error registering functions: {msg}"))
            }
            Err(e) => Err(format!(
                "Error registering functions: ERR {}",
                lua_error_text(&e)
            )),
        }
    }
}

/// Adds `lib` to `libraries` with FUNCTION LOAD's collision rules.
pub fn install_into(
    libraries: &mut Vec<Library>,
    lib: Library,
    replace: bool,
) -> Result<(), String> {
    let old = libraries.iter().position(|l| l.name == lib.name);
    if old.is_some() && !replace {
        return Err(format!("Library '{}' already exists", lib.name));
    }
    for f in &lib.functions {
        let clash = libraries
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != old)
            .flat_map(|(_, l)| l.functions.iter())
            .any(|g| g.name.eq_ignore_ascii_case(&f.name));
        if clash {
            return Err(format!("Function {} already exists", f.name));
        }
    }
    match old {
        Some(i) => libraries[i] = lib,
        None => libraries.push(lib),
    }
    Ok(())
}

/// `redis.register_function`, positional or with named arguments;
/// returns `(ok, error table)` for the sandbox to raise.
fn register_function(
    lua: &Lua,
    registered: &RefCell<Vec<FunctionInfo>>,
    args: MultiValue,
) -> mlua::Result<(bool, Value)> {
    let args: Vec<Value> = args.into_iter().collect();
    let parsed = match args.len() {
        1 => named_args(lua, &args[0]),
        2 => positional_args(lua, &args[0], &args[1]),
        _ => Err("wrong number of arguments to redis.register_function"),
    };
    let fail = |msg: &str| -> mlua::Result<(bool, Value)> {
        Ok((false, Value::Table(error_table(lua, msg, false)?)))
    };
    let info = match parsed {
        Ok(info) => info,
        Err(msg) => return fail(msg),
    };
    if !valid_name(info.name.as_bytes()) {
        return fail(BAD_NAME);
    }
    let mut list = registered.borrow_mut();
    if list.iter().any(|f| f.name == info.name) {
        return fail("Function already exists in the library");
    }
    list.push(info);
    Ok((true, Value::Nil))
}

fn positional_args(
    lua: &Lua,
    name: &Value,
    callback: &Value,
) -> Result<FunctionInfo, &'static str> {
    let Some(name) = lua_bytes(name) else {
        return Err("first argument to redis.register_function must be a string");
    };
    let Value::Function(func) = callback else {
        return Err("second argument to redis.register_function must be a function");
    };
    Ok(FunctionInfo {
        name: String::from_utf8_lossy(&name).into_owned(),
        description: None,
        flags: 0,
        func: registered(lua, func.clone())?,
    })
}

fn named_args(lua: &Lua, arg: &Value) -> Result<FunctionInfo, &'static str> {
    let Value::Table(t) = arg else {
        return Err("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).");
    };
    let mut name = None;
    let mut description = None;
    let mut func = None;
    let mut fn_flags = 0;
    let mut failure = None;
    let _ = t.for_each(|k: Value, v: Value| {
        if failure.is_some() {
            return Ok(());
        }
        let Some(key) = lua_bytes(&k) else {
            failure = Some("named argument key given to redis.register_function is not a string");
            return Ok(());
        };
        let key = key.to_ascii_lowercase();
        match key.as_slice() {
            b"function_name" => match lua_bytes(&v) {
                Some(n) => name = Some(n),
                None => {
                    failure = Some(
                        "function_name argument given to redis.register_function must be a string",
                    )
                }
            },
            b"description" => match lua_bytes(&v) {
                Some(d) => description = Some(d),
                None => {
                    failure = Some(
                        "description argument given to redis.register_function must be a string",
                    )
                }
            },
            b"callback" => match &v {
                Value::Function(f) => func = Some(f.clone()),
                _ => {
                    failure = Some(
                        "callback argument given to redis.register_function must be a function",
                    )
                }
            },
            b"flags" => match &v {
                Value::Table(list) => match read_flags(list) {
                    Some(f) => fn_flags = f,
                    None => failure = Some("unknown flag given"),
                },
                _ => {
                    failure = Some("flags argument to redis.register_function must be a table representing function flags")
                }
            },
            _ => failure = Some("unknown argument given to redis.register_function"),
        }
        Ok(())
    });
    if let Some(f) = failure {
        return Err(f);
    }
    let Some(name) = name else {
        return Err("redis.register_function must get a function name argument");
    };
    let Some(func) = func else {
        return Err("redis.register_function must get a callback argument");
    };
    Ok(FunctionInfo {
        name: String::from_utf8_lossy(&name).into_owned(),
        description,
        flags: fn_flags,
        func: registered(lua, func)?,
    })
}

/// Holds `func` in the registry, where runs find it.
fn registered(lua: &Lua, func: Function) -> Result<Rc<RegistryKey>, &'static str> {
    lua.create_registry_value(func)
        .map(Rc::new)
        .map_err(|_| "not enough memory to register the function")
}

fn read_flags(list: &Table) -> Option<u32> {
    let mut bits = 0;
    for j in 1.. {
        let v: Value = list.get(j).ok()?;
        if v.is_nil() {
            break;
        }
        bits |= flags::by_name_nocase(&lua_bytes(&v)?)?;
    }
    Some(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_a_library() {
        let mut e = FunctionsEngine::new().unwrap();
        let code =
            b"#!lua name=lib1\nredis.register_function('f1', function(keys, args) return 1 end)";
        let lib = e.compile(code, &[], false, true).unwrap();
        assert_eq!(lib.name, "lib1");
        assert_eq!(lib.functions.len(), 1);
        e.install(lib, false).unwrap();
        assert!(e.function(b"F1").is_some());
        assert_eq!(
            e.compile(code, e.libraries(), false, true).map(|_| ()),
            Err("Library 'lib1' already exists".to_string())
        );
        let again = e.compile(code, e.libraries(), true, true).unwrap();
        assert!(e.install(again, true).is_ok());
    }

    #[test]
    fn load_errors() {
        let e = FunctionsEngine::new().unwrap();
        assert_eq!(
            e.compile(b"#!lua name=l\nlocal x = string", &[], false, true).unwrap_err(),
            "Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'string'"
        );
        assert_eq!(
            e.compile(b"#!lua name=l\nredis.register_function()", &[], false, true)
                .unwrap_err(),
            "Error registering functions: ERR wrong number of arguments to redis.register_function"
        );
        assert_eq!(
            e.compile(b"#!lua name=l\nwhile true do end", &[], false, true)
                .unwrap_err(),
            "Error registering functions: ERR FUNCTION LOAD timeout"
        );
        assert_eq!(
            e.compile(b"return 1", &[], false, true).unwrap_err(),
            "Missing library metadata"
        );
    }
}
