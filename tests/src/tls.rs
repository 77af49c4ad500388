//! TLS test material: a throwaway CA with server and client certificates
//! made by the `openssl` command, and Debian's redis-server listening on a
//! TLS port with them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::free_port::free_port;
use crate::server::{ServerKind, ServerProcess};

/// A directory holding `ca.crt`/`ca.key`, `server.crt`/`server.key` (for
/// `localhost` and 127.0.0.1) and `client.crt`/`client.key` (client
/// authentication), all signed by the CA; removed on drop.
#[derive(Debug)]
pub struct TestCertificates {
    dir: PathBuf,
}

/// The `openssl` invocations that make the certificates, in order.
const STEPS: &[&[&str]] = &[
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

impl TestCertificates {
    /// Makes a fresh set in a temporary directory named after `label` (unique
    /// per test process); None when `openssl` is missing or fails.
    pub fn generate(label: &str) -> Option<TestCertificates> {
        let dir = std::env::temp_dir().join(format!("rkv-tls-{}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).ok()?;
        let certs = TestCertificates { dir };
        // rustls accepts only v3 certificates with the names in SANs.
        std::fs::write(
            certs.path("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .ok()?;
        std::fs::write(certs.path("client.ext"), "extendedKeyUsage=clientAuth\n").ok()?;
        for step in STEPS {
            let made = Command::new("openssl")
                .args(*step)
                .current_dir(&certs.dir)
                .output()
                .is_ok_and(|o| o.status.success());
            if !made {
                return None;
            }
        }
        Some(certs)
    }

    /// The full path of one file of the set, e.g. `path("ca.crt")`.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// [`path`](Self::path) as a string, for command lines.
    pub fn arg(&self, name: &str) -> String {
        self.path(name).to_str().expect("UTF-8 temp dir").to_owned()
    }

    /// The directory holding the set.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for TestCertificates {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Debian's redis-server with a TLS port (the second value) besides its
/// plain one, serving `certs`' server certificate; `auth_clients` is
/// `--tls-auth-clients` (`yes` asks for a client certificate). The TLS port
/// is ready when this returns.
pub fn tls_redis_server(certs: &TestCertificates, auth_clients: &str) -> (ServerProcess, u16) {
    let tls_port = free_port();
    let server = ServerProcess::start_with_args(
        ServerKind::Redis,
        &[
            "--tls-port",
            &tls_port.to_string(),
            "--tls-cert-file",
            &certs.arg("server.crt"),
            "--tls-key-file",
            &certs.arg("server.key"),
            "--tls-ca-cert-file",
            &certs.arg("ca.crt"),
            "--tls-auth-clients",
            auth_clients,
        ],
    );
    // The plain port answering means both listeners are up.
    drop(server.raw());
    (server, tls_port)
}
