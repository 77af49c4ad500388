//! CLIENT KILL: the old `CLIENT KILL ip:port` form and the filter form
//! (`ID`, `TYPE`, `USER`, `ADDR`, `LADDR`, `SKIPME`), as Redis 7.0 parses
//! them (7.0 has no `MAXAGE`: it is a syntax error there).

use super::info::ClientType;
use crate::client::Client;
use crate::command::Ctx;
use crate::errors;

/// Which clients a CLIENT KILL selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KillFilter {
    /// Peer address (`ADDR`, or the old form's argument).
    pub addr: Option<Vec<u8>>,
    /// Local address (`LADDR`).
    pub laddr: Option<Vec<u8>>,
    /// Client type (`TYPE`).
    pub kind: Option<ClientType>,
    /// Client id (`ID`).
    pub id: Option<u64>,
    /// ACL user (`USER`).
    pub user: Option<Vec<u8>>,
    /// Spare the calling client (`SKIPME`, default yes in the filter form).
    pub skip_me: bool,
    /// The old single-address form, which replies `+OK` or an error
    /// rather than a count.
    pub old_form: bool,
}

impl KillFilter {
    /// Parses the arguments after `CLIENT KILL`. `user_exists` says whether
    /// an ACL user exists. The error is Redis's reply text, for the first
    /// bad option in argument order.
    pub fn parse(args: &[&[u8]], user_exists: impl Fn(&[u8]) -> bool) -> Result<Self, String> {
        let mut f = KillFilter {
            addr: None,
            laddr: None,
            kind: None,
            id: None,
            user: None,
            skip_me: true,
            old_form: false,
        };
        if let [addr] = args {
            f.addr = Some(addr.to_vec());
            // With the old form a client may kill itself.
            f.skip_me = false;
            f.old_form = true;
            return Ok(f);
        }
        if args.is_empty() {
            return Err(errors::SYNTAX.into());
        }
        for pair in args.chunks(2) {
            let [option, value] = pair else {
                return Err(errors::SYNTAX.into());
            };
            match option.to_ascii_lowercase().as_slice() {
                b"id" => {
                    let id = rkv_proto::request::parse_i64(value)
                        .filter(|&id| id >= 1)
                        .ok_or("ERR client-id should be greater than 0")?;
                    f.id = Some(id as u64);
                }
                b"type" => {
                    let kind = ClientType::parse(value).ok_or_else(|| {
                        format!(
                            "ERR Unknown client type '{}'",
                            String::from_utf8_lossy(value)
                        )
                    })?;
                    f.kind = Some(kind);
                }
                b"addr" => f.addr = Some(value.to_vec()),
                b"laddr" => f.laddr = Some(value.to_vec()),
                b"user" => {
                    if !user_exists(value) {
                        return Err(format!(
                            "ERR No such user '{}'",
                            String::from_utf8_lossy(value)
                        ));
                    }
                    f.user = Some(value.to_vec());
                }
                b"skipme" => {
                    f.skip_me = match value.to_ascii_lowercase().as_slice() {
                        b"yes" => true,
                        b"no" => false,
                        _ => return Err(errors::SYNTAX.into()),
                    }
                }
                _ => return Err(errors::SYNTAX.into()),
            }
        }
        Ok(f)
    }

    /// Whether the filter selects `c`; `is_me` when `c` is the caller.
    pub fn matches(&self, c: &Client, is_me: bool) -> bool {
        let same = |want: &Option<Vec<u8>>, have: &str| {
            want.as_deref().is_none_or(|w| w == have.as_bytes())
        };
        same(&self.addr, &c.addr)
            && same(&self.laddr, &c.laddr)
            && self.kind.is_none_or(|k| ClientType::of(c) == k)
            && self.id.is_none_or(|id| c.id == id)
            && same(&self.user, &c.user)
            && !(is_me && self.skip_me)
    }
}

/// `CLIENT KILL ip:port` / `CLIENT KILL <filter> <value> ...`
pub fn client_kill(ctx: &mut Ctx) {
    let filter = match KillFilter::parse(&ctx.argv[2..], |u| u == b"default") {
        Ok(f) => f,
        Err(msg) => return ctx.error(&msg),
    };
    let kill_me = filter.matches(ctx.client, true);
    let mut victims = Vec::new();
    for (&id, entry) in &ctx.srv.clients {
        if id == ctx.client.id {
            continue;
        }
        let Ok(mut other) = entry.try_borrow_mut() else {
            continue;
        };
        if filter.matches(&other, false) {
            other.kill();
            victims.push(id);
        }
    }
    let killed = victims.len() + usize::from(kill_me);
    // Redis frees the victims at once: they vanish from CLIENT LIST now.
    for id in victims {
        ctx.srv.clients.remove(&id);
        ctx.srv.monitors.retain(|m| *m != id);
    }
    if filter.old_form {
        if killed == 0 {
            return ctx.error("ERR No such client");
        }
        ctx.out.ok();
    } else {
        ctx.out.int(killed as i64);
    }
    // The caller goes only after its reply is out.
    if kill_me {
        ctx.client.close_after_reply = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<KillFilter, String> {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        KillFilter::parse(&args, |u| u == b"default")
    }

    fn client(id: u64, addr: &str) -> Client {
        Client::new(id, addr.into(), "127.0.0.1:6379".into(), 8, 0, true)
    }

    #[test]
    fn old_form_is_an_address_that_may_be_the_caller() {
        let f = parse(&["10.0.0.1:5"]).unwrap();
        assert!(f.old_form);
        assert!(f.matches(&client(1, "10.0.0.1:5"), true));
        assert!(!f.matches(&client(1, "10.0.0.1:6"), false));
    }

    #[test]
    fn filter_form_combines_options_and_skips_the_caller() {
        let f = parse(&["id", "3", "TYPE", "normal", "addr", "1.1.1.1:1"]).unwrap();
        assert!(!f.old_form);
        assert!(f.matches(&client(3, "1.1.1.1:1"), false));
        assert!(!f.matches(&client(3, "1.1.1.1:1"), true));
        assert!(!f.matches(&client(4, "1.1.1.1:1"), false));
        let f = parse(&["skipme", "NO", "user", "default"]).unwrap();
        assert!(f.matches(&client(3, "x"), true));
        let f = parse(&["laddr", "127.0.0.1:6379"]).unwrap();
        assert!(f.matches(&client(3, "x"), false));
    }

    #[test]
    fn errors_as_redis_reports_them() {
        let id_err = "ERR client-id should be greater than 0";
        assert_eq!(parse(&["id", "0"]).unwrap_err(), id_err);
        assert_eq!(parse(&["id", "x"]).unwrap_err(), id_err);
        assert_eq!(
            parse(&["type", "foo", "bogus"]).unwrap_err(),
            "ERR Unknown client type 'foo'"
        );
        assert_eq!(
            parse(&["user", "bob", "type", "foo"]).unwrap_err(),
            "ERR No such user 'bob'"
        );
        assert_eq!(parse(&["skipme", "maybe"]).unwrap_err(), errors::SYNTAX);
        assert_eq!(parse(&["maxage", "5"]).unwrap_err(), errors::SYNTAX);
        assert_eq!(
            parse(&["addr", "1.2.3.4:5", "id"]).unwrap_err(),
            errors::SYNTAX
        );
        assert_eq!(parse(&[]).unwrap_err(), errors::SYNTAX);
    }
}
