//! Streaming RDB reader: yields the file's items one at a time, holding
//! only the current key's value in memory.

use std::io::Read;

use crate::decode::{read_module_fields, read_value};
use crate::error::{RdbError, RdbErrorKind, RdbResult};
use crate::input::Input;
use crate::rdb_type as t;
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

/// Reads an RDB file item by item.
pub struct RdbReader<R: Read> {
    input: Input<R>,
    version: u32,
    db: u64,
    verify_checksum: bool,
    done: bool,
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
        if self.done {
            return Ok(None);
        }
        let result = self.read_item();
        if !matches!(result, Ok(Some(ref item)) if !matches!(item, Item::End { .. })) {
            self.done = true;
        }
        result
    }

    fn read_item(&mut self) -> RdbResult<Option<Item>> {
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
                    return Ok(Some(Item::SelectDb(self.db)));
                }
                t::OPCODE_RESIZEDB => {
                    let db_size = self.input.read_length()?;
                    let expires_size = self.input.read_length()?;
                    return Ok(Some(Item::ResizeDb {
                        db_size,
                        expires_size,
                    }));
                }
                t::OPCODE_SLOT_INFO => {
                    let slot = self.input.read_length()?;
                    let size = self.input.read_length()?;
                    let expires_size = self.input.read_length()?;
                    return Ok(Some(Item::SlotInfo {
                        slot,
                        size,
                        expires_size,
                    }));
                }
                t::OPCODE_AUX => {
                    let key = self.input.read_string()?;
                    let value = self.input.read_string()?;
                    return Ok(Some(Item::Aux { key, value }));
                }
                t::OPCODE_MODULE_AUX => {
                    let type_id = self.input.read_length()?;
                    let when_opcode = self.input.read_length()?;
                    if when_opcode != 2 {
                        return Err(self.input.corrupt("module aux", "bad 'when' opcode"));
                    }
                    let when = self.input.read_length()?;
                    let fields = read_module_fields(&mut self.input)?;
                    return Ok(Some(Item::ModuleAux {
                        type_id,
                        when,
                        fields,
                    }));
                }
                t::OPCODE_FUNCTION2 => {
                    let code = self.input.read_string()?;
                    return Ok(Some(Item::Function { code }));
                }
                t::OPCODE_FUNCTION_PRE_GA => {
                    return Err(self.input.corrupt(
                        "function",
                        "functions of Redis 7.0 release candidates are not supported",
                    ))
                }
                t::OPCODE_EOF => return self.read_footer().map(Some),
                rdb_type => {
                    let key = self.input.read_string()?;
                    let value =
                        read_value(&mut self.input, rdb_type).map_err(|e| e.in_key(&key))?;
                    return Ok(Some(Item::Key(KeyEntry {
                        db: self.db,
                        key,
                        value,
                        expire_ms,
                        idle,
                        freq,
                        rdb_type,
                        offset: key_start,
                        size_in_file: self.input.offset() - key_start,
                    })));
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
