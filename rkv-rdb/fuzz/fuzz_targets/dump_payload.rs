//! Feeds arbitrary bytes, re-signed with a valid footer, to the DUMP
//! payload decoder.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rkv_rdb::{crc64::crc64, dump_payload};

fuzz_target!(|data: &[u8]| {
    let mut payload = data.to_vec();
    payload.extend_from_slice(&10u16.to_le_bytes());
    let crc = crc64(0, &payload);
    payload.extend_from_slice(&crc.to_le_bytes());
    let _ = dump_payload::decode(&payload, dump_payload::MAX_VERSION);
});
