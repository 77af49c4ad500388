//! The one-byte codes of an RDB file: value types and opcodes.

/// Plain string.
pub const STRING: u8 = 0;
/// Linked list (before 3.2).
pub const LIST: u8 = 1;
/// Hash table set.
pub const SET: u8 = 2;
/// Skiplist sorted set with text doubles (before 5.0).
pub const ZSET: u8 = 3;
/// Hash table hash.
pub const HASH: u8 = 4;
/// Skiplist sorted set with binary doubles.
pub const ZSET_2: u8 = 5;
/// Module value of the 4.0 release candidates (not skippable).
pub const MODULE_PRE_GA: u8 = 6;
/// Module value with typed opcodes (skippable).
pub const MODULE_2: u8 = 7;
/// Zipmap hash (before 2.6).
pub const HASH_ZIPMAP: u8 = 9;
/// Ziplist list (before 3.2).
pub const LIST_ZIPLIST: u8 = 10;
/// Intset set.
pub const SET_INTSET: u8 = 11;
/// Ziplist sorted set (before 7.0).
pub const ZSET_ZIPLIST: u8 = 12;
/// Ziplist hash (before 7.0).
pub const HASH_ZIPLIST: u8 = 13;
/// Quicklist of ziplists (3.2 to 6.2).
pub const LIST_QUICKLIST: u8 = 14;
/// Stream, first layout (5.0 to 6.2).
pub const STREAM_LISTPACKS: u8 = 15;
/// Listpack hash (7.0).
pub const HASH_LISTPACK: u8 = 16;
/// Listpack sorted set (7.0).
pub const ZSET_LISTPACK: u8 = 17;
/// Quicklist of listpacks or plain nodes (7.0).
pub const LIST_QUICKLIST_2: u8 = 18;
/// Stream with first id, max deleted id, entries added, entries read (7.0).
pub const STREAM_LISTPACKS_2: u8 = 19;
/// Listpack set (7.2).
pub const SET_LISTPACK: u8 = 20;
/// Stream with consumers' active time (7.2).
pub const STREAM_LISTPACKS_3: u8 = 21;
/// Hash with field TTLs, absolute (7.4 release candidates).
pub const HASH_METADATA_PRE_GA: u8 = 22;
/// Listpack hash with field TTLs (7.4 release candidates).
pub const HASH_LISTPACK_EX_PRE_GA: u8 = 23;
/// Hash with field TTLs relative to a minimum (7.4).
pub const HASH_METADATA: u8 = 24;
/// Listpack hash with field TTLs and a minimum expiry (7.4).
pub const HASH_LISTPACK_EX: u8 = 25;

/// Cluster slot size hint (7.4).
pub const OPCODE_SLOT_INFO: u8 = 244;
/// Function library (7.0).
pub const OPCODE_FUNCTION2: u8 = 245;
/// Function library of the 7.0 release candidates.
pub const OPCODE_FUNCTION_PRE_GA: u8 = 246;
/// Module auxiliary data.
pub const OPCODE_MODULE_AUX: u8 = 247;
/// LRU idle time of the next key.
pub const OPCODE_IDLE: u8 = 248;
/// LFU frequency of the next key.
pub const OPCODE_FREQ: u8 = 249;
/// Auxiliary field (name, value).
pub const OPCODE_AUX: u8 = 250;
/// Database size hints.
pub const OPCODE_RESIZEDB: u8 = 251;
/// Expiry of the next key in milliseconds.
pub const OPCODE_EXPIRETIME_MS: u8 = 252;
/// Expiry of the next key in seconds.
pub const OPCODE_EXPIRETIME: u8 = 253;
/// Database number of the following keys.
pub const OPCODE_SELECTDB: u8 = 254;
/// End of the file.
pub const OPCODE_EOF: u8 = 255;

/// The in-memory encoding Redis gives a value stored with RDB type `t`, as
/// `OBJECT ENCODING` would name it ("string" for strings, whose encoding
/// depends on their content).
pub fn encoding_name(t: u8) -> &'static str {
    match t {
        STRING => "string",
        LIST | LIST_ZIPLIST | LIST_QUICKLIST | LIST_QUICKLIST_2 => "quicklist",
        SET | HASH | HASH_METADATA | HASH_METADATA_PRE_GA => "hashtable",
        ZSET | ZSET_2 => "skiplist",
        MODULE_PRE_GA | MODULE_2 => "module",
        HASH_ZIPMAP | ZSET_ZIPLIST | HASH_ZIPLIST => "ziplist",
        SET_INTSET => "intset",
        STREAM_LISTPACKS | STREAM_LISTPACKS_2 | STREAM_LISTPACKS_3 => "stream",
        HASH_LISTPACK | ZSET_LISTPACK | SET_LISTPACK => "listpack",
        HASH_LISTPACK_EX | HASH_LISTPACK_EX_PRE_GA => "listpackex",
        _ => "unknown",
    }
}
