//! Streaming RDB reader: yields the file's items one at a time, holding
//! only the current key's value in memory.

use std::io::Read;

use crate::decode::{read_module_fields, read_value_into, Scratch};
use crate::error::{RdbError, RdbErrorKind, RdbResult};
use crate::input::Input;
use crate::rdb_type as t;
use crate::sink::{ValueBuilder, ValueSink};
use crate::value::{ModuleField, Value};

/// Highest RDB version this reader understands (Redis 7.4).
pub const MAX_VERSION: u32 = 12;

/// One item of an RDB file.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// An auxiliary field (`redis-ver`, `ctime`, ...).
    Aux {
        /// Field name.
        key: Vec<u8>,
        /// Field value.
        value: Vec<u8>,
    },
    /// The following keys belong to this database.
    SelectDb(u64),
    /// Size hints for the current database.
    ResizeDb {
        /// Number of keys.
        db_size: u64,
        /// Number of keys with an expiry.
        expires_size: u64,
    },
    /// Size hints for a cluster slot (Redis 7.4).
    SlotInfo {
        /// Slot number.
        slot: u64,
        /// Keys in the slot.
        size: u64,
        /// Keys with an expiry in the slot.
        expires_size: u64,
    },
    /// Auxiliary data saved by a module.
    ModuleAux {
        /// Module type ID.
        type_id: u64,
        /// When the data was saved (before or after the keys).
        when: u64,
        /// The saved fields.
        fields: Vec<ModuleField>,
    },
    /// A function library (the source given to FUNCTION LOAD).
    Function {
        /// Library source code.
        code: Vec<u8>,
    },
    /// A key and its value.
    Key(KeyEntry),
    /// End of the file.
    End {
        /// Whether a checksum was present and verified (false when the
        /// file is older than version 5, has a zero checksum, or checking
        /// is turned off).
        checksum_verified: bool,
    },
}

/// A key read from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyEntry {
    /// Database number.
    pub db: u64,
    /// Key name.
    pub key: Vec<u8>,
    /// The value.
    pub value: Value,
    /// Absolute expiry, unix milliseconds.
    pub expire_ms: Option<i64>,
    /// LRU idle time in seconds, when saved.
    pub idle: Option<u64>,
    /// LFU frequency, when saved.
    pub freq: Option<u8>,
    /// The RDB type byte the value was stored with (tells its encoding).
    pub rdb_type: u8,
    /// Offset of the key's first byte (its expiry or type opcode).
    pub offset: u64,
    /// Bytes the key took in the file, opcodes included.
    pub size_in_file: u64,
}

/// Where a key was found and what came with it, its name borrowed from
/// the reader (see [`RdbReader::next_step`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHeader<'a> {
    /// Database number.
    pub db: u64,
    /// Key name.
    pub key: &'a [u8],
    /// Absolute expiry, unix milliseconds.
    pub expire_ms: Option<i64>,
    /// LRU idle time in seconds, when saved.
    pub idle: Option<u64>,
    /// LFU frequency, when saved.
    pub freq: Option<u8>,
    /// The RDB type byte the value was stored with.
    pub rdb_type: u8,
    /// Offset of the key's first byte (its expiry or type opcode).
    pub offset: u64,
    /// Bytes the key took in the file, opcodes included.
    pub size_in_file: u64,
}

/// One step of [`RdbReader::next_step`]: an item other than a key, or a key
/// whose value a [`ValueSink`] built.
#[derive(Debug)]
pub enum Step<'a, V> {
    /// Anything but a key (never [`Item::Key`]).
    Item(Item),
    /// A key and the value the sink made of it.
    Key(KeyHeader<'a>, V),
}

/// Reads an RDB file item by item.
pub struct RdbReader<R: Read> {
    input: Input<R>,
    version: u32,
    db: u64,
    verify_checksum: bool,
    done: bool,
    key: Vec<u8>,
    scratch: Scratch,
}

impl<R: Read> RdbReader<R> {
    /// Starts reading `source`: checks the magic string and version.
    pub fn new(source: R) -> RdbResult<Self> {
        let mut input = Input::new(source);
        let mut header = [0u8; 9];
        input.read_into(&mut header).map_err(|e| match e.kind {
            RdbErrorKind::Truncated => RdbError::new(0, RdbErrorKind::BadMagic),
            _ => e,
        })?;
        if &header[..5] != b"REDIS" {
            return Err(RdbError::new(0, RdbErrorKind::BadMagic));
        }
        let version = std::str::from_utf8(&header[5..])
            .ok()
            .filter(|v| v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<u32>().ok())
            .ok_or_else(|| RdbError::corrupt(5, "header", "version is not a number"))?;
        if !(1..=MAX_VERSION).contains(&version) {
            return Err(RdbError::new(5, RdbErrorKind::UnsupportedVersion(version)));
        }
        Ok(RdbReader {
            input,
            version,
            db: 0,
            verify_checksum: true,
            done: false,
            key: Vec::new(),
            scratch: Scratch::default(),
        })
    }

