//! Zipmap: the compact string-to-string map of Redis before 2.6 (RDB type
//! 9, small hashes).
//!
//! Layout: a count byte (254 or more meaning "count unknown"), then entries
//! of key length, key, value length, a "free" byte, value, `free` unused
//! bytes; 0xFF ends the map. A length is one byte below 254, else 254
//! followed by a u32 LE.

use crate::error::BlobError;
use crate::value::Pairs;

const BIGLEN: u8 = 254;
const END: u8 = 255;

fn err(reason: impl Into<String>) -> BlobError {
    BlobError::new("zipmap", reason)
}

/// Decodes a zipmap into its field/value pairs.
pub fn decode(blob: &[u8]) -> Result<Pairs, BlobError> {
    let mut pairs = Vec::new();
    for_each_pair(blob, |f, v| pairs.push((f.to_vec(), v.to_vec())))?;
    Ok(pairs)
}

/// Validates a whole zipmap while handing each field and value, borrowed,
/// to `each`; returns the pair count. On an error some pairs may have been
/// handed over already.
pub fn for_each_pair<'a>(
    blob: &'a [u8],
    mut each: impl FnMut(&'a [u8], &'a [u8]),
) -> Result<usize, BlobError> {
    let mut pos = 1;
    if blob.is_empty() {
        return Err(err("empty blob"));
    }
    let mut count = 0usize;
    loop {
        let first = *blob.get(pos).ok_or_else(|| err("missing end marker"))?;
        if first == END {
            if pos + 1 != blob.len() {
                return Err(err("data after the end marker"));
            }
            break;
        }
        let key_len = read_len(blob, &mut pos)?;
        let key = take(blob, &mut pos, key_len)?;
        let value_len = read_len(blob, &mut pos)?;
        let free = *blob.get(pos).ok_or_else(|| err("truncated free byte"))? as usize;
        pos += 1;
        let value = take(blob, &mut pos, value_len)?;
        take(blob, &mut pos, free)?;
        each(key, value);
        count += 1;
    }
    if blob[0] < BIGLEN && blob[0] as usize != count {
        return Err(err(format!(
            "header says {} entries, found {count}",
            blob[0]
        )));
    }
    Ok(count)
}

fn read_len(blob: &[u8], pos: &mut usize) -> Result<usize, BlobError> {
    let first = *blob.get(*pos).ok_or_else(|| err("truncated length"))?;
    if first < BIGLEN {
        *pos += 1;
        return Ok(first as usize);
    }
    if first == END {
        return Err(err("end marker where a length was expected"));
    }
    let bytes = blob
        .get(*pos + 1..*pos + 5)
        .ok_or_else(|| err("truncated length"))?;
    *pos += 5;
    Ok(u32::from_le_bytes(bytes.try_into().expect("4")) as usize)
}

fn take<'a>(blob: &'a [u8], pos: &mut usize, len: usize) -> Result<&'a [u8], BlobError> {
    let end = pos
        .checked_add(len)
        .ok_or_else(|| err("length overflows"))?;
    let bytes = blob
        .get(*pos..end)
        .ok_or_else(|| err("entry runs past the end"))?;
    *pos = end;
    Ok(bytes)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a zipmap as Redis 2.4 lays one out, for tests of old formats.
    pub(crate) fn build(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut out = vec![pairs.len().min(253) as u8];
        let len = |out: &mut Vec<u8>, n: usize| {
            if n < BIGLEN as usize {
                out.push(n as u8);
            } else {
                out.push(BIGLEN);
                out.extend_from_slice(&(n as u32).to_le_bytes());
            }
        };
        for (key, value) in pairs {
            len(&mut out, key.len());
            out.extend_from_slice(key);
            len(&mut out, value.len());
            out.push(2);
            out.extend_from_slice(value);
            out.extend_from_slice(&[0, 0]);
        }
        out.push(END);
        out
    }

    #[test]
    fn round_trips_with_free_space_and_long_values() {
        let long = vec![b'v'; 300];
        let blob = build(&[(b"a", b"1"), (b"name", &long)]);
        assert_eq!(
            decode(&blob).unwrap(),
            vec![(b"a".to_vec(), b"1".to_vec()), (b"name".to_vec(), long)]
        );
    }

    #[test]
    fn truncations_are_errors() {
        let blob = build(&[(b"a", b"1")]);
        for cut in 0..blob.len() {
            assert!(decode(&blob[..cut]).is_err());
        }
    }
}
