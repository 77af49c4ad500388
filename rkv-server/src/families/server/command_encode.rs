//! COMMAND INFO and COMMAND DOCS encodings: a table entry written in
//! Redis 7.0's reply shapes (ten-field info arrays, key specs as maps,
//! documentation maps with nested argument lists).

use rkv_proto::ReplyWriter;

use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandTable, FindKeys, KeySpec};

/// Key-spec flag names in the order Redis prints them, with the spelling
/// used in declarations.
const KEY_FLAGS: &[(&str, &str)] = &[
    ("RO", "RO"),
    ("RW", "RW"),
    ("OW", "OW"),
    ("RM", "RM"),
    ("ACCESS", "access"),
    ("UPDATE", "update"),
    ("INSERT", "insert"),
    ("DELETE", "delete"),
    ("NOT_KEY", "not_key"),
    ("INCOMPLETE", "incomplete"),
    ("VARIABLE_FLAGS", "variable_flags"),
];

/// One COMMAND INFO entry: Redis's ten fields.
pub fn write_info(out: &mut ReplyWriter, table: &CommandTable, id: usize) {
    let entry = table.entry(id);
    let spec = entry.spec;
    let (first, last, step) = spec.legacy_range();
    out.array(10);
    out.bulk(entry.full_name.as_bytes());
    out.int(spec.arity as i64);
    let mut bits = spec.flags;
    if spec.movable_keys() {
        bits |= flags::MOVABLE_KEYS;
    }
    let names: Vec<&str> = flags::NAMES
        .iter()
        .filter(|(f, _)| bits & f != 0)
        .map(|(_, n)| *n)
        .collect();
    out.set(names.len());
    for n in names {
        out.simple(n);
    }
    out.int(first as i64);
    out.int(last as i64);
    out.int(step as i64);
    let cats = spec.acl_categories();
    let cat_names: Vec<&str> = acl::NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| cats & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect();
    out.set(cat_names.len());
    for c in cat_names {
        out.simple(&format!("@{c}"));
    }
    out.set(spec.tips.len());
    for t in spec.tips {
        out.bulk(t.as_bytes());
    }
    out.set(spec.keys.len());
    for (i, ks) in spec.keys.iter().enumerate() {
        write_key_spec(out, ks, spec.key_spec_note(i));
    }
    if spec.subcommands.is_empty() {
        out.set(0);
    } else {
        let subs = table.subcommands_of(id);
        out.array(subs.len());
        for s in subs {
            write_info(out, table, s);
        }
    }
}

pub(super) fn write_key_flags(out: &mut ReplyWriter, declared: &[&str]) {
    let names: Vec<&str> = KEY_FLAGS
        .iter()
        .filter(|(d, _)| declared.iter().any(|f| f.eq_ignore_ascii_case(d)))
        .map(|(_, n)| *n)
        .collect();
    out.set(names.len());
    for n in names {
        out.simple(n);
    }
}

fn write_key_spec(out: &mut ReplyWriter, ks: &KeySpec, notes: Option<&str>) {
    out.map(3 + usize::from(notes.is_some()));
    if let Some(notes) = notes {
        out.bulk(b"notes");
        out.bulk(notes.as_bytes());
    }
    out.bulk(b"flags");
    write_key_flags(out, ks.flags);
    out.bulk(b"begin_search");
    out.map(2);
    out.bulk(b"type");
    match ks.begin {
        BeginSearch::Index(i) => {
            out.bulk(b"index");
            out.bulk(b"spec");
            out.map(1);
            out.bulk(b"index");
            out.int(i as i64);
        }
        BeginSearch::Keyword { keyword, startfrom } => {
            out.bulk(b"keyword");
            out.bulk(b"spec");
            out.map(2);
            out.bulk(b"keyword");
            out.bulk(keyword.as_bytes());
            out.bulk(b"startfrom");
            out.int(startfrom as i64);
        }
        BeginSearch::Unknown => {
            out.bulk(b"unknown");
            out.bulk(b"spec");
            out.map(0);
        }
    }
    out.bulk(b"find_keys");
    out.map(2);
    out.bulk(b"type");
    match ks.find {
        FindKeys::Range {
            lastkey,
            step,
            limit,
        } => {
            out.bulk(b"range");
            out.bulk(b"spec");
            out.map(3);
            out.bulk(b"lastkey");
            out.int(lastkey as i64);
            out.bulk(b"keystep");
            out.int(step as i64);
            out.bulk(b"limit");
            out.int(limit as i64);
        }
        FindKeys::Keynum {
            keynumidx,
            firstkey,
            step,
        } => {
            out.bulk(b"keynum");
            out.bulk(b"spec");
            out.map(3);
            out.bulk(b"keynumidx");
            out.int(keynumidx as i64);
            out.bulk(b"firstkey");
            out.int(firstkey as i64);
            out.bulk(b"keystep");
            out.int(step as i64);
        }
        FindKeys::Unknown => {
            out.bulk(b"unknown");
            out.bulk(b"spec");
            out.map(0);
        }
    }
}

