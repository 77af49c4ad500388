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

/// GEOSEARCH's centre: `FROMMEMBER member` or `FROMLONLAT longitude latitude`.
pub const FROM_ARG: Arg = Arg {
    name: "from",
    kind: ArgKind::OneOf,
    children: &[
        Arg {
            name: "member",
            kind: ArgKind::String,
            token: Some("FROMMEMBER"),
            ..Arg::BASE
        },
        Arg {
            name: "longitude_latitude",
            kind: ArgKind::Block,
            token: Some("FROMLONLAT"),
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
            ],
            ..Arg::BASE
        },
    ],
    ..Arg::BASE
};

/// GEOSEARCH's shape: `BYRADIUS radius unit` or `BYBOX width height unit`.
pub const BY_ARG: Arg = Arg {
    name: "by",
    kind: ArgKind::OneOf,
    children: &[
        Arg {
            name: "circle",
            kind: ArgKind::Block,
            children: &[
                Arg {
                    name: "radius",
                    kind: ArgKind::Double,
                    token: Some("BYRADIUS"),
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
            ],
            ..Arg::BASE
        },
        Arg {
            name: "box",
            kind: ArgKind::Block,
            children: &[
                Arg {
                    name: "width",
                    kind: ArgKind::Double,
                    token: Some("BYBOX"),
                    ..Arg::BASE
                },
                Arg {
                    name: "height",
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
            ],
            ..Arg::BASE
        },
    ],
    ..Arg::BASE
};
