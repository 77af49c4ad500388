//! Start-up and shutdown of the real binary: configuration errors name the
//! file, line and reason; a config file and `--name value` overrides are
//! honoured; `logfile`/`loglevel` work; SIGTERM shuts down cleanly.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rkv_tests::free_port::free_port;
use rkv_tests::rkv_binary::rkv_server_path;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rkv-startup-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ping(port: u16) -> Option<Vec<u8>> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    s.write_all(b"PING\r\n").ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    Some(buf[..n].to_vec())
}

fn wait_up(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if ping(port).is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server on port {port} did not come up");
}

#[test]
fn bad_directive_names_file_line_and_reason() {
    let dir = scratch("bad");
    let conf = dir.join("bad.conf");
    std::fs::write(&conf, "# comment\nport 7000\nbogus-directive yes\n").unwrap();
    let out = Command::new(rkv_server_path()).arg(&conf).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.conf:3"), "{err}");
    assert!(err.contains("bogus-directive"), "{err}");

    std::fs::write(&conf, "port 99999\n").unwrap();
    let out = Command::new(rkv_server_path()).arg(&conf).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.conf:1") && err.contains("65535"), "{err}");
}

#[test]
fn bad_override_is_refused() {
    let out = Command::new(rkv_server_path())
        .args(["--hz", "abc"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("hz"));
}

#[test]
fn config_file_overrides_logfile_and_sigterm() {
    let dir = scratch("good");
    let port = free_port();
    let conf = dir.join("rkv.conf");
    let log = dir.join("rkv.log");
    std::fs::write(
        &conf,
        format!(
            "port 1\nbind 127.0.0.1\nloglevel verbose\nlogfile \"{}\"\n",
            log.display()
        ),
    )
    .unwrap();
    let mut child = Command::new(rkv_server_path())
        .arg(&conf)
        .args(["--port", &port.to_string(), "--loglevel", "warning"])
        // SIGTERM saves a dump (default save points) into `dir`, i.e. here.
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_up(port);
    assert_eq!(ping(port).unwrap(), b"+PONG\r\n");
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "server ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "exit status {status:?}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("Received SIGTERM"), "{text}");
    assert!(text.contains("bye bye"), "{text}");
    // loglevel warning from the command line beat the file's verbose: no
    // notice ('*') lines.
    assert!(!text.lines().any(|l| l.contains(" * ")), "{text}");
}
