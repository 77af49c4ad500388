//! The EVAL engine: its Lua state and the scripts cached by SHA1 (Redis's
//! `lctx.lua_scripts`). SCRIPT FLUSH replaces the whole engine, state
//! included, as Redis's `scriptingReset` does.

use std::collections::HashMap;
use std::rc::Rc;

use mlua::RegistryKey;

use super::flags;
use super::vm::{sha1_hex, Vm, VmMode};

/// A cached script.
#[derive(Debug)]
pub struct CachedScript {
    /// The source as sent.
    pub body: Vec<u8>,
    /// Shebang flags ([`flags::EVAL_COMPAT_MODE`] without one).
    pub flags: u32,
    /// Its lower-case SHA1, as errors and SCRIPT KILL name it.
    pub sha: Rc<str>,
    /// The compiled chunk, held in the Lua registry.
    pub func: RegistryKey,
}

/// A SHA1 as the cache keys it: 40 lower-case hex digits.
type ShaKey = [u8; 40];

/// `sha` lower-cased as a cache key, if it is 40 bytes long.
fn sha_key(sha: &[u8]) -> Option<ShaKey> {
    let mut key: ShaKey = sha.try_into().ok()?;
    key.make_ascii_lowercase();
    Some(key)
}

/// The EVAL Lua state and its script cache.
#[derive(Debug)]
pub struct EvalEngine {
    /// The Lua state.
    pub vm: std::rc::Rc<Vm>,
    /// Scripts by lower-case SHA1.
    scripts: HashMap<ShaKey, CachedScript, ahash::RandomState>,
    /// Bytes of cached sources and keys (INFO `used_memory_scripts_eval`).
    scripts_mem: usize,
}

impl EvalEngine {
    /// A new engine with an empty cache.
    pub fn new() -> mlua::Result<Self> {
        Ok(EvalEngine {
            vm: std::rc::Rc::new(Vm::new(VmMode::Eval)?),
            scripts: HashMap::default(),
            scripts_mem: 0,
        })
    }

    /// The script with this SHA1 (any case).
    pub fn get(&self, sha: &[u8]) -> Option<&CachedScript> {
        self.scripts.get(&sha_key(sha)?)
    }

    /// Whether a script with this SHA1 (any case) is cached.
    pub fn contains(&self, sha: &[u8]) -> bool {
        self.get(sha).is_some()
    }

    /// Number of cached scripts.
    pub fn len(&self) -> usize {
        self.scripts.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }

    /// Memory the cache accounts for, as Redis's `evalScriptsMemory`.
    pub fn scripts_memory(&self) -> usize {
        if self.scripts.is_empty() {
            return 0;
        }
        self.scripts_mem + self.scripts.len() * 32
    }

    /// Compiles and caches `body` unless cached already; returns the
    /// script. Errors are Redis's reply texts (without the `ERR ` code).
    pub fn create(&mut self, body: &[u8]) -> Result<&CachedScript, String> {
        let sha = sha1_hex(body);
        let key = sha_key(sha.as_bytes()).expect("a SHA1 has 40 hex digits");
        if self.scripts.contains_key(&key) {
            return Ok(&self.scripts[&key]);
        }
        let (script_flags, shebang_len) = flags::parse_shebang(body)?;
        let func = self
            .vm
            .lua
            .load(text_only(&body[shebang_len..]).as_ref())
            .set_name("@user_script")
            .into_function()
            .map_err(|e| {
                format!(
                    "Error compiling script (new function): {}",
                    lua_error_text(&e)
                )
            })?;
        let func = self
            .vm
            .lua
            .create_registry_value(func)
            .map_err(|e| lua_error_text(&e))?;
        self.scripts_mem += body.len() + sha.len();
        Ok(self.scripts.entry(key).or_insert(CachedScript {
            body: body.to_vec(),
            flags: script_flags,
            sha: sha.into(),
            func,
        }))
    }
}

/// Source for the Lua parser: Redis's Lua never loads precompiled
/// bytecode, so text starting with its signature (ESC) is parsed as text,
/// which fails the same way; a leading space forces that here.
pub fn text_only(source: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if source.first() == Some(&0x1b) {
        let mut spaced = Vec::with_capacity(source.len() + 1);
        spaced.push(b' ');
        spaced.extend_from_slice(source);
        std::borrow::Cow::Owned(spaced)
    } else {
        std::borrow::Cow::Borrowed(source)
    }
}

/// The message Lua gave for a load or run error.
pub fn lua_error_text(e: &mlua::Error) -> String {
    match e {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::RuntimeError(m) => m.clone(),
        mlua::Error::MemoryError(m) => m.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_by_sha() {
        let mut e = EvalEngine::new().unwrap();
        let sha = e.create(b"return 1").unwrap().sha.to_string();
        assert_eq!(sha, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
        assert!(e.contains(sha.to_ascii_uppercase().as_bytes()));
        let err = e.create(b"return +").unwrap_err();
        assert!(
            err.starts_with("Error compiling script (new function): user_script:1:"),
            "{err}"
        );
    }
}