    /// Turns the footer checksum check on or off (on by default).
    pub fn verify_checksum(mut self, on: bool) -> Self {
        self.verify_checksum = on;
        self
    }

    /// The file's RDB version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Bytes consumed so far.
    pub fn offset(&self) -> u64 {
        self.input.offset()
    }

    /// The next item; `None` after [`Item::End`] or an error.
    pub fn next_item(&mut self) -> RdbResult<Option<Item>> {
        Ok(match self.next_step(&mut ValueBuilder::default())? {
            None => None,
            Some(Step::Item(item)) => Some(item),
            Some(Step::Key(header, value)) => Some(Item::Key(KeyEntry {
                db: header.db,
                key: header.key.to_vec(),
                value,
                expire_ms: header.expire_ms,
                idle: header.idle,
                freq: header.freq,
                rdb_type: header.rdb_type,
                offset: header.offset,
                size_in_file: header.size_in_file,
            })),
        })
    }

    /// The next item, a key's value being handed to `sink` as it is
    /// decoded (no [`Value`] is built unless the sink builds one); `None`
    /// after [`Item::End`] or an error.
    pub fn next_step<S: ValueSink>(
        &mut self,
        sink: &mut S,
    ) -> RdbResult<Option<Step<'_, S::Value>>> {
        if self.done {
            return Ok(None);
        }
        let result = self.read_item(sink);
        if !matches!(result, Ok(Some(ref step)) if !matches!(step, Step::Item(Item::End { .. }))) {
            self.done = true;
        }
        Ok(result?.map(|step| match step {
            Step::Key(header, value) => Step::Key(
                KeyHeader {
                    key: &self.key,
                    ..header
                },
                value,
            ),
            other => other,
        }))
    }

    /// Reads one item; a key's header comes with an empty name (the caller
    /// lends `self.key`).
    fn read_item<S: ValueSink>(
        &mut self,
        sink: &mut S,
    ) -> RdbResult<Option<Step<'static, S::Value>>> {
        let key_start = self.input.offset();
        let mut expire_ms = None;
        let mut idle = None;
        let mut freq = None;
        loop {
            let opcode = self.input.read_u8()?;
            match opcode {
                t::OPCODE_EXPIRETIME_MS => expire_ms = Some(self.input.read_millis()?),
                t::OPCODE_EXPIRETIME => {
                    expire_ms = Some(self.input.read_u32_le()? as i32 as i64 * 1000)
                }
                t::OPCODE_IDLE => idle = Some(self.input.read_length()?),
                t::OPCODE_FREQ => freq = Some(self.input.read_u8()?),
                t::OPCODE_SELECTDB => {
                    self.db = self.input.read_length()?;
                    return Ok(Some(Step::Item(Item::SelectDb(self.db))));
                }
                t::OPCODE_RESIZEDB => {
                    let db_size = self.input.read_length()?;
                    let expires_size = self.input.read_length()?;
                    return Ok(Some(Step::Item(Item::ResizeDb {
                        db_size,
                        expires_size,
                    })));
                }
                t::OPCODE_SLOT_INFO => {
                    let slot = self.input.read_length()?;
                    let size = self.input.read_length()?;
                    let expires_size = self.input.read_length()?;
                    return Ok(Some(Step::Item(Item::SlotInfo {
                        slot,
                        size,
                        expires_size,
                    })));
                }
                t::OPCODE_AUX => {
                    let key = self.input.read_string()?;
                    let value = self.input.read_string()?;
                    return Ok(Some(Step::Item(Item::Aux { key, value })));
                }
                t::OPCODE_MODULE_AUX => {
                    let type_id = self.input.read_length()?;
                    let when_opcode = self.input.read_length()?;
                    if when_opcode != 2 {
                        return Err(self.input.corrupt("module aux", "bad 'when' opcode"));
                    }
                    let when = self.input.read_length()?;
                    let fields = read_module_fields(&mut self.input)?;
                    return Ok(Some(Step::Item(Item::ModuleAux {
                        type_id,
                        when,
                        fields,
                    })));
                }
                t::OPCODE_FUNCTION2 => {
                    let code = self.input.read_string()?;
                    return Ok(Some(Step::Item(Item::Function { code })));
                }
                t::OPCODE_FUNCTION_PRE_GA => {
                    return Err(self.input.corrupt(
                        "function",
                        "functions of Redis 7.0 release candidates are not supported",
                    ))
                }
                t::OPCODE_EOF => return self.read_footer().map(|end| Some(Step::Item(end))),
                rdb_type => {
                    self.input.read_string_into(&mut self.key)?;
                    let value = read_value_into(&mut self.input, rdb_type, sink, &mut self.scratch)
                        .map_err(|e| e.in_key(&self.key))?;
                    let header = KeyHeader {
                        db: self.db,
                        key: &[],
                        expire_ms,
                        idle,
                        freq,
                        rdb_type,
                        offset: key_start,
                        size_in_file: self.input.offset() - key_start,
                    };
                    return Ok(Some(Step::Key(header, value)));
                }
            }
        }
    }

    fn read_footer(&mut self) -> RdbResult<Item> {
        if self.version < 5 {
            return Ok(Item::End {
                checksum_verified: false,
            });
        }
        let actual = self.input.checksum();
        let at = self.input.offset();
        let expected = self.input.read_u64_le()?;
        if expected == 0 || !self.verify_checksum {
            return Ok(Item::End {
                checksum_verified: false,
            });
        }
        if expected != actual {
            return Err(RdbError::new(
                at,
                RdbErrorKind::BadChecksum { expected, actual },
            ));
        }
        Ok(Item::End {
            checksum_verified: true,
        })
    }
}

