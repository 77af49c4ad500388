//! BITFIELD: integer fields of 1..64 bits at any bit offset, their
//! arithmetic with Redis's WRAP/SAT/FAIL overflow rules, and the parsing of
//! the subcommand list.

use super::bits::parse_bit_offset;
use crate::errors::OpError;

/// The error for a bad `i16`/`u8` type argument.
const BAD_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
/// The error for a bad offset.
pub const BAD_OFFSET: &str = "ERR bit offset is not an integer or out of range";
/// The error for a bad OVERFLOW argument.
const BAD_OVERFLOW: &str = "ERR Invalid OVERFLOW type specified";

/// What happens when SET or INCRBY leaves the field's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Wrap around (the default).
    Wrap,
    /// Clamp to the minimum or maximum.
    Sat,
    /// Do nothing and reply null.
    Fail,
}

/// A field type: signedness and width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldType {
    /// Signed (`i`) or unsigned (`u`).
    pub signed: bool,
    /// Width in bits: 1..=64 signed, 1..=63 unsigned.
    pub bits: u32,
}

impl FieldType {
    /// Parses `i<bits>` or `u<bits>` as Redis's `getBitfieldTypeFromArgument`
    /// (which reads the width as a C string, up to any NUL byte).
    pub fn parse(arg: &[u8]) -> Option<FieldType> {
        let signed = match arg.first()? {
            b'i' => true,
            b'u' => false,
            _ => return None,
        };
        let digits = &arg[1..];
        let digits = &digits[..digits.iter().position(|&b| b == 0).unwrap_or(digits.len())];
        let bits = rkv_proto::request::parse_i64(digits)?;
        let max = if signed { 64 } else { 63 };
        (1..=max).contains(&bits).then_some(FieldType {
            signed,
            bits: bits as u32,
        })
    }
}

/// One subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `GET type offset`
    Get,
    /// `SET type offset value`
    Set(i64),
    /// `INCRBY type offset increment`
    IncrBy(i64),
}

/// One parsed subcommand with the overflow rule in force for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldOp {
    /// What to do.
    pub action: Action,
    /// The field type.
    pub ty: FieldType,
    /// Bit offset of the field's most significant bit.
    pub offset: u64,
    /// Overflow rule.
    pub overflow: Overflow,
}

/// Parses the subcommands after the key, in Redis's order of checks.
pub fn parse_ops(args: &[&[u8]], max_bulk_len: u64) -> Result<Vec<FieldOp>, OpError> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 0;
    while j < args.len() {
        let remaining = args.len() - j - 1;
        let name = args[j];
        let is = |n: &[u8], need: usize| name.eq_ignore_ascii_case(n) && remaining >= need;
        let action = if is(b"get", 2) {
            Action::Get
        } else if is(b"set", 3) {
            Action::Set(0)
        } else if is(b"incrby", 3) {
            Action::IncrBy(0)
        } else if is(b"overflow", 1) {
            let kind = args[j + 1];
            overflow = [
                (&b"wrap"[..], Overflow::Wrap),
                (b"sat", Overflow::Sat),
                (b"fail", Overflow::Fail),
            ]
            .into_iter()
            .find(|(n, _)| kind.eq_ignore_ascii_case(n))
            .map(|(_, o)| o)
            .ok_or_else(|| OpError::Other(BAD_OVERFLOW.into()))?;
            j += 2;
            continue;
        } else {
            return Err(OpError::Syntax);
        };
        let ty = FieldType::parse(args[j + 1]).ok_or_else(|| OpError::Other(BAD_TYPE.into()))?;
        let offset = parse_bit_offset(args[j + 2], Some(ty.bits), max_bulk_len)
            .ok_or_else(|| OpError::Other(BAD_OFFSET.into()))?;
        let action = match action {
            Action::Get => action,
            Action::Set(_) | Action::IncrBy(_) => {
                let n = rkv_proto::request::parse_i64(args[j + 3]).ok_or(OpError::NotInteger)?;
                if matches!(action, Action::Set(_)) {
                    Action::Set(n)
                } else {
                    Action::IncrBy(n)
                }
            }
        };
        ops.push(FieldOp {
            action,
            ty,
            offset,
            overflow,
        });
        j += if action == Action::Get { 3 } else { 4 };
    }
    Ok(ops)
}

/// The unsigned value of the `bits`-wide field at `offset` (bits past the
/// end of `s` read as 0).
pub fn get_unsigned(s: &[u8], offset: u64, bits: u32) -> u64 {
    (0..u64::from(bits)).fold(0, |v, j| {
        let pos = offset + j;
        let bit = s
            .get((pos >> 3) as usize)
            .map_or(0, |b| (b >> (7 - (pos & 7))) & 1);
        (v << 1) | u64::from(bit)
    })
}

