//! Distances on Redis's spherical Earth and the nine geohash cells a
//! search scans (Redis's `geohash_helper.c`): the search shape, its
//! bounding box, the step estimate and the pruning of useless neighbours.

use super::hash::{self, HashBits, Neighbors, LAT_RANGE, LONG_RANGE};

/// Earth's quadratic mean radius for WGS-84, in metres, as Redis uses it.
pub const EARTH_RADIUS_M: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;
const DEG_TO_RAD: f64 = std::f64::consts::PI / 180.0;

fn deg_rad(deg: f64) -> f64 {
    deg * DEG_TO_RAD
}

fn rad_deg(rad: f64) -> f64 {
    rad / DEG_TO_RAD
}

/// Distance in metres between two latitudes on the same meridian.
pub fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Haversine great-circle distance in metres.
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let v = ((deg_rad(lon2) - deg_rad(lon1)) / 2.0).sin();
    // Same meridian: the cheaper formula gives the same answer.
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let (lat1r, lat2r) = (deg_rad(lat1), deg_rad(lat2));
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// What a search covers around its centre (sizes in the query's unit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShapeKind {
    /// BYRADIUS / GEORADIUS.
    Circle {
        /// Radius.
        radius: f64,
    },
    /// BYBOX.
    Box {
        /// East-west size.
        width: f64,
        /// North-south size.
        height: f64,
    },
}

/// A search area: centre, size and the metres in one unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Centre longitude.
    pub lon: f64,
    /// Centre latitude.
    pub lat: f64,
    /// Metres per unit (m 1, km 1000, ft 0.3048, mi 1609.34).
    pub conversion: f64,
    /// Circle or box.
    pub kind: ShapeKind,
}

impl Shape {
    /// The distance in metres from the centre to `(lon, lat)` when the
    /// point lies inside the shape (Redis's `geoWithinShape` after decoding).
    pub fn contains(&self, lon: f64, lat: f64) -> Option<f64> {
        match self.kind {
            ShapeKind::Circle { radius } => {
                let d = distance(self.lon, self.lat, lon, lat);
                (d <= radius * self.conversion).then_some(d)
            }
            ShapeKind::Box { width, height } => {
                let (width_m, height_m) = (width * self.conversion, height * self.conversion);
                if lat_distance(lat, self.lat) > height_m / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > width_m / 2.0 {
                    return None;
                }
                Some(distance(self.lon, self.lat, lon, lat))
            }
        }
    }

    /// `[min_lon, min_lat, max_lon, max_lat]` around the shape
    /// (`geohashBoundingBox`).
    pub fn bounding_box(&self) -> [f64; 4] {
        let (half_h, half_w) = match self.kind {
            ShapeKind::Circle { radius } => (radius, radius),
            ShapeKind::Box { width, height } => (height / 2.0, width / 2.0),
        };
        let height = self.conversion * half_h;
        let width = self.conversion * half_w;
        let lat_delta = rad_deg(height / EARTH_RADIUS_M);
        let lon_delta_top = rad_deg(width / EARTH_RADIUS_M / deg_rad(self.lat + lat_delta).cos());
        let lon_delta_bottom =
            rad_deg(width / EARTH_RADIUS_M / deg_rad(self.lat - lat_delta).cos());
        // Meridians converge towards the pole: the wider edge is the one
        // nearer the equator.
        let lon_delta = if self.lat < 0.0 {
            lon_delta_bottom
        } else {
            lon_delta_top
        };
        [
            self.lon - lon_delta,
            self.lat - lat_delta,
            self.lon + lon_delta,
            self.lat + lat_delta,
        ]
    }

    /// The radius (metres) of the circle the cells must cover.
    fn cover_radius_m(&self) -> f64 {
        let r = match self.kind {
            ShapeKind::Circle { radius } => radius,
            ShapeKind::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        };
        r * self.conversion
    }
}

/// Bits per coordinate of the cells for a search of `range_m` metres at
/// latitude `lat` (`geohashEstimateStepsByRadius`).
pub fn estimate_step(range_m: f64, lat: f64) -> u8 {
    if range_m == 0.0 {
        return 26;
    }
    let mut range = range_m;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// The centre cell and its neighbours (zeroed where useless) to scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchCells {
    /// The cell holding the centre.
    pub center: HashBits,
    /// Its neighbours; a zero hash means "skip".
    pub neighbors: Neighbors,
}

impl SearchCells {
    /// The nine cells in Redis's scan order: centre, N, S, E, W, NE, NW,
    /// SE, SW.
    pub fn in_scan_order(&self) -> [HashBits; 9] {
        let n = &self.neighbors;
        [
            self.center,
            n.north,
            n.south,
            n.east,
            n.west,
            n.north_east,
            n.north_west,
            n.south_east,
            n.south_west,
        ]
    }
}

