//! Copy-on-write accounting of a save child (INFO `rdb_last_cow_size`): the
//! child measures the memory it had to copy (its private dirty pages, as
//! Redis's `zmalloc_get_private_dirty`) and reports it through a pipe.

use std::io;

/// The descriptor number the child's report pipe gets after the child
/// closes everything else.
pub const CHILD_REPORT_FD: i32 = 3;

/// Bytes of private dirty pages of the calling process, from
/// `/proc/self/smaps_rollup` (0 when unreadable).
pub fn private_dirty_bytes() -> u64 {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup")
        .or_else(|_| std::fs::read_to_string("/proc/self/smaps"))
        .unwrap_or_default();
    sum_private_dirty(&text)
}

/// Sums the `Private_Dirty: N kB` lines of an smaps text, in bytes.
fn sum_private_dirty(smaps: &str) -> u64 {
    smaps
        .lines()
        .filter_map(|l| l.strip_prefix("Private_Dirty:"))
        .filter_map(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(|kb| kb * 1024)
        .sum()
}

/// A pipe from a save child to the parent: `(read end, write end)`; the
/// read end is non-blocking and neither end survives an exec.
pub fn report_pipe() -> io::Result<(i32, i32)> {
    let mut fds = [0i32; 2];
    // SAFETY: pipe2 fills the two-element array it is given.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: setting a flag on the descriptor just created.
    unsafe { libc::fcntl(fds[0], libc::F_SETFL, libc::O_NONBLOCK) };
    Ok((fds[0], fds[1]))
}

/// In the child: sends the copy-on-write size on [`CHILD_REPORT_FD`].
pub fn send_report() {
    let bytes = private_dirty_bytes().to_le_bytes();
    // SAFETY: writing 8 bytes from a live buffer to our own descriptor.
    unsafe { libc::write(CHILD_REPORT_FD, bytes.as_ptr().cast(), bytes.len()) };
}

/// In the parent, once the child exited: the size it reported, if any;
/// closes the read end.
pub fn receive_report(read_fd: i32) -> Option<u64> {
    let mut bytes = [0u8; 8];
    // SAFETY: reading into a live 8-byte buffer, then closing our descriptor.
    let n = unsafe {
        let n = libc::read(read_fd, bytes.as_mut_ptr().cast(), bytes.len());
        libc::close(read_fd);
        n
    };
    (n == 8).then(|| u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_dirty_lines_are_summed() {
        let smaps = "Rss: 100 kB\nPrivate_Dirty:     12 kB\nPrivate_Dirty: 3 kB\n";
        assert_eq!(sum_private_dirty(smaps), 15 * 1024);
        assert!(private_dirty_bytes() > 0);
    }

    #[test]
    fn reports_cross_the_pipe() {
        let (read, write) = report_pipe().unwrap();
        let payload = 4242u64.to_le_bytes();
        // SAFETY: writing a live buffer to the pipe just made.
        unsafe {
            libc::write(write, payload.as_ptr().cast(), 8);
            libc::close(write);
        }
        assert_eq!(receive_report(read), Some(4242));
    }
}
