//! Argument docs shared by the geo commands' declarations (GEORADIUS*,
//! GEOSEARCH*), so each option is written once.

use crate::command::{Arg, ArgKind};

/// The `WITHCOORD` option.
pub const WITHCOORD_ARG: Arg = Arg {
    name: "withcoord",
    kind: ArgKind::PureToken,
    token: Some("WITHCOORD"),
    optional: true,
    ..Arg::BASE
};

/// The `WITHDIST` option.
pub const WITHDIST_ARG: Arg = Arg {
    name: "withdist",
    kind: ArgKind::PureToken,
    token: Some("WITHDIST"),
    optional: true,
    ..Arg::BASE
};

/// The `WITHHASH` option.
pub const WITHHASH_ARG: Arg = Arg {
    name: "withhash",
    kind: ArgKind::PureToken,
    token: Some("WITHHASH"),
    optional: true,
    ..Arg::BASE
};

/// The `ORDER` option.
pub const ORDER_ARG: Arg = Arg {
    name: "order",
    kind: ArgKind::OneOf,
    optional: true,
    children: &[
        Arg {
            name: "asc",
            kind: ArgKind::PureToken,
            token: Some("ASC"),
            ..Arg::BASE
        },
        Arg {
            name: "desc",
            kind: ArgKind::PureToken,
            token: Some("DESC"),
            ..Arg::BASE
        },
    ],
    ..Arg::BASE
};
