//! Project chores (`cargo xtask gen` regenerates man pages and completions).

fn main() {}
