//! Feeds arbitrary bytes to the RDB reader: it must return items or a
//! typed error, never panic or allocate without bound.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rkv_rdb::RdbReader;

fuzz_target!(|data: &[u8]| {
    // Give most inputs a valid header so the fuzzer explores the body.
    let mut input = b"REDIS0010".to_vec();
    input.extend_from_slice(data);
    for bytes in [data, &input[..]] {
        if let Ok(reader) = RdbReader::new(bytes) {
            for item in reader.verify_checksum(false) {
                if let Err(err) = item {
                    assert!(err.offset <= bytes.len() as u64);
                    break;
                }
            }
        }
    }
});
