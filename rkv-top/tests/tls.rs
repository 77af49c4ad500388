//! `rkv-top --once` over TLS against Debian's redis-server on its TLS port,
//! with certificates made for the test: INFO is read through `--tls` and
//! through a `rediss://` URI, a client certificate is presented, and a CA
//! that did not sign the server's certificate is reported clearly. Skipped
//! without redis-server or openssl.

use assert_cmd::cargo::cargo_bin_cmd;
use rkv_tests::server::redis_server_available;
use rkv_tests::tls::{tls_redis_server, TestCertificates};
use serde_json::Value;

/// Runs `rkv-top --once --json` with `args`; the exit code and the document.
fn once_json(args: &[&str]) -> (Option<i32>, Value) {
    let output = cargo_bin_cmd!("rkv-top")
        .args(["--once", "--json", "--interval", "100ms"])
        .args(args)
        .output()
        .expect("run rkv-top");
    let doc = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: not JSON:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), doc)
}

#[test]
fn info_is_read_over_tls_and_a_wrong_ca_is_reported() {
    if !redis_server_available() {
        eprintln!("skipped: redis-server is not installed");
        return;
    }
    let (Some(certs), Some(other)) = (
        TestCertificates::generate("top-server"),
        TestCertificates::generate("top-other-ca"),
    ) else {
        eprintln!("skipped: openssl could not make test certificates");
        return;
    };
    // The server asks for a client certificate: rkv-top must present one.
    let (_server, port) = tls_redis_server(&certs, "yes");
    let port = port.to_string();
    let (ca, cert, key) = (
        certs.arg("ca.crt"),
        certs.arg("client.crt"),
        certs.arg("client.key"),
    );
    let client_identity = ["--cert", cert.as_str(), "--key", key.as_str()];

    let mut flags = vec!["--tls", "--cacert", &ca, "--sni", "localhost", "-p", &port];
    flags.extend(client_identity);
    let (code, doc) = once_json(&flags);
    let instance = &doc["instances"][0];
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(instance["status"], "up", "{doc:#}");
    assert_eq!(instance["figures"]["version"], "7.0.15");
    assert_eq!(instance["figures"]["role"], "master");
    assert_eq!(instance["latency"]["samples"], 6, "PINGs went over TLS");

    let uri = format!("rediss://127.0.0.1:{port}");
    let mut flags = vec!["-u", uri.as_str(), "--cacert", &ca];
    flags.extend(client_identity);
    let (code, doc) = once_json(&flags);
    assert_eq!(code, Some(0), "{doc:#}");
    assert_eq!(doc["instances"][0]["status"], "up", "{doc:#}");
    assert_eq!(doc["instances"][0]["address"], format!("127.0.0.1:{port}"));

    let wrong_ca = other.arg("ca.crt");
    let mut flags = vec!["--tls", "--cacert", &wrong_ca, "-p", &port];
    flags.extend(client_identity);
    let (code, doc) = once_json(&flags);
    assert_eq!(code, Some(1), "{doc:#}");
    let instance = &doc["instances"][0];
    assert_eq!(instance["status"], "down", "{doc:#}");
    assert_eq!(
        instance["error"], "TLS handshake failed: certificate verify failed",
        "{doc:#}"
    );
}

#[test]
fn the_text_screen_names_a_failed_handshake() {
    if !redis_server_available() {
        eprintln!("skipped: redis-server is not installed");
        return;
    }
    let Some(certs) = TestCertificates::generate("top-screen") else {
        eprintln!("skipped: openssl could not make test certificates");
        return;
    };
    let (_server, port) = tls_redis_server(&certs, "no");
    // Without --cacert the system bundle is used, which does not know the
    // test CA.
    let output = cargo_bin_cmd!("rkv-top")
        .args(["--once", "--tls", "--interval", "10ms", "-p"])
        .arg(port.to_string())
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert!(
        text.contains("TLS handshake failed: certificate verify failed"),
        "{text}"
    );
}
