//! [`CommandSpec`]: one command declared as data, as Redis's
//! `src/commands/*.json` declare them.
//!
//! Dispatch, arity errors, COMMAND INFO/DOCS/GETKEYS/LIST, and later ACL
//! checks, MULTI queueing, OOM rejection, propagation and cluster slot checks
//! all read these declarations; nothing keeps a second list of commands.

use super::ctx::Ctx;

/// A command handler: parses `ctx.argv`, does the work, writes the reply.
pub type Handler = fn(&mut Ctx<'_>);

/// A command's own key finder (Redis's `get_keys_function`), used where its
/// key specs are `unknown`: the positions of the keys in `argv` (command
/// name at 0), each with the key-spec flags that apply to it.
pub type GetKeys = fn(argv: &[&[u8]]) -> Vec<(usize, &'static [&'static str])>;

/// Command flags (Redis's `CMD_*`), a bit set.
pub mod flags {
    /// May modify the keyspace.
    pub const WRITE: u32 = 1 << 0;
    /// Only reads the keyspace.
    pub const READONLY: u32 = 1 << 1;
    /// May grow memory: refused when over `maxmemory`.
    pub const DENYOOM: u32 = 1 << 2;
    /// Administrative (dangerous) command.
    pub const ADMIN: u32 = 1 << 3;
    /// Pub/sub related.
    pub const PUBSUB: u32 = 1 << 4;
    /// Not allowed from scripts.
    pub const NOSCRIPT: u32 = 1 << 5;
    /// May block the client.
    pub const BLOCKING: u32 = 1 << 6;
    /// Allowed while loading the dataset.
    pub const LOADING: u32 = 1 << 7;
    /// Allowed on a replica with stale data.
    pub const STALE: u32 = 1 << 8;
    /// Not shown to MONITOR.
    pub const SKIP_MONITOR: u32 = 1 << 9;
    /// Not recorded in the slow log.
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    /// Cluster ASKING.
    pub const ASKING: u32 = 1 << 11;
    /// O(1) or O(log N), never blocks or delays.
    pub const FAST: u32 = 1 << 12;
    /// Allowed before authentication.
    pub const NO_AUTH: u32 = 1 << 13;
    /// May replicate even if read-only (hidden in COMMAND INFO).
    pub const MAY_REPLICATE: u32 = 1 << 14;
    /// Keys are optional.
    pub const NO_MANDATORY_KEYS: u32 = 1 << 15;
    /// Refused during async loading.
    pub const NO_ASYNC_LOADING: u32 = 1 << 16;
    /// Not allowed inside MULTI.
    pub const NO_MULTI: u32 = 1 << 17;
    /// Key positions depend on arguments.
    pub const MOVABLE_KEYS: u32 = 1 << 18;
    /// Allowed while a script is busy.
    pub const ALLOW_BUSY: u32 = 1 << 19;
    /// Protected unless `enable-*-command` allows it (hidden in COMMAND INFO).
    pub const PROTECTED: u32 = 1 << 20;
    /// May run while a RESP2 client is subscribed (Redis lists these
    /// commands by hand in `processCommand`; hidden in COMMAND INFO).
    pub const SUBSCRIBED_CONTEXT: u32 = 1 << 21;
    /// Runs at once inside MULTI instead of being queued (Redis compares
    /// procs in `processCommand`: EXEC, DISCARD, MULTI, WATCH, QUIT, RESET;
    /// hidden in COMMAND INFO).
    pub const RUNS_IN_MULTI: u32 = 1 << 22;

