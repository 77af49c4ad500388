//! Where the AOF meets RDB: loading a base file's RDB image into the
//! keyspace and writing the keyspace as a base file. The conversions
//! between `rkv_rdb::Value` and the server's values belong to the RDB
//! persistence work; these two functions are the only places the AOF
//! needs them, and are wired to those conversions when both branches meet.
//! Until then they handle the empty image (what a fresh start writes)
//! and refuse anything else with a clear error.

use std::io::{self, BufRead, Read, Write};

use rkv_rdb::{Item, RdbReader, RdbWriter, WriteOptions};

use crate::server::{Server, REDIS_VERSION};

/// Loads the RDB image at the start of `input` into `srv`'s keyspace,
/// consuming exactly its bytes; returns its length.
///
/// Wired at merge to the RDB loader of the persistence work: for now an
/// image holding keys or functions is refused (start-up stops, naming the
/// file), an empty one is accepted.
pub fn load_rdb_into_keyspace(_srv: &mut Server, input: &mut dyn BufRead) -> Result<u64, String> {
    let mut reader = RdbReader::new(ByteAtATime(input)).map_err(|e| e.to_string())?;
    loop {
        match reader.next_item().map_err(|e| e.to_string())? {
            Some(Item::End { .. }) | None => return Ok(reader.offset()),
            Some(Item::Key(_)) | Some(Item::Function { .. }) => {
                return Err("this build cannot load keys from an RDB base file yet \
                     (RDB loading is wired when the RDB persistence work is merged)"
                    .to_string())
            }
            Some(_) => {}
        }
    }
}

/// Writes `srv`'s keyspace as an RDB base file (Redis marks it with the
/// `aof-base` aux field) to `out`.
///
/// Wired at merge to the RDB writer of the persistence work: for now only
/// an empty keyspace can be written; otherwise an error says so.
pub fn write_keyspace_rdb(srv: &Server, out: &mut dyn Write) -> Result<(), String> {
    if srv.total_keys() > 0 || !srv.scripting.functions.libraries().is_empty() {
        return Err(
            "writing a non-empty keyspace as an RDB base is wired when the RDB \
             persistence work is merged"
                .to_string(),
        );
    }
    write_empty_base(out).map_err(|e| e.to_string())
}

/// An RDB image with no keys and the aux fields Redis writes in a base.
fn write_empty_base(out: &mut dyn Write) -> io::Result<()> {
    let mut w = RdbWriter::new(out, WriteOptions::default())?;
    w.write_aux(b"redis-ver", REDIS_VERSION.as_bytes())?;
    w.write_aux(b"redis-bits", b"64")?;
    let now = crate::server::unix_ms() / 1000;
    w.write_aux(b"ctime", now.to_string().as_bytes())?;
    let used = crate::memory::allocator_stats().allocated;
    w.write_aux(b"used-mem", used.to_string().as_bytes())?;
    w.write_aux(b"aof-base", b"1")?;
    w.finish()?;
    Ok(())
}

/// Reads one byte at a time, so the RDB reader never takes bytes past
/// the image's end from the buffered input (the command tail follows).
struct ByteAtATime<'a>(&'a mut dyn BufRead);

impl Read for ByteAtATime<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let available = self.0.fill_buf()?;
        if available.is_empty() {
            return Ok(0);
        }
        buf[0] = available[0];
        self.0.consume(1);
        Ok(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_base_round_trips() {
        let mut image = Vec::new();
        write_empty_base(&mut image).unwrap();
        assert!(image.starts_with(b"REDIS0010"));
        image.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
        let mut srv = Server::new(crate::config::Config::from_args(&[]).unwrap());
        let mut input = io::BufReader::new(&image[..]);
        let len = load_rdb_into_keyspace(&mut srv, &mut input).unwrap();
        assert_eq!(&image[len as usize..], b"*1\r\n$4\r\nPING\r\n");
    }
}
