//! Polling for a condition another process brings about (a replica's
//! link, a background save), with a deadline instead of fixed sleeps.

use std::time::{Duration, Instant};

/// How long [`wait_until`] waits before failing the test.
pub const WAIT_DEADLINE: Duration = Duration::from_secs(30);

/// Polls `done` every 20 ms until it holds; panics naming `what` after
/// [`WAIT_DEADLINE`].
#[track_caller]
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT_DEADLINE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
