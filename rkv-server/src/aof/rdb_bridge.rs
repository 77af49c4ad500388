//! Where the AOF meets RDB: loading a base file's RDB image into the
//! keyspace and writing the keyspace as a base file, through the RDB
//! persistence code (`crate::persistence`).

use std::io::{self, BufRead, Read, Write};

use rkv_rdb::{RdbWriter, WriteOptions};

use crate::persistence::convert::Limits;
use crate::persistence::load::{install_functions, DumpLoader};

use crate::server::{Server, REDIS_VERSION};

/// Loads the RDB image at the start of `input` into `srv`'s keyspace (and
/// its function libraries), consuming exactly its bytes; returns its
/// length.
pub fn load_rdb_into_keyspace(srv: &mut Server, input: &mut dyn BufRead) -> Result<u64, String> {
    let limits = Limits::from_config(&srv.config);
    let mut loader = DumpLoader::from_reader(
        ByteAtATime(input),
        limits,
        srv.config.rdbchecksum,
        srv.now_ms,
    )?;
    while !loader.step(&mut srv.dbs, usize::MAX)? {}
    install_functions(srv, &loader.stats.functions)?;
    Ok(loader.loaded_bytes())
}

/// Writes `srv`'s keyspace as an RDB base file to `out`.
pub fn write_keyspace_rdb(srv: &Server, out: &mut dyn Write) -> Result<(), String> {
    if srv.total_keys() == 0 && srv.scripting.functions.libraries().is_empty() {
        return write_empty_base(out).map_err(|e| e.to_string());
    }
    let params = crate::persistence::saving::params(srv);
    crate::persistence::snapshot::write_rdb(&srv.dbs, &params, out)
        .map(|_| ())
        .map_err(|e| e.to_string())
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
