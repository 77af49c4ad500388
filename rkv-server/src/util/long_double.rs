//! Software emulation of the x86 80-bit `long double` that Redis's
//! INCRBYFLOAT computes with, so results print exactly as Redis prints them.
//!
//! Redis parses both operands with `strtold` (correctly rounded to a 64-bit
//! mantissa), adds them in `long double`, and formats with `%.17Lf` before
//! trimming trailing zeros. The 64-bit mantissa shows through in the text
//! (`1000 + 0.03` prints `1000.03000000000000003`), so an `f64` cannot
//! reproduce it; this module does the three steps exactly with
//! [`BigUint`] arithmetic. Subnormal results are not modelled (values that
//! small print as 0 anyway).

use super::big_uint::BigUint;

/// Bits of the `long double` mantissa (explicit integer bit included).
const MANT_BITS: u32 = 64;
/// Largest exponent `e` of a normalized `mant × 2^e` below 2^16384.
const MAX_EXP: i64 = 16384 - 64;
/// Smallest exponent kept; smaller non-zero values underflow (ERANGE).
const MIN_EXP: i64 = -16445 - 64;
/// Longest input Redis accepts (`MAX_LONG_DOUBLE_CHARS`, minus the NUL).
const MAX_CHARS: usize = 5 * 1024 - 1;
/// Significant digits kept from the input; later ones only matter as a
/// non-zero "sticky" digit for rounding.
const MAX_DIGITS: usize = 800;

/// A finite extended-precision value: `(-1)^neg × mant × 2^exp`, with
/// `mant` normalized (top bit set) or zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongDouble {
    neg: bool,
    mant: u64,
    exp: i64,
}

/// What `strtold` made of a string Redis accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    /// A finite value.
    Finite(LongDouble),
    /// `inf`/`-inf` (accepted by Redis, but any sum with it is refused).
    Infinite,
}

impl LongDouble {
    /// Zero.
    pub const ZERO: LongDouble = LongDouble {
        neg: false,
        mant: 0,
        exp: 0,
    };

    /// The exact value of an integer.
    pub fn from_i64(n: i64) -> Self {
        if n == 0 {
            return Self::ZERO;
        }
        let m = n.unsigned_abs();
        let shift = m.leading_zeros();
        LongDouble {
            neg: n < 0,
            mant: m << shift,
            exp: -i64::from(shift),
        }
    }

    /// Rounds `n × 2^exp` (plus a non-zero tail below `n` when `sticky`) to
    /// 64 bits, ties to even.
    fn round_big(neg: bool, n: &BigUint, exp: i64, sticky: bool) -> Self {
        let len = n.bit_len();
        if len == 0 {
            return LongDouble { neg, ..Self::ZERO };
        }
        if len <= MANT_BITS {
            let shift = MANT_BITS - len;
            return LongDouble {
                neg,
                mant: n.bits_u64(0) << shift,
                exp: exp - i64::from(shift),
            };
        }
        let drop = len - MANT_BITS;
        let mut mant = n.bits_u64(drop);
        let mut exp = exp + i64::from(drop);
        let round = n.bit(drop - 1);
        let rest = sticky || n.any_below(drop - 1);
        if round && (rest || mant & 1 == 1) {
            mant = mant.wrapping_add(1);
            if mant == 0 {
                mant = 1 << 63;
                exp += 1;
            }
        }
        LongDouble { neg, mant, exp }
    }

