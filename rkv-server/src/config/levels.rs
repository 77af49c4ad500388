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

/// `appendfsync`: when the append-only file is flushed to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsyncPolicy {
    /// Before the reply to every write.
    Always = 0,
    /// Once a second, on a background thread.
    EverySec = 1,
    /// Never: the operating system decides.
    No = 2,
}

impl FsyncPolicy {
    /// The policy at `i` in the directive's word list (always, everysec, no).
    pub fn from_index(i: usize) -> FsyncPolicy {
        match i {
            0 => FsyncPolicy::Always,
            1 => FsyncPolicy::EverySec,
            _ => FsyncPolicy::No,
        }
    }
}
