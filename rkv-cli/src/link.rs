//! One connection to a server: TCP or Unix socket, RESP framing on top,
//! and the AUTH / SELECT / HELLO handshake redis-cli performs.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rkv_proto::{check_frame, encode_command, parse_frame, Frame, ProtocolError};

use crate::target::{Resp3, Target};
use rkv_tls::{TlsError, TlsStream};

/// What went wrong on a connection.
#[derive(Debug)]
pub enum LinkError {
    /// The socket failed.
    Io(io::Error),
    /// The server closed the connection.
    Closed,
    /// The server sent something that is not RESP.
    Protocol(ProtocolError),
    /// The user pressed Ctrl-C while waiting for a reply.
    Interrupted,
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::Io(e) => f.write_str(&os_message(e)),
            LinkError::Closed => f.write_str("Server closed the connection"),
            LinkError::Protocol(e) => write!(f, "{e}"),
            LinkError::Interrupted => f.write_str("Interrupted"),
        }
    }
}

impl From<io::Error> for LinkError {
    fn from(e: io::Error) -> Self {
        LinkError::Io(e)
    }
}

/// The message of an OS error without Rust's " (os error N)" suffix, as
/// `strerror` words it.
pub fn os_message(e: &io::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    };
    // Name resolution errors carry the resolver's message after this.
    match text.strip_prefix("failed to lookup address information: ") {
        Some(reason) => reason.to_string(),
        None => text,
    }
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
    Tls(Box<TlsStream>),
}

impl Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.write_all(buf),
            Stream::Unix(s) => s.write_all(buf),
            Stream::Tls(s) => s.write_all(buf).and_then(|()| s.flush()),
        }
    }

    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_read_timeout(t),
            Stream::Unix(s) => s.set_read_timeout(t),
            Stream::Tls(s) => s.set_read_timeout(t),
        }
    }
}

/// A connection with its read buffer.
pub struct Link {
    stream: Stream,
    buf: Vec<u8>,
    /// Bytes of `buf` already handed out.
    consumed: usize,
    /// Inside an interruptible read: EINTR goes back to the caller.
    polling: bool,
}

/// How often a blocking read wakes up to check for Ctrl-C.
const INTERRUPT_POLL: Duration = Duration::from_millis(100);

impl Link {
    /// Opens the socket, with TLS when the target asks for it (no RESP
    /// handshake yet).
    pub fn open(target: &Target) -> Result<Link, OpenError> {
        let stream = match &target.socket {
            Some(path) => Stream::Unix(UnixStream::connect(path).map_err(OpenError::Io)?),
            None => {
                let s = TcpStream::connect((target.host.as_str(), target.port))
                    .map_err(OpenError::Io)?;
                s.set_nodelay(true).map_err(OpenError::Io)?;
                if target.tls {
                    let tls = rkv_tls::wrap(s, &target.host, &target.tls_options)
                        .map_err(OpenError::Tls)?;
                    Stream::Tls(Box::new(tls))
                } else {
                    Stream::Tcp(s)
                }
            }
        };
        Ok(Link {
            stream,
            buf: Vec::with_capacity(16 * 1024),
            consumed: 0,
            polling: false,
        })
    }

    /// Sends one command.
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<(), LinkError> {
        self.stream.write_all(&encode_command(args))?;
        Ok(())
    }

