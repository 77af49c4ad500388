//! `--askpass`: read the password from the terminal without echoing it.

use std::io::{BufRead, Write};

/// Prints `prompt` and reads one line with echo off when stdin is a
/// terminal (as is when it is not).
pub fn ask(prompt: &str) -> String {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let echo_off = EchoOff::new();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    drop(echo_off);
    println!();
    line.trim_end_matches(['\r', '\n']).to_string()
}

/// Terminal echo switched off until dropped.
struct EchoOff(Option<libc::termios>);

impl EchoOff {
    fn new() -> EchoOff {
        // SAFETY: tcgetattr/tcsetattr on stdin with a zeroed struct they fill.
        unsafe {
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut saved) != 0 {
                return EchoOff(None);
            }
            let mut quiet = saved;
            quiet.c_lflag &= !libc::ECHO;
            libc::tcsetattr(0, libc::TCSANOW, &quiet);
            EchoOff(Some(saved))
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        if let Some(saved) = &self.0 {
            // SAFETY: restores the settings read in `new`.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, saved);
            }
        }
    }
}
