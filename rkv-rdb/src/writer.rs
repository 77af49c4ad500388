//! Streaming RDB writer: version 10, as Redis 7.0 writes it, so that
//! Redis 7.0 (and later) loads what it produces.

use std::io::{self, Write};

use crate::crc64::crc64;
use crate::encode::{self, write_string, write_value};
use crate::length::write_length;
use crate::rdb_type as t;
use crate::value::{Stream, Value};

/// The RDB version this writer produces.
pub const WRITE_VERSION: u32 = 10;

/// How to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// LZF-compress strings over 20 bytes (`rdbcompression`).
    pub compression: bool,
    /// Write a CRC64 footer; when off, a zero footer (`rdbchecksum no`).
    pub checksum: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            compression: true,
            checksum: true,
        }
    }
}

/// Per-key metadata written before the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyMeta {
    /// Absolute expiry, unix milliseconds.
    pub expire_ms: Option<i64>,
    /// LRU idle time in seconds.
    pub idle: Option<u64>,
    /// LFU frequency.
    pub freq: Option<u8>,
}

/// Writes an RDB file piece by piece; call [`RdbWriter::finish`] at the end.
pub struct RdbWriter<W: Write> {
    out: W,
    crc: u64,
    buf: Vec<u8>,
    options: WriteOptions,
    written: u64,
}

impl<W: Write> RdbWriter<W> {
    /// Starts a file on `out` (writes the `REDIS0010` header).
    pub fn new(out: W, options: WriteOptions) -> io::Result<Self> {
        let mut writer = RdbWriter {
            out,
            crc: 0,
            buf: Vec::with_capacity(64 * 1024),
            options,
            written: 0,
        };
        writer
            .buf
            .extend_from_slice(format!("REDIS{WRITE_VERSION:04}").as_bytes());
        writer.flush_buf()?;
        Ok(writer)
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.written
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        if self.options.checksum {
            self.crc = crc64(self.crc, &self.buf);
        }
        self.out.write_all(&self.buf)?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Writes an auxiliary field.
    pub fn write_aux(&mut self, key: &[u8], value: &[u8]) -> io::Result<()> {
        self.buf.push(t::OPCODE_AUX);
        write_string(&mut self.buf, key, self.options.compression);
        write_string(&mut self.buf, value, self.options.compression);
        self.flush_buf()
    }

    /// Writes the auxiliary fields Redis 7.0 puts at the top of a dump:
    /// `redis-ver`, `redis-bits`, `ctime` (unix seconds), `used-mem` and
    /// `aof-base`.
    pub fn write_standard_aux(
        &mut self,
        redis_ver: &str,
        ctime: i64,
        used_mem: u64,
    ) -> io::Result<()> {
        self.write_aux(b"redis-ver", redis_ver.as_bytes())?;
        self.write_aux(b"redis-bits", b"64")?;
        self.write_aux(b"ctime", ctime.to_string().as_bytes())?;
        self.write_aux(b"used-mem", used_mem.to_string().as_bytes())?;
        self.write_aux(b"aof-base", b"0")
    }

    /// Writes a function library (its source, as given to FUNCTION LOAD).
    pub fn write_function(&mut self, code: &[u8]) -> io::Result<()> {
        self.buf.push(t::OPCODE_FUNCTION2);
        write_string(&mut self.buf, code, self.options.compression);
        self.flush_buf()
    }

    /// Starts database `db`, with its size hints (keys, keys with expiry).
    pub fn select_db(&mut self, db: u64, db_size: u64, expires_size: u64) -> io::Result<()> {
        self.buf.push(t::OPCODE_SELECTDB);
        write_length(&mut self.buf, db);
        self.buf.push(t::OPCODE_RESIZEDB);
        write_length(&mut self.buf, db_size);
        write_length(&mut self.buf, expires_size);
        self.flush_buf()
    }

    /// Writes a key of the current database. Field expiries of
    /// [`Value::HashWithFieldExpiry`] have no place in version 10 and are
    /// dropped (the fields are kept).
    pub fn write_key(&mut self, key: &[u8], value: &Value, meta: &KeyMeta) -> io::Result<()> {
        self.write_key_with(key, meta, |out, compress| write_value(out, value, compress))
    }

    /// Writes a string key from borrowed bytes.
    pub fn write_string_key(&mut self, key: &[u8], value: &[u8], meta: &KeyMeta) -> io::Result<()> {
        self.write_key_with(key, meta, |out, compress| {
            write_string(out, value, compress);
            t::STRING
        })
    }

    /// Writes a list key from borrowed elements, head first.
    pub fn write_list_key<T: AsRef<[u8]>>(
        &mut self,
        key: &[u8],
        items: &[T],
        meta: &KeyMeta,
    ) -> io::Result<()> {
        self.write_key_with(key, meta, |out, compress| {
            encode::write_list(out, items, compress);
            t::LIST_QUICKLIST_2
        })
    }

    /// Writes a set key from borrowed members.
    pub fn write_set_key<T: AsRef<[u8]>>(
        &mut self,
        key: &[u8],
        members: &[T],
        meta: &KeyMeta,
    ) -> io::Result<()> {
        self.write_key_with(key, meta, |out, compress| {
            encode::write_set(out, members, compress)
        })
    }

    /// Writes a sorted set key from borrowed members and their scores.
    pub fn write_sorted_set_key<T: AsRef<[u8]>>(
        &mut self,
        key: &[u8],
        members: &[(T, f64)],
        meta: &KeyMeta,
    ) -> io::Result<()> {
        self.write_key_with(key, meta, |out, compress| {
            encode::write_sorted_set(out, members, compress)
        })
    }

    /// Writes a hash key from `len` borrowed field/value pairs (the
    /// iterator is walked twice: to choose the encoding, then to write).
    pub fn write_hash_key<'a>(
        &mut self,
        key: &[u8],
        pairs: impl Iterator<Item = (&'a [u8], &'a [u8])> + Clone,
        len: usize,
        meta: &KeyMeta,
    ) -> io::Result<()> {
        self.write_key_with(key, meta, |out, compress| {
            encode::write_hash(out, pairs, len, compress)
        })
    }