impl<R: Read> Iterator for RdbReader<R> {
    type Item = RdbResult<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_item().transpose()
    }
}

#[cfg(test)]
mod tests {
    //! Older formats, built by hand from their description: ziplists,
    //! zipmaps, quicklist v1, linked lists, text-double sorted sets, second
    //! expiries, files without checksum, streams v1, module values, and
    //! Redis 7.4's hash field expiries.

    use super::*;
    use crate::crc64::crc64;
    use crate::element::Element;
    use crate::encode::write_string;
    use crate::length::write_length;
    use crate::listpack::ListpackBuilder;
    use crate::value::{HashFieldWithExpiry, ModuleValue, StreamEntry, StreamId};
    use crate::{stream_node, ziplist, zipmap};

    fn file(version: u32, body: &[u8]) -> Vec<u8> {
        let mut out = format!("REDIS{version:04}").into_bytes();
        out.extend_from_slice(body);
        out.push(t::OPCODE_EOF);
        if version >= 5 {
            let crc = crc64(0, &out);
            out.extend_from_slice(&crc.to_le_bytes());
        }
        out
    }

    fn key(body: &mut Vec<u8>, rdb_type: u8, name: &str) {
        body.push(rdb_type);
        write_string(body, name.as_bytes(), false);
    }

    fn keys(bytes: &[u8]) -> Vec<KeyEntry> {
        RdbReader::new(bytes)
            .unwrap()
            .map(Result::unwrap)
            .filter_map(|i| match i {
                Item::Key(k) => Some(k),
                _ => None,
            })
            .collect()
    }

    fn b(s: &str) -> Vec<u8> {
        s.as_bytes().to_vec()
    }

