//! [`CommandTable`]: all command specs, indexed by name.
//!
//! Built once from the families' `COMMANDS` slices; each spec and subcommand
//! gets a dense [`CommandId`] so per-command statistics are a vector index.

use ahash::AHashMap as HashMap;
use std::sync::OnceLock;

use super::spec::CommandSpec;

/// Dense index of a command or subcommand in the table.
pub type CommandId = usize;

/// One table row.
#[derive(Debug)]
pub struct TableEntry {
    /// `get`, or `config|get` for a subcommand.
    pub full_name: String,
    /// The declaration.
    pub spec: &'static CommandSpec,
    /// The container command, for subcommands.
    pub parent: Option<CommandId>,
    /// Subcommands by lower-case name.
    subcommands: HashMap<Vec<u8>, CommandId>,
}

/// Every command, looked up case-insensitively.
#[derive(Debug)]
pub struct CommandTable {
    entries: Vec<TableEntry>,
    by_name: HashMap<Vec<u8>, CommandId>,
}

/// Longest command name looked up (longer names are unknown).
const MAX_NAME: usize = 64;

/// Lower-cases `name` into `buf`; `None` if it is too long to be a command.
fn lower<'b>(name: &[u8], buf: &'b mut [u8; MAX_NAME]) -> Option<&'b [u8]> {
    if name.len() > MAX_NAME {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    Some(&buf[..name.len()])
}

impl CommandTable {
    /// Builds the table from the families' declarations.
    pub fn build(families: &[&'static [CommandSpec]]) -> Self {
        let mut t = CommandTable {
            entries: Vec::new(),
            by_name: HashMap::new(),
        };
        for family in families {
            for spec in family.iter() {
                let id = t.push(spec.name.to_string(), spec, None);
                let previous = t.by_name.insert(spec.name.as_bytes().to_vec(), id);
                assert!(previous.is_none(), "command {} declared twice", spec.name);
                for sub in spec.subcommands {
                    let sub_id = t.push(format!("{}|{}", spec.name, sub.name), sub, Some(id));
                    t.entries[id]
                        .subcommands
                        .insert(sub.name.as_bytes().to_vec(), sub_id);
                }
            }
        }
        t
    }

    fn push(
        &mut self,
        full_name: String,
        spec: &'static CommandSpec,
        parent: Option<CommandId>,
    ) -> CommandId {
        self.entries.push(TableEntry {
            full_name,
            spec,
            parent,
            subcommands: HashMap::new(),
        });
        self.entries.len() - 1
    }

    /// Number of entries (commands and subcommands).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with id `id`.
    pub fn entry(&self, id: CommandId) -> &TableEntry {
        &self.entries[id]
    }

    /// A top-level command by name, any case.
    pub fn lookup(&self, name: &[u8]) -> Option<CommandId> {
        let mut buf = [0u8; MAX_NAME];
        self.by_name.get(lower(name, &mut buf)?).copied()
    }

    /// A subcommand of `parent` by name, any case.
    pub fn lookup_sub(&self, parent: CommandId, name: &[u8]) -> Option<CommandId> {
        let mut buf = [0u8; MAX_NAME];
        self.entries[parent]
            .subcommands
            .get(lower(name, &mut buf)?)
            .copied()
    }

    /// Resolves a call's command: the subcommand for container commands when
    /// one is named. `Err(true)` means the container exists but the
    /// subcommand does not.
    pub fn resolve(&self, argv: &[&[u8]]) -> Result<CommandId, bool> {
        let id = self.lookup(argv[0]).ok_or(false)?;
        if self.entries[id].spec.subcommands.is_empty() || argv.len() < 2 {
            return Ok(id);
        }
        self.lookup_sub(id, argv[1]).ok_or(true)
    }

    /// Top-level commands, in declaration order.
    pub fn top_level(&self) -> impl Iterator<Item = (CommandId, &TableEntry)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.parent.is_none())
    }

    /// Subcommand ids of `parent`, in declaration order.
    pub fn subcommands_of(&self, parent: CommandId) -> Vec<CommandId> {
        let mut ids: Vec<_> = self.entries[parent].subcommands.values().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// All entries with ids.
    pub fn iter(&self) -> impl Iterator<Item = (CommandId, &TableEntry)> {
        self.entries.iter().enumerate()
    }
}

/// The process-wide command table.
pub fn table() -> &'static CommandTable {
    static TABLE: OnceLock<CommandTable> = OnceLock::new();
    TABLE.get_or_init(|| CommandTable::build(crate::families::ALL))
}

#[cfg(test)]
mod tests {
    use super::super::spec::{acl, flags};
    use super::*;

    #[test]
    fn lookups_are_case_insensitive() {
        let t = table();
        let get = t.lookup(b"GeT").expect("get exists");
        assert_eq!(t.entry(get).full_name, "get");
        assert!(t.lookup(b"nosuchcommand").is_none());
        assert!(t.lookup(&[b'a'; 100]).is_none());
    }

    /// The rules Valkey's generator enforces on its JSON files.
    #[test]
    fn table_follows_the_declaration_rules() {
        let t = table();
        for (_, e) in t.iter() {
            let s = e.spec;
            let name = &e.full_name;
            assert!(
                !s.name.is_empty() && s.name == s.name.to_lowercase(),
                "{name}: lower-case name"
            );
            assert!(s.arity != 0, "{name}: arity");
            assert!(!s.summary.is_empty(), "{name}: summary");
            assert!(!s.since.is_empty(), "{name}: since");
            if s.has(flags::WRITE) {
                assert!(
                    s.acl_categories() & acl::WRITE != 0,
                    "{name}: write command in @write"
                );
                assert!(!s.has(flags::READONLY), "{name}: both write and readonly");
            }
            if !s.has(flags::FAST) {
                assert!(
                    s.acl_categories() & acl::SLOW != 0,
                    "{name}: non-fast command in @slow"
                );
            }
            let mut names = std::collections::HashSet::new();
            for a in s.args {
                // Redis 7.0 names both of SORT's patterns `pattern` (7.2
                // renamed them); COMMAND DOCS must show 7.0's names.
                let sort_pattern = name.starts_with("sort") && a.name == "pattern";
                assert!(
                    names.insert(a.name) || sort_pattern,
                    "{name}: duplicate argument name {}",
                    a.name
                );
            }
            for (i, k) in s.keys.iter().enumerate() {
                let used = s.args.iter().any(|a| uses_key_spec(a, i as i32));
                // Redis 7.0 declares shard channels as NOT_KEY specs over
                // plain string arguments (SSUBSCRIBE, SPUBLISH).
                let not_key = k.flags.contains(&"NOT_KEY");
                assert!(
                    used || s.args.is_empty() || not_key,
                    "{name}: key spec {i} unused by arguments"
                );
            }
            if !s.subcommands.is_empty() {
                // COMMAND also runs without a subcommand, so Redis gives it -1.
                let runs_alone = name == "command";
                assert!(
                    s.arity == -2 || (runs_alone && s.arity == -1),
                    "{name}: container arity is -2"
                );
            }
        }
    }

    fn uses_key_spec(a: &super::super::spec::Arg, i: i32) -> bool {
        a.key_spec_index == i || a.children.iter().any(|c| uses_key_spec(c, i))
    }
}
