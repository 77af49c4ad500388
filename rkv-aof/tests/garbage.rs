//! Mutated and random inputs never make the library panic, and what it
//! reports stays consistent: offsets inside the file, a damaged tail's cut
//! before the damage, a fix that leaves a file the checker calls valid.

use std::fs;
use std::path::PathBuf;

use rkv_aof::check::check_file;
use rkv_aof::fix::{apply, plan_fix, FixMode, FixPlan};
use rkv_aof::layout::{AofPart, FileRole};
use rkv_aof::manifest::Manifest;
use rkv_aof::stats::Stats;
use rkv_aof::writer::CommandFeed;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A valid AOF in the form the server writes: timestamps, SELECTs,
/// transactions, values with CR/LF and binary bytes.
fn sample_aof() -> Vec<u8> {
    let mut feed = CommandFeed::new(true);
    let mut out = Vec::new();
    for i in 0..60i64 {
        let value = format!("v{i}\r\n*1\r\n$4\r\n\x00\u{ff}");
        let key = format!("key:{i}");
        if i % 7 == 3 {
            feed.feed(&mut out, 0, 1_700_000_000 + i / 5, &["MULTI"]);
            feed.feed(
                &mut out,
                0,
                1_700_000_000 + i / 5,
                &["SET", key.as_str(), value.as_str()],
            );
            feed.feed(&mut out, 0, 1_700_000_000 + i / 5, &["EXEC"]);
        } else {
            let db = (i % 3) as usize;
            feed.feed(
                &mut out,
                db,
                1_700_000_000 + i / 5,
                &["SET", key.as_str(), value.as_str()],
            );
        }
    }
    out
}

fn mutate(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..=rng.below(4) {
        if out.is_empty() {
            out.push(rng.next() as u8);
            continue;
        }
        let at = rng.below(out.len());
        match rng.below(6) {
            0 => out[at] = rng.next() as u8,
            1 => out[at] ^= 1 << rng.below(8),
            2 => {
                out.remove(at);
            }
            3 => out.insert(at, b"*$\r\n#-0123456789"[rng.below(16)]),
            4 => out.truncate(at),
            _ => {
                let len = rng.below(32).min(out.len() - at);
                let chunk: Vec<u8> = out[at..at + len].to_vec();
                let to = rng.below(out.len());
                out.splice(to..to, chunk);
            }
        }
    }
    out
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rkv-aof-garbage-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn mutated_aofs_never_panic_and_fixes_hold() {
    let dir = scratch();
    let sample = sample_aof();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let path = dir.join("m.aof");
    let part = AofPart {
        path: path.clone(),
        name: "m.aof".into(),
        role: FileRole::Single,
    };
    for round in 0..400 {
        let bytes = if round % 10 == 9 {
            (0..rng.below(300)).map(|_| rng.next() as u8).collect()
        } else {
            mutate(&mut rng, &sample)
        };
        fs::write(&path, &bytes).unwrap();
        let mut stats = Stats::new();
        let check = check_file(&part, None, &mut |e, _| stats.observe(e)).unwrap();
        assert!(check.valid_end <= check.size, "round {round}");
        if let Some(damage) = &check.damage {
            assert!(damage.offset <= check.size, "round {round}");
            assert!(check.valid_end <= damage.entry, "round {round}");
        }
        for mode in [
            FixMode::TailOnly,
            FixMode::ToValid,
            FixMode::ToTimestamp(1_700_000_005),
        ] {
            fs::write(&path, &bytes).unwrap();
            if let FixPlan::Truncate(plan) =
                plan_fix(std::slice::from_ref(&part), mode, None).unwrap()
            {
                assert!(plan.new_size < plan.size, "round {round}");
                let backup = apply(&plan).unwrap();
                fs::remove_file(backup).unwrap();
                let after = check_file(&part, None, &mut |_, _| {}).unwrap();
                if mode != FixMode::ToTimestamp(1_700_000_005) {
                    assert!(
                        after.is_valid(),
                        "round {round} {mode:?}: {:?}",
                        after.damage
                    );
                }
            }
        }
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mutated_manifests_never_panic() {
    let sample = b"file appendonly.aof.2.base.rdb seq 2 type b\n\
                   file \"appendonly \\x41.aof.1.incr.aof\" seq 1 type h\n\
                   file appendonly.aof.3.incr.aof seq 3 type i\n";
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let bytes = mutate(&mut rng, sample);
        if let Ok(manifest) = Manifest::parse(&bytes, "m".as_ref()) {
            if manifest == Manifest::default() {
                continue;
            }
            let again = Manifest::parse(manifest.to_text().as_bytes(), "m".as_ref()).unwrap();
            assert_eq!(again, manifest);
        }
    }
}
