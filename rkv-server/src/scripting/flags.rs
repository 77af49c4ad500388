//! Script flags (`#!lua flags=no-writes,allow-oom` in EVAL, `flags` in
//! `redis.register_function`) and EVAL's shebang line.

/// `no-writes`: the script may only read.
pub const NO_WRITES: u32 = 1 << 0;
/// `allow-oom`: runs even when over `maxmemory`.
pub const ALLOW_OOM: u32 = 1 << 1;
/// `allow-stale`: runs on a stale replica.
pub const ALLOW_STALE: u32 = 1 << 2;
/// `no-cluster`: refused in cluster mode.
pub const NO_CLUSTER: u32 = 1 << 3;
/// An EVAL script without a shebang: Redis's pre-7.0 behaviour.
pub const EVAL_COMPAT_MODE: u32 = 1 << 4;
/// `allow-cross-slot-keys`.
pub const ALLOW_CROSS_SLOT: u32 = 1 << 5;

/// Flag names in Redis's order (FUNCTION LIST prints them in it).
pub const NAMES: &[(u32, &str)] = &[
    (NO_WRITES, "no-writes"),
    (ALLOW_OOM, "allow-oom"),
    (ALLOW_STALE, "allow-stale"),
    (NO_CLUSTER, "no-cluster"),
    (ALLOW_CROSS_SLOT, "allow-cross-slot-keys"),
];

/// The flag called `name` (exact, as EVAL's shebang wants it).
pub fn by_name(name: &[u8]) -> Option<u32> {
    NAMES
        .iter()
        .find(|(_, n)| n.as_bytes() == name)
        .map(|(f, _)| *f)
}

/// The flag called `name`, ignoring case (as `register_function` reads it).
pub fn by_name_nocase(name: &[u8]) -> Option<u32> {
    NAMES
        .iter()
        .find(|(_, n)| n.as_bytes().eq_ignore_ascii_case(name))
        .map(|(f, _)| *f)
}

/// Reads an EVAL script's shebang: its flags and how many bytes it takes
/// (the newline stays with the body so line numbers hold). Without a
/// shebang the script is in compatibility mode. Errors are Redis's texts.
pub fn parse_shebang(body: &[u8]) -> Result<(u32, usize), String> {
    if !body.starts_with(b"#!") {
        return Ok((EVAL_COMPAT_MODE, 0));
    }
    let Some(end) = body.iter().position(|&b| b == b'\n') else {
        return Err("Invalid script shebang".into());
    };
    let parts = match rkv_proto::split_args(&body[..end]) {
        Some(p) if !p.is_empty() => p,
        _ => return Err("Invalid engine in script shebang".into()),
    };
    if parts[0] != b"#!lua" {
        return Err(format!(
            "Unexpected engine in script shebang: {}",
            String::from_utf8_lossy(&parts[0])
        ));
    }
    let mut flags = 0;
    for part in &parts[1..] {
        let Some(list) = part.strip_prefix(b"flags=") else {
            return Err(format!(
                "Unknown lua shebang option: {}",
                String::from_utf8_lossy(part)
            ));
        };
        if list.is_empty() {
            continue;
        }
        for name in list.split(|&b| b == b',') {
            match by_name(name) {
                Some(f) => flags |= f,
                None => {
                    return Err(format!(
                        "Unexpected flag in script shebang: {}",
                        String::from_utf8_lossy(name)
                    ))
                }
            }
        }
    }
    Ok((flags, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebangs() {
        assert_eq!(parse_shebang(b"return 1"), Ok((EVAL_COMPAT_MODE, 0)));
        assert_eq!(parse_shebang(b"#!lua\nreturn 1"), Ok((0, 5)));
        assert_eq!(
            parse_shebang(b"#!lua flags=no-writes,allow-oom\nreturn 1"),
            Ok((NO_WRITES | ALLOW_OOM, 31))
        );
        assert_eq!(
            parse_shebang(b"#!lua"),
            Err("Invalid script shebang".to_string())
        );
        assert_eq!(
            parse_shebang(b"#!js\n"),
            Err("Unexpected engine in script shebang: #!js".to_string())
        );
        assert_eq!(
            parse_shebang(b"#!lua flags=bad\n"),
            Err("Unexpected flag in script shebang: bad".to_string())
        );
        assert_eq!(
            parse_shebang(b"#!lua x=1\n"),
            Err("Unknown lua shebang option: x=1".to_string())
        );
    }
}
