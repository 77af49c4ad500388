//! Server log lines in Redis's format: `pid:M 21 Nov 2026 13:00:00.123 * text`.
//!
//! Written to stdout or to `logfile`, filtered by `loglevel`.

use std::cell::RefCell;
use std::fs::File;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

pub use crate::config::LogLevel as Level;

/// The marker Redis prints for a level.
fn marker(level: Level) -> char {
    match level {
        Level::Debug => '.',
        Level::Verbose => '-',
        Level::Notice => '*',
        Level::Warning => '#',
    }
}

/// Verbosity rank: lower logs more.
fn rank(level: Level) -> u8 {
    match level {
        Level::Debug => 0,
        Level::Verbose => 1,
        Level::Notice => 2,
        Level::Warning => 3,
    }
}

struct Logger {
    level: Level,
    file: Option<File>,
    role: char,
}

thread_local! {
    static LOGGER: RefCell<Logger> = const {
        RefCell::new(Logger { level: Level::Notice, file: None, role: 'M' })
    };
}

/// Sets the role letter after the pid, as Redis prints it: `M` master,
/// `S` replica.
pub fn set_role(role: char) {
    LOGGER.with(|l| l.borrow_mut().role = role);
}

/// Sets the level and destination (`None` = stdout) for this thread's logger.
pub fn configure(level: Level, logfile: Option<&std::path::Path>) -> std::io::Result<()> {
    let file = match logfile {
        None => None,
        Some(path) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        ),
    };
    LOGGER.with(|l| {
        let mut l = l.borrow_mut();
        l.level = level;
        l.file = file;
    });
    Ok(())
}

/// Sets only the level.
pub fn set_level(level: Level) {
    LOGGER.with(|l| l.borrow_mut().level = level);
}

/// Writes one log line if `level` passes the filter.
pub fn log(level: Level, msg: std::fmt::Arguments<'_>) {
    LOGGER.with(|l| {
        let mut l = l.borrow_mut();
        if rank(level) < rank(l.level) {
            return;
        }
        let line = format!(
            "{}:{} {} {} {}\n",
            std::process::id(),
            l.role,
            timestamp(),
            marker(level),
            msg
        );
        match l.file.as_mut() {
            Some(f) => {
                let _ = f.write_all(line.as_bytes());
            }
            None => {
                let _ = std::io::stdout().lock().write_all(line.as_bytes());
            }
        }
    });
}

/// `21 Nov 2026 13:00:00.123` in UTC.
fn timestamp() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86400));
    let rem = secs.rem_euclid(86400);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_millis()
    )
}

/// Days since 1970-01-01 to a (year, month, day) date (Howard Hinnant's method).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// Logs at notice level.
#[macro_export]
macro_rules! notice { ($($t:tt)*) => { $crate::log::log($crate::log::Level::Notice, format_args!($($t)*)) } }
/// Logs at warning level.
#[macro_export]
macro_rules! warning { ($($t:tt)*) => { $crate::log::log($crate::log::Level::Warning, format_args!($($t)*)) } }
/// Logs at verbose level.
#[macro_export]
macro_rules! verbose { ($($t:tt)*) => { $crate::log::log($crate::log::Level::Verbose, format_args!($($t)*)) } }

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_413), (2025, 11, 21));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