    /// Names as COMMAND INFO prints them, in Redis's order; hidden flags omitted.
    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// ACL categories, a bit set in Redis's order (`@keyspace` first).
pub mod acl {
    /// `@keyspace`
    pub const KEYSPACE: u64 = 1 << 0;
    /// `@read`
    pub const READ: u64 = 1 << 1;
    /// `@write`
    pub const WRITE: u64 = 1 << 2;
    /// `@set`
    pub const SET: u64 = 1 << 3;
    /// `@sortedset`
    pub const SORTEDSET: u64 = 1 << 4;
    /// `@list`
    pub const LIST: u64 = 1 << 5;
    /// `@hash`
    pub const HASH: u64 = 1 << 6;
    /// `@string`
    pub const STRING: u64 = 1 << 7;
    /// `@bitmap`
    pub const BITMAP: u64 = 1 << 8;
    /// `@hyperloglog`
    pub const HYPERLOGLOG: u64 = 1 << 9;
    /// `@geo`
    pub const GEO: u64 = 1 << 10;
    /// `@stream`
    pub const STREAM: u64 = 1 << 11;
    /// `@pubsub`
    pub const PUBSUB: u64 = 1 << 12;
    /// `@admin`
    pub const ADMIN: u64 = 1 << 13;
    /// `@fast`
    pub const FAST: u64 = 1 << 14;
    /// `@slow`
    pub const SLOW: u64 = 1 << 15;
    /// `@blocking`
    pub const BLOCKING: u64 = 1 << 16;
    /// `@dangerous`
    pub const DANGEROUS: u64 = 1 << 17;
    /// `@connection`
    pub const CONNECTION: u64 = 1 << 18;
    /// `@transaction`
    pub const TRANSACTION: u64 = 1 << 19;
    /// `@scripting`
    pub const SCRIPTING: u64 = 1 << 20;

    /// Category names (without `@`), in bit order.
    pub const NAMES: &[&str] = &[
        "keyspace",
        "read",
        "write",
        "set",
        "sortedset",
        "list",
        "hash",
        "string",
        "bitmap",
        "hyperloglog",
        "geo",
        "stream",
        "pubsub",
        "admin",
        "fast",
        "slow",
        "blocking",
        "dangerous",
        "connection",
        "transaction",
        "scripting",
    ];
}

/// Where the search for keys starts (Redis key-spec `begin_search`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeginSearch {
    /// At a fixed argument index.
    Index(i32),
    /// After a keyword, searching from `startfrom` (negative: from the end).
    Keyword {
        /// The keyword.
        keyword: &'static str,
        /// Where to start looking.
        startfrom: i32,
    },
    /// Redis's `unknown`: the keys can't be found from the arguments' shape
    /// (SORT's BY/GET patterns and STORE); the command's `get_keys` finds them.
    Unknown,
}

/// How keys are found from the start point (Redis key-spec `find_keys`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindKeys {
    /// A range: `lastkey` relative to the start (-1 = last argument), `step`,
    /// `limit` (0 = no limit, n = 1/n of the remaining arguments).
    Range {
        /// Last key, relative to the first.
        lastkey: i32,
        /// Distance between keys.
        step: i32,
        /// Limit divisor.
        limit: i32,
    },
    /// A count argument then the keys.
    Keynum {
        /// Index of the count, relative to the start.
        keynumidx: i32,
        /// First key, relative to the start.
        firstkey: i32,
        /// Distance between keys.
        step: i32,
    },
    /// Redis's `unknown` (pairs with [`BeginSearch::Unknown`]).
    Unknown,
}

/// One key specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// Flags such as `RO`, `RW`, `OW`, `RM`, `ACCESS`, `UPDATE`, `INSERT`, `DELETE`.
    pub flags: &'static [&'static str],
    /// Start of the search.
    pub begin: BeginSearch,
    /// Key finding rule.
    pub find: FindKeys,
}

impl KeySpec {
    /// Keys from argument `index` to `lastkey` (relative), every `step`.
    pub const fn range(
        flags: &'static [&'static str],
        index: i32,
        lastkey: i32,
        step: i32,
    ) -> Self {
        KeySpec {
            flags,
            begin: BeginSearch::Index(index),
            find: FindKeys::Range {
                lastkey,
                step,
                limit: 0,
            },
        }
    }

    /// The single key at argument `index`.
    pub const fn single(flags: &'static [&'static str], index: i32) -> Self {
        Self::range(flags, index, 0, 1)
    }
}

