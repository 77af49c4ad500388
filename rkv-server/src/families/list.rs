//! The list family (Redis's `t_list.c`): pushes and pops at both ends,
//! indexed access, LPOS/LINSERT/LREM/LTRIM, moves between lists, LMPOP,
//! and the blocking forms (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP).
//!
//! - `args`: argument parsing shared by several commands (LEFT/RIGHT,
//!   index normalisation).
//! - `handlers`: the non-blocking commands.
//! - `blocking_cmds`: the blocking commands and their serve functions for
//!   [`crate::blocking`].

mod args;
mod blocking_cmds;
mod handlers;

use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, KeySpec};
use blocking_cmds::*;
use handlers::*;

/// Complexity of the push commands.
const PUSH_COMPLEXITY: &str = "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.";
/// Complexity of BLPOP/BRPOP.
const BPOP_COMPLEXITY: &str = "O(N) where N is the number of provided keys.";
/// Complexity of LMPOP/BLMPOP.
const MPOP_COMPLEXITY: &str =
    "O(N+M) where N is the number of provided keys and M is the number of elements returned.";
/// Complexity of LPOP/RPOP.
const POP_COMPLEXITY: &str = "O(N) where N is the number of elements returned";

/// Key spec flags of the commands that pop.
const POP_FLAGS: &[&str] = &["RW", "ACCESS", "DELETE"];
/// Key spec flags of the commands that push.
const PUSH_FLAGS: &[&str] = &["RW", "INSERT"];

/// A single key at argument 1 with `flags`.
const fn key1(flags: &'static [&'static str]) -> KeySpec {
    KeySpec::single(flags, 1)
}

/// The key specs of the two-key moving commands (source, destination).
const MOVE_KEYS: &[KeySpec] = &[
    KeySpec::single(POP_FLAGS, 1),
    KeySpec::single(PUSH_FLAGS, 2),
];

/// LMPOP/BLMPOP keys: a count at `numkeys_at`, then the keys.
const fn mpop_keys(numkeys_at: i32) -> KeySpec {
    KeySpec {
        flags: POP_FLAGS,
        begin: BeginSearch::Index(numkeys_at),
        find: FindKeys::Keynum {
            keynumidx: 0,
            firstkey: 1,
            step: 1,
        },
    }
}

/// The LEFT and RIGHT tokens.
const LEFT_RIGHT: &[Arg] = &[Arg::token("left", "LEFT"), Arg::token("right", "RIGHT")];

/// A LEFT|RIGHT choice named `name`.
const fn left_right(name: &'static str) -> Arg {
    Arg {
        name,
        kind: ArgKind::OneOf,
        children: LEFT_RIGHT,
        ..Arg::BASE
    }
}

/// `key element [element ...]`.
const PUSH_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("element", ArgKind::String).multiple(),
];

/// `key [count]`.
const POP_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg {
        since: Some("6.2.0"),
        ..Arg::new("count", ArgKind::Integer).optional()
    },
];

/// `key [key ...] timeout`.
const BPOP_ARGS: &[Arg] = &[
    Arg::key("key", 0).multiple(),
    Arg::new("timeout", ArgKind::Double),
];

/// `source destination`.
const SRC_DST: [Arg; 2] = [Arg::key("source", 0), Arg::key("destination", 1)];

/// `numkeys key [key ...] LEFT|RIGHT [COUNT count]`.
const MPOP_TAIL: [Arg; 4] = [
    Arg::new("numkeys", ArgKind::Integer),
    Arg::key("key", 0).multiple(),
    left_right("where"),
    Arg {
        token: Some("COUNT"),
        ..Arg::new("count", ArgKind::Integer).optional()
    },
];

/// The LPOS options.
const LPOS_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("element", ArgKind::String),
    Arg {
        token: Some("RANK"),
        ..Arg::new("rank", ArgKind::Integer).optional()
    },
    Arg {
        token: Some("COUNT"),
        ..Arg::new("num-matches", ArgKind::Integer).optional()
    },
    Arg {
        token: Some("MAXLEN"),
        ..Arg::new("len", ArgKind::Integer).optional()
    },
];

/// `key start stop` (LRANGE, LTRIM).
const RANGE_ARGS: &[Arg] = &[
    Arg::key("key", 0),
    Arg::new("start", ArgKind::Integer),
    Arg::new("stop", ArgKind::Integer),
];

/// History line of the multi-element pushes.
const MULTI_PUSH_HISTORY: &[(&str, &str)] = &[("2.4.0", "Accepts multiple `element` arguments.")];
/// History line of LPUSHX/RPUSHX.
const MULTI_PUSHX_HISTORY: &[(&str, &str)] = &[("4.0.0", "Accepts multiple `element` arguments.")];
/// History line of the pops with a count.
const POP_COUNT_HISTORY: &[(&str, &str)] = &[("6.2.0", "Added the `count` argument.")];
/// History line of the blocking commands with a float timeout.
const DOUBLE_TIMEOUT_HISTORY: &[(&str, &str)] = &[(
    "6.0.0",
    "`timeout` is interpreted as a double instead of an integer.",
)];

