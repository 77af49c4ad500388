//! Sizes of listpack elements, to place stream entries into nodes where
//! Redis would (a node stops taking entries near `stream-node-max-bytes`).

/// Bytes of the back-length field for an element of `len` bytes.
fn backlen_size(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16383 => 2,
        16384..=2097151 => 3,
        2097152..=268435455 => 4,
        _ => 5,
    }
}

/// Bytes of an integer element, back-length included.
pub fn int_size(n: i64) -> usize {
    let body = match n {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8388608..=8388607 => 4,
        -2147483648..=2147483647 => 5,
        _ => 9,
    };
    body + backlen_size(body)
}

/// Bytes of a string element (stored as an integer when it is one),
/// back-length included.
pub fn elem_size(s: &[u8]) -> usize {
    if s.len() <= 20 {
        if let Some(n) = rkv_proto::request::parse_i64(s) {
            return int_size(n);
        }
    }
    let header = match s.len() {
        0..=63 => 1,
        64..=4095 => 2,
        _ => 5,
    };
    let body = header + s.len();
    body + backlen_size(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_listpack_encodings() {
        assert_eq!(int_size(5), 2);
        assert_eq!(int_size(-1), 3);
        assert_eq!(int_size(1000), 3);
        assert_eq!(int_size(1 << 40), 10);
        assert_eq!(elem_size(b"12"), 2);
        assert_eq!(elem_size(b"abc"), 5);
        assert_eq!(elem_size(&[b'x'; 300]), 304);
    }
}