/// The type of a documented argument (COMMAND DOCS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A key name (`key_spec_index` says which spec).
    Key,
    /// Any string.
    String,
    /// An integer.
    Integer,
    /// A floating point number.
    Double,
    /// A glob pattern.
    Pattern,
    /// A Unix time.
    UnixTime,
    /// A literal token with no value.
    PureToken,
    /// Exactly one of the children.
    OneOf,
    /// All of the children, in order.
    Block,
}

impl ArgKind {
    /// The name COMMAND DOCS prints.
    pub fn name(self) -> &'static str {
        match self {
            ArgKind::Key => "key",
            ArgKind::String => "string",
            ArgKind::Integer => "integer",
            ArgKind::Double => "double",
            ArgKind::Pattern => "pattern",
            ArgKind::UnixTime => "unix-time",
            ArgKind::PureToken => "pure-token",
            ArgKind::OneOf => "oneof",
            ArgKind::Block => "block",
        }
    }
}

/// A documented argument (COMMAND DOCS, rkv-cli hints).
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    /// Argument name.
    pub name: &'static str,
    /// Its type.
    pub kind: ArgKind,
    /// For keys, the index of the key spec.
    pub key_spec_index: i32,
    /// The token that introduces it (`EX`, `NX`...).
    pub token: Option<&'static str>,
    /// Version that added it.
    pub since: Option<&'static str>,
    /// May be omitted.
    pub optional: bool,
    /// May repeat.
    pub multiple: bool,
    /// The token repeats with each value.
    pub multiple_token: bool,
    /// Children of `OneOf`/`Block`.
    pub children: &'static [Arg],
}

impl Arg {
    /// A base to fill with struct-update syntax.
    pub const BASE: Arg = Arg {
        name: "",
        kind: ArgKind::String,
        key_spec_index: -1,
        token: None,
        since: None,
        optional: false,
        multiple: false,
        multiple_token: false,
        children: &[],
    };

    /// A required argument of `kind`.
    pub const fn new(name: &'static str, kind: ArgKind) -> Arg {
        Arg {
            name,
            kind,
            ..Arg::BASE
        }
    }

    /// A key argument using key spec `index`.
    pub const fn key(name: &'static str, index: i32) -> Arg {
        Arg {
            name,
            kind: ArgKind::Key,
            key_spec_index: index,
            ..Arg::BASE
        }
    }

    /// A pure-token argument such as `NX`.
    pub const fn token(name: &'static str, token: &'static str) -> Arg {
        Arg {
            name,
            kind: ArgKind::PureToken,
            token: Some(token),
            ..Arg::BASE
        }
    }

    /// The same argument, optional.
    pub const fn optional(self) -> Arg {
        Arg {
            optional: true,
            ..self
        }
    }

    /// The same argument, repeatable.
    pub const fn multiple(self) -> Arg {
        Arg {
            multiple: true,
            ..self
        }
    }
}

/// One command (or subcommand) declared as data.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// Lower-case name (`get`; for subcommands just `get` of `config|get`).
    pub name: &'static str,
    /// Redis arity: positive = exact argument count including the name,
    /// negative = at least that many.
    pub arity: i32,
    /// [`flags`] bits.
    pub flags: u32,
    /// Explicit [`acl`] categories; `@write`, `@read`, `@fast`, `@slow`,
    /// `@admin`, `@dangerous`, `@pubsub`, `@blocking` are derived from flags.
    pub acl: u64,
    /// Key specifications.
    pub keys: &'static [KeySpec],
    /// COMMAND DOCS group (`string`, `generic`, `connection`, `server`...).
    pub group: &'static str,
    /// Version that introduced it.
    pub since: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Time complexity text.
    pub complexity: &'static str,
    /// Command tips (`nondeterministic_output`, `request_policy:all_shards`...).
    pub tips: &'static [&'static str],
    /// `(version, change)` history entries.
    pub history: &'static [(&'static str, &'static str)],
    /// Documented arguments.
    pub args: &'static [Arg],
    /// Subcommands of a container command (CONFIG, CLIENT...).
    pub subcommands: &'static [CommandSpec],
    /// COMMAND DOCS `doc_flags` (`deprecated`, `syscmd`), in that order.
    pub doc_flags: &'static [&'static str],
    /// Version that deprecated the command, if any.
    pub deprecated_since: Option<&'static str>,
    /// What replaces a deprecated command (COMMAND DOCS `replaced_by`).
    pub replaced_by: Option<&'static str>,
    /// Finds the keys when a key spec is [`BeginSearch::Unknown`].
    pub get_keys: Option<GetKeys>,
    /// Key spec `notes` (COMMAND INFO), by index into `keys`.
    pub key_spec_notes: &'static [(usize, &'static str)],
    /// The handler (unused for containers).
    pub handler: Handler,
}

