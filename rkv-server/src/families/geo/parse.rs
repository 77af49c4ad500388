//! Argument parsing of the geo commands, with Redis's error texts and
//! order of checks (`georadiusGeneric`'s option loop and its helpers).

use super::area::{Shape, ShapeKind};
use super::format::c_fixed6;
use super::hash::{self, LAT_MAX, LAT_MIN, LONG_MAX, LONG_MIN};
use crate::command::ctx::parse_f64;
use crate::errors;
use crate::types::ZSetValue;

/// A parse failure: the full error reply text.
pub type ParseError = String;

fn double_or(s: &[u8], msg: &str) -> Result<f64, ParseError> {
    parse_f64(s).ok_or_else(|| msg.to_string())
}

/// Longitude then latitude, checked against the indexable area.
pub fn lon_lat(lon: &[u8], lat: &[u8]) -> Result<[f64; 2], ParseError> {
    let lon = double_or(lon, errors::NOT_FLOAT)?;
    let lat = double_or(lat, errors::NOT_FLOAT)?;
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return Err(format!(
            "ERR invalid longitude,latitude pair {},{}",
            c_fixed6(lon),
            c_fixed6(lat)
        ));
    }
    Ok([lon, lat])
}

/// Metres per unit (`m`, `km`, `ft`, `mi`, any case).
pub fn unit(s: &[u8]) -> Result<f64, ParseError> {
    match s.to_ascii_lowercase().as_slice() {
        b"m" => Ok(1.0),
        b"km" => Ok(1000.0),
        b"ft" => Ok(0.3048),
        b"mi" => Ok(1609.34),
        _ => Err("ERR unsupported unit provided. please use M, KM, FT, MI".to_string()),
    }
}

/// `<radius> <unit>`: the radius and metres per unit.
fn radius(args: &[&[u8]]) -> Result<(f64, f64), ParseError> {
    let r = double_or(args[0], "ERR need numeric radius")?;
    if r < 0.0 {
        return Err("ERR radius cannot be negative".to_string());
    }
    Ok((r, unit(args[1])?))
}

/// `<width> <height> <unit>`.
fn boxed(args: &[&[u8]]) -> Result<(f64, f64, f64), ParseError> {
    let w = double_or(args[0], "ERR need numeric width")?;
    let h = double_or(args[1], "ERR need numeric height")?;
    if h < 0.0 || w < 0.0 {
        return Err("ERR height or width cannot be negative".to_string());
    }
    Ok((w, h, unit(args[2])?))
}

/// Which command runs the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// GEORADIUS (`ro`: GEORADIUS_RO, which refuses STORE).
    Radius {
        /// Read-only form.
        ro: bool,
    },
    /// GEORADIUSBYMEMBER (and its `_RO` form).
    ByMember {
        /// Read-only form.
        ro: bool,
    },
    /// GEOSEARCH.
    Search,
    /// GEOSEARCHSTORE.
    SearchStore,
}

impl Variant {
    fn is_search(self) -> bool {
        matches!(self, Variant::Search | Variant::SearchStore)
    }

    fn accepts_store_key(self) -> bool {
        matches!(
            self,
            Variant::Radius { ro: false } | Variant::ByMember { ro: false }
        )
    }

    /// Argument index of the source key.
    pub fn source_index(self) -> usize {
        if self == Variant::SearchStore {
            2
        } else {
            1
        }
    }
}

/// Result ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Scan order.
    #[default]
    None,
    /// Nearest first.
    Asc,
    /// Farthest first.
    Desc,
}

/// Where to store results instead of replying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Store {
    /// Argument index of the destination key.
    pub key_index: usize,
    /// Store distances (in the query unit) instead of geohash scores.
    pub dist: bool,
}

