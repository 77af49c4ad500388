//! Finding a TCP port nobody is listening on.

use std::net::TcpListener;

/// Asks the kernel for a currently free port on 127.0.0.1.
///
/// The port is released before returning, so another process may grab it
/// before the server binds; callers retry on that race.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0 to find a free port");
    listener
        .local_addr()
        .expect("local address of the probe listener")
        .port()
}

#[cfg(test)]
mod tests {
    use super::free_port;

    #[test]
    fn returns_a_bindable_port() {
        let port = free_port();
        assert_ne!(port, 0);
        std::net::TcpListener::bind(("127.0.0.1", port)).expect("port should be free");
    }
}
