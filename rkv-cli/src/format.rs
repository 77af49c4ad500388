//! Rendering replies the way redis-cli prints them: for humans on a
//! terminal, raw for scripts, or as CSV / JSON.

use rkv_proto::{quote_repr, Frame};

/// How replies are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    /// `(integer) 1`, quoted strings, numbered nested lists.
    Standard,
    /// Bare values, one per line.
    Raw,
    /// Comma-separated, strings quoted.
    Csv,
    /// JSON with strings escaped as JSON.
    Json,
    /// JSON with strings escaped as redis-cli quotes them.
    QuotedJson,
}

/// Separators of the raw format (`-d` and `-D`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delimiters {
    /// Between the elements of an aggregate.
    pub multi: Vec<u8>,
    /// After each reply.
    pub command: Vec<u8>,
}

impl Default for Delimiters {
    fn default() -> Delimiters {
        Delimiters {
            multi: b"\n".to_vec(),
            command: b"\n".to_vec(),
        }
    }
}

/// The text printed for one reply in `mode`, trailing separator included.
///
/// `verbatim` is redis-cli's treatment of INFO, CLIENT LIST and the like:
/// the raw text without an added separator, whatever the mode.
pub fn format_reply(
    frame: &Frame,
    mode: OutputMode,
    verbatim: bool,
    delimiters: &Delimiters,
) -> Vec<u8> {
    if verbatim {
        return raw(frame, &delimiters.multi);
    }
    match mode {
        OutputMode::Standard => tty(frame, "").into_bytes(),
        OutputMode::Raw => {
            let mut out = raw(frame, &delimiters.multi);
            out.extend_from_slice(&delimiters.command);
            out
        }
        OutputMode::Csv => {
            let mut out = csv(frame).into_bytes();
            out.push(b'\n');
            out
        }
        OutputMode::Json | OutputMode::QuotedJson => {
            let mut out = Vec::new();
            json(&mut out, frame, mode == OutputMode::QuotedJson);
            out.push(b'\n');
            out
        }
    }
}

/// The value an attribute annotates; attributes themselves are not shown.
fn unwrap_attribute(frame: &Frame) -> &Frame {
    match frame {
        Frame::Attribute(_, inner) => unwrap_attribute(inner),
        other => other,
    }
}

/// Children of an aggregate, with map pairs flattened, and its kind.
fn aggregate_items(frame: &Frame) -> Option<(Vec<&Frame>, Aggregate)> {
    match frame {
        Frame::Array(items) => Some((items.iter().collect(), Aggregate::Array)),
        Frame::Set(items) => Some((items.iter().collect(), Aggregate::Set)),
        Frame::Push(items) => Some((items.iter().collect(), Aggregate::Push)),
        Frame::Map(pairs) => Some((
            pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
            Aggregate::Map,
        )),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Array,
    Set,
    Push,
    Map,
}

/// Whether the terminal rendering of `frame` spans several lines.
fn is_multiline(frame: &Frame) -> bool {
    let frame = unwrap_attribute(frame);
    match aggregate_items(frame) {
        Some((items, Aggregate::Map)) => match items.len() {
            0 => false,
            2 => is_multiline(items[1]),
            _ => true,
        },
        Some((items, _)) => match items.len() {
            0 => false,
            1 => is_multiline(items[0]),
            _ => true,
        },
        None => false,
    }
}

/// The terminal rendering; `prefix` indents continuation lines of nested
/// aggregates.
fn tty(frame: &Frame, prefix: &str) -> String {
    let frame = unwrap_attribute(frame);
    match frame {
        Frame::Error(e) => format!("(error) {e}\n"),
        Frame::Simple(s) => format!("{s}\n"),
        Frame::Integer(n) => format!("(integer) {n}\n"),
        Frame::Double(d) => format!("(double) {d}\n"),
        Frame::BigNumber(n) => format!("(big number) {n}\n"),
        Frame::Bulk(b) => format!("{}\n", quote_repr(b)),
        Frame::Verbatim(_, b) => format!("{}\n", String::from_utf8_lossy(b)),
        Frame::Null => "(nil)\n".to_string(),
        Frame::Boolean(b) => if *b { "(true)\n" } else { "(false)\n" }.to_string(),
        Frame::Attribute(..) => unreachable!("attributes are unwrapped above"),
        Frame::Array(_) | Frame::Set(_) | Frame::Push(_) | Frame::Map(_) => {
            let (items, kind) = aggregate_items(frame).expect("aggregate");
            tty_aggregate(&items, kind, prefix)
        }
    }
}

fn tty_aggregate(items: &[&Frame], kind: Aggregate, prefix: &str) -> String {
    if items.is_empty() {
        return match kind {
            Aggregate::Array => "(empty array)\n",
            Aggregate::Map => "(empty hash)\n",
            Aggregate::Set => "(empty set)\n",
            Aggregate::Push => "(empty push)\n",
        }
        .to_string();
    }
    let count = if kind == Aggregate::Map {
        items.len() / 2
    } else {
        items.len()
    };
    let width = count.to_string().len();
    let child_prefix = format!("{prefix}{}", " ".repeat(width + 2));
    let separator = match kind {
        Aggregate::Set => '~',
        Aggregate::Map => '#',
        _ => ')',
    };
    let mut out = String::new();
    let step = if kind == Aggregate::Map { 2 } else { 1 };
    for (n, chunk) in items.chunks(step).enumerate() {
        // The caller already wrote the indentation of the first line.
        let lead = if n == 0 { "" } else { prefix };
        out.push_str(&format!("{lead}{:>width$}{separator} ", n + 1));
        out.push_str(&tty(chunk[0], &child_prefix));
        if let Some(value) = chunk.get(1) {
            out.pop();
            out.push_str(" => ");
            if is_multiline(value) {
                out.push('\n');
                out.push_str(&child_prefix);
            }
            out.push_str(&tty(value, &child_prefix));
        }
    }
    out
}

/// The raw rendering, without the final separator; `multi` separates the
/// elements of aggregates.
fn raw(frame: &Frame, multi: &[u8]) -> Vec<u8> {
    let frame = unwrap_attribute(frame);
    match frame {
        Frame::Null => Vec::new(),
        Frame::Error(e) => format!("{e}\n").into_bytes(),
        Frame::Simple(s) | Frame::Double(s) | Frame::BigNumber(s) => s.clone().into_bytes(),
        Frame::Bulk(b) | Frame::Verbatim(_, b) => b.clone(),
        Frame::Boolean(b) => if *b { "(true)" } else { "(false)" }.into(),
        Frame::Integer(n) => n.to_string().into_bytes(),
        Frame::Map(pairs) => {
            let mut out = Vec::new();
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(multi);
                }
                out.extend(raw(k, multi));
                out.push(b' ');
                out.extend(raw(v, multi));
            }
            out
        }
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(multi);
                }
                out.extend(raw(item, multi));
            }
            out
        }
        Frame::Attribute(..) => unreachable!("attributes are unwrapped above"),
    }
}