fn no_handler(ctx: &mut Ctx<'_>) {
    ctx.error("ERR this command has no handler");
}

impl CommandSpec {
    /// A base to fill with struct-update syntax.
    pub const BASE: CommandSpec = CommandSpec {
        name: "",
        arity: 1,
        flags: 0,
        acl: 0,
        keys: &[],
        group: "generic",
        since: "1.0.0",
        summary: "",
        complexity: "",
        tips: &[],
        history: &[],
        args: &[],
        subcommands: &[],
        doc_flags: &[],
        deprecated_since: None,
        replaced_by: None,
        get_keys: None,
        key_spec_notes: &[],
        handler: no_handler,
    };

    /// The `notes` of key spec `index`, if it has any.
    pub fn key_spec_note(&self, index: usize) -> Option<&'static str> {
        self.key_spec_notes
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, n)| *n)
    }

    /// Whether the command has a flag.
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// ACL categories: the declared ones plus those implied by the flags, as
    /// Redis's `setImplicitACLCategories` does.
    pub fn acl_categories(&self) -> u64 {
        let mut c = self.acl;
        if self.has(flags::WRITE) {
            c |= acl::WRITE;
        }
        if self.has(flags::READONLY) && c & acl::SCRIPTING == 0 {
            c |= acl::READ;
        }
        if self.has(flags::ADMIN) {
            c |= acl::ADMIN | acl::DANGEROUS;
        }
        if self.has(flags::PUBSUB) {
            c |= acl::PUBSUB;
        }
        if self.has(flags::FAST) {
            c |= acl::FAST;
        }
        if self.has(flags::BLOCKING) {
            c |= acl::BLOCKING;
        }
        if c & acl::FAST == 0 {
            c |= acl::SLOW;
        }
        c
    }

    /// Legacy `(first, last, step)` key positions derived from the key specs,
    /// as Redis's `populateCommandLegacyRangeSpec` does.
    pub fn legacy_range(&self) -> (i32, i32, i32) {
        let mut first = 0;
        let mut last = 0;
        let mut step = 0;
        let mut prev_last = 0;
        for spec in self.keys {
            let BeginSearch::Index(start) = spec.begin else {
                continue;
            };
            let FindKeys::Range {
                lastkey,
                step: s,
                limit,
            } = spec.find
            else {
                continue;
            };
            if limit != 0 {
                continue;
            }
            if first != 0 && (s != step || start != prev_last + s) {
                // Not contiguous with the previous spec: Redis marks such
                // commands movablekeys and keeps only what was contiguous.
                continue;
            }
            if first == 0 {
                first = start;
            }
            step = s;
            last = if lastkey < 0 {
                lastkey
            } else {
                start + lastkey
            };
            prev_last = last;
        }
        (first, last, step)
    }

    /// Whether key positions can't be found from the legacy range alone.
    pub fn movable_keys(&self) -> bool {
        if self.has(flags::MOVABLE_KEYS) {
            return true;
        }
        self.keys.iter().any(|k| {
            !matches!(k.begin, BeginSearch::Index(_)) || matches!(k.find, FindKeys::Keynum { .. })
        })
    }
}