    #[test]
    fn reads_redis_2_and_3_encodings() {
        let mut body = vec![t::OPCODE_SELECTDB, 0];
        body.push(t::OPCODE_EXPIRETIME);
        body.extend_from_slice(&2_000_000_000u32.to_le_bytes());
        key(&mut body, t::LIST_ZIPLIST, "zl");
        let zl =
            ziplist::tests::build(&[Element::Bytes(b("a")), Element::Int(7), Element::Int(-300)]);
        write_string(&mut body, &zl, false);
        key(&mut body, t::HASH_ZIPMAP, "zm");
        write_string(
            &mut body,
            &zipmap::tests::build(&[(b"f", b"v"), (b"n", b"1")]),
            false,
        );
        key(&mut body, t::ZSET_ZIPLIST, "zz");
        let zz = ziplist::tests::build(&[
            Element::Bytes(b("m")),
            Element::Bytes(b("1.5")),
            Element::Bytes(b("n")),
            Element::Int(2),
        ]);
        write_string(&mut body, &zz, false);
        key(&mut body, t::HASH_ZIPLIST, "zh");
        write_string(
            &mut body,
            &ziplist::tests::build(&[Element::Bytes(b("f")), Element::Int(5)]),
            false,
        );
        key(&mut body, t::LIST, "ll");
        write_length(&mut body, 2);
        write_string(&mut body, b"x", false);
        write_string(&mut body, b"12", false);
        key(&mut body, t::ZSET, "oz");
        write_length(&mut body, 3);
        write_string(&mut body, b"a", false);
        body.extend_from_slice(&[3, b'2', b'.', b'5']);
        write_string(&mut body, b"b", false);
        body.push(254);
        write_string(&mut body, b"c", false);
        body.push(255);
        key(&mut body, t::LIST_QUICKLIST, "ql");
        write_length(&mut body, 2);
        write_string(
            &mut body,
            &ziplist::tests::build(&[Element::Bytes(b("p"))]),
            false,
        );
        write_string(
            &mut body,
            &ziplist::tests::build(&[Element::Bytes(b("q")), Element::Int(3)]),
            false,
        );

        for version in [3, 6] {
            let bytes = file(version, &body);
            let keys = keys(&bytes);
            let values: Vec<(&[u8], &Value)> =
                keys.iter().map(|k| (k.key.as_slice(), &k.value)).collect();
            assert_eq!(
                values,
                vec![
                    (&b"zl"[..], &Value::List(vec![b("a"), b("7"), b("-300")])),
                    (
                        b"zm",
                        &Value::Hash(vec![(b("f"), b("v")), (b("n"), b("1"))])
                    ),
                    (b"zz", &Value::SortedSet(vec![(b("m"), 1.5), (b("n"), 2.0)])),
                    (b"zh", &Value::Hash(vec![(b("f"), b("5"))])),
                    (b"ll", &Value::List(vec![b("x"), b("12")])),
                    (
                        b"oz",
                        &Value::SortedSet(vec![
                            (b("a"), 2.5),
                            (b("b"), f64::INFINITY),
                            (b("c"), f64::NEG_INFINITY)
                        ])
                    ),
                    (b"ql", &Value::List(vec![b("p"), b("q"), b("3")])),
                ]
            );
            assert_eq!(keys[0].expire_ms, Some(2_000_000_000_000));
            assert_eq!(keys[1].expire_ms, None);
        }
    }

    #[test]
    fn reads_stream_v1_and_module_values() {
        let entries = vec![
            StreamEntry {
                id: StreamId { ms: 10, seq: 0 },
                fields: vec![(b("a"), b("1"))],
            },
            StreamEntry {
                id: StreamId { ms: 11, seq: 0 },
                fields: vec![(b("a"), b("2"))],
            },
        ];
        let mut body = vec![t::OPCODE_SELECTDB, 0];
        key(&mut body, t::STREAM_LISTPACKS, "s");
        write_length(&mut body, 1);
        write_string(&mut body, &entries[0].id.to_be_bytes(), false);
        write_string(&mut body, &stream_node::encode(&entries), false);
        for n in [2, 11, 0] {
            write_length(&mut body, n);
        }
        write_length(&mut body, 1);
        write_string(&mut body, b"grp", false);
        for n in [10, 0, 0, 0] {
            write_length(&mut body, n);
        }
        // A module value: type ID, one unsigned and one string field.
        key(&mut body, t::MODULE_2, "m");
        let type_id = 0x1234_5678_9abc_d000u64 | 3;
        write_length(&mut body, type_id);
        write_length(&mut body, 2);
        write_length(&mut body, 42);
        write_length(&mut body, 5);
        write_string(&mut body, b"blob", false);
        write_length(&mut body, 0);
        let keys = keys(&file(9, &body));
        let Value::Stream(stream) = &keys[0].value else {
            panic!()
        };
        assert_eq!(stream.entries, entries);
        assert_eq!(stream.first_id, StreamId { ms: 10, seq: 0 });
        assert_eq!(stream.entries_added, 2);
        assert_eq!(stream.groups[0].entries_read, None);
        assert_eq!(
            keys[1].value,
            Value::Module(ModuleValue {
                type_id,
                fields: vec![
                    crate::value::ModuleField::Unsigned(42),
                    crate::value::ModuleField::String(b("blob"))
                ]
            })
        );
    }

    #[test]
    fn pre_ga_module_values_name_their_module() {
        let mut body = vec![];
        key(&mut body, t::MODULE_PRE_GA, "m");
        write_length(&mut body, 0);
        let err = RdbReader::new(&file(8, &body)[..])
            .unwrap()
            .try_for_each(|r| r.map(|_| ()))
            .unwrap_err();
        assert!(
            matches!(err.kind, RdbErrorKind::UnreadableModule(ref name) if name == "AAAAAAAAA")
        );
        assert_eq!(err.key.as_deref(), Some(&b"m"[..]));
    }