    /// Parses a string as Redis's `string2ld` accepts it, or `None`.
    pub fn parse(s: &[u8]) -> Option<Parsed> {
        if s.is_empty() || s.len() > MAX_CHARS || s[0].is_ascii_whitespace() {
            return None;
        }
        let text = std::str::from_utf8(s).ok()?;
        let (neg, body) = match text.as_bytes()[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let lower = body.to_ascii_lowercase();
        if lower == "inf" || lower == "infinity" {
            return Some(Parsed::Infinite);
        }
        if lower.starts_with("0x") {
            // Hexadecimal: what strtod gives is exact in f64 for the
            // integers `parse_f64` supports.
            let v = crate::command::ctx::parse_f64(s)?;
            return Some(Parsed::Finite(Self::from_f64(v)));
        }
        Self::parse_decimal(neg, body.as_bytes()).map(Parsed::Finite)
    }

    /// Parses `digits[.digits][e[+-]digits]` (sign already removed).
    fn parse_decimal(neg: bool, b: &[u8]) -> Option<Self> {
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut i = int_len;
        let mut frac_len = 0;
        if b.get(i) == Some(&b'.') {
            frac_len = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            i += 1 + frac_len;
        }
        if int_len + frac_len == 0 {
            return None;
        }
        let mut exp10 = -(frac_len as i64);
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            let eneg = b.get(j) == Some(&b'-');
            if matches!(b.get(j), Some(b'-' | b'+')) {
                j += 1;
            }
            let start = j;
            let mut e: i64 = 0;
            while j < b.len() && b[j].is_ascii_digit() {
                e = (e * 10 + i64::from(b[j] - b'0')).min(1 << 40);
                j += 1;
            }
            if j == start {
                return None;
            }
            exp10 += if eneg { -e } else { e };
            i = j;
        }
        if i != b.len() {
            return None;
        }
        let mut digits: Vec<u8> = b[..int_len]
            .iter()
            .chain(b[(int_len + 1).min(b.len())..][..frac_len].iter())
            .copied()
            .skip_while(|&d| d == b'0')
            .collect();
        if digits.len() > MAX_DIGITS {
            let nonzero_tail = digits[MAX_DIGITS..].iter().any(|&d| d != b'0');
            exp10 += (digits.len() - MAX_DIGITS) as i64;
            digits.truncate(MAX_DIGITS);
            if nonzero_tail {
                // A non-zero digit beyond the kept ones, for rounding only.
                digits.push(b'1');
                exp10 -= 1;
            }
        }
        if digits.is_empty() {
            return Some(LongDouble { neg, ..Self::ZERO });
        }
        // Powers of ten beyond these limits overflow or underflow any
        // long double whatever the (at most 801) digits are.
        if exp10 + digits.len() as i64 > 4934 {
            return None;
        }
        if exp10 + (digits.len() as i64) < -4952 {
            return None;
        }
        let d = BigUint::from_decimal(&digits);
        let v = if exp10 >= 0 {
            let mut n = d;
            n.mul_pow10(exp10 as u32);
            Self::round_big(neg, &n, 0, false)
        } else {
            let mut p = BigUint::from_u64(1);
            p.mul_pow10((-exp10) as u32);
            // Enough quotient bits for 64 mantissa bits plus rounding.
            let shift = (i64::from(p.bit_len()) - i64::from(d.bit_len()) + 66).max(0) as u32;
            let (q, r) = d.shl(shift).div_rem(&p);
            Self::round_big(neg, &q, -i64::from(shift), !r.is_zero())
        };
        if v.exp > MAX_EXP || v.exp < MIN_EXP {
            return None;
        }
        Some(v)
    }