    /// Writes a stream key.
    pub fn write_stream_key(
        &mut self,
        key: &[u8],
        stream: &Stream,
        meta: &KeyMeta,
    ) -> io::Result<()> {
        self.write_key_with(key, meta, |out, compress| {
            encode::write_stream(out, stream, compress);
            t::STREAM_LISTPACKS_2
        })
    }

    /// Writes a key whose body `body` appends to the buffer (given whether
    /// compression is on), returning the RDB type it wrote.
    fn write_key_with(
        &mut self,
        key: &[u8],
        meta: &KeyMeta,
        body: impl FnOnce(&mut Vec<u8>, bool) -> u8,
    ) -> io::Result<()> {
        if let Some(ms) = meta.expire_ms {
            self.buf.push(t::OPCODE_EXPIRETIME_MS);
            self.buf.extend_from_slice(&ms.to_le_bytes());
        }
        if let Some(idle) = meta.idle {
            self.buf.push(t::OPCODE_IDLE);
            write_length(&mut self.buf, idle);
        }
        if let Some(freq) = meta.freq {
            self.buf.push(t::OPCODE_FREQ);
            self.buf.push(freq);
        }
        let type_at = self.buf.len();
        self.buf.push(0);
        write_string(&mut self.buf, key, self.options.compression);
        self.buf[type_at] = body(&mut self.buf, self.options.compression);
        self.flush_buf()
    }

    /// Writes the end marker and checksum, flushes, and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.buf.push(t::OPCODE_EOF);
        self.flush_buf()?;
        let footer = if self.options.checksum { self.crc } else { 0 };
        self.out.write_all(&footer.to_le_bytes())?;
        self.written += 8;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reader::{Item, RdbReader};