fn csv(frame: &Frame) -> String {
    let frame = unwrap_attribute(frame);
    match frame {
        Frame::Error(e) => format!("ERROR,{}", quote_repr(e.as_bytes())),
        Frame::Simple(s) => quote_repr(s.as_bytes()),
        Frame::Integer(n) => n.to_string(),
        Frame::Double(d) | Frame::BigNumber(d) => d.clone(),
        Frame::Bulk(b) | Frame::Verbatim(_, b) => quote_repr(b),
        Frame::Null => "NULL".into(),
        Frame::Boolean(b) => b.to_string(),
        Frame::Array(_) | Frame::Set(_) | Frame::Push(_) | Frame::Map(_) => {
            let (items, _) = aggregate_items(frame).expect("aggregate");
            items.iter().map(|f| csv(f)).collect::<Vec<_>>().join(",")
        }
        Frame::Attribute(..) => unreachable!("attributes are unwrapped above"),
    }
}

/// Appends `bytes` as a JSON string, escaped as `--json` or `--quoted-json`
/// does (bytes above 0x7f pass through untouched, as in redis-cli).
fn json_string(out: &mut Vec<u8>, bytes: &[u8], quoted: bool) {
    if quoted {
        // redis-cli quotes like sdscatrepr, then doubles every backslash.
        out.extend(quote_repr(bytes).replace('\\', "\\\\").into_bytes());
        return;
    }
    out.push(b'"');
    for &b in bytes {
        match b {
            b'"' => out.extend(b"\\\""),
            b'\\' => out.extend(b"\\\\"),
            b'\n' => out.extend(b"\\n"),
            0x0c => out.extend(b"\\f"),
            b'\r' => out.extend(b"\\r"),
            b'\t' => out.extend(b"\\t"),
            0x08 => out.extend(b"\\b"),
            0..=0x1f => out.extend(format!("\\u{b:04x}").into_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

fn json(out: &mut Vec<u8>, frame: &Frame, quoted: bool) {
    let frame = unwrap_attribute(frame);
    match frame {
        Frame::Error(e) => {
            out.extend(b"error:");
            json_string(out, e.as_bytes(), quoted);
        }
        Frame::Simple(s) => json_string(out, s.as_bytes(), quoted),
        Frame::Bulk(b) | Frame::Verbatim(_, b) => json_string(out, b, quoted),
        Frame::Integer(n) => out.extend(n.to_string().into_bytes()),
        Frame::Double(d) | Frame::BigNumber(d) => out.extend(d.as_bytes()),
        Frame::Null => out.extend(b"null"),
        Frame::Boolean(b) => out.extend(if *b { &b"true"[..] } else { &b"false"[..] }),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json(out, item, quoted);
            }
            out.push(b']');
        }
        Frame::Map(pairs) => {
            out.push(b'{');
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let key = unwrap_attribute(k);
                if matches!(
                    key,
                    Frame::Error(_) | Frame::Simple(_) | Frame::Bulk(_) | Frame::Verbatim(..)
                ) {
                    json(out, key, quoted);
                } else {
                    // JSON keys must be strings: render, then quote if needed.
                    let mut text = Vec::new();
                    json(&mut text, key, quoted);
                    if text.starts_with(b"\"") {
                        out.extend(text);
                    } else {
                        out.push(b'"');
                        out.extend(text);
                        out.push(b'"');
                    }
                }
                out.push(b':');
                json(out, v, quoted);
            }
            out.push(b'}');
        }
        Frame::Attribute(..) => unreachable!("attributes are unwrapped above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Frame {
        Frame::Bulk(s.as_bytes().to_vec())
    }

    fn show(frame: &Frame, mode: OutputMode) -> String {
        String::from_utf8(format_reply(frame, mode, false, &Delimiters::default())).unwrap()
    }

    #[test]
    fn raw_delimiters() {
        let arr = Frame::Array(vec![bulk("a"), Frame::Array(vec![bulk("b"), bulk("c")])]);
        let delimiters = Delimiters {
            multi: b",".to_vec(),
            command: b";".to_vec(),
        };
        assert_eq!(
            format_reply(&arr, OutputMode::Raw, false, &delimiters),
            b"a,b,c;"
        );
        assert_eq!(
            format_reply(&arr, OutputMode::Csv, false, &delimiters),
            b"\"a\",\"b\",\"c\"\n"
        );
    }

    #[test]
    fn terminal_scalars() {
        assert_eq!(
            show(&Frame::Integer(3), OutputMode::Standard),
            "(integer) 3\n"
        );
        assert_eq!(show(&Frame::Null, OutputMode::Standard), "(nil)\n");
        assert_eq!(
            show(&bulk("a\"b\n"), OutputMode::Standard),
            "\"a\\\"b\\n\"\n"
        );
        assert_eq!(
            show(&Frame::Error("ERR x".into()), OutputMode::Standard),
            "(error) ERR x\n"
        );
        assert_eq!(
            show(&Frame::Boolean(true), OutputMode::Standard),
            "(true)\n"
        );
        assert_eq!(
            show(&Frame::Double("1.5".into()), OutputMode::Standard),
            "(double) 1.5\n"
        );
    }

    #[test]
    fn terminal_nested_arrays_indent_by_index_width() {
        let items: Vec<Frame> = (0..10).map(|i| bulk(&i.to_string())).collect();
        let nested = Frame::Array(vec![
            Frame::Array(vec![bulk("a"), bulk("b")]),
            Frame::Array(items),
        ]);
        let text = show(&nested, OutputMode::Standard);
        let expected = "1) 1) \"a\"\n   2) \"b\"\n2)  1) \"0\"\n    2) \"1\"\n";
        assert!(text.starts_with(expected), "{text}");
        assert!(text.ends_with("   10) \"9\"\n"), "{text}");
    }

    #[test]
    fn terminal_maps_and_sets() {
        let map = Frame::Map(vec![
            (bulk("k"), Frame::Integer(1)),
            (bulk("l"), Frame::Array(vec![bulk("x"), bulk("y")])),
        ]);
        assert_eq!(
            show(&map, OutputMode::Standard),
            "1# \"k\" => (integer) 1\n2# \"l\" => \n   1) \"x\"\n   2) \"y\"\n"
        );
        assert_eq!(
            show(&Frame::Set(vec![bulk("m")]), OutputMode::Standard),
            "1~ \"m\"\n"
        );
        assert_eq!(
            show(&Frame::Map(vec![]), OutputMode::Standard),
            "(empty hash)\n"
        );
    }

    #[test]
    fn raw_and_csv() {
        let arr = Frame::Array(vec![bulk("a"), Frame::Integer(2), Frame::Null]);
        assert_eq!(show(&arr, OutputMode::Raw), "a\n2\n\n");
        assert_eq!(show(&arr, OutputMode::Csv), "\"a\",2,NULL\n");
        assert_eq!(
            show(&Frame::Error("ERR x".into()), OutputMode::Raw),
            "ERR x\n\n"
        );
        assert_eq!(
            show(&Frame::Error("ERR x".into()), OutputMode::Csv),
            "ERROR,\"ERR x\"\n"
        );
    }

    #[test]
    fn json_forms() {
        let map = Frame::Map(vec![
            (bulk("a/b"), bulk("\u{1}\"")),
            (Frame::Integer(7), Frame::Boolean(false)),
        ]);
        assert_eq!(
            show(&map, OutputMode::Json),
            "{\"a/b\":\"\\u0001\\\"\",\"7\":false}\n"
        );
        assert_eq!(
            show(&bulk("\u{1}"), OutputMode::QuotedJson),
            "\"\\\\x01\"\n"
        );
    }
}
