//! `--stat`: one line of server figures per interval, with a header every
//! 20 lines.

use std::process::ExitCode;
use std::time::Duration;

use rkv_proto::Frame;

use super::info::{bytes_to_human, long_field};
use crate::session::{interrupted, Session};

/// Runs until Ctrl-C or a lost connection.
pub fn run(session: &mut Session, interval_secs: f64) -> ExitCode {
    let mut previous_requests: Option<i64> = None;
    let mut lines = 0u64;
    while !interrupted() {
        let Some(info) = fetch_info(session) else {
            return ExitCode::from(1);
        };
        if lines.is_multiple_of(20) {
            println!(
                "------- data ------ --------------------- load -------------------- - child -"
            );
            println!(
                "keys       mem      clients blocked requests            connections          "
            );
        }
        lines += 1;
        println!("{}", stat_line(&info, &mut previous_requests));
        std::thread::sleep(Duration::from_secs_f64(interval_secs));
    }
    ExitCode::SUCCESS
}

fn fetch_info(session: &mut Session) -> Option<String> {
    loop {
        let Some(link) = session.link.as_mut() else {
            if !session.connect(true) {
                std::thread::sleep(Duration::from_secs(1));
            }
            continue;
        };
        match link.call(&["INFO"]) {
            Ok(Frame::Error(e)) => {
                eprintln!("ERROR: {e}");
                return None;
            }
            Ok(frame) => {
                return Some(
                    String::from_utf8_lossy(frame.as_bytes().unwrap_or_default()).into_owned(),
                )
            }
            Err(_) => session.link = None,
        }
    }
}

/// One line of figures; `previous` carries the request count between lines.
pub fn stat_line(info: &str, previous: &mut Option<i64>) -> String {
    let keys: i64 = (0..20)
        .filter_map(|db| long_field(info, &format!("db{db}:keys")))
        .sum();
    let mem = bytes_to_human(long_field(info, "used_memory").unwrap_or(i64::MIN));
    let clients = long_field(info, "connected_clients").unwrap_or(i64::MIN);
    let blocked = long_field(info, "blocked_clients").unwrap_or(i64::MIN);
    let requests = long_field(info, "total_commands_processed").unwrap_or(i64::MIN);
    let delta = previous.map_or(0, |p| requests - p);
    *previous = Some(requests);
    let connections = long_field(info, "total_connections_received").unwrap_or(i64::MIN);
    let flag = |name: &str| long_field(info, name).unwrap_or(0);
    let child = flag("bgsave_in_progress")
        | (flag("aof_rewrite_in_progress") << 1)
        | (flag("loading") << 2);
    let child = match child {
        1 => "SAVE",
        2 => "AOF",
        3 => "SAVE+AOF",
        4 => "LOAD",
        _ => "",
    };
    format!(
        "{:<11}{:<8} {:<8}{:<8}{:<19} {:<12}{child}",
        keys,
        mem,
        clients,
        blocked,
        format!("{requests} (+{delta})"),
        connections
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_layout_and_request_delta() {
        let info = "used_memory:2048\r\nconnected_clients:3\r\nblocked_clients:0\r\ntotal_commands_processed:10\r\ntotal_connections_received:5\r\ndb0:keys=4,expires=0\r\ndb2:keys=1,expires=0\r\n";
        let mut previous = None;
        assert_eq!(
            stat_line(info, &mut previous),
            "5          2.00K    3       0       10 (+0)             5           "
        );
        let later = info.replace("processed:10", "processed:25");
        assert!(stat_line(&later, &mut previous).contains("25 (+15)"));
    }
}
