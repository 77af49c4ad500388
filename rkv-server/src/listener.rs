//! Start-up and shutdown: logging, working directory, listening sockets, the
//! accept loops, the cron, and signals, all on one current-thread runtime.

use std::cell::RefCell;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use thiserror::Error;
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

use crate::config::LoadedConfig;
use crate::server::{Server, ShutdownRequest, REDIS_VERSION, RKV_VERSION};
use crate::socket::ClientSocket;
use crate::{connection, cron, notice, warning};

/// Why the server could not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// The runtime or a signal handler could not be set up.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[from] std::io::Error),
    /// The log file could not be opened.
    #[error("can't open the log file {path}: {source}")]
    LogFile {
        /// The configured path.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// `dir` could not be entered.
    #[error("can't chdir to '{path}': {source}")]
    Dir {
        /// The configured directory.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The append-only files could not be loaded or created.
    #[error("{0}")]
    Aof(String),
    /// No listening socket could be opened.
    #[error("Failed listening on port {0} (tcp), aborting.")]
    Listen(u16),
    /// The dump in `dir` could not be loaded.
    #[error("{0}")]
    Load(String),
}

/// Runs the server until SHUTDOWN, SIGTERM or SIGINT.
pub fn run(loaded: LoadedConfig) -> Result<(), StartError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, serve(loaded))
}

async fn serve(loaded: LoadedConfig) -> Result<(), StartError> {
    let config = loaded.config.clone();
    crate::log::configure(config.loglevel, config.logfile.as_deref()).map_err(|source| {
        StartError::LogFile {
            path: config
                .logfile
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            source,
        }
    })?;
    std::env::set_current_dir(&config.dir).map_err(|source| StartError::Dir {
        path: config.dir.display().to_string(),
        source,
    })?;
    notice!("oO0OoO0OoO0Oo rkv is starting oO0OoO0OoO0Oo");
    notice!(
        "rkv version={RKV_VERSION} (Redis {REDIS_VERSION} compatible), pid={}, just started",
        std::process::id()
    );
    match &loaded.config_file {
        Some(p) => notice!("Configuration loaded from {}", p.display()),
        None => warning!("No config file specified, using the default config."),
    }
    crate::memory::set_background_thread(config.jemalloc_bg_thread);
    let listeners = bind_all(&config.bind, config.port, config.tcp_backlog)?;
    let shared = Rc::new(RefCell::new(Server::new(loaded)));
    if let Err(e) = crate::aof::start(&mut shared.borrow_mut()) {
        warning!("{e}");
        return Err(StartError::Aof(e));
    }
    if let Some(pidfile) = &config.pidfile {
        if let Err(e) = std::fs::write(pidfile, format!("{}\n", std::process::id())) {
            warning!("Failed to write PID file: {e}");
        }
    }
    notice!("Server initialized");
    for l in listeners {
        // A busy script accepts connections itself (scripting::busy).
        let fd = std::os::fd::AsRawFd::as_raw_fd(&l);
        shared.borrow_mut().scripting.listener_fds.push(fd);
        tokio::task::spawn_local(accept_loop(shared.clone(), l));
    }
    tokio::task::spawn_local(adopt_busy_accepted(shared.clone()));
    tokio::task::spawn_local(cron::run(shared.clone()));
    tokio::task::spawn_local(crate::aof::group_commit::run(shared.clone()));
    tokio::task::spawn_local(crate::replication::master_cron::run(shared.clone()));
    // The link to our master (`replicaof`, REPLICAOF) lives in its own task.
    crate::replication::link::spawn(shared.clone());
    // Clients connecting while the dump loads get -LOADING.
    crate::persistence::load::load_at_startup(shared.clone())
        .await
        .map_err(|e| {
            warning!("{e}");
            StartError::Load(e)
        })?;
    notice!("Ready to accept connections tcp");

    let notify = shared.borrow().shutdown_notify.clone();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = sigterm.recv() => {
            warning!("Received SIGTERM scheduling shutdown...");
            shared.borrow_mut().request_shutdown(ShutdownRequest::Normal);
        }
        _ = sigint.recv() => {
            warning!("Received SIGINT scheduling shutdown...");
            shared.borrow_mut().request_shutdown(ShutdownRequest::Normal);
        }
        _ = notify.notified() => {
            warning!("User requested shutdown...");
        }
    }
    crate::persistence::saving::prepare_for_shutdown(&mut shared.borrow_mut());
    if let Some(pidfile) = &config.pidfile {
        let _ = std::fs::remove_file(pidfile);
    }
    if shared.borrow().aof.is_some() {
        notice!("Calling fsync() on the AOF file.");
        crate::aof::shutdown(&mut shared.borrow_mut());
    }
    // A rewrite started with the AOF off must not outlive the server.
    crate::aof::rewrite::kill_child(&mut shared.borrow_mut());
    warning!("rkv is now ready to exit, bye bye...");
    Ok(())
}