    #[test]
    fn reads_redis_7_4_hash_field_expiries() {
        let mut body = vec![];
        key(&mut body, t::HASH_LISTPACK_EX, "lpx");
        body.extend_from_slice(&1000u64.to_le_bytes());
        let mut lp = ListpackBuilder::new();
        for (f, v, ttl) in [("a", "1", 0i64), ("b", "2", 5000)] {
            lp.push_bytes(f.as_bytes());
            lp.push_bytes(v.as_bytes());
            lp.push_int(ttl);
        }
        write_string(&mut body, &lp.finish(), false);
        key(&mut body, t::HASH_METADATA, "meta");
        body.extend_from_slice(&1000u64.to_le_bytes());
        write_length(&mut body, 2);
        for (ttl, f, v) in [(0u64, "x", "1"), (5, "y", "2")] {
            write_length(&mut body, ttl);
            write_string(&mut body, f.as_bytes(), false);
            write_string(&mut body, v.as_bytes(), false);
        }
        let keys = keys(&file(12, &body));
        let field = |f: &str, v: &str, e: Option<u64>| HashFieldWithExpiry {
            field: b(f),
            value: b(v),
            expire_ms: e,
        };
        assert_eq!(
            keys[0].value,
            Value::HashWithFieldExpiry(vec![field("a", "1", None), field("b", "2", Some(5000))])
        );
        assert_eq!(
            keys[1].value,
            Value::HashWithFieldExpiry(vec![field("x", "1", None), field("y", "2", Some(1004))])
        );
    }

    #[test]
    fn reads_redis_7_2_set_listpack_and_stream_v3() {
        let mut body = vec![];
        key(&mut body, t::SET_LISTPACK, "s");
        let mut lp = ListpackBuilder::new();
        lp.push_bytes(b"a");
        lp.push_int(5);
        write_string(&mut body, &lp.finish(), false);
        let entry = StreamEntry {
            id: StreamId { ms: 7, seq: 1 },
            fields: vec![(b("f"), b("v"))],
        };
        key(&mut body, t::STREAM_LISTPACKS_3, "x");
        write_length(&mut body, 1);
        write_string(&mut body, &entry.id.to_be_bytes(), false);
        write_string(
            &mut body,
            &stream_node::encode(std::slice::from_ref(&entry)),
            false,
        );
        // length, last id, first id, max deleted id, entries added, one group
        for n in [1, 7, 1, 7, 1, 0, 0, 1, 1] {
            write_length(&mut body, n);
        }
        write_string(&mut body, b"g", false);
        for n in [7, 1, 1, 1] {
            write_length(&mut body, n);
        }
        body.extend_from_slice(&entry.id.to_be_bytes());
        body.extend_from_slice(&1_000i64.to_le_bytes());
        write_length(&mut body, 3);
        write_length(&mut body, 1);
        write_string(&mut body, b"c", false);
        body.extend_from_slice(&2_000i64.to_le_bytes());
        body.extend_from_slice(&3_000i64.to_le_bytes());
        write_length(&mut body, 1);
        body.extend_from_slice(&entry.id.to_be_bytes());
        let keys = keys(&file(11, &body));
        assert_eq!(keys[0].value, Value::Set(vec![b("a"), b("5")]));
        let Value::Stream(stream) = &keys[1].value else {
            panic!()
        };
        let group = &stream.groups[0];
        assert_eq!(group.entries_read, Some(1));
        assert_eq!(
            (
                group.pending[0].delivery_time_ms,
                group.pending[0].delivery_count
            ),
            (1_000, 3)
        );
        let consumer = &group.consumers[0];
        assert_eq!(
            (consumer.seen_time_ms, consumer.active_time_ms),
            (2_000, Some(3_000))
        );
        assert_eq!(consumer.pending, vec![entry.id]);
    }

    #[test]
    fn unknown_versions_and_types_say_which_and_where() {
        let err = RdbReader::new(&b"REDIS0013"[..]).err().unwrap();
        assert!(matches!(err.kind, RdbErrorKind::UnsupportedVersion(13)));
        assert!(matches!(
            RdbReader::new(&b"RUBBISH00"[..]).err().unwrap().kind,
            RdbErrorKind::BadMagic
        ));
        let mut body = vec![];
        key(&mut body, 8, "k");
        let err = RdbReader::new(&file(10, &body)[..])
            .unwrap()
            .find_map(Result::err)
            .unwrap();
        assert!(matches!(err.kind, RdbErrorKind::UnknownType(8)));
        assert_eq!((err.offset, err.key.as_deref()), (12, Some(&b"k"[..])));
    }
}