    /// The exact value of a finite `f64`.
    pub fn from_f64(v: f64) -> Self {
        if v == 0.0 {
            return LongDouble {
                neg: v.is_sign_negative(),
                ..Self::ZERO
            };
        }
        let bits = v.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1 << 52) - 1);
        let (m, e) = if biased == 0 {
            (frac, -1074)
        } else {
            (frac | 1 << 52, biased - 1075)
        };
        let shift = m.leading_zeros();
        LongDouble {
            neg: v < 0.0,
            mant: m << shift,
            exp: e - i64::from(shift),
        }
    }

    /// `self + other` rounded to a long double, or `None` when the sum
    /// overflows to infinity.
    pub fn checked_add(self, other: LongDouble) -> Option<LongDouble> {
        if self.mant == 0 {
            return Some(if other.mant == 0 {
                LongDouble {
                    neg: self.neg && other.neg,
                    ..Self::ZERO
                }
            } else {
                other
            });
        }
        if other.mant == 0 {
            return Some(self);
        }
        let (hi, lo) = if self.exp >= other.exp {
            (self, other)
        } else {
            (other, self)
        };
        // 62 guard bits below the larger operand; bits of the smaller one
        // shifted out beyond them are OR-ed into the lowest bit (sticky).
        const GUARD: u32 = 62;
        let diff = (hi.exp - lo.exp) as u64;
        let hi_m = u128::from(hi.mant) << GUARD;
        let lo_full = u128::from(lo.mant) << GUARD;
        let lo_m = if diff >= 127 {
            1
        } else {
            let shifted = lo_full >> diff;
            let lost = diff > 0 && lo_full & ((1u128 << diff) - 1) != 0;
            shifted | u128::from(lost)
        };
        let (neg, sum) = if hi.neg == lo.neg {
            (hi.neg, hi_m + lo_m)
        } else if hi_m >= lo_m {
            (hi.neg, hi_m - lo_m)
        } else {
            (lo.neg, lo_m - hi_m)
        };
        if sum == 0 {
            return Some(Self::ZERO);
        }
        let n = BigUint::from_u128(sum);
        let v = Self::round_big(neg, &n, hi.exp - i64::from(GUARD), false);
        (v.exp <= MAX_EXP).then_some(v)
    }

    /// `self × k` rounded to a long double (as x87 multiplies), or `None`
    /// when the product overflows to infinity.
    pub fn checked_mul_u64(self, k: u64) -> Option<LongDouble> {
        let n = BigUint::from_u128(u128::from(self.mant) * u128::from(k));
        let v = Self::round_big(self.neg, &n, self.exp, false);
        (v.exp <= MAX_EXP).then_some(v)
    }

    /// The least integer not below `self` (C's `ceill`), or `None` when it
    /// does not fit an `i64`.
    pub fn ceil_i64(self) -> Option<i64> {
        if self.mant == 0 {
            return Some(0);
        }
        // The mantissa's top bit is set, so from 2^63 on nothing fits.
        if self.exp > 0 {
            return None;
        }
        let shift = self.exp.unsigned_abs();
        let mant = u128::from(self.mant);
        let (int, fraction) = if shift >= 64 {
            (0, true)
        } else {
            (mant >> shift, mant & ((1 << shift) - 1) != 0)
        };
        let int = int as i128;
        let ceil = if self.neg {
            -int
        } else {
            int + i128::from(fraction)
        };
        i64::try_from(ceil).ok()
    }

    /// Formats as Redis's `ld2string` in human mode: `%.17Lf`, then
    /// trailing zeros and a trailing `.` removed, `-0` printed as `0`.
    pub fn to_human_string(self) -> String {
        // value × 10^17, rounded to an integer, ties to even.
        let mut n = BigUint::from_u64(self.mant);
        n.mul_pow10(17);
        let scaled = if self.exp >= 0 {
            n.shl(self.exp as u32)
        } else {
            let shift = (-self.exp) as u32;
            let mut q = n.shr(shift);
            let half = shift > 0 && n.bit(shift - 1);
            let rest = shift > 1 && n.any_below(shift - 1);
            if half && (rest || q.bit(0)) {
                q.add_small(1);
            }
            q
        };
        let digits = format!("{:0>18}", scaled.to_decimal());
        let (int_part, frac) = digits.split_at(digits.len() - 17);
        let frac = frac.trim_end_matches('0');
        let mut s = String::new();
        if self.neg {
            s.push('-');
        }
        s.push_str(int_part);
        if !frac.is_empty() {
            s.push('.');
            s.push_str(frac);
        }
        if s == "-0" {
            s = "0".to_string();
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(s: &str) -> LongDouble {
        match LongDouble::parse(s.as_bytes()) {
            Some(Parsed::Finite(v)) => v,
            other => panic!("{s}: {other:?}"),
        }
    }

    fn sum(a: &str, b: &str) -> String {
        ld(a).checked_add(ld(b)).unwrap().to_human_string()
    }

    #[test]
    fn products_and_ceilings_round_as_x87() {
        let ceil_ms = |s: &str| ld(s).checked_mul_u64(1000).and_then(LongDouble::ceil_i64);
        // 0.001 is just below a thousandth as a long double.
        assert_eq!(ceil_ms("0.001"), Some(1));
        assert_eq!(ceil_ms("-0.001"), Some(0));
        assert_eq!(ceil_ms("-0.0011"), Some(-1));
        assert_eq!(ceil_ms("8.1"), Some(8101));
        assert_eq!(ceil_ms("16.1"), Some(16100));
        assert_eq!(ceil_ms("0.25"), Some(250));
        assert_eq!(ceil_ms("1e-400"), Some(1));
        assert_eq!(ceil_ms("9223372036854775.807"), Some(i64::MAX));
        assert_eq!(ceil_ms("9223372036854775.808"), None);
        assert_eq!(ceil_ms("-9223372036854775.808"), Some(-i64::MAX));
        assert_eq!(ceil_ms("1e400"), None);
        assert_eq!(ld("1e4932").checked_mul_u64(1000), None);
        assert_eq!(ld("0").ceil_i64(), Some(0));
        assert_eq!(ld("-2.5").ceil_i64(), Some(-2));
        assert_eq!(ld("2.5").ceil_i64(), Some(3));
        assert_eq!(ld("2").ceil_i64(), Some(2));
    }

    /// Expected texts captured from redis-server 7.0.15 (x86-64).
    #[test]
    fn sums_print_as_redis() {
        assert_eq!(sum("1.1", "5.0e3"), "5001.10000000000000009");
        assert_eq!(sum("10.5", "0.1"), "10.6");
        assert_eq!(sum("0.1", "0.2"), "0.3");
        assert_eq!(sum("3", "1e20"), "100000000000000000000");
        assert_eq!(sum("0", "1000.1"), "1000.09999999999999998");
        assert_eq!(sum("0", "0.333333333333333333333"), "0.33333333333333333");
        assert_eq!(sum("0", "123456.789"), "123456.78900000000000148");
        assert_eq!(
            sum("123456.78900000000000148", "1.2e-5"),
            "123456.7890119999999996"
        );
        assert_eq!(sum("0", "1e-20"), "0");
        assert_eq!(sum("0", "9007199254740993"), "9007199254740993");
        assert_eq!(sum("-0.0", "0"), "0");
        assert_eq!(sum("0", "100.01"), "100.01");
        assert_eq!(sum("1000", "3.0e-2"), "1000.03000000000000003");
    }

    #[test]
    fn parsing_follows_string2ld() {
        for bad in [
            "", " 1", "1 ", "abc", "1e", "1e+", ".", "-", "nan", "1.2.3", "1e5000",
        ] {
            assert_eq!(LongDouble::parse(bad.as_bytes()), None, "{bad:?}");
        }
        assert_eq!(LongDouble::parse(b"-inf"), Some(Parsed::Infinite));
        assert_eq!(LongDouble::parse(b"+Infinity"), Some(Parsed::Infinite));
        assert_eq!(ld(".5").to_human_string(), "0.5");
        assert_eq!(ld("5.").to_human_string(), "5");
        assert_eq!(ld("0x10").to_human_string(), "16");
        assert_eq!(ld("-12").to_human_string(), "-12");
        let huge = ld("1e400").checked_add(ld("1e400")).unwrap();
        assert!(huge.to_human_string().starts_with("2000000000000000000"));
        assert_eq!(LongDouble::from_i64(-7).to_human_string(), "-7");
        assert_eq!(
            LongDouble::from_i64(i64::MIN).to_human_string(),
            "-9223372036854775808"
        );
        assert_eq!(ld("0.000").to_human_string(), "0");
    }

    #[test]
    fn overflow_is_reported() {
        let big = ld("1e4932");
        assert_eq!(big.checked_add(big), None);
    }
}