/// A list command's common fields.
const LIST: CommandSpec = CommandSpec {
    acl: acl::LIST,
    group: "list",
    ..CommandSpec::BASE
};

/// The list family's commands.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "lpush",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        since: "1.0.0",
        summary: "Prepend one or multiple elements to a list",
        complexity: PUSH_COMPLEXITY,
        history: MULTI_PUSH_HISTORY,
        keys: &[key1(PUSH_FLAGS)],
        args: PUSH_ARGS,
        handler: lpush,
        ..LIST
    },
    CommandSpec {
        name: "rpush",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        since: "1.0.0",
        summary: "Append one or multiple elements to a list",
        complexity: PUSH_COMPLEXITY,
        history: MULTI_PUSH_HISTORY,
        keys: &[key1(PUSH_FLAGS)],
        args: PUSH_ARGS,
        handler: rpush,
        ..LIST
    },
    CommandSpec {
        name: "lpushx",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        since: "2.2.0",
        summary: "Prepend an element to a list, only if the list exists",
        complexity: PUSH_COMPLEXITY,
        history: MULTI_PUSHX_HISTORY,
        keys: &[key1(PUSH_FLAGS)],
        args: PUSH_ARGS,
        handler: lpushx,
        ..LIST
    },
    CommandSpec {
        name: "rpushx",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        since: "2.2.0",
        summary: "Append an element to a list, only if the list exists",
        complexity: PUSH_COMPLEXITY,
        history: MULTI_PUSHX_HISTORY,
        keys: &[key1(PUSH_FLAGS)],
        args: PUSH_ARGS,
        handler: rpushx,
        ..LIST
    },
    CommandSpec {
        name: "lpop",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        since: "1.0.0",
        summary: "Remove and get the first elements in a list",
        complexity: POP_COMPLEXITY,
        history: POP_COUNT_HISTORY,
        keys: &[key1(POP_FLAGS)],
        args: POP_ARGS,
        handler: lpop,
        ..LIST
    },
    CommandSpec {
        name: "rpop",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        since: "1.0.0",
        summary: "Remove and get the last elements in a list",
        complexity: POP_COMPLEXITY,
        history: POP_COUNT_HISTORY,
        keys: &[key1(POP_FLAGS)],
        args: POP_ARGS,
        handler: rpop,
        ..LIST
    },
    CommandSpec {
        name: "llen",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        since: "1.0.0",
        summary: "Get the length of a list",
        complexity: "O(1)",
        keys: &[key1(&["RO"])],
        args: &[Arg::key("key", 0)],
        handler: llen,
        ..LIST
    },
    CommandSpec {
        name: "lrange",
        arity: 4,
        flags: flags::READONLY,
        since: "1.0.0",
        summary: "Get a range of elements from a list",
        complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
        keys: &[key1(&["RO", "ACCESS"])],
        args: RANGE_ARGS,
        handler: lrange,
        ..LIST
    },
    CommandSpec {
        name: "lindex",
        arity: 3,
        flags: flags::READONLY,
        since: "1.0.0",
        summary: "Get an element from a list by its index",
        complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
        keys: &[key1(&["RO", "ACCESS"])],
        args: &[Arg::key("key", 0), Arg::new("index", ArgKind::Integer)],
        handler: lindex,
        ..LIST
    },
    CommandSpec {
        name: "lset",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        since: "1.0.0",
        summary: "Set the value of an element in a list by its index",
        complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
        keys: &[key1(&["RW", "UPDATE"])],
        args: &[
            Arg::key("key", 0),
            Arg::new("index", ArgKind::Integer),
            Arg::new("element", ArgKind::String),
        ],
        handler: lset,
        ..LIST
    },
    CommandSpec {
        name: "linsert",
        arity: 5,
        flags: flags::WRITE | flags::DENYOOM,
        since: "2.2.0",
        summary: "Insert an element before or after another element in a list",
        complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
        keys: &[key1(PUSH_FLAGS)],
        args: &[
            Arg::key("key", 0),
            Arg {
                name: "where",
                kind: ArgKind::OneOf,
                children: &[Arg::token("before", "BEFORE"), Arg::token("after", "AFTER")],
                ..Arg::BASE
            },
            Arg::new("pivot", ArgKind::String),
            Arg::new("element", ArgKind::String),
        ],
        handler: linsert,
        ..LIST
    },
    CommandSpec {
        name: "lrem",
        arity: 4,
        flags: flags::WRITE,
        since: "1.0.0",
        summary: "Remove elements from a list",
        complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
        keys: &[key1(&["RW", "DELETE"])],
        args: &[
            Arg::key("key", 0),
            Arg::new("count", ArgKind::Integer),
            Arg::new("element", ArgKind::String),
        ],
        handler: lrem,
        ..LIST
    },
    CommandSpec {
        name: "ltrim",
        arity: 4,
        flags: flags::WRITE,
        since: "1.0.0",
        summary: "Trim a list to the specified range",
        complexity: "O(N) where N is the number of elements to be removed by the operation.",
        keys: &[key1(&["RW", "DELETE"])],
        args: RANGE_ARGS,
        handler: ltrim,
        ..LIST
    },
    CommandSpec {
        name: "lpos",
        arity: -3,
        flags: flags::READONLY,
        since: "6.0.6",
        summary: "Return the index of matching elements on a list",
        complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
        keys: &[key1(&["RO", "ACCESS"])],
        args: LPOS_ARGS,
        handler: lpos,
        ..LIST
    },
    CommandSpec {
        name: "rpoplpush",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM,
        since: "1.2.0",
        summary: "Remove the last element in a list, prepend it to another list and return it",
        complexity: "O(1)",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`LMOVE` with the `RIGHT` and `LEFT` arguments"),
        keys: MOVE_KEYS,
        args: &SRC_DST,
        handler: rpoplpush,
        ..LIST
    },
    CommandSpec {
        name: "lmove",
        arity: 5,
        flags: flags::WRITE | flags::DENYOOM,
        since: "6.2.0",
        summary: "Pop an element from a list, push it to another list and return it",
        complexity: "O(1)",
        keys: MOVE_KEYS,
        args: &[
            SRC_DST[0],
            SRC_DST[1],
            left_right("wherefrom"),
            left_right("whereto"),
        ],
        handler: lmove,
        ..LIST
    },
    CommandSpec {
        name: "lmpop",
        arity: -4,
        flags: flags::WRITE | flags::MOVABLE_KEYS,
        since: "7.0.0",
        summary: "Pop elements from a list",
        complexity: MPOP_COMPLEXITY,
        keys: &[mpop_keys(1)],
        args: &MPOP_TAIL,
        handler: lmpop,
        ..LIST
    },
    CommandSpec {
        name: "blpop",
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::LIST | acl::BLOCKING,
        since: "2.0.0",
        summary: "Remove and get the first element in a list, or block until one is available",
        complexity: BPOP_COMPLEXITY,
        history: DOUBLE_TIMEOUT_HISTORY,
        keys: &[KeySpec::range(POP_FLAGS, 1, -2, 1)],
        args: BPOP_ARGS,
        handler: blpop,
        ..LIST
    },
    CommandSpec {
        name: "brpop",
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::LIST | acl::BLOCKING,
        since: "2.0.0",
        summary: "Remove and get the last element in a list, or block until one is available",
        complexity: BPOP_COMPLEXITY,
        history: DOUBLE_TIMEOUT_HISTORY,
        keys: &[KeySpec::range(POP_FLAGS, 1, -2, 1)],
        args: BPOP_ARGS,
        handler: brpop,
        ..LIST
    },
    CommandSpec {
        name: "brpoplpush",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::LIST | acl::BLOCKING,
        since: "2.2.0",
        summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
        complexity: "O(1)",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`BLMOVE` with the `RIGHT` and `LEFT` arguments"),
        history: DOUBLE_TIMEOUT_HISTORY,
        keys: MOVE_KEYS,
        args: &[SRC_DST[0], SRC_DST[1], Arg::new("timeout", ArgKind::Double)],
        handler: brpoplpush,
        ..LIST
    },
    CommandSpec {
        name: "blmove",
        arity: 6,
        flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::LIST | acl::BLOCKING,
        since: "6.2.0",
        summary: "Pop an element from a list, push it to another list and return it; or block until one is available",
        complexity: "O(1)",
        keys: MOVE_KEYS,
        args: &[
            SRC_DST[0],
            SRC_DST[1],
            left_right("wherefrom"),
            left_right("whereto"),
            Arg::new("timeout", ArgKind::Double),
        ],
        handler: blmove,
        ..LIST
    },
    CommandSpec {
        name: "blmpop",
        arity: -5,
        flags: flags::WRITE | flags::BLOCKING | flags::MOVABLE_KEYS,
        acl: acl::LIST | acl::BLOCKING,
        since: "7.0.0",
        summary: "Pop elements from a list, or block until one is available",
        complexity: MPOP_COMPLEXITY,
        keys: &[mpop_keys(2)],
        args: &[
            Arg::new("timeout", ArgKind::Double),
            MPOP_TAIL[0],
            MPOP_TAIL[1],
            MPOP_TAIL[2],
            MPOP_TAIL[3],
        ],
        handler: blmpop,
        ..LIST
    },
];
