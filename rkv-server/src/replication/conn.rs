//! The socket to the master with its input buffer: reading lines and
//! chunks with `repl-timeout`, writing commands.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// Read granularity.
pub(super) const READ_CHUNK: usize = 16 * 1024;

/// The socket to the master with its input buffer.
pub(super) struct Conn {
    /// Read half.
    pub rd: OwnedReadHalf,
    /// Write half.
    pub wr: OwnedWriteHalf,
    /// Bytes read and not consumed yet.
    pub buf: Vec<u8>,
    /// `repl-timeout`: longest wait for the master during the handshake
    /// and the transfer.
    pub timeout: Duration,
}

impl Conn {
    /// Reads more bytes into `buf`; an error when the master closed or
    /// said nothing for `repl-timeout`.
    pub async fn fill(&mut self) -> Result<usize, String> {
        self.buf.reserve(READ_CHUNK);
        match tokio::time::timeout(self.timeout, self.rd.read_buf(&mut self.buf)).await {
            Err(_) => Err("Timeout receiving data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.".to_string()),
            Ok(Ok(0)) => Err("Master closed the connection".to_string()),
            Ok(Ok(n)) => Ok(n),
            Ok(Err(e)) => Err(format!("I/O error reading from MASTER: {e}")),
        }
    }

    /// Reads one line (without its line ending).
    pub async fn read_line(&mut self) -> Result<Vec<u8>, String> {
        loop {
            if let Some(at) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=at).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            self.fill().await?;
        }
    }

    /// Reads lines until one is not empty (skipping keep-alive newlines).
    pub async fn read_nonempty_line(&mut self) -> Result<Vec<u8>, String> {
        loop {
            let line = self.read_line().await?;
            if !line.is_empty() {
                return Ok(line);
            }
        }
    }

    /// Writes `bytes` in full.
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        match tokio::time::timeout(self.timeout, self.wr.write_all(bytes)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("Error writing to MASTER: {e}")),
            Err(_) => Err("Timeout writing to MASTER".to_string()),
        }
    }

    /// Sends a command and reads its one-line reply.
    pub async fn command<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> Result<Vec<u8>, String> {
        self.send(&rkv_proto::encode_command(argv)).await?;
        self.read_nonempty_line().await
    }
}
