//! `rkv-aof` against append-only directories written by the real
//! redis-server 7.0.15: valid sets check clean, torn tails are found and
//! cut so that both redis-check-aof and redis-server accept the result
//! with every complete command's data, corruption in the middle is refused
//! unless asked, an unterminated MULTI goes whole, and
//! `--truncate-to-timestamp` cuts where redis-check-aof does.
//!
//! Ports 7760-7765, one per test, so the tests can run in parallel.

mod support;

use std::fs;
use std::path::Path;
use std::thread::sleep;
use std::time::Duration;

use assert_cmd::cargo::cargo_bin_cmd;
use support::{
    aof_dir, copy_dir, expected_at, last_incr, redis_check_aof, run_workload, Redis, Scratch,
};

/// Runs the tool; (exit code, stdout).
fn rkv_aof(args: &[&str], dir: &Path) -> (i32, String) {
    let output = cargo_bin_cmd!("rkv-aof")
        .args(args)
        .arg(aof_dir(dir))
        .output()
        .expect("run rkv-aof");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

/// Starts redis-server on `dir` refusing truncated files, so loading
/// succeeds only if the files are sound, and returns its data.
fn load_with_redis(dir: &Path, port: u16) -> support::Model {
    let redis = Redis::start(dir, port, &["--aof-load-truncated", "no"])
        .unwrap_or_else(|log| panic!("redis-server refused {}: {log}", dir.display()));
    let data = redis.dump();
    redis.stop();
    data
}

/// Writes the standard workload with redis-server into `dir`.
fn write_with_redis(dir: &Path, port: u16, extra: &[&str]) -> support::History {
    let redis = Redis::start(dir, port, extra).expect("start redis-server");
    let history = run_workload(&redis, dir, |_| {});
    redis.stop();
    history
}

#[test]
fn valid_directories_check_clean() {
    let scratch = Scratch::new("valid");
    for (name, extra) in [
        ("preamble", &[][..]),
        ("commands", &["--aof-use-rdb-preamble", "no"][..]),
        ("timestamps", &["--aof-timestamp-enabled", "yes"][..]),
    ] {
        let dir = scratch.0.join(name);
        fs::create_dir_all(&dir).unwrap();
        write_with_redis(&dir, 7760, extra);
        let (code, out) = rkv_aof(&["check"], &dir);
        assert_eq!(code, 0, "{name}: {out}");
        assert!(out.contains("AOF is valid"), "{name}: {out}");
        assert!(out.contains("MULTI/EXEC balanced"), "{name}: {out}");
        if name == "commands" {
            assert!(
                out.contains("[BASE appendonly.aof.1.base.aof] empty"),
                "{out}"
            );
        } else {
            assert!(out.contains("RDB preamble OK"), "{out}");
        }
        let (code, out) = rkv_aof(&["stats"], &dir);
        assert_eq!(code, 0, "{out}");
        // 8 plain SETs, 8 inside transactions, 8 in database 1.
        let count = |name: &str| {
            out.lines()
                .find_map(|l| l.trim().strip_prefix(&format!("{name} ")))
                .map(|rest| rest.split_whitespace().next().unwrap().to_string())
        };
        assert_eq!(count("set").as_deref(), Some("24"), "{out}");
        assert_eq!(count("multi").as_deref(), Some("8"), "{out}");
        assert_eq!(count("exec").as_deref(), Some("8"), "{out}");
        assert!(out.contains("(db0: "), "{out}");
        assert!(out.contains("db1: 8)"), "{out}");
        let (code, _) = rkv_aof(&["fix", "--yes"], &dir);
        assert_eq!(code, 0);
    }
}

#[test]
fn a_rewritten_command_base_checks_clean() {
    let scratch = Scratch::new("rewrite");
    let redis = Redis::start(&scratch.0, 7765, &["--aof-use-rdb-preamble", "no"]).unwrap();
    run_workload(&redis, &scratch.0, |_| {});
    redis.rewrite_aof();
    let mut client = redis.client();
    client.cmd(&["SET", "after", "rewrite"]).unwrap();
    let expected = redis.dump();
    redis.stop();
    let (code, out) = rkv_aof(&["check"], &scratch.0);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("[BASE appendonly.aof.2.base.aof] valid"),
        "{out}"
    );
    assert_eq!(load_with_redis(&scratch.0, 7765), expected);

    // A torn base is damage in a file that is not the last: named, refused.
    let base = aof_dir(&scratch.0).join("appendonly.aof.2.base.aof");
    let bytes = fs::read(&base).unwrap();
    fs::write(&base, &bytes[..bytes.len() - 3]).unwrap();
    let (code, out) = rkv_aof(&["check"], &scratch.0);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[BASE appendonly.aof.2.base.aof] TRUNCATED"),
        "{out}"
    );
    let (code, out) = rkv_aof(&["fix", "--yes", "--truncate-to-valid"], &scratch.0);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is not the last file"), "{out}");
    assert_eq!(fs::metadata(&base).unwrap().len(), bytes.len() as u64 - 3);
}

