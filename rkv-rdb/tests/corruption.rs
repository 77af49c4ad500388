//! Damaged input never panics the reader: every truncation and thousands
//! of byte mutations of a real Redis dump end in a typed error naming an
//! offset inside the file (or, for harmless mutations, in success).

use rkv_rdb::{dump_payload, RdbErrorKind, RdbReader};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Reads `bytes` to the end; the error, if any.
fn read(bytes: &[u8], verify: bool) -> Option<rkv_rdb::RdbError> {
    let reader = match RdbReader::new(bytes) {
        Ok(r) => r.verify_checksum(verify),
        Err(e) => return Some(e),
    };
    for item in reader {
        if let Err(e) = item {
            return Some(e);
        }
    }
    None
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn every_truncation_is_a_typed_error() {
    for name in ["all-types.rdb", "all-types-uncompressed.rdb"] {
        let bytes = fixture(name);
        let step = if name.contains("uncompressed") {
            61
        } else {
            11
        };
        for len in (0..bytes.len()).step_by(step) {
            let err = read(&bytes[..len], true)
                .unwrap_or_else(|| panic!("{name} cut at {len} read as valid"));
            assert!(
                err.offset <= len as u64,
                "{name} cut at {len}: offset {} past the end",
                err.offset
            );
            if len >= 9 {
                assert!(
                    matches!(
                        err.kind,
                        RdbErrorKind::Truncated | RdbErrorKind::Corrupt { .. }
                    ),
                    "{name} cut at {len}: {err}"
                );
            }
        }
    }
}

#[test]
fn mutated_files_never_panic() {
    let original = fixture("all-types.rdb");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut failures = 0;
    for round in 0..3000 {
        let mut bytes = original.clone();
        let flips = 1 + (rng.next() % 4) as usize;
        for _ in 0..flips {
            let at = 9 + (rng.next() as usize) % (bytes.len() - 9);
            bytes[at] = match round % 3 {
                0 => bytes[at] ^ (1 << (rng.next() % 8)),
                1 => rng.next() as u8,
                _ => [0x00, 0xff, 0x80, 0x81, 0xc3, 0x7f][(rng.next() % 6) as usize],
            };
        }
        if let Some(err) = read(&bytes, false) {
            assert!(err.offset <= bytes.len() as u64, "round {round}: {err}");
            failures += 1;
        }
        // With the checksum on, any change is caught.
        assert!(
            read(&bytes, true).is_some() || bytes == original,
            "round {round} passed the checksum"
        );
    }
    assert!(
        failures > 500,
        "mutations should mostly break decoding ({failures})"
    );
}

#[test]
fn mutated_dump_payloads_never_panic() {
    let value = rkv_rdb::Value::Hash(
        (0..50)
            .map(|i| (format!("f{i}").into_bytes(), vec![b'v'; i]))
            .collect(),
    );
    let payload = dump_payload::encode(&value, true);
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let mut bytes = payload.clone();
        let body_len = bytes.len() - 10;
        let at = (rng.next() as usize) % body_len;
        bytes[at] = rng.next() as u8;
        // Re-sign the damaged body so that decoding, not the checksum, meets it.
        let crc = rkv_rdb::crc64::crc64(0, &bytes[..bytes.len() - 8]);
        let end = bytes.len();
        bytes[end - 8..].copy_from_slice(&crc.to_le_bytes());
        let _ = dump_payload::decode(&bytes, dump_payload::MAX_VERSION);
        let cut = (rng.next() as usize) % bytes.len();
        assert!(dump_payload::decode(&bytes[..cut], dump_payload::MAX_VERSION).is_err());
    }
}
