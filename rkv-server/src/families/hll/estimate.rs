//! Redis 7.0's cardinality estimator (`hllCount`): Otmar Ertl's improved
//! estimator over the register histogram, with its `hllTau`/`hllSigma`
//! series, in the same floating point order so results match exactly.

use super::dense::REGISTERS;

/// Bits of the hash left after the register index (64 - 14).
const Q: usize = 50;
/// 0.5 / ln(2).
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// Redis's `hllSigma`.
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let previous = z;
        z += x * y;
        y += y;
        if previous == z {
            return z;
        }
    }
}

/// Redis's `hllTau`.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if previous == z {
            return z / 3.0;
        }
    }
}

/// The estimated cardinality for a histogram of register values.
pub fn cardinality(hist: &[u32; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - f64::from(hist[Q + 1])) / m);
    for j in (1..=Q).rev() {
        z += f64::from(hist[j]);
        z *= 0.5;
    }
    z += m * sigma(f64::from(hist[0]) / m);
    // llroundl: halves away from zero, as f64::round.
    (ALPHA_INF * m * m / z).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_zero() {
        let mut hist = [0u32; 64];
        hist[0] = REGISTERS as u32;
        assert_eq!(cardinality(&hist), 0);
    }

    #[test]
    fn one_register_set_counts_one() {
        let mut hist = [0u32; 64];
        hist[0] = REGISTERS as u32 - 1;
        hist[1] = 1;
        assert_eq!(cardinality(&hist), 1);
    }

    #[test]
    fn series_limits() {
        assert_eq!(tau(0.0), 0.0);
        assert_eq!(tau(1.0), 0.0);
        assert!(sigma(1.0).is_infinite());
        assert_eq!(sigma(0.0), 0.0);
    }
}
