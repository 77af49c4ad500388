//! The option lists of SET and GETEX (NX, XX, GET, KEEPTTL, PERSIST, EX, PX,
//! EXAT, PXAT) and the conversion of an expire argument into an absolute time.
//!
//! The rules follow Redis 7.0's `parseExtendedStringArgumentsOrReply`: an
//! option is refused (syntax error) only when it conflicts with one already
//! seen, so repeating the same option (`EX 1 EX 2`, `NX NX`) is accepted and
//! the last value wins; NX and GET may be combined since 7.0.

use crate::errors::OpError;

/// Which command's option set is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionsFor {
    /// SET: NX, XX, GET, KEEPTTL and the four expire forms.
    Set,
    /// GETEX: PERSIST and the four expire forms.
    GetEx,
}

/// How an expire argument is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireUnit {
    /// Relative, in seconds (`EX`, SETEX).
    Seconds,
    /// Relative, in milliseconds (`PX`, PSETEX).
    Millis,
    /// Absolute Unix time in seconds (`EXAT`).
    UnixSeconds,
    /// Absolute Unix time in milliseconds (`PXAT`).
    UnixMillis,
}

impl ExpireUnit {
    /// Whether the time is an absolute timestamp (EXAT, PXAT).
    pub fn is_absolute(self) -> bool {
        matches!(self, ExpireUnit::UnixSeconds | ExpireUnit::UnixMillis)
    }
}

/// An expire option: its unit and the raw (not yet parsed) argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpireArg<'a> {
    /// How to read `value`.
    pub unit: ExpireUnit,
    /// The argument as sent.
    pub value: &'a [u8],
}

/// The parsed option list of SET or GETEX.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StringOptions<'a> {
    /// `NX`: only set a missing key.
    pub nx: bool,
    /// `XX`: only set an existing key.
    pub xx: bool,
    /// `GET`: reply with the old value.
    pub get: bool,
    /// `KEEPTTL`: keep the key's expiry.
    pub keep_ttl: bool,
    /// `PERSIST` (GETEX): remove the expiry.
    pub persist: bool,
    /// `EX`/`PX`/`EXAT`/`PXAT` and their argument.
    pub expire: Option<ExpireArg<'a>>,
}

impl<'a> StringOptions<'a> {
    /// Whether an expire option of another unit than `unit` was seen.
    fn other_expire_than(&self, unit: ExpireUnit) -> bool {
        matches!(self.expire, Some(e) if e.unit != unit)
    }

    /// Parses `args` (the options after the key, or after key and value).
    pub fn parse(args: &[&'a [u8]], kind: OptionsFor) -> Result<Self, OpError> {
        let mut o = StringOptions::default();
        let is_set = kind == OptionsFor::Set;
        let mut i = 0;
        while i < args.len() {
            let opt = args[i];
            let next = args.get(i + 1).copied();
            let expire_unit = expire_token(opt);
            if is_set && opt.eq_ignore_ascii_case(b"NX") && !o.xx {
                o.nx = true;
            } else if is_set && opt.eq_ignore_ascii_case(b"XX") && !o.nx {
                o.xx = true;
            } else if is_set && opt.eq_ignore_ascii_case(b"GET") {
                o.get = true;
            } else if is_set
                && opt.eq_ignore_ascii_case(b"KEEPTTL")
                && !o.persist
                && o.expire.is_none()
            {
                o.keep_ttl = true;
            } else if !is_set
                && opt.eq_ignore_ascii_case(b"PERSIST")
                && o.expire.is_none()
                && !o.keep_ttl
            {
                o.persist = true;
            } else if let (Some(unit), Some(value)) = (expire_unit, next) {
                if o.keep_ttl || o.persist || o.other_expire_than(unit) {
                    return Err(OpError::Syntax);
                }
                o.expire = Some(ExpireArg { unit, value });
                i += 1;
            } else {
                return Err(OpError::Syntax);
            }
            i += 1;
        }
        Ok(o)
    }
}

/// The unit named by an expire option token, if `opt` is one.
fn expire_token(opt: &[u8]) -> Option<ExpireUnit> {
    const TOKENS: [(&[u8], ExpireUnit); 4] = [
        (b"EX", ExpireUnit::Seconds),
        (b"PX", ExpireUnit::Millis),
        (b"EXAT", ExpireUnit::UnixSeconds),
        (b"PXAT", ExpireUnit::UnixMillis),
    ];
    TOKENS
        .iter()
        .find(|(t, _)| opt.eq_ignore_ascii_case(t))
        .map(|&(_, u)| u)
}

/// Why an expire argument was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireError {
    /// Not an integer: `ERR value is not an integer or out of range`.
    NotInteger,
    /// Zero, negative or overflowing: `ERR invalid expire time in '<cmd>' command`.
    Invalid,
}

