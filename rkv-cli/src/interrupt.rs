//! Ctrl-C handling: while a command is in flight in the interactive
//! client, SIGINT cancels it instead of killing the process.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the SIGINT handler when a cancellable wait is under way.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Whether SIGINT should cancel (true) or end the process (false).
static CANCELLABLE: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    if CANCELLABLE.load(Ordering::SeqCst) {
        INTERRUPTED.store(true, Ordering::SeqCst);
    } else {
        // Only async-signal-safe calls here: _exit, as redis-cli exits(1).
        unsafe { libc::_exit(1) };
    }
}

/// Installs the SIGINT handler and ignores SIGPIPE, so a dropped server
/// shows up as a write error and the client can reconnect.
pub fn install() {
    // SAFETY: the handler only touches atomics and calls _exit.
    unsafe {
        libc::signal(libc::SIGINT, on_sigint as *const () as libc::sighandler_t);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// Marks the start of a wait that Ctrl-C may cancel; the flag is cleared.
pub fn begin_cancellable() {
    INTERRUPTED.store(false, Ordering::SeqCst);
    CANCELLABLE.store(true, Ordering::SeqCst);
}

/// Marks the end of the cancellable wait.
pub fn end_cancellable() {
    CANCELLABLE.store(false, Ordering::SeqCst);
    INTERRUPTED.store(false, Ordering::SeqCst);
}

/// Whether stdin / stdout is a terminal.
pub fn is_tty(fd: i32) -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(fd) == 1 }
}
