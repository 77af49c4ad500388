//! The command table and everything that runs commands.
//!
//! - [`spec`]: [`CommandSpec`], a command declared as data, with flags, ACL
//!   categories, key specs and docs.
//! - [`table`]: [`CommandTable`], every family's specs indexed for lookup.
//! - [`ctx`]: [`Ctx`], what a handler receives.
//! - [`dispatch`]: `execute`, Redis's `processCommand` + `call` in one order.
//! - [`keys`]: key positions of a concrete call, from the key specs.

pub mod ctx;
pub mod dispatch;
pub mod keys;
pub mod spec;
pub mod table;

pub use ctx::Ctx;
pub use spec::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, GetKeys, KeySpec};
pub use table::{table, CommandId, CommandTable};
