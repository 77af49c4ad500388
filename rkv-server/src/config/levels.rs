//! Small enumerations that directives take as values.

/// How much the server logs (`loglevel`), from most to least verbose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    /// Everything, including debugging detail.
    Debug,
    /// Rarely useful detail, less than `Debug`.
    Verbose,
    /// Moderately verbose; what production wants.
    Notice,
    /// Only important or critical messages.
    Warning,
}

/// Who may run a protected command such as DEBUG (`enable-debug-command`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectedAccess {
    /// Nobody.
    No,
    /// Every client.
    Yes,
    /// Only clients connected over a loopback or Unix socket.
    Local,
}