/// Offsets to tear the file at: inside `*N` headers, between `\r` and
/// `\n`, and inside bulk strings — ten of each, spread over the file.
fn tear_offsets(bytes: &[u8]) -> Vec<u64> {
    let headers: Vec<usize> = (1..bytes.len())
        .filter(|&i| bytes[i] == b'*' && bytes[i - 1] == b'\n')
        .map(|i| i + 1)
        .collect();
    let crlf: Vec<usize> = (1..bytes.len())
        .filter(|&i| bytes[i - 1] == b'\r' && bytes[i] == b'\n')
        .collect();
    let values: Vec<usize> = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"val-")
        .map(|(i, _)| i + 2)
        .collect();
    let mut offsets = Vec::new();
    for candidates in [headers, crlf, values] {
        assert!(candidates.len() >= 10);
        let step = candidates.len() / 10;
        offsets.extend((0..10).map(|k| candidates[k * step + step / 2] as u64));
    }
    offsets
}

#[test]
fn torn_tails_are_found_and_fixed_for_redis() {
    let scratch = Scratch::new("torn");
    let original = scratch.0.join("original");
    fs::create_dir_all(&original).unwrap();
    let history = write_with_redis(&original, 7761, &["--aof-timestamp-enabled", "yes"]);
    let full = fs::read(last_incr(&original)).unwrap();
    let offsets = tear_offsets(&full);
    assert_eq!(offsets.len(), 30);
    for cut in offsets {
        let dir = scratch.0.join(format!("cut-{cut}"));
        copy_dir(&original, &dir);
        let incr = last_incr(&dir);
        fs::write(&incr, &full[..cut as usize]).unwrap();

        let (code, out) = rkv_aof(&["check"], &dir);
        assert_eq!(code, 1, "cut {cut}: {out}");
        assert!(out.contains("TRUNCATED"), "cut {cut}: {out}");
        assert!(
            out.contains(&format!("unexpected end of file at byte {cut}")),
            "cut {cut}: {out}"
        );
        let (code, _) = redis_check_aof(&dir, &[]);
        assert_ne!(code, 0, "redis-check-aof agrees the cut at {cut} is damage");

        let (code, out) = rkv_aof(&["fix", "--yes"], &dir);
        assert_eq!(code, 0, "cut {cut}: {out}");
        assert!(out.contains("is valid now"), "cut {cut}: {out}");
        let kept = fs::metadata(&incr).unwrap().len();
        assert_eq!(
            fs::read(format!("{}.bak", incr.display())).unwrap(),
            &full[..cut as usize]
        );
        fs::remove_file(format!("{}.bak", incr.display())).unwrap();

        let (code, out) = redis_check_aof(&dir, &[]);
        assert_eq!(
            code, 0,
            "cut {cut}, kept {kept}: redis-check-aof says:\n{out}"
        );
        assert!(
            out.contains("All AOF files and manifest are valid"),
            "{out}"
        );
        let data = load_with_redis(&dir, 7761);
        assert_eq!(&data, expected_at(&history, cut), "cut {cut}, kept {kept}");
        fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn corruption_in_the_middle_is_refused_unless_asked() {
    let scratch = Scratch::new("corrupt");
    let history = write_with_redis(&scratch.0, 7762, &[]);
    let incr = last_incr(&scratch.0);
    let mut bytes = fs::read(&incr).unwrap();
    let at = bytes.len() / 2
        + bytes[bytes.len() / 2..]
            .iter()
            .position(|&b| b == b'$')
            .unwrap();
    bytes[at] = b'%';
    fs::write(&incr, &bytes).unwrap();

    let (code, out) = rkv_aof(&["check"], &scratch.0);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("bad format at byte {at}")), "{out}");
    assert!(out.contains("CORRUPT"), "{out}");

    let (code, out) = rkv_aof(&["fix", "--yes"], &scratch.0);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("--truncate-to-valid"), "{out}");
    assert_eq!(
        fs::read(&incr).unwrap(),
        bytes,
        "a refused fix changes nothing"
    );

    let (code, out) = rkv_aof(&["fix", "--yes", "--truncate-to-valid"], &scratch.0);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("everything after byte"), "{out}");
    assert!(
        out.contains("complete commands readable from byte"),
        "{out}"
    );
    let kept = fs::metadata(&incr).unwrap().len();
    assert!(kept <= at as u64);
    let (code, out) = redis_check_aof(&scratch.0, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        &load_with_redis(&scratch.0, 7762),
        expected_at(&history, kept)
    );
}

