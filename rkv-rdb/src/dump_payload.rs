//! DUMP / RESTORE payloads: one value in RDB form (type byte and body),
//! then the RDB version (u16 LE) and a CRC64 (u64 LE) of everything before
//! it.

use crate::crc64::crc64;
use crate::decode::read_value;
use crate::encode::write_value;
use crate::error::{RdbError, RdbErrorKind, RdbResult};
use crate::input::Input;
pub use crate::reader::MAX_VERSION;
use crate::value::Value;
pub use crate::writer::WRITE_VERSION;

const FOOTER_LEN: usize = 10;

/// Encodes `value` as DUMP does (with LZF compression when `compression`).
pub fn encode(value: &Value, compression: bool) -> Vec<u8> {
    let mut out = vec![0u8];
    out[0] = write_value(&mut out, value, compression);
    out.extend_from_slice(&(WRITE_VERSION as u16).to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Checks the footer of a payload: a version not newer than
/// `max_version` and a matching CRC64.
pub fn verify(payload: &[u8], max_version: u32) -> RdbResult<()> {
    if payload.len() < FOOTER_LEN {
        return Err(RdbError::new(payload.len() as u64, RdbErrorKind::Truncated));
    }
    let body_end = payload.len() - 8;
    let version = u16::from_le_bytes([payload[body_end - 2], payload[body_end - 1]]) as u32;
    if version > max_version {
        return Err(RdbError::new(
            (body_end - 2) as u64,
            RdbErrorKind::UnsupportedVersion(version),
        ));
    }
    let expected = u64::from_le_bytes(payload[body_end..].try_into().expect("8"));
    let actual = crc64(0, &payload[..body_end]);
    if expected != actual {
        return Err(RdbError::new(
            body_end as u64,
            RdbErrorKind::BadChecksum { expected, actual },
        ));
    }
    Ok(())
}

/// Decodes a payload whose footer names a version up to `max_version`
/// (Redis 7.0's RESTORE takes up to [`WRITE_VERSION`], 10; this crate reads
/// up to [`MAX_VERSION`]); returns the value and the RDB type it was
/// stored with.
///
/// A server answering RESTORE maps [`RdbErrorKind::UnsupportedVersion`],
/// [`RdbErrorKind::BadChecksum`] and a payload shorter than its footer to
/// "DUMP payload version or checksum are wrong", other errors to "Bad data
/// format".
pub fn decode(payload: &[u8], max_version: u32) -> RdbResult<(Value, u8)> {
    verify(payload, max_version)?;
    let body = &payload[..payload.len() - FOOTER_LEN];
    let mut input = Input::new(body);
    let rdb_type = input.read_u8()?;
    let value = read_value(&mut input, rdb_type)?;
    if !input.at_end()? {
        return Err(input.corrupt("payload", "bytes left after the value"));
    }
    Ok((value, rdb_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_redis_dump_of_a_small_string() {
        // `SET k hello` then `DUMP k` on Redis 7.0.15.
        let redis = b"\x00\x05hello\x0a\x00\x63\x72\xdf\x76\x65\x34\x20\x0a";
        assert_eq!(
            encode(&Value::String(b"hello".to_vec()), true),
            redis.to_vec()
        );
        assert_eq!(
            decode(redis, WRITE_VERSION).unwrap(),
            (Value::String(b"hello".to_vec()), 0)
        );
    }

    #[test]
    fn damaged_payloads_are_refused() {
        let good = encode(&Value::List(vec![b"a".to_vec(), b"b".to_vec()]), true);
        let mut flipped = good.clone();
        flipped[2] ^= 1;
        assert!(matches!(
            decode(&flipped, MAX_VERSION).unwrap_err().kind,
            RdbErrorKind::BadChecksum { .. }
        ));
        let mut future = good.clone();
        let at = future.len() - 10;
        future[at] = 99;
        assert!(matches!(
            decode(&future, MAX_VERSION).unwrap_err().kind,
            RdbErrorKind::UnsupportedVersion(99)
        ));
        assert!(decode(&good[..5], MAX_VERSION).is_err());
        let mut v11 = good[..good.len() - 10].to_vec();
        v11.extend_from_slice(&11u16.to_le_bytes());
        let crc = crc64(0, &v11);
        v11.extend_from_slice(&crc.to_le_bytes());
        assert!(decode(&v11, MAX_VERSION).is_ok());
        assert!(matches!(
            decode(&v11, WRITE_VERSION).unwrap_err().kind,
            RdbErrorKind::UnsupportedVersion(11)
        ));
    }
}