fn cells_at(lon: f64, lat: f64, step: u8) -> (HashBits, Neighbors, hash::Area) {
    let center = hash::encode(LONG_RANGE, LAT_RANGE, lon, lat, step).unwrap_or_default();
    (center, hash::neighbors(center), hash::decode_wgs84(center))
}

/// The cells covering `shape` (`geohashCalculateAreasByShapeWGS84`).
pub fn search_cells(shape: &Shape) -> SearchCells {
    let [min_lon, min_lat, max_lon, max_lat] = shape.bounding_box();
    let mut step = estimate_step(shape.cover_radius_m(), shape.lat);
    let (mut center, mut nb, mut area) = cells_at(shape.lon, shape.lat, step);

    // The estimate can fall short when the centre sits near a cell edge:
    // then one step coarser.
    let decrease = {
        let north = hash::decode_wgs84(nb.north);
        let south = hash::decode_wgs84(nb.south);
        let east = hash::decode_wgs84(nb.east);
        let west = hash::decode_wgs84(nb.west);
        north.latitude.max < max_lat
            || south.latitude.min > min_lat
            || east.longitude.max < max_lon
            || west.longitude.min > min_lon
    };
    if step > 1 && decrease {
        step -= 1;
        (center, nb, area) = cells_at(shape.lon, shape.lat, step);
    }

    if step >= 2 {
        let zero = HashBits::default();
        if area.latitude.min < min_lat {
            (nb.south, nb.south_west, nb.south_east) = (zero, zero, zero);
        }
        if area.latitude.max > max_lat {
            (nb.north, nb.north_east, nb.north_west) = (zero, zero, zero);
        }
        if area.longitude.min < min_lon {
            (nb.west, nb.south_west, nb.north_west) = (zero, zero, zero);
        }
        if area.longitude.max > max_lon {
            (nb.east, nb.south_east, nb.north_east) = (zero, zero, zero);
        }
    }
    SearchCells {
        center,
        neighbors: nb,
    }
}

/// Scores `[min, max)` of the points inside a cell.
pub fn score_range(cell: HashBits) -> (u64, u64) {
    let next = HashBits {
        bits: cell.bits + 1,
        step: cell.step,
    };
    (cell.align52(), next.align52())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_redis() {
        // GEODIST Palermo Catania on redis-server: 166274.1516 m.
        let [lon1, lat1] = hash::decode_score(3479099956230698.0);
        let [lon2, lat2] = hash::decode_score(3479447370796909.0);
        let d = distance(lon1, lat1, lon2, lat2);
        assert_eq!(super::super::format::distance_text(d), "166274.1516");
        assert_eq!(distance(0.0, 0.0, 0.0, 1.0), lat_distance(0.0, 1.0));
        assert!(
            (distance(0.0, 0.0, 180.0, 0.0) - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1e-6
        );
    }

    #[test]
    fn steps_follow_the_radius() {
        assert_eq!(estimate_step(0.0, 0.0), 26);
        assert_eq!(estimate_step(1000.0, 0.0), 14);
        assert_eq!(estimate_step(1000.0, 70.0), 13);
        assert_eq!(estimate_step(1000.0, -85.0), 12);
        assert_eq!(estimate_step(1e9, 0.0), 1);
    }

    #[test]
    fn cells_cover_the_shape() {
        let shape = Shape {
            lon: 15.0,
            lat: 37.0,
            conversion: 1000.0,
            kind: ShapeKind::Circle { radius: 200.0 },
        };
        let cells = search_cells(&shape);
        let [min_lon, min_lat, max_lon, max_lat] = shape.bounding_box();
        let mut covered = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for c in cells.in_scan_order().iter().filter(|c| !c.is_zero()) {
            let a = hash::decode_wgs84(*c);
            covered[0] = covered[0].min(a.longitude.min);
            covered[1] = covered[1].min(a.latitude.min);
            covered[2] = covered[2].max(a.longitude.max);
            covered[3] = covered[3].max(a.latitude.max);
        }
        assert!(covered[0] <= min_lon && covered[1] <= min_lat);
        assert!(covered[2] >= max_lon && covered[3] >= max_lat);
    }

    #[test]
    fn boxes_check_each_axis() {
        let shape = Shape {
            lon: 0.0,
            lat: 0.0,
            conversion: 1000.0,
            kind: ShapeKind::Box {
                width: 200.0,
                height: 100.0,
            },
        };
        assert!(shape.contains(0.8, 0.0).is_some());
        assert!(shape.contains(0.0, 0.8).is_none());
        assert!(shape.contains(0.95, 0.4).is_none());
    }

    #[test]
    fn cell_score_ranges_are_contiguous() {
        let cell = HashBits {
            bits: 0b101010,
            step: 3,
        };
        assert_eq!(score_range(cell), (0b101010 << 46, 0b101011 << 46));
    }
}
