//! Declarations of the geo commands, as Redis 7.0's `src/commands/geo*.json`
//! describe them. GEORADIUS and GEORADIUSBYMEMBER find their STORE and
//! STOREDIST keys by keyword, so they have movable keys.
//!
//! One deviation: 7.0 names the STORE and STOREDIST key arguments `key`,
//! like the source key; argument names must be unique here, so they are
//! `storekey` and `storedistkey` (the names Redis 7.2 gave them).

use super::arg_docs::{ORDER_ARG, WITHCOORD_ARG, WITHDIST_ARG, WITHHASH_ARG};
use super::handlers;
use crate::command::{acl, flags, Arg, ArgKind, BeginSearch, CommandSpec, FindKeys, KeySpec};

/// GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS and GEORADIUSBYMEMBER.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "geoadd",
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::GEO,
        keys: &[KeySpec { flags: &["RW", "UPDATE"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "geo",
        since: "3.2.0",
        summary: "Add one or more geospatial items in the geospatial index represented using a sorted set",
        complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        history: &[("6.2.0", "Added the `CH`, `NX` and `XX` options.")],
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "condition",
                kind: ArgKind::OneOf,
                since: Some("6.2.0"),
                optional: true,
                children: &[
                    Arg {
                        name: "nx",
                        kind: ArgKind::PureToken,
                        token: Some("NX"),
                        ..Arg::BASE
                    },
                    Arg {
                        name: "xx",
                        kind: ArgKind::PureToken,
                        token: Some("XX"),
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
            Arg {
                name: "change",
                kind: ArgKind::PureToken,
                token: Some("CH"),
                since: Some("6.2.0"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "longitude_latitude_member",
                kind: ArgKind::Block,
                multiple: true,
                children: &[
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
                        name: "member",
                        kind: ArgKind::String,
                        ..Arg::BASE
                    },
                ],
                ..Arg::BASE
            },
        ],
        handler: handlers::geoadd,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "geodist",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::GEO,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "geo",
        since: "3.2.0",
        summary: "Returns the distance between two members of a geospatial index",
        complexity: "O(log(N))",
        args: &[
            Arg {
                name: "key",
                kind: ArgKind::Key,
                key_spec_index: 0,
                ..Arg::BASE
            },
            Arg {
                name: "member1",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "member2",
                kind: ArgKind::String,
                ..Arg::BASE
            },
            Arg {
                name: "unit",
                kind: ArgKind::OneOf,
                optional: true,
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
        ],
        handler: handlers::geodist,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "geohash",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::GEO,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "geo",
        since: "3.2.0",
        summary: "Returns members of a geospatial index as standard geohash strings",
        complexity: "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
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
                multiple: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::geohash,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "geopos",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::GEO,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "geo",
        since: "3.2.0",
        summary: "Returns longitude and latitude of members of a geospatial index",
        complexity: "O(N) where N is the number of members requested.",
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
                multiple: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::geopos,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "georadius",
        arity: -6,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::GEO,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { flags: &["OW", "UPDATE"], begin: BeginSearch::Keyword { keyword: "STORE", startfrom: 6 }, find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { flags: &["OW", "UPDATE"], begin: BeginSearch::Keyword { keyword: "STOREDIST", startfrom: 6 }, find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "geo",
        since: "3.2.0",
        summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        history: &[("6.2.0", "Added the `ANY` option for `COUNT`."), ("7.0.0", "Added support for uppercase unit names.")],
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"),
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
            Arg {
                name: "storekey",
                kind: ArgKind::Key,
                key_spec_index: 1,
                token: Some("STORE"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "storedistkey",
                kind: ArgKind::Key,
                key_spec_index: 2,
                token: Some("STOREDIST"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::georadius,
        ..CommandSpec::BASE
    },
    CommandSpec {
        name: "georadiusbymember",
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::GEO,
        keys: &[KeySpec { flags: &["RO", "ACCESS"], begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { flags: &["OW", "UPDATE"], begin: BeginSearch::Keyword { keyword: "STORE", startfrom: 5 }, find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { flags: &["OW", "UPDATE"], begin: BeginSearch::Keyword { keyword: "STOREDIST", startfrom: 5 }, find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        group: "geo",
        since: "3.2.0",
        summary: "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        history: &[("7.0.0", "Added support for uppercase unit names.")],
        doc_flags: &["deprecated"],
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"),
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
            Arg {
                name: "storekey",
                kind: ArgKind::Key,
                key_spec_index: 1,
                token: Some("STORE"),
                optional: true,
                ..Arg::BASE
            },
            Arg {
                name: "storedistkey",
                kind: ArgKind::Key,
                key_spec_index: 2,
                token: Some("STOREDIST"),
                optional: true,
                ..Arg::BASE
            },
        ],
        handler: handlers::georadiusbymember,
        ..CommandSpec::BASE
    },
];