/// One COMMAND DOCS map.
pub fn write_docs(out: &mut ReplyWriter, table: &CommandTable, id: usize) {
    let spec = table.entry(id).spec;
    let fields = 2
        + usize::from(!spec.summary.is_empty())
        + usize::from(!spec.complexity.is_empty())
        + usize::from(!spec.doc_flags.is_empty())
        + usize::from(spec.deprecated_since.is_some())
        + usize::from(spec.replaced_by.is_some())
        + usize::from(!spec.history.is_empty())
        + usize::from(!spec.args.is_empty())
        + usize::from(!spec.subcommands.is_empty());
    out.map(fields);
    if !spec.summary.is_empty() {
        out.bulk(b"summary");
        out.bulk(spec.summary.as_bytes());
    }
    out.bulk(b"since");
    out.bulk(spec.since.as_bytes());
    out.bulk(b"group");
    out.bulk(spec.group.as_bytes());
    if !spec.complexity.is_empty() {
        out.bulk(b"complexity");
        out.bulk(spec.complexity.as_bytes());
    }
    if !spec.doc_flags.is_empty() {
        out.bulk(b"doc_flags");
        out.set(spec.doc_flags.len());
        for f in spec.doc_flags {
            out.simple(f);
        }
    }
    if let Some(v) = spec.deprecated_since {
        out.bulk(b"deprecated_since");
        out.bulk(v.as_bytes());
    }
    if let Some(r) = spec.replaced_by {
        out.bulk(b"replaced_by");
        out.bulk(r.as_bytes());
    }
    if !spec.history.is_empty() {
        out.bulk(b"history");
        out.set(spec.history.len());
        for (version, change) in spec.history {
            out.array(2);
            out.bulk(version.as_bytes());
            out.bulk(change.as_bytes());
        }
    }
    if !spec.args.is_empty() {
        out.bulk(b"arguments");
        write_args(out, spec.args);
    }
    if !spec.subcommands.is_empty() {
        out.bulk(b"subcommands");
        let subs = table.subcommands_of(id);
        out.map(subs.len());
        for s in subs {
            out.bulk(table.entry(s).full_name.as_bytes());
            write_docs(out, table, s);
        }
    }
}

/// An argument list as Redis's `addReplyCommandArgList` prints it.
fn write_args(out: &mut ReplyWriter, args: &[Arg]) {
    out.array(args.len());
    for a in args {
        let container = matches!(a.kind, ArgKind::OneOf | ArgKind::Block);
        let flag_names: Vec<&str> = [
            (a.optional, "optional"),
            (a.multiple, "multiple"),
            (a.multiple_token, "multiple_token"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| n)
        .collect();
        let fields = 2
            + usize::from(a.key_spec_index != -1)
            + usize::from(a.token.is_some())
            + usize::from(a.since.is_some())
            + usize::from(!flag_names.is_empty())
            + usize::from(container);
        out.map(fields);
        out.bulk(b"name");
        out.bulk(a.name.as_bytes());
        out.bulk(b"type");
        out.bulk(a.kind.name().as_bytes());
        if a.key_spec_index != -1 {
            out.bulk(b"key_spec_index");
            out.int(a.key_spec_index as i64);
        }
        if let Some(t) = a.token {
            out.bulk(b"token");
            out.bulk(t.as_bytes());
        }
        if let Some(s) = a.since {
            out.bulk(b"since");
            out.bulk(s.as_bytes());
        }
        if !flag_names.is_empty() {
            out.bulk(b"flags");
            out.set(flag_names.len());
            for n in flag_names {
                out.simple(n);
            }
        }
        if container {
            out.bulk(b"arguments");
            write_args(out, a.children);
        }
    }
}

#[cfg(test)]
mod tests {
    use rkv_proto::{Protocol, ReplyWriter};

    use super::*;
    use crate::families::server::command_cmd::lookup_full_name;

    fn encode(f: impl FnOnce(&mut ReplyWriter)) -> String {
        let mut buf = Vec::new();
        let mut w = ReplyWriter::new(&mut buf, Protocol::Resp2);
        f(&mut w);
        String::from_utf8(buf).unwrap()
    }

    /// Bytes redis-server 7.0.15 sends for COMMAND INFO get (RESP2).
    #[test]
    fn info_entry_of_get_matches_redis() {
        let t = crate::command::table();
        let id = t.lookup(b"get").unwrap();
        let got = encode(|w| write_info(w, t, id));
        let expected = "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n\
            *3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n\
            +access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n\
            *2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n\
            $4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";
        assert_eq!(got, expected);
    }

    /// Bytes redis-server 7.0.15 sends for COMMAND INFO config|get (RESP2).
    #[test]
    fn info_entry_of_a_subcommand_matches_redis() {
        let t = crate::command::table();
        let id = lookup_full_name(t, b"CONFIG|get").unwrap();
        let got = encode(|w| write_info(w, t, id));
        let expected = "*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n\
            +stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n";
        assert_eq!(got, expected);
        assert!(lookup_full_name(t, b"get|x").is_none());
        assert!(lookup_full_name(t, b"config|get|x").is_none());
    }

    #[test]
    fn key_spec_with_keyword_and_keynum() {
        let ks = KeySpec {
            flags: &["RO", "ACCESS"],
            begin: BeginSearch::Keyword {
                keyword: "STREAMS",
                startfrom: 1,
            },
            find: FindKeys::Keynum {
                keynumidx: 0,
                firstkey: 1,
                step: 1,
            },
        };
        let got = encode(|w| write_key_spec(w, &ks, None));
        assert!(got.contains("$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n$9\r\nstartfrom\r\n:1\r\n"));
        assert!(got.contains("$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n"));
    }
}
