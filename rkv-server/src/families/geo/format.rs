//! Number formats of the geo replies: coordinates (`%.17Lf` with trailing
//! zeros trimmed, Redis's "human" long double), distances (four decimals,
//! Redis's `fixedpoint_d2string`) and C's `%f` for error messages.

use rkv_proto::ReplyWriter;

/// A coordinate as Redis prints it: 17 decimals, trailing zeros (and a
/// bare point) removed, `-0` as `0`.
pub fn human_double(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let mut s = format!("{d:.17}");
    if s.contains('.') {
        let trimmed = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(trimmed);
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s
}

/// Writes a coordinate: a bulk string in RESP2, a double in RESP3 (both
/// in the human format).
pub fn reply_coordinate(out: &mut ReplyWriter, d: f64) {
    let text = human_double(d);
    if out.is_resp3() {
        out.raw(b",");
        out.raw(text.as_bytes());
        out.raw(b"\r\n");
    } else {
        out.bulk(text.as_bytes());
    }
}

/// C's `llrint` on x86-64: round half to even; NaN and out-of-range
/// values give `i64::MIN`.
fn llrint(v: f64) -> i64 {
    let r = v.round_ties_even();
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&r) {
        r as i64
    } else {
        i64::MIN
    }
}

/// A distance with four decimals, rounded as Redis rounds it.
pub fn distance_text(d: f64) -> String {
    if d == 0.0 {
        return "0.0000".to_string();
    }
    let scaled = llrint(d * 10_000.0);
    let sign = if scaled < 0 { "-" } else { "" };
    let abs = scaled.unsigned_abs();
    format!("{sign}{}.{:04}", abs / 10_000, abs % 10_000)
}

/// C's `%f`: six decimals, `inf`/`-inf`/`nan` spelled out.
pub fn c_fixed6(d: f64) -> String {
    if d.is_nan() {
        return if d.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    format!("{d:.6}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_print_like_redis() {
        assert_eq!(human_double(13.361389338970184), "13.36138933897018433");
        assert_eq!(human_double(38.1155563954963), "38.11555639549629859");
        assert_eq!(human_double(-0.0), "0");
        assert_eq!(human_double(2.5), "2.5");
        assert_eq!(human_double(180.0), "180");
    }

    #[test]
    fn distances_have_four_decimals() {
        assert_eq!(distance_text(166274.15156960033), "166274.1516");
        assert_eq!(distance_text(0.0), "0.0000");
        assert_eq!(distance_text(0.00004), "0.0000");
        assert_eq!(distance_text(12.00006), "12.0001");
        assert_eq!(distance_text(0.7750), "0.7750");
        assert_eq!(distance_text(f64::NAN), "-922337203685477.5808");
    }

    #[test]
    fn errors_use_c_fixed_notation() {
        assert_eq!(c_fixed6(200.0), "200.000000");
        assert_eq!(c_fixed6(-1.5), "-1.500000");
        assert_eq!(c_fixed6(f64::INFINITY), "inf");
    }
}
