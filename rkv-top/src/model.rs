//! The dashboard's state: one [`Instance`] per server, plus what the user
//! selected. Only [`update`](fn@crate::update) changes it.

use std::collections::BTreeMap;

use crate::figures::Figures;
use crate::history::History;
use crate::latency::LatencyHistogram;
use crate::sample::Sample;

/// How many samples the charts keep.
pub const HISTORY_LEN: usize = 120;

/// The panels, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    /// Memory use and fragmentation.
    Memory,
    /// Ops/s, busiest commands, network.
    Throughput,
    /// Hits, misses, keys per db.
    Keyspace,
    /// Role and replica lag.
    Replication,
    /// Connected clients and output buffers.
    Clients,
    /// RDB and AOF.
    Persistence,
    /// Slow commands.
    Slowlog,
    /// PING latency histogram.
    Latency,
}

impl Panel {
    /// Every panel in focus order.
    pub const ALL: [Panel; 8] = [
        Panel::Memory,
        Panel::Throughput,
        Panel::Keyspace,
        Panel::Replication,
        Panel::Clients,
        Panel::Persistence,
        Panel::Slowlog,
        Panel::Latency,
    ];
}

/// Whether the poller currently reaches a server.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// No answer yet.
    Connecting,
    /// The last poll succeeded.
    Up,
    /// The last poll failed with this error; the poller keeps retrying.
    Down(String),
}

/// Everything known about one server.
#[derive(Debug, Clone)]
pub struct Instance {
    /// `host:port`.
    pub label: String,
    /// Connection state.
    pub link: Link,
    /// The sample before the latest (rates are computed against it).
    pub previous: Option<Sample>,
    /// The latest sample.
    pub latest: Option<Sample>,
    /// Figures computed from the two samples.
    pub figures: Option<Figures>,
    /// Ops/s over time.
    pub ops: History<u64>,
    /// used_memory over time.
    pub used_memory: History<u64>,
    /// used_memory_rss over time.
    pub rss: History<u64>,
    /// Lag in bytes over time, per replica address.
    pub replica_lag: BTreeMap<String, History<u64>>,
    /// PING round trips since start (or the last reset).
    pub latency: LatencyHistogram,
}

impl Instance {
    /// A server not polled yet.
    pub fn new(label: String) -> Self {
        Instance {
            label,
            link: Link::Connecting,
            previous: None,
            latest: None,
            figures: None,
            ops: History::new(HISTORY_LEN),
            used_memory: History::new(HISTORY_LEN),
            rss: History::new(HISTORY_LEN),
            replica_lag: BTreeMap::new(),
            latency: LatencyHistogram::default(),
        }
    }
}

/// The whole dashboard state.
#[derive(Debug, Clone)]
pub struct Model {
    /// One entry per watched server, in command-line order.
    pub instances: Vec<Instance>,
    /// Index of the server on screen.
    pub selected: usize,
    /// The panel with the highlighted border.
    pub focus: Panel,
    /// Whether new samples are ignored (the screen is frozen).
    pub paused: bool,
    /// Whether the help overlay is shown.
    pub show_help: bool,
    /// Whether the focused panel fills the screen.
    pub zoomed: bool,
    /// Set when the user asked to quit.
    pub quit: bool,
}

impl Model {
    /// A model for these server labels.
    pub fn new(labels: impl IntoIterator<Item = String>) -> Self {
        Model {
            instances: labels.into_iter().map(Instance::new).collect(),
            selected: 0,
            focus: Panel::Memory,
            paused: false,
            show_help: false,
            zoomed: false,
            quit: false,
        }
    }

    /// The server on screen.
    pub fn current(&self) -> &Instance {
        &self.instances[self.selected]
    }
}