#[test]
fn an_unterminated_multi_is_dropped_whole() {
    let scratch = Scratch::new("multi");
    let history = write_with_redis(&scratch.0, 7763, &[]);
    let incr = last_incr(&scratch.0);
    let complete = fs::read(&incr).unwrap();
    let mut bytes = complete.clone();
    bytes.extend_from_slice(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$1\r\n1\r\n");
    fs::write(&incr, &bytes).unwrap();

    let (code, out) = rkv_aof(&["check"], &scratch.0);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("UNTERMINATED MULTI"), "{out}");
    let (code, out) = rkv_aof(&["fix", "--yes"], &scratch.0);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("2 complete commands after the cut point are lost"),
        "{out}"
    );
    assert_eq!(fs::read(&incr).unwrap(), complete);
    let (code, out) = redis_check_aof(&scratch.0, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        &load_with_redis(&scratch.0, 7763),
        &history.last().unwrap().1
    );
}

#[test]
fn truncate_to_timestamp_cuts_where_redis_check_aof_does() {
    let scratch = Scratch::new("timestamp");
    let original = scratch.0.join("original");
    fs::create_dir_all(&original).unwrap();
    let redis = Redis::start(&original, 7764, &["--aof-timestamp-enabled", "yes"]).unwrap();
    // A new second every ten steps gives the file several #TS: lines.
    let history = run_workload(&redis, &original, |i| {
        if i % 10 == 9 {
            sleep(Duration::from_millis(1100));
        }
    });
    redis.stop();
    let incr = last_incr(&original);
    let text = fs::read(&incr).unwrap();
    let stamps: Vec<(usize, i64)> = (0..text.len())
        .filter(|&i| text[i..].starts_with(b"#TS:"))
        .map(|i| {
            let end = i + text[i..].iter().position(|&b| b == b'\r').unwrap();
            (
                i,
                std::str::from_utf8(&text[i + 4..end])
                    .unwrap()
                    .parse()
                    .unwrap(),
            )
        })
        .collect();
    assert!(stamps.len() >= 3, "{stamps:?}");
    let (cut_at, _) = stamps[2];
    let limit = stamps[1].1;

    let ours = scratch.0.join("ours");
    let theirs = scratch.0.join("theirs");
    copy_dir(&original, &ours);
    copy_dir(&original, &theirs);
    let (code, out) = rkv_aof(
        &[
            "fix",
            "--yes",
            "--truncate-to-timestamp",
            &limit.to_string(),
        ],
        &ours,
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = redis_check_aof(&theirs, &["--truncate-to-timestamp", &limit.to_string()]);
    assert_eq!(code, 0, "{out}");
    let ours_incr = fs::read(last_incr(&ours)).unwrap();
    assert_eq!(ours_incr, fs::read(last_incr(&theirs)).unwrap());
    assert_eq!(ours_incr.len(), cut_at);
    assert_eq!(
        &load_with_redis(&ours, 7764),
        expected_at(&history, cut_at as u64)
    );

    let (code, out) = rkv_aof(
        &[
            "fix",
            "--yes",
            "--truncate-to-timestamp",
            &stamps.last().unwrap().1.to_string(),
        ],
        &ours,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Nothing to cut"), "{out}");
}

/// A string-only data set that replays what the workload and Redis's
/// rewrite write.
#[derive(Default)]
struct ModelTarget {
    db: usize,
    data: support::Model,
}

impl ModelTarget {
    fn run(&mut self, args: &[Vec<u8>]) -> Result<(), String> {
        let name = String::from_utf8_lossy(&args[0]).to_ascii_lowercase();
        let key = |i: usize| {
            args.get(i)
                .cloned()
                .ok_or(format!("{name}: missing argument"))
        };
        match name.as_str() {
            "select" => {
                self.db = String::from_utf8_lossy(&key(1)?)
                    .parse()
                    .map_err(|_| "bad db")?
            }
            "set" => {
                self.data.insert((self.db, key(1)?), key(2)?);
            }
            "append" => self
                .data
                .entry((self.db, key(1)?))
                .or_default()
                .extend_from_slice(&key(2)?),
            "del" => {
                for k in &args[1..] {
                    self.data.remove(&(self.db, k.clone()));
                }
            }
            "incr" => {
                let slot = self.data.entry((self.db, key(1)?)).or_insert(b"0".to_vec());
                let n: i64 = String::from_utf8_lossy(slot)
                    .parse()
                    .map_err(|_| "not an integer")?;
                *slot = (n + 1).to_string().into_bytes();
            }
            other => return Err(format!("unknown command '{other}'")),
        }
        Ok(())
    }
}

impl rkv_aof::load::LoadTarget for ModelTarget {
    fn load_rdb(&mut self, _: &Path, _: &mut dyn std::io::BufRead) -> Result<u64, String> {
        Err("no RDB loader in this test".into())
    }

    fn apply(&mut self, item: rkv_aof::replay::Replayed<'_>) -> Result<(), String> {
        match item {
            rkv_aof::replay::Replayed::Command(cmd) => self.run(&cmd.args),
            rkv_aof::replay::Replayed::Transaction(cmds) => {
                cmds.iter().try_for_each(|cmd| self.run(&cmd.args))
            }
        }
    }
}

fn parts_of(dir: &Path) -> Vec<rkv_aof::layout::AofPart> {
    rkv_aof::layout::AofLayout::resolve(&aof_dir(dir))
        .unwrap()
        .parts()
}

#[test]
fn load_files_replays_what_redis_wrote() {
    let scratch = Scratch::new("load");
    let redis = Redis::start(&scratch.0, 7766, &["--aof-use-rdb-preamble", "no"]).unwrap();
    run_workload(&redis, &scratch.0, |_| {});
    redis.rewrite_aof();
    run_workload(&redis, &scratch.0, |_| {});
    let expected = redis.dump();
    redis.stop();
    assert_eq!(
        parts_of(&scratch.0).len(),
        2,
        "a rewritten base and an incr file"
    );

    let mut target = ModelTarget::default();
    let loaded = rkv_aof::load::load_files(&parts_of(&scratch.0), false, &mut target).unwrap();
    assert!(loaded
        .iter()
        .all(|f| f.summary.is_complete() && f.truncated_to.is_none()));
    assert_eq!(target.data, expected);

    // Tear the incremental file inside its last transaction: the load cuts
    // the whole transaction, and the result is what redis-server loads.
    let incr = last_incr(&scratch.0);
    let bytes = fs::read(&incr).unwrap();
    let last_multi = bytes.windows(5).rposition(|w| w == b"MULTI").unwrap();
    let cut = last_multi + 20;
    fs::write(&incr, &bytes[..cut]).unwrap();
    let err = rkv_aof::load::load_files(&parts_of(&scratch.0), false, &mut ModelTarget::default())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("unexpected end of file at byte {cut}")),
        "{err}"
    );
    let mut target = ModelTarget::default();
    let loaded = rkv_aof::load::load_files(&parts_of(&scratch.0), true, &mut target).unwrap();
    let kept = loaded[1].truncated_to.expect("the tail was cut");
    assert_eq!(fs::metadata(&incr).unwrap().len(), kept);
    assert_eq!(fs::read(&incr).unwrap(), &bytes[..kept as usize]);
    let (code, out) = redis_check_aof(&scratch.0, &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(target.data, load_with_redis(&scratch.0, 7766));
}