    #[test]
    fn written_files_read_back() {
        let mut writer = RdbWriter::new(Vec::new(), WriteOptions::default()).unwrap();
        writer
            .write_standard_aux("7.0.15", 1_700_000_000, 1000)
            .unwrap();
        writer
            .write_function(
                b"#!lua name=lib\nredis.register_function('f', function() return 1 end)",
            )
            .unwrap();
        writer.select_db(0, 2, 1).unwrap();
        let meta = KeyMeta {
            expire_ms: Some(1_900_000_000_000),
            idle: None,
            freq: Some(5),
        };
        writer
            .write_key(b"k", &Value::String(b"v".to_vec()), &meta)
            .unwrap();
        writer
            .write_key(b"n", &Value::String(b"42".to_vec()), &KeyMeta::default())
            .unwrap();
        writer.select_db(3, 1, 0).unwrap();
        writer
            .write_key(b"l", &Value::List(vec![b"a".to_vec()]), &KeyMeta::default())
            .unwrap();
        let bytes = writer.finish().unwrap();
        assert_eq!(&bytes[..9], b"REDIS0010");

        let items: Vec<Item> = RdbReader::new(&bytes[..])
            .unwrap()
            .map(Result::unwrap)
            .collect();
        type Seen<'a> = (u64, &'a [u8], Option<i64>, Option<u8>);
        let keys: Vec<Seen> = items
            .iter()
            .filter_map(|i| match i {
                Item::Key(k) => Some((k.db, k.key.as_slice(), k.expire_ms, k.freq)),
                _ => None,
            })
            .collect();
        assert_eq!(
            keys,
            vec![
                (0, &b"k"[..], Some(1_900_000_000_000), Some(5)),
                (0, &b"n"[..], None, None),
                (3, &b"l"[..], None, None)
            ]
        );
        assert_eq!(
            items.last(),
            Some(&Item::End {
                checksum_verified: true
            })
        );
        assert!(items.iter().any(|i| matches!(i, Item::Function { .. })));
    }

    #[test]
    fn borrowed_writes_match_owned_ones() {
        let owned = |value: &Value| {
            let mut w = RdbWriter::new(Vec::new(), WriteOptions::default()).unwrap();
            w.write_key(b"k", value, &KeyMeta::default()).unwrap();
            w.finish().unwrap()
        };
        let borrowed = |f: &dyn Fn(&mut RdbWriter<Vec<u8>>)| {
            let mut w = RdbWriter::new(Vec::new(), WriteOptions::default()).unwrap();
            f(&mut w);
            w.finish().unwrap()
        };
        let meta = KeyMeta::default();
        let items: Vec<&[u8]> = vec![b"a", b"12", b"c"];
        let to_vecs = |v: &[&[u8]]| v.iter().map(|i| i.to_vec()).collect::<Vec<_>>();
        assert_eq!(
            borrowed(&|w| w.write_list_key(b"k", &items, &meta).unwrap()),
            owned(&Value::List(to_vecs(&items)))
        );
        assert_eq!(
            borrowed(&|w| w.write_set_key(b"k", &items, &meta).unwrap()),
            owned(&Value::Set(to_vecs(&items)))
        );
        assert_eq!(
            borrowed(&|w| w.write_string_key(b"k", b"v", &meta).unwrap()),
            owned(&Value::String(b"v".to_vec()))
        );
        let members: Vec<(&[u8], f64)> = vec![(b"m", 1.5), (b"n", 2.0)];
        assert_eq!(
            borrowed(&|w| w.write_sorted_set_key(b"k", &members, &meta).unwrap()),
            owned(&Value::SortedSet(
                members.iter().map(|(m, s)| (m.to_vec(), *s)).collect()
            ))
        );
        let pairs: Vec<(&[u8], &[u8])> = vec![(b"f", b"1"), (b"g", b"two")];
        assert_eq!(
            borrowed(&|w| w
                .write_hash_key(b"k", pairs.iter().copied(), pairs.len(), &meta)
                .unwrap()),
            owned(&Value::Hash(
                pairs
                    .iter()
                    .map(|(f, v)| (f.to_vec(), v.to_vec()))
                    .collect()
            ))
        );
    }

    #[test]
    fn checksum_off_writes_zero_footer() {
        let options = WriteOptions {
            compression: false,
            checksum: false,
        };
        let bytes = RdbWriter::new(Vec::new(), options)
            .unwrap()
            .finish()
            .unwrap();
        assert_eq!(&bytes[bytes.len() - 8..], &[0; 8]);
        let items: Vec<Item> = RdbReader::new(&bytes[..])
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            items,
            vec![Item::End {
                checksum_verified: false
            }]
        );
    }
}
