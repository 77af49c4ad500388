//! [`ClientSocket`]: a client's TCP connection, registered with the event
//! loop for reads only.
//!
//! tokio's `TcpStream` registers every socket for readable *and* writable
//! edges, so each reply's ACK wakes the server thread once more for a
//! writability event nobody waits for: about four times Redis's context
//! switches at 50 clients. Like Redis, which asks for writability only while
//! a reply is pending, this socket writes directly and re-registers for
//! writable edges only while the kernel's send buffer is full.

use std::io::{self, Write};
use std::net::TcpStream as StdTcpStream;
use std::os::fd::{AsRawFd, RawFd};

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// A non-blocking TCP connection to one client.
#[derive(Debug)]
pub struct ClientSocket {
    /// `None` only transiently, while the registration is being changed.
    fd: Option<AsyncFd<StdTcpStream>>,
}

impl ClientSocket {
    /// Takes over an accepted tokio stream.
    pub fn new(stream: tokio::net::TcpStream) -> io::Result<Self> {
        let std = stream.into_std()?;
        std.set_nonblocking(true)?;
        Ok(ClientSocket {
            fd: Some(register(std, Interest::READABLE)?),
        })
    }

    /// The registration; an error if re-registering failed earlier (the
    /// connection is then unusable and gets closed).
    fn fd(&self) -> io::Result<&AsyncFd<StdTcpStream>> {
        self.fd
            .as_ref()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotConnected, "socket deregistered"))
    }

    /// Disables Nagle's algorithm, as Redis does for every client.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.fd()?.get_ref().set_nodelay(on)
    }

    /// Reads what is available into the spare capacity of `buf` (at least
    /// one byte of room must be reserved); `Ok(0)` is end of stream.
    pub async fn read_buf(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        if buf.capacity() == buf.len() {
            buf.reserve(4096);
        }
        loop {
            let mut guard = self.fd()?.readable().await?;
            let room = buf.capacity() - buf.len();
            let result = guard.try_io(|inner| {
                let spare = &mut buf.spare_capacity_mut()[..room];
                // recv(2) rather than read(2): the socket call skips the
                // generic file checks and notifications of the VFS path.
                // SAFETY: recv(2) only writes into the given range, and we
                // extend the length by exactly what it reports written.
                let n =
                    unsafe { libc::recv(inner.as_raw_fd(), spare.as_mut_ptr().cast(), room, 0) };
                if n < 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(n as usize)
            });
            match result {
                Ok(Ok(n)) => {
                    // SAFETY: the kernel initialised `n` bytes past `len`.
                    unsafe { buf.set_len(buf.len() + n) };
                    // A short read drained the socket: wait for the next
                    // edge instead of paying a read that would fail.
                    if n > 0 && n < room {
                        guard.clear_ready();
                    }
                    return Ok(n);
                }
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => continue,
            }
        }
    }

    /// Writes some of `data` (at least one byte unless `data` is empty),
    /// waiting for buffer space only when the kernel's send buffer is full.
    pub async fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        loop {
            match self.fd()?.get_ref().write(data) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.wait_writable().await?,
                Err(e) => return Err(e),
            }
        }
    }

    /// One non-blocking write attempt: `WouldBlock` when the send buffer is
    /// full. The common case of a reply that fits goes out without any
    /// future being set up.
    pub fn try_write(&self, data: &[u8]) -> io::Result<usize> {
        loop {
            match self.fd()?.get_ref().write(data) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }

    /// Writes all of `data`.
    pub async fn write_all(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            match self.write(data).await? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => data = &data[n..],
            }
        }
        Ok(())
    }

    /// Waits until the socket accepts more bytes, registered for writable
    /// edges only for the duration of the wait. (Registering adds an event
    /// at once if the condition already holds, so no edge is lost.)
    async fn wait_writable(&mut self) -> io::Result<()> {
        self.reregister(Interest::READABLE | Interest::WRITABLE)?;
        let waited = self
            .fd()?
            .writable()
            .await
            .map(|mut guard| guard.clear_ready());
        self.reregister(Interest::READABLE)?;
        waited
    }

    fn reregister(&mut self, interest: Interest) -> io::Result<()> {
        let inner = self
            .fd
            .take()
            .ok_or(io::ErrorKind::NotConnected)?
            .into_inner();
        self.fd = Some(register(inner, interest)?);
        Ok(())
    }
}

/// Registers an owned stream with the reactor.
fn register(stream: StdTcpStream, interest: Interest) -> io::Result<AsyncFd<StdTcpStream>> {
    // SAFETY: the AsyncFd owns the stream, so its descriptor stays open and
    // the same until the AsyncFd is dropped or `into_inner` returns it.
    unsafe { AsyncFd::register_with_interest(stream, interest) }.map_err(|e| e.into_parts().1)
}

impl AsRawFd for ClientSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_ref().map_or(-1, |fd| fd.get_ref().as_raw_fd())
    }
}
