//! TLS against redis-server's TLS port, compared with redis-cli: CA file,
//! system roots, --insecure, rediss:// URIs, client certificates and
//! --pipe over TLS. Skipped without openssl or redis-server.

mod support;

use rkv_tests::server::redis_server_available;
use rkv_tests::tls::{tls_redis_server, TestCertificates};
use support::{run, Client};

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
    let Some(certs) = TestCertificates::generate("cli-server") else {
        eprintln!("skipping: openssl could not make test certificates");
        return;
    };
    let ca = certs.arg("ca.crt");
    let ca = ca.as_str();
    let (_server, port) = tls_redis_server(&certs, "no");

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
}

#[test]
fn client_certificates_are_presented() {
    if !redis_server_available() {
        eprintln!("skipping: redis-server not installed");
        return;
    }
    let Some(certs) = TestCertificates::generate("cli-client") else {
        eprintln!("skipping: openssl could not make test certificates");
        return;
    };
    let file = |name: &str| certs.arg(name);
    let (ca, cert, key) = (file("ca.crt"), file("client.crt"), file("client.key"));
    let (_server, port) = tls_redis_server(&certs, "yes");
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
}