/// Binds every `bind` address (a leading `-` marks one whose failure is fine).
fn bind_all(binds: &[String], port: u16, backlog: u32) -> Result<Vec<TcpListener>, StartError> {
    let mut listeners = Vec::new();
    if port == 0 {
        return Ok(listeners);
    }
    for spec in binds {
        let (optional, addr) = match spec.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, spec.as_str()),
        };
        let ip: IpAddr = match addr {
            "*" => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            "::*" => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            other => {
                match other.parse() {
                    Ok(ip) => ip,
                    Err(_) => {
                        warning!("Could not create server TCP listening socket {addr}:{port}: bad address");
                        if optional {
                            continue;
                        }
                        return Err(StartError::Listen(port));
                    }
                }
            }
        };
        match listen(SocketAddr::new(ip, port), backlog) {
            Ok(l) => listeners.push(l),
            Err(e) if optional => verbose_skip(addr, port, &e),
            Err(e) => {
                warning!("Could not create server TCP listening socket {addr}:{port}: bind: {e}");
                return Err(StartError::Listen(port));
            }
        }
    }
    if listeners.is_empty() {
        return Err(StartError::Listen(port));
    }
    Ok(listeners)
}

fn verbose_skip(addr: &str, port: u16, e: &std::io::Error) {
    crate::verbose!("Skipping optional bind address {addr}:{port}: {e}");
}

fn listen(addr: SocketAddr, backlog: u32) -> std::io::Result<TcpListener> {
    let domain = if addr.is_ipv4() {
        socket2::Domain::IPV4
    } else {
        socket2::Domain::IPV6
    };
    let socket = socket2::Socket::new(domain, socket2::Type::STREAM, Some(socket2::Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        // Like Redis, IPv6 sockets never also take IPv4 (so `* ::*` both bind).
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(backlog.min(i32::MAX as u32) as i32)?;
    TcpListener::from_std(socket.into())
}

/// Serves the connections a busy script accepted, once it has ended.
async fn adopt_busy_accepted(shared: Rc<RefCell<Server>>) {
    let notify = shared.borrow().scripting.handoff_notify.clone();
    loop {
        notify.notified().await;
        let handed = std::mem::take(&mut shared.borrow_mut().scripting.handoff);
        for (stream, peer, local) in handed {
            let socket = tokio::net::TcpStream::from_std(stream).and_then(ClientSocket::new);
            match socket {
                Ok(socket) => {
                    tokio::task::spawn_local(connection::serve(
                        shared.clone(),
                        socket,
                        peer,
                        local,
                    ));
                }
                Err(e) => warning!("Registering client connection: {e}"),
            }
        }
    }
}

async fn accept_loop(shared: Rc<RefCell<Server>>, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let local = stream.local_addr().unwrap_or(peer);
                match ClientSocket::new(stream) {
                    Ok(socket) => {
                        tokio::task::spawn_local(connection::serve(
                            shared.clone(),
                            socket,
                            peer,
                            local,
                        ));
                    }
                    Err(e) => warning!("Registering client connection: {e}"),
                }
            }
            Err(e) => {
                warning!("Accepting client connection: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}