/// The absolute expiry in ms for an expire argument, as Redis's
/// `getExpireMillisecondsOrReply` computes it: the value must be positive and
/// the result must not overflow.
pub fn expire_at_ms(value: &[u8], unit: ExpireUnit, now_ms: i64) -> Result<i64, ExpireError> {
    let n = rkv_proto::request::parse_i64(value).ok_or(ExpireError::NotInteger)?;
    let in_seconds = matches!(unit, ExpireUnit::Seconds | ExpireUnit::UnixSeconds);
    if n <= 0 || (in_seconds && n > i64::MAX / 1000) {
        return Err(ExpireError::Invalid);
    }
    let ms = if in_seconds { n * 1000 } else { n };
    let at = if unit.is_absolute() {
        ms
    } else {
        // Redis adds in signed arithmetic and detects the wrap by the sign.
        ms.wrapping_add(now_ms)
    };
    if at <= 0 {
        return Err(ExpireError::Invalid);
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(args: &[&'static str]) -> Result<StringOptions<'static>, OpError> {
        let v: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        StringOptions::parse(&v, OptionsFor::Set)
    }

    fn getex(args: &[&'static str]) -> Result<StringOptions<'static>, OpError> {
        let v: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        StringOptions::parse(&v, OptionsFor::GetEx)
    }

    #[test]
    fn set_accepts_redis_combinations() {
        let o = set(&["nx", "GET", "ex", "10"]).unwrap();
        assert!(o.nx && o.get && !o.xx);
        assert_eq!(o.expire.unwrap().unit, ExpireUnit::Seconds);
        assert_eq!(o.expire.unwrap().value, b"10");
        let o = set(&["EX", "1", "EX", "2"]).unwrap();
        assert_eq!(o.expire.unwrap().value, b"2");
        assert!(set(&["XX", "XX", "KEEPTTL", "KEEPTTL"]).unwrap().keep_ttl);
        assert_eq!(
            set(&["PXAT", "5"]).unwrap().expire.unwrap().unit,
            ExpireUnit::UnixMillis
        );
    }

    #[test]
    fn set_refuses_conflicts() {
        for bad in [
            &["NX", "XX"][..],
            &["XX", "NX"],
            &["EX", "1", "PX", "2"],
            &["KEEPTTL", "EX", "1"],
            &["EX", "1", "KEEPTTL"],
            &["EX"],
            &["PERSIST"],
            &["BAD"],
            &["EXAT", "1", "PXAT", "1"],
        ] {
            assert_eq!(set(bad), Err(OpError::Syntax), "{bad:?}");
        }
    }

    #[test]
    fn getex_options() {
        assert!(getex(&["persist"]).unwrap().persist);
        assert_eq!(getex(&["PERSIST", "EX", "1"]), Err(OpError::Syntax));
        assert_eq!(getex(&["EX", "1", "PERSIST"]), Err(OpError::Syntax));
        assert_eq!(getex(&["NX"]), Err(OpError::Syntax));
        assert_eq!(getex(&["GET"]), Err(OpError::Syntax));
        assert_eq!(getex(&["KEEPTTL"]), Err(OpError::Syntax));
        assert_eq!(getex(&[]).unwrap(), StringOptions::default());
    }

    #[test]
    fn expire_arithmetic() {
        assert_eq!(expire_at_ms(b"10", ExpireUnit::Seconds, 1000), Ok(11_000));
        assert_eq!(expire_at_ms(b"10", ExpireUnit::Millis, 1000), Ok(1010));
        assert_eq!(expire_at_ms(b"7", ExpireUnit::UnixSeconds, 1000), Ok(7000));
        assert_eq!(expire_at_ms(b"7", ExpireUnit::UnixMillis, 1000), Ok(7));
        assert_eq!(
            expire_at_ms(b"x", ExpireUnit::Seconds, 0),
            Err(ExpireError::NotInteger)
        );
        for v in [&b"0"[..], b"-1"] {
            assert_eq!(
                expire_at_ms(v, ExpireUnit::Millis, 5),
                Err(ExpireError::Invalid)
            );
        }
        let big = (i64::MAX / 1000 + 1).to_string();
        assert_eq!(
            expire_at_ms(big.as_bytes(), ExpireUnit::Seconds, 0),
            Err(ExpireError::Invalid)
        );
        assert_eq!(
            expire_at_ms(b"9223372036854775807", ExpireUnit::Millis, 1),
            Err(ExpireError::Invalid)
        );
        assert_eq!(
            expire_at_ms(b"9223372036854775807", ExpireUnit::UnixMillis, 1),
            Ok(i64::MAX)
        );
    }
}
