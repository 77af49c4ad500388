//! FUNCTION DUMP / RESTORE payloads, byte-compatible with Redis 7.0: each
//! library as `RDB_OPCODE_FUNCTION2` followed by its code as an RDB string,
//! then the RDB version (2 bytes, little endian) and a CRC64 (Jones, as
//! Redis's `crc64`) of everything before, little endian.

/// `RDB_OPCODE_FUNCTION2`: a library stored as its code.
const OPCODE_FUNCTION2: u8 = 245;
/// `RDB_OPCODE_FUNCTION` (7.0 release candidates), which RESTORE refuses.
const OPCODE_FUNCTION_PRE_GA: u8 = 246;
/// RDB version 7.0 writes.
const RDB_VERSION: u16 = 10;

/// Redis's CRC64 (Jones polynomial, reflected, no final xor).
pub fn crc64(mut crc: u64, data: &[u8]) -> u64 {
    const POLY: u64 = 0x95ac_9329_ac4b_c9b5;
    static TABLE: std::sync::OnceLock<[u64; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u64; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u64;
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ POLY } else { c >> 1 };
            }
            *slot = c;
        }
        t
    });
    for &b in data {
        crc = table[((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

/// Appends an RDB length.
fn put_len(out: &mut Vec<u8>, n: usize) {
    if n < 1 << 6 {
        out.push(n as u8);
    } else if n < 1 << 14 {
        out.push(0x40 | (n >> 8) as u8);
        out.push(n as u8);
    } else if n <= u32::MAX as usize {
        out.push(0x80);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&(n as u64).to_be_bytes());
    }
}

/// The payload for these library codes.
pub fn dump_payload<'a>(codes: impl Iterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for code in codes {
        out.push(OPCODE_FUNCTION2);
        put_len(&mut out, code.len());
        out.extend_from_slice(code);
    }
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Why a payload could not be read (Redis's texts, without `ERR `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreError {
    /// Bad version or checksum.
    Footer,
    /// Anything else wrong inside, with Redis's message.
    Body(&'static str),
}

/// The library codes in a payload.
pub fn parse_payload(data: &[u8]) -> Result<Vec<Vec<u8>>, RestoreError> {
    if data.len() < 10 {
        return Err(RestoreError::Footer);
    }
    let footer = data.len() - 10;
    let version = u16::from_le_bytes([data[footer], data[footer + 1]]);
    if version > RDB_VERSION {
        return Err(RestoreError::Footer);
    }
    let crc = u64::from_le_bytes(data[footer + 2..].try_into().unwrap_or_default());
    if crc64(0, &data[..footer + 2]) != crc {
        return Err(RestoreError::Footer);
    }
    let body = &data[..footer];
    let mut pos = 0;
    let mut codes = Vec::new();
    while pos < body.len() {
        let opcode = body[pos];
        pos += 1;
        if opcode == OPCODE_FUNCTION_PRE_GA {
            return Err(RestoreError::Body("Pre-GA function format not supported"));
        }
        if opcode != OPCODE_FUNCTION2 {
            return Err(RestoreError::Body("given type is not a function"));
        }
        let code = read_string(body, &mut pos).ok_or(RestoreError::Body(
            "failed loading the given functions payload",
        ))?;
        codes.push(code);
    }
    Ok(codes)
}

/// Reads an RDB length: `(value, is_encoded)`.
fn read_len(data: &[u8], pos: &mut usize) -> Option<(u64, bool)> {
    let first = *data.get(*pos)?;
    *pos += 1;
    match first >> 6 {
        0 => Some(((first & 0x3f) as u64, false)),
        1 => {
            let second = *data.get(*pos)?;
            *pos += 1;
            Some(((((first & 0x3f) as u64) << 8) | second as u64, false))
        }
        2 => match first {
            0x80 => {
                let b = data.get(*pos..*pos + 4)?;
                *pos += 4;
                Some((u32::from_be_bytes(b.try_into().ok()?) as u64, false))
            }
            0x81 => {
                let b = data.get(*pos..*pos + 8)?;
                *pos += 8;
                Some((u64::from_be_bytes(b.try_into().ok()?), false))
            }
            _ => None,
        },
        _ => Some(((first & 0x3f) as u64, true)),
    }
}

/// Reads an RDB string: plain, integer-encoded or LZF-compressed.
fn read_string(data: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    let (len, encoded) = read_len(data, pos)?;
    if !encoded {
        let len = len as usize;
        let s = data.get(*pos..pos.checked_add(len)?)?.to_vec();
        *pos += len;
        return Some(s);
    }
    match len {
        0 => {
            let v = *data.get(*pos)? as i8;
            *pos += 1;
            Some(v.to_string().into_bytes())
        }
        1 => {
            let b = data.get(*pos..*pos + 2)?;
            *pos += 2;
            Some(i16::from_le_bytes([b[0], b[1]]).to_string().into_bytes())
        }
        2 => {
            let b = data.get(*pos..*pos + 4)?;
            *pos += 4;
            Some(
                i32::from_le_bytes(b.try_into().ok()?)
                    .to_string()
                    .into_bytes(),
            )
        }
        3 => {
            let (clen, _) = read_len(data, pos)?;
            let (ulen, _) = read_len(data, pos)?;
            let compressed = data.get(*pos..pos.checked_add(clen as usize)?)?;
            *pos += clen as usize;
            lzf_decompress(compressed, ulen as usize)
        }
        _ => None,
    }
}

/// LZF decompression (the format Redis's `lzf_compress` writes).
fn lzf_decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(out_len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < 32 {
            let n = ctrl + 1;
            out.extend_from_slice(input.get(i..i + n)?);
            i += n;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(i)? as usize;
                i += 1;
            }
            let back = ((ctrl & 0x1f) << 8) + *input.get(i)? as usize + 1;
            i += 1;
            let start = out.len().checked_sub(back)?;
            for k in 0..len + 2 {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    (out.len() == out_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_jones() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6d914c4b8d9ca);
    }

    #[test]
    fn round_trip() {
        let codes: Vec<&[u8]> = vec![b"#!lua name=a\nreturn 1", &[b'x'; 100]];
        let payload = dump_payload(codes.iter().copied());
        let back = parse_payload(&payload).unwrap();
        assert_eq!(back, vec![codes[0].to_vec(), codes[1].to_vec()]);
        let mut bad = payload.clone();
        bad[3] ^= 1;
        assert_eq!(parse_payload(&bad), Err(RestoreError::Footer));
    }

    #[test]
    fn lzf() {
        // "aaaaaaaaaa": a literal 'a' then a back reference of 9.
        let compressed = [0x00, b'a', 0xe0, 0x00, 0x00];
        assert_eq!(
            lzf_decompress(&compressed, 10),
            Some(b"aaaaaaaaaa".to_vec())
        );
    }
}