/// A parsed search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Query {
    /// The area (meaningless when the source key is missing).
    pub shape: Shape,
    /// WITHDIST.
    pub with_dist: bool,
    /// WITHHASH.
    pub with_hash: bool,
    /// WITHCOORD.
    pub with_coord: bool,
    /// ASC/DESC (COUNT without ANY implies ASC).
    pub sort: Sort,
    /// COUNT; 0 = unlimited.
    pub count: u64,
    /// ANY: stop scanning once COUNT points were found.
    pub any: bool,
    /// STORE/STOREDIST or GEOSEARCHSTORE.
    pub store: Option<Store>,
}

const MEMBER_UNKNOWN: &str = "ERR could not decode requested zset member";

fn member_position(zset: &ZSetValue, member: &[u8]) -> Result<[f64; 2], ParseError> {
    zset.score(member)
        .map(hash::decode_score)
        .ok_or_else(|| MEMBER_UNKNOWN.to_string())
}

/// Parses a search command's arguments (`argv[0]` is the command name);
/// `zset` is the source, if it exists, for member positions.
pub fn query(
    argv: &[&[u8]],
    variant: Variant,
    zset: Option<&ZSetValue>,
) -> Result<Query, ParseError> {
    let mut q = Query {
        shape: Shape {
            lon: 0.0,
            lat: 0.0,
            conversion: 0.0,
            kind: ShapeKind::Circle { radius: 0.0 },
        },
        with_dist: false,
        with_hash: false,
        with_coord: false,
        sort: Sort::None,
        count: 0,
        any: false,
        store: None,
    };
    let base = match variant {
        Variant::Radius { .. } => {
            [q.shape.lon, q.shape.lat] = lon_lat(argv[2], argv[3])?;
            let (r, conv) = radius(&argv[4..6])?;
            q.shape.kind = ShapeKind::Circle { radius: r };
            q.shape.conversion = conv;
            6
        }
        Variant::ByMember { .. } => {
            if let Some(z) = zset {
                [q.shape.lon, q.shape.lat] = member_position(z, argv[2])?;
                let (r, conv) = radius(&argv[3..5])?;
                q.shape.kind = ShapeKind::Circle { radius: r };
                q.shape.conversion = conv;
            }
            5
        }
        Variant::Search => 2,
        Variant::SearchStore => {
            q.store = Some(Store {
                key_index: 1,
                dist: false,
            });
            3
        }
    };
    let (mut from_member, mut from_loc, mut by_radius, mut by_box) = (false, false, false, false);
    let mut i = base;
    while i < argv.len() {
        let left = argv.len() - i - 1;
        let arg = argv[i].to_ascii_lowercase();
        match arg.as_slice() {
            b"withdist" => q.with_dist = true,
            b"withhash" => q.with_hash = true,
            b"withcoord" => q.with_coord = true,
            b"any" => q.any = true,
            b"asc" => q.sort = Sort::Asc,
            b"desc" => q.sort = Sort::Desc,
            b"count" if left >= 1 => {
                let n = rkv_proto::request::parse_i64(argv[i + 1])
                    .ok_or_else(|| errors::NOT_INTEGER.to_string())?;
                if n <= 0 {
                    return Err("ERR COUNT must be > 0".to_string());
                }
                q.count = n as u64;
                i += 1;
            }
            b"store" | b"storedist" if left >= 1 && variant.accepts_store_key() => {
                q.store = Some(Store {
                    key_index: i + 1,
                    dist: arg == b"storedist",
                });
                i += 1;
            }
            b"storedist" if variant == Variant::SearchStore => {
                q.store = Some(Store {
                    key_index: 1,
                    dist: true,
                });
            }
            b"frommember" if left >= 1 && variant.is_search() && !from_loc => {
                if let Some(z) = zset {
                    [q.shape.lon, q.shape.lat] = member_position(z, argv[i + 1])?;
                }
                from_member = true;
                i += 1;
            }
            b"fromlonlat" if left >= 2 && variant.is_search() && !from_member => {
                [q.shape.lon, q.shape.lat] = lon_lat(argv[i + 1], argv[i + 2])?;
                from_loc = true;
                i += 2;
            }
            b"byradius" if left >= 2 && variant.is_search() && !by_box => {
                let (r, conv) = radius(&argv[i + 1..i + 3])?;
                q.shape.kind = ShapeKind::Circle { radius: r };
                q.shape.conversion = conv;
                by_radius = true;
                i += 2;
            }
            b"bybox" if left >= 3 && variant.is_search() && !by_radius => {
                let (w, h, conv) = boxed(&argv[i + 1..i + 4])?;
                q.shape.kind = ShapeKind::Box {
                    width: w,
                    height: h,
                };
                q.shape.conversion = conv;
                by_box = true;
                i += 3;
            }
            _ => return Err(errors::SYNTAX.to_string()),
        }
        i += 1;
    }
    let name = String::from_utf8_lossy(argv[0]);
    if q.store.is_some() && (q.with_dist || q.with_hash || q.with_coord) {
        let who = if variant == Variant::SearchStore {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return Err(format!(
            "ERR {who} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        ));
    }
    if variant.is_search() && !(from_member || from_loc) {
        return Err(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        ));
    }
    if variant.is_search() && !(by_radius || by_box) {
        return Err(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
        ));
    }
    if q.any && q.count == 0 {
        return Err("ERR the ANY argument requires COUNT argument".to_string());
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<&[u8]> {
        s.split(' ').map(str::as_bytes).collect()
    }

    #[test]
    fn coordinates_and_units() {
        assert_eq!(
            lon_lat(b"200", b"100").unwrap_err(),
            "ERR invalid longitude,latitude pair 200.000000,100.000000"
        );
        assert_eq!(lon_lat(b"x", b"1").unwrap_err(), errors::NOT_FLOAT);
        assert_eq!(unit(b"KM"), Ok(1000.0));
        assert!(unit(b"yd").is_err());
    }

    #[test]
    fn georadius_options() {
        let q = query(
            &args("georadius k 15 37 200 km WITHDIST COUNT 2 ANY"),
            Variant::Radius { ro: false },
            None,
        )
        .unwrap();
        assert!(q.with_dist && q.any);
        assert_eq!(q.count, 2);
        assert_eq!(q.shape.kind, ShapeKind::Circle { radius: 200.0 });
        let e = query(
            &args("georadius k 15 37 200 km WITHDIST STORE d"),
            Variant::Radius { ro: false },
            None,
        );
        assert_eq!(
            e.unwrap_err(),
            "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        );
        let e = query(
            &args("georadius_ro k 15 37 200 km STORE d"),
            Variant::Radius { ro: true },
            None,
        );
        assert_eq!(e.unwrap_err(), errors::SYNTAX);
        let e = query(
            &args("georadius k 15 37 200 km COUNT 0"),
            Variant::Radius { ro: false },
            None,
        );
        assert_eq!(e.unwrap_err(), "ERR COUNT must be > 0");
        let e = query(
            &args("georadius k 15 37 200 km ANY"),
            Variant::Radius { ro: false },
            None,
        );
        assert_eq!(
            e.unwrap_err(),
            "ERR the ANY argument requires COUNT argument"
        );
    }

    #[test]
    fn geosearch_needs_a_centre_and_a_shape() {
        let e = query(&args("GEOSEARCH k BYRADIUS 1 km"), Variant::Search, None);
        assert_eq!(
            e.unwrap_err(),
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH"
        );
        let e = query(&args("geosearch k FROMLONLAT 1 2"), Variant::Search, None);
        assert_eq!(
            e.unwrap_err(),
            "ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch"
        );
        let q = query(
            &args("geosearchstore d k FROMMEMBER m BYBOX 2 4 mi STOREDIST"),
            Variant::SearchStore,
            None,
        )
        .unwrap();
        assert_eq!(
            q.store,
            Some(Store {
                key_index: 1,
                dist: true
            })
        );
        assert_eq!(q.shape.conversion, 1609.34);
        let e = query(
            &args("geosearch k FROMMEMBER m FROMLONLAT 1 2 BYRADIUS 1 m"),
            Variant::Search,
            None,
        );
        assert_eq!(e.unwrap_err(), errors::SYNTAX);
    }
}
