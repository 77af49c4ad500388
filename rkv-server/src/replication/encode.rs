//! How commands are written on the replication stream: RESP arrays of
//! bulk strings, as a client would send them.

/// Appends `argv` to `out` as a RESP array of bulk strings.
pub use rkv_proto::encode_command_into as encode_command;

/// Appends `SELECT db` to `out`.
pub fn encode_select(out: &mut Vec<u8>, db: usize) {
    let mut num = itoa::Buffer::new();
    encode_command(out, &[&b"SELECT"[..], num.format(db).as_bytes()]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_resp_arrays() {
        let mut out = Vec::new();
        encode_select(&mut out, 3);
        encode_command(&mut out, &["SET", "k", ""]);
        assert_eq!(
            out,
            b"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"
        );
    }
}
