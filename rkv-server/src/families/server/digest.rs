//! DEBUG DIGEST's dataset fingerprint, computed exactly as Redis's
//! `computeDatasetDigest` does so the same data gives the same digest on
//! both servers: SHA1-based "xor" (order independent) and "mix" (order
//! dependent) steps over keys, types, values and expiry flags.

use sha1::{Digest, Sha1};

use crate::db::{Db, Value};

/// A 20-byte digest.
pub type Digest20 = [u8; 20];

/// Redis's `OBJ_STRING` type code (the others follow: list, set, zset, hash).
const TYPE_STRING: u32 = 0;
/// `OBJ_LIST`.
const TYPE_LIST: u32 = 1;
/// `OBJ_SET`.
const TYPE_SET: u32 = 2;
/// `OBJ_ZSET`.
const TYPE_ZSET: u32 = 3;
/// `OBJ_HASH`.
const TYPE_HASH: u32 = 4;
/// `OBJ_STREAM` (5 is `OBJ_MODULE`).
const TYPE_STREAM: u32 = 6;

/// `digest ^= SHA1(data)`
pub fn xor_digest(digest: &mut Digest20, data: &[u8]) {
    let hash = Sha1::digest(data);
    for (d, h) in digest.iter_mut().zip(hash.iter()) {
        *d ^= h;
    }
}

/// `digest = SHA1(digest ^ SHA1(data))`
pub fn mix_digest(digest: &mut Digest20, data: &[u8]) {
    xor_digest(digest, data);
    let hash = Sha1::digest(&digest[..]);
    digest.copy_from_slice(&hash);
}

/// Mixes one value (type, contents, expiry flag) into `digest`, as Redis's
/// `xorObjectDigest`.
pub fn value_digest(digest: &mut Digest20, value: &Value, has_expire: bool) {
    match value {
        Value::Str(s) => {
            mix_digest(digest, &TYPE_STRING.to_be_bytes());
            mix_digest(digest, &s.to_vec());
        }
        Value::List(l) => {
            mix_digest(digest, &TYPE_LIST.to_be_bytes());
            l.for_each(|e| mix_digest(digest, e));
        }
        Value::Set(set) => {
            mix_digest(digest, &TYPE_SET.to_be_bytes());
            set.for_each(|e| xor_digest(digest, e));
        }
        Value::ZSet(z) => {
            mix_digest(digest, &TYPE_ZSET.to_be_bytes());
            z.for_each(|member, score| {
                let mut one = [0u8; 20];
                mix_digest(&mut one, member);
                mix_digest(&mut one, rkv_proto::reply::format_double(score).as_bytes());
                xor_digest(digest, &one);
            });
        }
        Value::Hash(h) => {
            mix_digest(digest, &TYPE_HASH.to_be_bytes());
            h.for_each(|field, value| {
                let mut one = [0u8; 20];
                mix_digest(&mut one, field);
                mix_digest(&mut one, value);
                xor_digest(digest, &one);
            });
        }
        Value::Stream(s) => {
            mix_digest(digest, &TYPE_STREAM.to_be_bytes());
            s.for_each(|id, fields| {
                mix_digest(digest, format!("{}.{}", id.ms, id.seq).as_bytes());
                for f in fields.iter() {
                    mix_digest(digest, f);
                }
            });
        }
    }
    if has_expire {
        xor_digest(digest, b"!!expire!!");
    }
}

/// The digest of every database, as DEBUG DIGEST reports it.
pub fn dataset_digest(dbs: &[Db]) -> Digest20 {
    let mut total = [0u8; 20];
    for (id, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        mix_digest(&mut total, &(id as u32).to_be_bytes());
        for (key, entry) in db.iter() {
            let mut one = [0u8; 20];
            mix_digest(&mut one, key);
            value_digest(&mut one, &entry.value, db.expire_at(key).is_some());
            xor_digest(&mut total, &one);
        }
    }
    total
}

/// Lower-case hex of a digest.
pub fn to_hex(d: &Digest20) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors produced by redis-server 7.0.15 (DEBUG DIGEST / DIGEST-VALUE).
    #[test]
    fn matches_redis() {
        let mut dbs = vec![Db::new(), Db::new()];
        assert_eq!(to_hex(&dataset_digest(&dbs)), "0".repeat(40));
        dbs[0].set(b"foo", Value::string(b"bar"), false, 0);
        dbs[0].set(b"n", Value::string(b"12345"), false, 0);
        let mut one = [0u8; 20];
        value_digest(&mut one, &Value::string(b"bar"), false);
        assert_eq!(to_hex(&one), VALUE_BAR);
        assert_eq!(to_hex(&dataset_digest(&dbs)), DB0_FOO_N);
        dbs[0].set_expire(b"foo", i64::MAX / 2);
        dbs[1].set(b"k", Value::string(b"v"), false, 0);
        assert_eq!(to_hex(&dataset_digest(&dbs)), WITH_EXPIRE_AND_DB1);
    }

    const VALUE_BAR: &str = "68467c70ae30376e7ce005bcc8827f5ba7fd67dc";
    const DB0_FOO_N: &str = "cd5a02343543db03481294f2a80f5609dd27c72b";
    const WITH_EXPIRE_AND_DB1: &str = "997ceec8c989deab89e5cf6b1636e9ce9f07b324";
}
