//! TLS against redis-server's TLS port, compared with redis-cli: CA file,
//! system roots, --insecure, rediss:// URIs, client certificates and
//! --pipe over TLS. Skipped without openssl or redis-server.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use rkv_tests::free_port::free_port;
use rkv_tests::server::{redis_server_available, ServerKind, ServerProcess};
use support::{run, Client};

/// Runs openssl with `args` in `dir`; false when it is missing or fails.
fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A throwaway CA with a server certificate for 127.0.0.1 and a client
/// certificate, all v3.
fn make_certificates(label: &str) -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("rkv-cli-tls-{}-{label}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).ok()?;
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .ok()?;
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").ok()?;
    let steps: &[&[&str]] = &[
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=rkv test CA",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "client.key",
            "-out",
            "client.csr",
            "-subj",
            "/CN=client",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "client.crt",
            "-days",
            "2",
            "-extfile",
            "client.ext",
        ],
    ];
    for step in steps {
        if !openssl(&dir, step) {
            return None;
        }
    }
    Some(dir)
}

/// redis-server with a TLS port besides its plain one.
fn tls_server(certs: &Path, auth_clients: &str) -> (ServerProcess, u16) {
    let tls_port = free_port();
    let path = |name: &str| certs.join(name).to_str().unwrap().to_string();
    let (cert, key, ca) = (path("server.crt"), path("server.key"), path("ca.crt"));
    let server = ServerProcess::start_with_args(
        ServerKind::Redis,
        &[
            "--tls-port",
            &tls_port.to_string(),
            "--tls-cert-file",
            &cert,
            "--tls-key-file",
            &key,
            "--tls-ca-cert-file",
            &ca,
            "--tls-auth-clients",
            auth_clients,
        ],
    );
    (server, tls_port)
}

fn same(port: u16, args: &[&str], stdin: &[u8]) -> support::Run {
    let ours = run(Client::Rkv, port, args, stdin);
    let theirs = run(Client::Redis, port, args, stdin);
    assert_eq!(ours, theirs, "rkv-cli and redis-cli differ for {args:?}");
    ours
}

#[test]
fn tls_connections_behave_like_redis_cli() {
    if !redis_server_available() || !rkv_tests::cli::redis_cli_available() {
        eprintln!("skipping: redis-server / redis-cli not installed");
        return;
    }
    let Some(certs) = make_certificates("server") else {
        eprintln!("skipping: openssl could not make test certificates");
        return;
    };
    let ca = certs.join("ca.crt");
    let ca = ca.to_str().unwrap();
    let (server, port) = tls_server(&certs, "no");
    drop(server.raw());

    let ok = same(port, &["--tls", "--cacert", ca, "PING"], b"");
    assert_eq!(ok.stdout, "PONG\n");
    same(
        port,
        &["--tls", "--cacert", ca, "--no-raw", "SET", "k", "v"],
        b"",
    );
    same(
        port,
        &["--tls", "--cacert", ca, "--sni", "localhost", "GET", "k"],
        b"",
    );
    same(port, &["--tls", "--insecure", "GET", "k"], b"");
    let refused = same(port, &["--tls", "PING"], b"");
    assert!(
        refused.stderr.contains("certificate verify failed"),
        "{}",
        refused.stderr
    );
    let uri = format!("rediss://127.0.0.1:{port}/0");
    same(port, &["-u", &uri, "--cacert", ca, "GET", "k"], b"");

    let mut input = Vec::new();
    for i in 0..500 {
        input.extend(format!("*3\r\n$3\r\nSET\r\n$4\r\nk{i:03}\r\n$1\r\nv\r\n").into_bytes());
    }
    let piped = same(port, &["--tls", "--cacert", ca, "--pipe"], &input);
    assert!(
        piped.stdout.ends_with("errors: 0, replies: 500\n"),
        "{}",
        piped.stdout
    );
    let _ = std::fs::remove_dir_all(&certs);
}

#[test]
fn client_certificates_are_presented() {
    if !redis_server_available() {
        eprintln!("skipping: redis-server not installed");
        return;
    }
    let Some(certs) = make_certificates("client") else {
        eprintln!("skipping: openssl could not make test certificates");
        return;
    };
    let file = |name: &str| certs.join(name).to_str().unwrap().to_string();
    let (ca, cert, key) = (file("ca.crt"), file("client.crt"), file("client.key"));
    let (_server, port) = tls_server(&certs, "yes");
    let with_cert = run(
        Client::Rkv,
        port,
        &[
            "--tls", "--cacert", &ca, "--cert", &cert, "--key", &key, "PING",
        ],
        b"",
    );
    assert_eq!(with_cert.stdout, "PONG\n", "{}", with_cert.stderr);
    let without = run(Client::Rkv, port, &["--tls", "--cacert", &ca, "PING"], b"");
    assert_eq!(without.status, Some(1));
    assert!(without.stdout.is_empty());
    let _ = std::fs::remove_dir_all(&certs);
}
