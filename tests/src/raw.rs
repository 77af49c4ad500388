//! A raw TCP connection for byte-exact protocol tests.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use rkv_proto::{check_frame, encode_command};

use crate::escape::escape_bytes;

/// How long a read may block before the test fails instead of hanging CI.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A client socket that sends bytes verbatim and hands back replies verbatim.
pub struct RawConnection {
    stream: TcpStream,
    /// Bytes received but not yet returned as part of a reply.
    pending: Vec<u8>,
}

/// What the server did after it was expected to close the connection.
#[derive(Debug, PartialEq, Eq)]
pub enum CloseOutcome {
    /// The peer closed (EOF or reset) with no further bytes.
    Closed,
    /// The peer sent more bytes instead of closing.
    SentMore(Vec<u8>),
}

impl RawConnection {
    /// Connects to `127.0.0.1:port` with [`READ_TIMEOUT`] on reads.
    pub fn connect(port: u16) -> std::io::Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(READ_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(RawConnection {
            stream,
            pending: Vec::new(),
        })
    }

    /// Writes `bytes` as-is.
    #[track_caller]
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("writing {} to server: {e}", escape_bytes(bytes)));
    }

    /// Sends `args` encoded as a RESP array of bulk strings (what real
    /// clients send).
    pub fn send_command<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        self.send(&encode_command(args));
    }

    /// Reads exactly one complete reply and returns its raw bytes; panics on
    /// timeout, on a closed connection, or on a malformed frame.
    #[track_caller]
    pub fn read_reply(&mut self) -> Vec<u8> {
        match self.try_read_reply() {
            Ok(reply) => reply,
            Err(e) => panic!("reading a reply: {e}"),
        }
    }

    /// Like [`read_reply`](Self::read_reply) but reports failures instead of
    /// panicking.
    pub fn try_read_reply(&mut self) -> Result<Vec<u8>, String> {
        loop {
            match check_frame(&self.pending) {
                Ok(Some(len)) => return Ok(self.pending.drain(..len).collect()),
                Ok(None) => {}
                Err(e) => return Err(format!("{e} in {}", escape_bytes(&self.pending))),
            }
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    return Err(format!(
                        "connection closed; partial reply {}",
                        escape_bytes(&self.pending)
                    ))
                }
                Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => {
                    return Err(format!(
                        "no complete reply within {READ_TIMEOUT:?}; got {}",
                        escape_bytes(&self.pending)
                    ))
                }
                Err(e) => return Err(format!("read error: {e}")),
            }
        }
    }

    /// Sends `args` as a command and reads its one reply.
    #[track_caller]
    pub fn command<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Vec<u8> {
        self.send_command(args);
        self.read_reply()
    }

    /// Waits (up to [`READ_TIMEOUT`]) for the server to close the connection.
    #[track_caller]
    pub fn wait_closed(&mut self) -> CloseOutcome {
        if !self.pending.is_empty() {
            return CloseOutcome::SentMore(std::mem::take(&mut self.pending));
        }
        let mut chunk = [0u8; 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return CloseOutcome::Closed,
                Ok(n) => return CloseOutcome::SentMore(chunk[..n].to_vec()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => {
                    panic!("server did not close the connection within {READ_TIMEOUT:?}")
                }
                Err(_) => return CloseOutcome::Closed,
            }
        }
    }

    /// Closes the connection abruptly, without a QUIT.
    pub fn abort(self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// Socket read timeouts surface as `WouldBlock` on Unix, `TimedOut` elsewhere.
fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}