    /// Writes bytes as they are.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), LinkError> {
        self.stream.write_all(bytes)?;
        Ok(())
    }

    /// Sends a command and reads its reply.
    pub fn call<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Frame, LinkError> {
        self.send(args)?;
        self.read_frame()
    }

    /// Reads one reply, waiting as long as it takes.
    pub fn read_frame(&mut self) -> Result<Frame, LinkError> {
        loop {
            if let Some(frame) = self.parse_buffered()? {
                return Ok(frame);
            }
            self.fill()?;
        }
    }

    /// Reads one reply, giving up with [`LinkError::Interrupted`] once
    /// `cancel` is set.
    pub fn read_frame_interruptible(&mut self, cancel: &AtomicBool) -> Result<Frame, LinkError> {
        self.stream.set_read_timeout(Some(INTERRUPT_POLL))?;
        self.polling = true;
        let result = loop {
            match self.parse_buffered() {
                Ok(Some(frame)) => break Ok(frame),
                Ok(None) => {}
                Err(e) => break Err(e),
            }
            if cancel.load(Ordering::SeqCst) {
                break Err(LinkError::Interrupted);
            }
            match self.fill() {
                Ok(()) => {}
                Err(LinkError::Io(e))
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => break Err(e),
            }
        };
        self.polling = false;
        let _ = self.stream.set_read_timeout(None);
        result
    }

    /// A reply already in the buffer, if a whole one is there.
    pub fn parse_buffered(&mut self) -> Result<Option<Frame>, LinkError> {
        match parse_frame(&self.buf[self.consumed..]).map_err(LinkError::Protocol)? {
            Some((frame, len)) => {
                self.consumed += len;
                if self.consumed == self.buf.len() {
                    self.buf.clear();
                    self.consumed = 0;
                }
                Ok(Some(frame))
            }
            None => Ok(None),
        }
    }

    /// Takes one whole reply already in the buffer without building it
    /// (`--pipe` counts a million of them): its raw bytes, valid until the
    /// next read.
    pub fn take_raw_buffered(&mut self) -> Result<Option<&[u8]>, LinkError> {
        let start = self.consumed;
        match check_frame(&self.buf[start..]).map_err(LinkError::Protocol)? {
            Some(len) => {
                self.consumed += len;
                Ok(Some(&self.buf[start..start + len]))
            }
            None => Ok(None),
        }
    }

    /// Reads whatever the socket has into the buffer.
    pub fn fill(&mut self) -> Result<(), LinkError> {
        if self.consumed > 0 {
            self.buf.drain(..self.consumed);
            self.consumed = 0;
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = loop {
            match self.stream.read(&mut chunk) {
                // Interrupted reads are retried unless a timeout is set,
                // in which case the caller decides (Ctrl-C polling).
                Err(e) if e.kind() == io::ErrorKind::Interrupted && !self.polling => continue,
                other => break other?,
            }
        };
        if n == 0 {
            return Err(LinkError::Closed);
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// Reads up to `max` raw bytes, buffered ones first (for SYNC payloads).
    pub fn read_raw(&mut self, max: usize) -> Result<Vec<u8>, LinkError> {
        if self.consumed < self.buf.len() {
            let end = self.buf.len().min(self.consumed + max);
            let out = self.buf[self.consumed..end].to_vec();
            self.consumed = end;
            if self.consumed == self.buf.len() {
                self.buf.clear();
                self.consumed = 0;
            }
            return Ok(out);
        }
        let mut chunk = vec![0u8; max.min(64 * 1024)];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(LinkError::Closed);
        }
        chunk.truncate(n);
        Ok(chunk)
    }

    /// Reads one line ending in `\n` byte by byte (the SYNC header); like
    /// redis-cli, only the `\n` is dropped.
    pub fn read_line(&mut self) -> Result<Vec<u8>, LinkError> {
        let mut line = Vec::new();
        loop {
            let byte = self.read_raw(1)?;
            if byte[0] == b'\n' {
                if line.is_empty() {
                    // Keep-alive newlines before the header are skipped.
                    continue;
                }
                return Ok(line);
            }
            line.push(byte[0]);
        }
    }

    /// Sets a read timeout (None waits forever).
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.stream.set_read_timeout(timeout)
    }

    /// A second handle on the socket for writing from another thread.
    pub fn writer(&self) -> io::Result<Box<dyn Write + Send>> {
        Ok(match &self.stream {
            Stream::Tcp(s) => Box::new(s.try_clone()?),
            Stream::Unix(s) => Box::new(s.try_clone()?),
            Stream::Tls(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "a TLS session has a single writer",
                ))
            }
        })
    }
}

/// Why a socket could not be opened.
pub enum OpenError {
    /// Connecting failed.
    Io(io::Error),
    /// TLS could not be set up, locally or with the server.
    Tls(TlsError),
}

/// Why connecting failed, worded for the user.
pub enum ConnectError {
    /// The socket could not be opened: "Could not connect to Redis at ...".
    Unreachable(String),
    /// The socket is open but AUTH, SELECT or HELLO was refused ("AUTH
    /// failed: ..."); redis-cli keeps such a connection for later commands.
    Handshake(String, Option<Link>),
}

/// Opens a connection and runs AUTH, SELECT and HELLO 3 as `target` asks.
pub fn connect(target: &Target) -> Result<Link, ConnectError> {
    let place = match &target.socket {
        Some(path) => path.display().to_string(),
        None => target.address(),
    };
    let mut link = Link::open(target).map_err(|e| match e {
        OpenError::Io(e) => ConnectError::Unreachable(format!(
            "Could not connect to Redis at {place}: {}",
            os_message(&e)
        )),
        // A refused handshake is a failed connection; a bad local setup
        // (unreadable certificate files) is a failed negotiation.
        OpenError::Tls(e @ TlsError::Handshake(_)) => {
            ConnectError::Unreachable(format!("Could not connect to Redis at {place}: {e}"))
        }
        OpenError::Tls(e @ TlsError::Setup(_)) => {
            ConnectError::Unreachable(format!("Could not negotiate a TLS connection: {e}"))
        }
    })?;
    let io_error = |_| ConnectError::Handshake("\nI/O error".into(), None);
    if let Some(password) = &target.password {
        let reply = match &target.user {
            Some(user) => link.call(&["AUTH", user.as_str(), password.as_str()]),
            None => link.call(&["AUTH", password.as_str()]),
        }
        .map_err(io_error)?;
        if let Frame::Error(e) = reply {
            return Err(ConnectError::Handshake(
                format!("AUTH failed: {e}"),
                Some(link),
            ));
        }
    }
    if target.db != 0 {
        let db = target.db.to_string();
        if let Frame::Error(e) = link.call(&["SELECT", db.as_str()]).map_err(io_error)? {
            return Err(ConnectError::Handshake(
                format!("SELECT {} failed: {e}", target.db),
                Some(link),
            ));
        }
    }
    if target.resp3 != Resp3::No {
        if let Frame::Error(e) = link.call(&["HELLO", "3"]).map_err(io_error)? {
            let message = format!("HELLO 3 failed: {e}");
            if target.resp3 == Resp3::Required {
                return Err(ConnectError::Handshake(message, Some(link)));
            }
            eprintln!("{message}");
        }
    }
    Ok(link)
}
