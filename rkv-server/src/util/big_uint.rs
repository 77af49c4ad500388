//! A small arbitrary-precision unsigned integer, just enough for exact
//! decimal <-> binary conversion of extended-precision floats
//! ([`super::long_double`]). Little-endian 32-bit limbs, always trimmed.

use std::cmp::Ordering;

/// An unsigned integer of any size.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BigUint {
    limbs: Vec<u32>,
}

impl BigUint {
    /// The value `n`.
    pub fn from_u64(n: u64) -> Self {
        let mut b = BigUint {
            limbs: vec![n as u32, (n >> 32) as u32],
        };
        b.trim();
        b
    }

    /// The value `n`.
    pub fn from_u128(n: u128) -> Self {
        BigUint::from_u64((n >> 64) as u64).shl(64).or_low(n as u64)
    }

    /// `self` with its low 64 bits (assumed zero) set to `low`.
    fn or_low(mut self, low: u64) -> Self {
        while self.limbs.len() < 2 {
            self.limbs.push(0);
        }
        self.limbs[0] |= low as u32;
        self.limbs[1] |= (low >> 32) as u32;
        self.trim();
        self
    }

    /// The value of a string of ASCII decimal digits.
    pub fn from_decimal(digits: &[u8]) -> Self {
        let mut b = BigUint::default();
        for chunk in digits.chunks(9) {
            let mut v = 0u32;
            for &d in chunk {
                v = v * 10 + u32::from(d - b'0');
            }
            b.mul_small(10u32.pow(chunk.len() as u32));
            b.add_small(v);
        }
        b
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    /// Multiplies in place by a small factor.
    pub fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * u64::from(m) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    /// Adds a small value in place.
    pub fn add_small(&mut self, a: u32) {
        let mut carry = u64::from(a);
        for limb in &mut self.limbs {
            if carry == 0 {
                break;
            }
            let v = u64::from(*limb) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
    }

    /// Multiplies in place by `10^k`.
    pub fn mul_pow10(&mut self, mut k: u32) {
        while k >= 9 {
            self.mul_small(1_000_000_000);
            k -= 9;
        }
        self.mul_small(10u32.pow(k));
    }

    /// Number of significant bits (0 for zero).
    pub fn bit_len(&self) -> u32 {
        match self.limbs.last() {
            None => 0,
            Some(top) => (self.limbs.len() as u32 - 1) * 32 + (32 - top.leading_zeros()),
        }
    }

    /// Bit `i` (0 = least significant).
    pub fn bit(&self, i: u32) -> bool {
        let limb = (i / 32) as usize;
        limb < self.limbs.len() && self.limbs[limb] >> (i % 32) & 1 == 1
    }

    /// Whether any bit below position `i` is set.
    pub fn any_below(&self, i: u32) -> bool {
        let full = (i / 32) as usize;
        let part = i % 32;
        self.limbs.iter().take(full).any(|&l| l != 0)
            || (part > 0 && full < self.limbs.len() && self.limbs[full] & ((1 << part) - 1) != 0)
    }

    /// The 64 bits starting at bit `from` (bits above the value read as 0).
    pub fn bits_u64(&self, from: u32) -> u64 {
        (0..64).fold(0u64, |acc, i| acc | (u64::from(self.bit(from + i)) << i))
    }

    /// Shifts left by `bits`.
    pub fn shl(&self, bits: u32) -> BigUint {
        let limbs = (bits / 32) as usize;
        let part = bits % 32;
        let mut out = vec![0u32; limbs];
        let mut carry = 0u32;
        for &l in &self.limbs {
            if part == 0 {
                out.push(l);
            } else {
                out.push(l << part | carry);
                carry = l >> (32 - part);
            }
        }
        if carry != 0 {
            out.push(carry);
        }
        let mut b = BigUint { limbs: out };
        b.trim();
        b
    }

    /// Shifts right by `bits`, dropping them.
    pub fn shr(&self, bits: u32) -> BigUint {
        let limbs = (bits / 32) as usize;
        let part = bits % 32;
        if limbs >= self.limbs.len() {
            return BigUint::default();
        }
        let src = &self.limbs[limbs..];
        let out = (0..src.len())
            .map(|i| {
                let hi = src.get(i + 1).copied().unwrap_or(0);
                if part == 0 {
                    src[i]
                } else {
                    src[i] >> part | hi << (32 - part)
                }
            })
            .collect();
        let mut b = BigUint { limbs: out };
        b.trim();
        b
    }

    /// `self - other`, for `self >= other`.
    fn sub_assign(&mut self, other: &BigUint) {
        let mut borrow = 0i64;
        for i in 0..self.limbs.len() {
            let o = i64::from(other.limbs.get(i).copied().unwrap_or(0));
            let mut v = i64::from(self.limbs[i]) - o - borrow;
            borrow = 0;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            }
            self.limbs[i] = v as u32;
        }
        self.trim();
    }

    /// Quotient and remainder of `self / d` (`d` non-zero).
    pub fn div_rem(&self, d: &BigUint) -> (BigUint, BigUint) {
        let mut q_bits = Vec::new();
        let mut r = BigUint::default();
        for i in (0..self.bit_len()).rev() {
            r = r.shl(1);
            if self.bit(i) {
                r.add_small(1);
            }
            let fits = r.cmp(d) != Ordering::Less;
            if fits {
                r.sub_assign(d);
            }
            q_bits.push(fits);
        }
        let mut q = BigUint::default();
        for bit in q_bits {
            q = q.shl(1);
            if bit {
                q.add_small(1);
            }
        }
        (q, r)
    }

    /// Divides in place by a small divisor, returning the remainder.
    fn div_small(&mut self, d: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.limbs.iter_mut().rev() {
            let v = rem << 32 | u64::from(*limb);
            *limb = (v / u64::from(d)) as u32;
            rem = v % u64::from(d);
        }
        self.trim();
        rem as u32
    }

    /// Decimal digits, `"0"` for zero.
    pub fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".to_string();
        }
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            chunks.push(n.div_small(1_000_000_000));
        }
        let mut s = chunks.pop().map(|c| c.to_string()).unwrap_or_default();
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:09}"));
        }
        s
    }
}

impl PartialOrd for BigUint {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BigUint {
    fn cmp(&self, other: &Self) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic() {
        let a = BigUint::from_decimal(b"123456789012345678901234567890");
        assert_eq!(a.to_decimal(), "123456789012345678901234567890");
        let mut b = BigUint::from_u64(7);
        b.mul_pow10(20);
        assert_eq!(b.to_decimal(), "700000000000000000000");
        let (q, r) = a.div_rem(&BigUint::from_u64(1_000_000_007));
        let mut back = q.clone();
        back.mul_small(1_000_000_007);
        let mut sum = back;
        sum.add_small(r.bits_u64(0) as u32);
        assert_eq!(sum, a);
        assert_eq!(BigUint::from_u64(1).shl(100).bit_len(), 101);
        assert_eq!(BigUint::from_u64(1).shl(100).shr(99), BigUint::from_u64(2));
        assert!(BigUint::from_u64(0b1000).any_below(4));
        assert!(!BigUint::from_u64(0b1000).any_below(3));
        assert_eq!(BigUint::from_u64(u64::MAX).bits_u64(0), u64::MAX);
    }
}