/// The signed (two's complement) value of the field.
pub fn get_signed(s: &[u8], offset: u64, bits: u32) -> i64 {
    let v = get_unsigned(s, offset, bits) as i64;
    if bits < 64 && v & (1 << (bits - 1)) != 0 {
        v | (-1i64 << bits)
    } else {
        v
    }
}

/// Writes the low `bits` bits of `value` at `offset` (inside `s`).
pub fn set_field(s: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..u64::from(bits) {
        let on = value & (1 << (u64::from(bits) - 1 - j)) != 0;
        let pos = offset + j;
        let mask = 0x80u8 >> (pos & 7);
        let byte = &mut s[(pos >> 3) as usize];
        if on {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
}

/// The outcome of range-checking a value or an increment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked<T> {
    /// It fits.
    Fits,
    /// It overflowed; the value the overflow rule gives (unused for FAIL).
    Overflowed(T),
}

/// Redis's `checkUnsignedBitfieldOverflow` for `value + incr` in `bits` bits.
pub fn check_unsigned(value: u64, incr: i64, bits: u32, rule: Overflow) -> Checked<u64> {
    let max = (1u64 << bits) - 1;
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let wrapped = || value.wrapping_add(incr as u64) & max;
    if value > max || (incr > 0 && incr > max_incr) {
        Checked::Overflowed(match rule {
            Overflow::Wrap => wrapped(),
            Overflow::Sat => max,
            Overflow::Fail => 0,
        })
    } else if incr < 0 && incr < min_incr {
        Checked::Overflowed(match rule {
            Overflow::Wrap => wrapped(),
            Overflow::Sat => 0,
            Overflow::Fail => 0,
        })
    } else {
        Checked::Fits
    }
}

/// Redis's `checkSignedBitfieldOverflow` for `value + incr` in `bits` bits.
pub fn check_signed(value: i64, incr: i64, bits: u32, rule: Overflow) -> Checked<i64> {
    let max = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let wrapped = || {
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let high = u64::MAX << bits;
            if c & (1 << (bits - 1)) != 0 {
                c |= high;
            } else {
                c &= !high;
            }
        }
        c as i64
    };
    let wide = bits != 64;
    if value > max || (wide && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr) {
        Checked::Overflowed(match rule {
            Overflow::Wrap => wrapped(),
            Overflow::Sat => max,
            Overflow::Fail => 0,
        })
    } else if value < min || (wide && incr < min_incr) || (value < 0 && incr < 0 && incr < min_incr)
    {
        Checked::Overflowed(match rule {
            Overflow::Wrap => wrapped(),
            Overflow::Sat => min,
            Overflow::Fail => 0,
        })
    } else {
        Checked::Fits
    }
}

/// Applies a SET or INCRBY to `s` (already long enough): the reply value
/// (`None` for a FAIL overflow) and whether the field changed.
pub fn apply_write(s: &mut [u8], op: &FieldOp) -> (Option<i64>, bool) {
    let FieldType { signed, bits } = op.ty;
    let (delta, is_set) = match op.action {
        Action::Set(v) => (v, true),
        Action::IncrBy(n) => (n, false),
        Action::Get => unreachable!("GET is not a write"),
    };
    if signed {
        let old = get_signed(s, op.offset, bits);
        let (base, incr) = if is_set { (delta, 0) } else { (old, delta) };
        let new = match check_signed(base, incr, bits, op.overflow) {
            Checked::Fits => base.wrapping_add(incr),
            Checked::Overflowed(_) if op.overflow == Overflow::Fail => return (None, false),
            Checked::Overflowed(v) => v,
        };
        set_field(s, op.offset, bits, new as u64);
        (Some(if is_set { old } else { new }), old != new)
    } else {
        let old = get_unsigned(s, op.offset, bits);
        let (base, incr) = if is_set {
            (delta as u64, 0)
        } else {
            (old, delta)
        };
        let new = match check_unsigned(base, incr, bits, op.overflow) {
            Checked::Fits => base.wrapping_add(incr as u64),
            Checked::Overflowed(_) if op.overflow == Overflow::Fail => return (None, false),
            Checked::Overflowed(v) => v,
        };
        set_field(s, op.offset, bits, new);
        (
            Some(if is_set { old as i64 } else { new as i64 }),
            old != new,
        )
    }
}

