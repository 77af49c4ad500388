//! The replica's handshake with its master, as Redis's `syncWithMaster`
//! sends it: PING, AUTH, REPLCONF listening-port / ip-address / capa; and
//! reading the master's answer to PSYNC.

use std::cell::RefCell;
use std::rc::Rc;

use super::conn::Conn;
use crate::notice;
use crate::server::Server;

/// PING, AUTH, REPLCONF listening-port / ip-address / capa, as Redis's
/// `syncWithMaster` sends them.
pub(super) async fn handshake(shared: &Rc<RefCell<Server>>, conn: &mut Conn) -> Result<(), String> {
    let reply = conn.command(&[b"PING".as_slice()]).await?;
    // An error that says we must authenticate first is fine here.
    if reply.starts_with(b"-")
        && !reply.starts_with(b"-NOAUTH")
        && !reply.starts_with(b"-NOPERM")
        && !reply.starts_with(b"-ERR operation not permitted")
    {
        return Err(format!(
            "Error reply to PING from master: '{}'",
            String::from_utf8_lossy(&reply)
        ));
    }
    notice!("Master replied to PING, replication can continue...");
    let (auth, port, ip) = {
        let srv = shared.borrow();
        let c = &srv.config;
        let auth = c.masterauth.clone().map(|pass| {
            let mut argv = vec![b"AUTH".to_vec()];
            if let Some(user) = &c.masteruser {
                argv.push(user.clone().into_bytes());
            }
            argv.push(pass.into_bytes());
            argv
        });
        let port = if c.replica_announce_port != 0 {
            c.replica_announce_port
        } else {
            srv.port
        };
        (auth, port, c.replica_announce_ip.clone())
    };
    if let Some(argv) = auth {
        let reply = conn.command(&argv).await?;
        if reply.starts_with(b"-") {
            return Err(format!(
                "Unable to AUTH to MASTER: {}",
                String::from_utf8_lossy(&reply)
            ));
        }
    }
    // Not every master knows these: errors are only logged, as Redis does.
    let port = port.to_string();
    let reply = conn
        .command(&[b"REPLCONF".as_slice(), b"listening-port", port.as_bytes()])
        .await?;
    if reply.starts_with(b"-") {
        notice!(
            "(Non critical) Master does not understand REPLCONF listening-port: {}",
            String::from_utf8_lossy(&reply)
        );
    }
    if let Some(ip) = ip {
        let reply = conn
            .command(&[b"REPLCONF".as_slice(), b"ip-address", ip.as_bytes()])
            .await?;
        if reply.starts_with(b"-") {
            notice!(
                "(Non critical) Master does not understand REPLCONF ip-address: {}",
                String::from_utf8_lossy(&reply)
            );
        }
    }
    let reply = conn
        .command(&[b"REPLCONF".as_slice(), b"capa", b"eof", b"capa", b"psync2"])
        .await?;
    if reply.starts_with(b"-") {
        notice!(
            "(Non critical) Master does not understand REPLCONF capa: {}",
            String::from_utf8_lossy(&reply)
        );
    }
    Ok(())
}

/// `+FULLRESYNC <replid> <offset>` (after the `+FULLRESYNC`).
pub(super) fn parse_fullresync(rest: &[u8]) -> Result<(String, i64), String> {
    let text = String::from_utf8_lossy(rest);
    let mut words = text.split_ascii_whitespace();
    match (words.next(), words.next().and_then(|o| o.parse().ok())) {
        (Some(id), Some(offset)) if id.len() == 40 => Ok((id.to_string(), offset)),
        _ => Err(format!(
            "Master replied with wrong +FULLRESYNC syntax: {text}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullresync_line_gives_id_and_offset() {
        let id = "a".repeat(40);
        let line = format!(" {id} 1234");
        assert_eq!(parse_fullresync(line.as_bytes()), Ok((id, 1234)));
        assert!(parse_fullresync(b" short 1").is_err());
        assert!(parse_fullresync(b"").is_err());
    }
}
