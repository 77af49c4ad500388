//! Declarations of the read-only search forms (GEORADIUS_RO,
//! GEORADIUSBYMEMBER_RO) and of GEOSEARCH/GEOSEARCHSTORE, as Redis 7.0's
//! command JSON describes them.

use super::arg_docs::{BY_ARG, FROM_ARG, ORDER_ARG, WITHCOORD_ARG, WITHDIST_ARG, WITHHASH_ARG};
use super::handlers;
use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, KeySpec};

/// The read-only GEORADIUS forms, GEOSEARCH and GEOSEARCHSTORE.
pub const SEARCH_COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "georadiusbymember_ro",
        arity: -5,
        flags: flags::READONLY,
        acl: acl::GEO,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "geo",
        since: "3.2.10",
        summary: "A read-only variant for GEORADIUSBYMEMBER",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"),
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "member",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "radius",
                kind: ArgKind::Double,
                ..Arg::BASE
            },
            Arg {
                name: "unit",
                kind: ArgKind::OneOf,
                children: &[
                    Arg {
                        name: "m",
                        kind: ArgKind::PureToken,
                        token: Some("M"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "km",
                        kind: ArgKind::PureToken,
                        token: Some("KM"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "ft",
                        kind: ArgKind::PureToken,
                        token: Some("FT"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "mi",
                        kind: ArgKind::PureToken,
                        token: Some("MI"),
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            WITHCOORD_ARG,
            WITHDIST_ARG,
            WITHHASH_ARG,
            Arg {
                name: "count",
                kind: ArgKind::Block,
                optional: true,
                children: &[
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        token: Some("COUNT"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "any",
                        kind: ArgKind::PureToken,
                        token: Some("ANY"),
                        optional: true,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            ORDER_ARG,
        ],
        handler: handlers::georadiusbymember_ro,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "georadius_ro",
        arity: -6,
        flags: flags::READONLY,
        acl: acl::GEO,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "geo",
        since: "3.2.10",
        summary: "A read-only variant for GEORADIUS",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        history: &[("6.2.0", "Added the `ANY` option for `COUNT`.")],
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` with the `BYRADIUS` argument"),
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "longitude",
                kind: ArgKind::Double,
                ..Arg::BASE
            },
            Arg {
                name: "latitude",
                kind: ArgKind::Double,
                ..Arg::BASE
            },
            Arg {
                name: "radius",
                kind: ArgKind::Double,
                ..Arg::BASE
            },
            Arg {
                name: "unit",
                kind: ArgKind::OneOf,
                children: &[
                    Arg {
                        name: "m",
                        kind: ArgKind::PureToken,
                        token: Some("M"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "km",
                        kind: ArgKind::PureToken,
                        token: Some("KM"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "ft",
                        kind: ArgKind::PureToken,
                        token: Some("FT"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "mi",
                        kind: ArgKind::PureToken,
                        token: Some("MI"),
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            WITHCOORD_ARG,
            WITHDIST_ARG,
            WITHHASH_ARG,
            Arg {
                name: "count",
                kind: ArgKind::Block,
                optional: true,
                children: &[
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        token: Some("COUNT"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "any",
                        kind: ArgKind::PureToken,
                        token: Some("ANY"),
                        since: Some("6.2.0"),
                        optional: true,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            ORDER_ARG,
        ],
        handler: handlers::georadius_ro,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "geosearch",
        arity: -7,
        flags: flags::READONLY,
        acl: acl::GEO,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "geo",
        since: "6.2.0",
        summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.",
        complexity: "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
        history: &[("7.0.0", "Added support for uppercase unit names.")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            FROM_ARG,
            BY_ARG,
            ORDER_ARG,
            Arg {
                name: "count",
                kind: ArgKind::Block,
                optional: true,
                children: &[
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        token: Some("COUNT"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "any",
                        kind: ArgKind::PureToken,
                        token: Some("ANY"),
                        optional: true,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            WITHCOORD_ARG,
            WITHDIST_ARG,
            WITHHASH_ARG,
        ],
        handler: handlers::geosearch,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "geosearchstore",
        arity: -8,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::GEO,
        keys: &[KeySpec { flags: &["OW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "geo",
        since: "6.2.0",
        summary: "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.",
        complexity: "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
        history: &[("7.0.0", "Added support for uppercase unit names.")],
        args: &[
            Arg {
                name: "destination",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "source",
                kind: ArgKind::Key,
                key_spec_index: 1,
                ..Arg::BASE
            },
            FROM_ARG,
            BY_ARG,
            ORDER_ARG,
            Arg {
                name: "count",
                kind: ArgKind::Block,
                optional: true,
                children: &[
                    Arg {
                        name: "count",
                        kind: ArgKind::Integer,
                        token: Some("COUNT"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "any",
                        kind: ArgKind::PureToken,
                        token: Some("ANY"),
                        optional: true,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            Arg {
                name: "storedist",
                kind: ArgKind::PureToken,
                token: Some("STOREDIST"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::geosearchstore,
        ..CommandSpec::BASE
    },
];