/// The value a GET reads.
pub fn apply_get(s: &[u8], op: &FieldOp) -> i64 {
    if op.ty.signed {
        get_signed(s, op.offset, op.ty.bits)
    } else {
        get_unsigned(s, op.offset, op.ty.bits) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<&[u8]> {
        s.split(' ').map(str::as_bytes).collect()
    }

    #[test]
    fn types() {
        assert_eq!(
            FieldType::parse(b"i64"),
            Some(FieldType {
                signed: true,
                bits: 64
            })
        );
        assert_eq!(
            FieldType::parse(b"u63"),
            Some(FieldType {
                signed: false,
                bits: 63
            })
        );
        for bad in [&b"u64"[..], b"i65", b"i0", b"x8", b"i", b"", b"u-1", b"i08"] {
            assert_eq!(FieldType::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn parsing_follows_redis_order() {
        let max = 512 << 20;
        let ops = parse_ops(&args("get u8 0 overflow sat incrby i5 #2 7"), max).unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!(ops[1].offset, 10);
        assert_eq!(ops[1].overflow, Overflow::Sat);
        assert_eq!(ops[1].action, Action::IncrBy(7));
        assert_eq!(parse_ops(&args("get u8"), max), Err(OpError::Syntax));
        assert_eq!(
            parse_ops(&args("overflow maybe"), max),
            Err(OpError::Other(BAD_OVERFLOW.into()))
        );
        assert_eq!(
            parse_ops(&args("set u8 x 1"), max),
            Err(OpError::Other(BAD_OFFSET.into()))
        );
        assert_eq!(
            parse_ops(&args("set u8 0 x"), max),
            Err(OpError::NotInteger)
        );
    }

    #[test]
    fn fields_round_trip_across_bytes() {
        let mut s = vec![0u8; 10];
        set_field(&mut s, 3, 13, 0x1abc);
        assert_eq!(get_unsigned(&s, 3, 13), 0x1abc);
        set_field(&mut s, 5, 64, u64::MAX - 1);
        assert_eq!(get_signed(&s, 5, 64), -2);
        set_field(&mut s, 0, 4, 0b1010);
        assert_eq!(get_signed(&s, 0, 4), -6);
        assert_eq!(get_unsigned(&s, 100, 8), 0);
    }

    #[test]
    fn unsigned_overflow_rules() {
        assert_eq!(
            check_unsigned(250, 10, 8, Overflow::Wrap),
            Checked::Overflowed(4)
        );
        assert_eq!(
            check_unsigned(250, 10, 8, Overflow::Sat),
            Checked::Overflowed(255)
        );
        assert_eq!(
            check_unsigned(5, -10, 8, Overflow::Wrap),
            Checked::Overflowed(251)
        );
        assert_eq!(
            check_unsigned(5, -10, 8, Overflow::Sat),
            Checked::Overflowed(0)
        );
        assert_eq!(check_unsigned(5, -5, 8, Overflow::Fail), Checked::Fits);
        assert_eq!(
            check_unsigned(u64::MAX, 0, 8, Overflow::Sat),
            Checked::Overflowed(255)
        );
    }

    #[test]
    fn signed_overflow_rules() {
        assert_eq!(
            check_signed(120, 10, 8, Overflow::Wrap),
            Checked::Overflowed(-126)
        );
        assert_eq!(
            check_signed(120, 10, 8, Overflow::Sat),
            Checked::Overflowed(127)
        );
        assert_eq!(
            check_signed(-120, -10, 8, Overflow::Sat),
            Checked::Overflowed(-128)
        );
        assert_eq!(
            check_signed(-120, -10, 8, Overflow::Wrap),
            Checked::Overflowed(126)
        );
        assert_eq!(
            check_signed(i64::MAX, 1, 64, Overflow::Wrap),
            Checked::Overflowed(i64::MIN)
        );
        assert_eq!(
            check_signed(i64::MIN, -1, 64, Overflow::Sat),
            Checked::Overflowed(i64::MIN)
        );
        assert_eq!(check_signed(-1, 1, 64, Overflow::Fail), Checked::Fits);
        assert_eq!(
            check_signed(200, 0, 8, Overflow::Sat),
            Checked::Overflowed(127)
        );
    }

    #[test]
    fn writes_reply_and_fail() {
        let mut s = vec![0u8; 1];
        let op = |action, overflow| FieldOp {
            action,
            ty: FieldType {
                signed: false,
                bits: 4,
            },
            offset: 0,
            overflow,
        };
        assert_eq!(
            apply_write(&mut s, &op(Action::Set(9), Overflow::Wrap)),
            (Some(0), true)
        );
        assert_eq!(
            apply_write(&mut s, &op(Action::IncrBy(10), Overflow::Fail)),
            (None, false)
        );
        assert_eq!(
            apply_write(&mut s, &op(Action::IncrBy(10), Overflow::Wrap)),
            (Some(3), true)
        );
        assert_eq!(s, [0x30]);
        assert_eq!(apply_get(&s, &op(Action::Get, Overflow::Wrap)), 3);
    }
}
