//! Running a command script against the server under test and redis-server
//! side by side, comparing every reply.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::canonical::canonicalize;
use crate::escape::escape_bytes;
use crate::raw::RawConnection;
use crate::script::{Action, Check, Script, Step};
use crate::server::{ServerKind, ServerProcess};

/// Environment variable choosing the server under test: unset or `rkv` for
/// rkv-server, `redis` to run redis against redis (a manual check that the
/// scripts themselves are deterministic).
pub const AGAINST_ENV: &str = "RKV_DIFF_AGAINST";

/// Environment variable that, when set, prints every command and both
/// replies to stderr while a script runs (handy when writing scripts).
pub const SHOW_ENV: &str = "RKV_DIFF_SHOW";

/// The directory holding `<family>.txt` scripts.
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts")
}

/// Family names (file stems) of every `*.txt` script, sorted.
pub fn script_families() -> Vec<String> {
    let dir = scripts_dir();
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
    let mut names: Vec<String> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .filter_map(|path| path.file_stem()?.to_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// The server under test, from [`AGAINST_ENV`].
pub fn candidate_kind() -> ServerKind {
    match std::env::var(AGAINST_ENV).as_deref() {
        Err(_) | Ok("") | Ok("rkv") => ServerKind::Rkv,
        Ok("redis") => ServerKind::Redis,
        Ok(other) => panic!("{AGAINST_ENV} must be `rkv` or `redis`, not {other:?}"),
    }
}

/// One reply that differed.
#[derive(Debug)]
pub struct Mismatch {
    /// Script file as shown to the user.
    pub file: String,
    /// 1-based line of the command.
    pub line: usize,
    /// The command as written.
    pub command: String,
    /// Which server was tested.
    pub candidate: ServerKind,
    /// What the server under test answered (or why it could not).
    pub got: String,
    /// What was expected: redis's reply, or the `@match` pattern.
    pub expected: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:{}: {}", self.file, self.line, self.command)?;
        writeln!(
            f,
            "  {:<9} {}",
            format!("{}:", self.candidate.name()),
            self.got
        )?;
        write!(f, "  {:<9} {}", "expected:", self.expected)
    }
}

/// Runs `tests/scripts/<family>.txt` and panics listing every mismatch.
/// Prints a notice and returns when redis-server is not installed.
pub fn run_family(family: &str) {
    if crate::skip_without_redis_server() {
        return;
    }
    let path = scripts_dir().join(format!("{family}.txt"));
    let script = Script::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mismatches = run_script(&script, candidate_kind());
    if !mismatches.is_empty() {
        let report: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
        panic!(
            "{} of {} steps in {family}.txt differ from redis-server:\n\n{}",
            mismatches.len(),
            script.steps.len(),
            report.join("\n\n")
        );
    }
}

/// Runs `script` on a fresh `candidate` server and a fresh redis-server, one
/// connection each, returning every reply that differed.
pub fn run_script(script: &Script, candidate: ServerKind) -> Vec<Mismatch> {
    let tested = ServerProcess::start(candidate);
    let reference = ServerProcess::redis();
    let mut tested_conn = tested.raw();
    let mut reference_conn = reference.raw();
    let file = display_path(&script.path);
    let show = std::env::var_os(SHOW_ENV).is_some();
    let mut mismatches = Vec::new();
    let mut sync = false;
    for step in &script.steps {
        let args = match &step.action {
            Action::Sleep(duration) => {
                std::thread::sleep(*duration);
                continue;
            }
            Action::Sync(on) => {
                sync = *on;
                continue;
            }
            Action::Command(args) => args,
        };
        let got = run_command(&mut tested_conn, args, sync);
        let expected = run_command(&mut reference_conn, args, sync);
        if show {
            eprintln!(
                "{file}:{}: {}\n    {}: {}\n    redis: {}",
                step.line,
                step.text,
                candidate.name(),
                describe(got.clone()),
                describe(expected.clone())
            );
        }
        let mismatch = |got: String, expected: String| Mismatch {
            file: file.clone(),
            line: step.line,
            command: step.text.clone(),
            candidate,
            got,
            expected,
        };
        match (got, expected) {
            (Ok(got), Ok(expected)) => {
                if let Some((got, expected)) = compare(step, &got, &expected) {
                    mismatches.push(mismatch(got, expected));
                }
            }
            // A failed read leaves the connections out of step: stop here.
            (got, expected) => {
                if got != expected {
                    mismatches.push(mismatch(describe(got), describe(expected)));
                }
                break;
            }
        }
    }
    mismatches
}

/// The argument `@sync` mode echoes after each command.
const SYNC_MARKER: &[u8] = b"rkv-tests-sync-marker";

/// Sends `args` and reads its reply; in `@sync` mode, every frame received
/// before the answer to a trailing `ECHO` marker, concatenated.
fn run_command(conn: &mut RawConnection, args: &[Vec<u8>], sync: bool) -> Result<Vec<u8>, String> {
    conn.send_command(args);
    if !sync {
        return conn.try_read_reply();
    }
    conn.send_command(&[&b"ECHO"[..], SYNC_MARKER]);
    let mut marker = format!("${}\r\n", SYNC_MARKER.len()).into_bytes();
    marker.extend_from_slice(SYNC_MARKER);
    marker.extend_from_slice(b"\r\n");
    let mut frames = Vec::new();
    loop {
        let frame = conn.try_read_reply()?;
        if frame == marker {
            return Ok(frames);
        }
        frames.extend_from_slice(&frame);
    }
}

/// `None` when `got` passes `step`'s check, else both sides rendered.
fn compare(step: &Step, got: &[u8], expected: &[u8]) -> Option<(String, String)> {
    match &step.check {
        Check::Skip => None,
        Check::Exact => (got != expected).then(|| (escape_bytes(got), escape_bytes(expected))),
        Check::Unordered => {
            let same = match (canonicalize(got), canonicalize(expected)) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            (!same).then(|| {
                (
                    escape_bytes(got),
                    format!("{} (in any order)", escape_bytes(expected)),
                )
            })
        }
        Check::Match(pattern) => (!pattern.is_match(got)).then(|| {
            (
                escape_bytes(got),
                format!("a reply matching /{}/", pattern.as_str()),
            )
        }),
    }
}

fn describe(reply: Result<Vec<u8>, String>) -> String {
    match reply {
        Ok(bytes) => escape_bytes(&bytes),
        Err(why) => format!("<{why}>"),
    }
}

/// The script path relative to the workspace root, for messages.
fn display_path(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::{compare, Check, Step};
    use crate::script::Action;

    fn step(check: Check) -> Step {
        Step {
            line: 1,
            text: "X".into(),
            action: Action::Command(vec![b"X".to_vec()]),
            check,
        }
    }

    #[test]
    fn exact_and_unordered_checks() {
        let exact = step(Check::Exact);
        assert!(compare(&exact, b"+OK\r\n", b"+OK\r\n").is_none());
        assert!(compare(&exact, b"*2\r\n:1\r\n:2\r\n", b"*2\r\n:2\r\n:1\r\n").is_some());
        let unordered = step(Check::Unordered);
        assert!(compare(&unordered, b"*2\r\n:1\r\n:2\r\n", b"*2\r\n:2\r\n:1\r\n").is_none());
        assert!(compare(&unordered, b"*1\r\n:1\r\n", b"*1\r\n:2\r\n").is_some());
        assert!(compare(&step(Check::Skip), b":1\r\n", b":2\r\n").is_none());
    }

    #[test]
    fn match_check_ignores_reference() {
        let pattern = regex::bytes::Regex::new(r"\A(?::\d+\r\n)\z").unwrap();
        let matching = step(Check::Match(pattern));
        assert!(compare(&matching, b":42\r\n", b"+whatever\r\n").is_none());
        assert!(compare(&matching, b"+no\r\n", b":1\r\n").is_some());
    }
}
