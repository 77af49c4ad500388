//! Error replies: the exact texts Redis 7.0 sends, kept once, and the typed
//! [`OpError`] that keyspace operations return.

use thiserror::Error;

/// A count that must not be negative (`getPositiveLongFromObjectOrReply`).
pub const MUST_BE_POSITIVE: &str = "ERR value is out of range, must be positive";

/// `-WRONGTYPE`
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
/// Generic syntax error.
pub const SYNTAX: &str = "ERR syntax error";
/// An argument that should be an integer.
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
/// A write refused under `min-replicas-to-write`.
pub const NOREPLICAS: &str = "NOREPLICAS Not enough good replicas to write.";
/// An argument that should be a float.
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
/// INCR family overflow.
pub const OVERFLOW: &str = "ERR increment or decrement would overflow";
/// INCRBYFLOAT whose result is not finite.
pub const FLOAT_NAN_OR_INF: &str = "ERR increment would produce NaN or Infinity";
/// DECRBY of `i64::MIN` (its negation overflows).
pub const DECREMENT_OVERFLOW: &str = "ERR decrement would overflow";
/// LCS on a key that holds another type.
pub const LCS_NOT_STRINGS: &str = "ERR The specified keys must contain string values";
/// LCS with both LEN and IDX.
pub const LCS_LEN_AND_IDX: &str =
    "ERR If you want both the length and indexes, please just use IDX.";
/// Missing key where one is required (RENAME...).
pub const NO_SUCH_KEY: &str = "ERR no such key";
/// SELECT/MOVE/SWAPDB with a bad index.
pub const DB_INDEX: &str = "ERR DB index is out of range";
/// Authentication needed.
pub const NOAUTH: &str = "NOAUTH Authentication required.";
/// Bad password.
pub const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
/// A replica or MONITOR client running a keyspace command.
pub const REPLICA_KEYSPACE: &str = "ERR Replica can't interact with the keyspace";
/// AUTH with one argument while the default user has no password.
pub const AUTH_NOPASS: &str = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
/// CLIENT SETNAME / HELLO SETNAME with a bad name.
pub const CLIENT_NAME: &str =
    "ERR Client names cannot contain spaces, newlines or special characters.";
/// EVALSHA of a script that is not cached.
pub const NOSCRIPT: &str = "NOSCRIPT No matching script. Please use EVAL.";
/// A command while an EVAL script is busy.
pub const BUSY_EVAL: &str =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
/// A command while a function is busy.
pub const BUSY_FUNCTION: &str =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
/// SCRIPT KILL / FUNCTION KILL with nothing running.
pub const NOTBUSY: &str = "NOTBUSY No scripts in execution right now.";
/// SCRIPT KILL of a script that already wrote.
pub const UNKILLABLE: &str = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
/// An expire time argument that overflows.
pub const INVALID_EXPIRE: &str = "ERR invalid expire time in '{}' command";
/// A value that would exceed `proto-max-bulk-len`.
pub const STRING_TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
/// An offset argument out of range.
pub const OFFSET_OUT_OF_RANGE: &str = "ERR offset is out of range";

/// An integer argument outside the 32-bit range (Redis's
/// `getIntFromObjectOrReply` without a custom message).
pub const INT_RANGE: &str =
    "ERR value is out of range, value must between -2147483648 and 2147483647";
/// COPY/MOVE onto the very same key.
pub const SAME_OBJECT: &str = "ERR source and destination objects are the same";
/// A SCAN cursor that is not an unsigned 64-bit number.
pub const INVALID_CURSOR: &str = "ERR invalid cursor";
/// EXPIRE with NX and another condition.
pub const EXPIRE_NX_CONFLICT: &str =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
/// EXPIRE with both GT and LT.
pub const EXPIRE_GT_LT_CONFLICT: &str = "ERR GT and LT options at the same time are not compatible";
/// MEMORY PURGE when jemalloc refuses.
pub const PURGE_FAILED: &str = "ERR Error purging dirty pages";
/// A DENYOOM command over `maxmemory` with nothing left to evict.
pub const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";
/// OBJECT IDLETIME under an LFU `maxmemory-policy`.
pub const LRU_NOT_SELECTED: &str = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
/// OBJECT FREQ without an LFU `maxmemory-policy`.
pub const LFU_NOT_SELECTED: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/// The ways a keyspace operation can fail, each with Redis's reply text.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum OpError {
    /// The key holds another type.
    #[error("{}", WRONGTYPE)]
    WrongType,
    /// The value or an argument is not an integer.
    #[error("{}", NOT_INTEGER)]
    NotInteger,
    /// The value or an argument is not a float.
    #[error("{}", NOT_FLOAT)]
    NotFloat,
    /// Integer arithmetic would overflow.
    #[error("{}", OVERFLOW)]
    Overflow,
    /// The key does not exist.
    #[error("{}", NO_SUCH_KEY)]
    NoSuchKey,
    /// Syntax error.
    #[error("{}", SYNTAX)]
    Syntax,
    /// Result would exceed the maximum string size.
    #[error("{}", STRING_TOO_LONG)]
    TooLong,
    /// Any other error, with its full text (code included).
    #[error("{0}")]
    Other(String),
}

/// The error code of a reply text (`ERR`, `WRONGTYPE`...), as INFO errorstats
/// counts it: the first word when it is all upper case, else `ERR`.
pub fn error_code(msg: &str) -> &str {
    let word = msg.split(' ').next().unwrap_or("");
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
    {
        word
    } else {
        "ERR"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(error_code(WRONGTYPE), "WRONGTYPE");
        assert_eq!(error_code("ERR x"), "ERR");
        assert_eq!(error_code("Protocol error"), "ERR");
        assert_eq!(OpError::NotInteger.to_string(), NOT_INTEGER);
    }
}
