//! A small blocking client: enough for tools and tests to talk to a server.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use thiserror::Error;

use crate::error::ProtocolError;
use crate::frame::{encode_command, parse_frame, Frame};

/// What can go wrong talking to a server.
#[derive(Debug, Error)]
pub enum ClientError {
    /// The socket failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The server sent something that is not RESP.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// The server closed the connection.
    #[error("connection closed by server")]
    Closed,
}

/// A byte stream a [`Client`] can run over: TCP here, TLS in `rkv-tls`.
pub trait Transport: Read + Write + Send {
    /// Sets how long a read may wait before failing (None waits forever).
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
}

impl Transport for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

/// A blocking connection to a RESP server.
pub struct Client {
    stream: Box<dyn Transport>,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Connects to `addr` (e.g. `"127.0.0.1:6379"`).
    pub fn connect(addr: impl ToSocketAddrs) -> Result<Self, ClientError> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        Ok(Client::over(stream))
    }

    /// A client on a stream that is already connected (e.g. a TLS session).
    pub fn over(stream: impl Transport + 'static) -> Self {
        Client {
            stream: Box::new(stream),
            buf: Vec::with_capacity(16 * 1024),
        }
    }

    /// Sets how long a read may wait before failing.
    pub fn set_timeout(&self, timeout: Option<Duration>) -> Result<(), ClientError> {
        self.stream.set_read_timeout(timeout)?;
        Ok(())
    }

    /// Sends a command and reads its reply.
    pub fn cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Frame, ClientError> {
        self.send_raw(&encode_command(args))?;
        self.read_frame()
    }

    /// Writes raw bytes.
    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), ClientError> {
        self.stream.write_all(bytes)?;
        // A TLS session may hold back the last record until flushed.
        self.stream.flush()?;
        Ok(())
    }

    /// Reads one reply and returns its raw bytes.
    pub fn read_raw(&mut self) -> Result<Vec<u8>, ClientError> {
        loop {
            if let Some(len) = crate::frame::check_frame(&self.buf)? {
                return Ok(self.buf.drain(..len).collect());
            }
            self.fill()?;
        }
    }

    /// Reads one reply.
    pub fn read_frame(&mut self) -> Result<Frame, ClientError> {
        loop {
            if let Some((frame, len)) = parse_frame(&self.buf)? {
                self.buf.drain(..len);
                return Ok(frame);
            }
            self.fill()?;
        }
    }

    fn fill(&mut self) -> Result<(), ClientError> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(ClientError::Closed);
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A transport that replays canned server bytes and records what the
    /// client wrote.
    struct Canned {
        replies: io::Cursor<Vec<u8>>,
        written: Arc<Mutex<Vec<u8>>>,
    }

    impl Read for Canned {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.replies.read(buf)
        }
    }

    impl Write for Canned {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Transport for Canned {
        fn set_read_timeout(&self, _timeout: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_client_runs_over_any_transport() {
        let written = Arc::new(Mutex::new(Vec::new()));
        let mut client = Client::over(Canned {
            replies: io::Cursor::new(b"+PONG\r\n:7\r\n".to_vec()),
            written: Arc::clone(&written),
        });
        assert_eq!(client.cmd(&["PING"]).unwrap(), Frame::Simple("PONG".into()));
        assert_eq!(client.cmd(&["INCR", "k"]).unwrap(), Frame::Integer(7));
        assert_eq!(
            written.lock().unwrap().as_slice(),
            b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n"
        );
        assert!(matches!(client.cmd(&["PING"]), Err(ClientError::Closed)));
    }
}
