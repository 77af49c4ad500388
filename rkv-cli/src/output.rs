//! How `rkv-cli` prints replies.

/// Reply formatting; at most one of these may be given. Without any, replies
/// are formatted for humans on a terminal and raw when piped.
#[derive(clap::Args, Debug, Clone, PartialEq)]
#[command(next_help_heading = "Output")]
#[group(id = "output", multiple = false)]
pub struct OutputArgs {
    /// Print replies raw, even on a terminal.
    #[arg(long)]
    pub raw: bool,

    /// Format replies for humans, even when piped.
    #[arg(long)]
    pub no_raw: bool,

    /// Print replies as CSV.
    #[arg(long)]
    pub csv: bool,

    /// Print replies as JSON.
    #[arg(long)]
    pub json: bool,

    /// Print replies as JSON with non-printable bytes escaped as ASCII.
    #[arg(long)]
    pub quoted_json: bool,
}

/// Details of the output that combine with any format.
#[derive(clap::Args, Debug, Clone, PartialEq)]
#[command(next_help_heading = "Output")]
pub struct OutputOptions {
    /// Separator between the elements of an aggregate reply in raw output.
    #[arg(short = 'd', value_name = "DELIMITER", default_value = "\n")]
    pub multi_delimiter: String,

    /// Separator printed after each reply in raw output.
    #[arg(short = 'D', value_name = "DELIMITER", default_value = "\n")]
    pub command_delimiter: String,

    /// Whether to print RESP3 push messages: y(es) or n(o); by default only
    /// on a terminal.
    #[arg(long, value_name = "yn")]
    pub show_pushes: Option<String>,
}
