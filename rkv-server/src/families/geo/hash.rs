//! Redis's geohash: longitude and latitude quantised to `step` bits each
//! and interleaved (latitude in the even bits, longitude in the odd ones).
//! Sorted-set scores are 26-step (52-bit) hashes over latitudes ±85.05112878;
//! GEOHASH re-encodes over ±90 to print the standard base-32 string.

/// Most bits per coordinate (26 × 2 = 52-bit scores).
pub const STEP_MAX: u8 = 26;
/// Smallest latitude that can be indexed (Web Mercator's limit).
pub const LAT_MIN: f64 = -85.05112878;
/// Largest latitude that can be indexed.
pub const LAT_MAX: f64 = 85.05112878;
/// Smallest longitude.
pub const LONG_MIN: f64 = -180.0;
/// Largest longitude.
pub const LONG_MAX: f64 = 180.0;

/// An interval of one coordinate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Lower end.
    pub min: f64,
    /// Upper end.
    pub max: f64,
}

/// The longitude range of every index.
pub const LONG_RANGE: Range = Range {
    min: LONG_MIN,
    max: LONG_MAX,
};
/// The latitude range of the sorted-set scores.
pub const LAT_RANGE: Range = Range {
    min: LAT_MIN,
    max: LAT_MAX,
};

/// A geohash: `step` bits per coordinate, interleaved. `step == 0` marks a
/// cell left out of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HashBits {
    /// The interleaved bits.
    pub bits: u64,
    /// Bits per coordinate.
    pub step: u8,
}

impl HashBits {
    /// Whether this is the "no cell" marker.
    pub fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The hash left-aligned to 52 bits: the sorted-set score of the cell's
    /// first point.
    pub fn align52(&self) -> u64 {
        self.bits << (52 - u32::from(self.step) * 2)
    }
}

/// A cell: its hash and the rectangle it covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// The cell's hash.
    pub hash: HashBits,
    /// Longitudes covered.
    pub longitude: Range,
    /// Latitudes covered.
    pub latitude: Range,
}

/// Spreads the low 32 bits of `v` to the even bit positions.
fn spread(v: u32) -> u64 {
    let mut x = u64::from(v);
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// Gathers the even bits of `v` into the low 32 bits.
fn gather(v: u64) -> u64 {
    let mut x = v & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF
}

/// `lat` bits in the even positions, `lon` bits in the odd ones.
pub fn interleave(lat: u32, lon: u32) -> u64 {
    spread(lat) | (spread(lon) << 1)
}

/// The inverse of [`interleave`]: `(lat, lon)`.
pub fn deinterleave(bits: u64) -> (u32, u32) {
    (gather(bits) as u32, gather(bits >> 1) as u32)
}

/// C's double to `uint32_t` conversion of a value known to be in
/// `[0, 2^32]` (2^32 itself wraps to 0, as on x86-64).
fn to_u32(v: f64) -> u32 {
    (v as u64) as u32
}

/// Encodes a point with `step` bits per coordinate over the given ranges;
/// `None` outside the indexable area (Redis's `geohashEncode`).
pub fn encode(
    lon_range: Range,
    lat_range: Range,
    lon: f64,
    lat: f64,
    step: u8,
) -> Option<HashBits> {
    if step == 0 || step > 32 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min) * scale;
    let lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min) * scale;
    Some(HashBits {
        bits: interleave(to_u32(lat_offset), to_u32(lon_offset)),
        step,
    })
}

/// Encodes over the index's ranges (scores).
pub fn encode_wgs84(lon: f64, lat: f64, step: u8) -> Option<HashBits> {
    encode(LONG_RANGE, LAT_RANGE, lon, lat, step)
}

/// The rectangle a hash covers over the given ranges.
pub fn decode(lon_range: Range, lat_range: Range, hash: HashBits) -> Area {
    let (ilat, ilon) = deinterleave(hash.bits);
    let cells = (1u64 << hash.step) as f64;
    let lat_scale = lat_range.max - lat_range.min;
    let lon_scale = lon_range.max - lon_range.min;
    Area {
        hash,
        latitude: Range {
            min: lat_range.min + (f64::from(ilat) / cells) * lat_scale,
            max: lat_range.min + (f64::from(ilat.wrapping_add(1)) / cells) * lat_scale,
        },
        longitude: Range {
            min: lon_range.min + (f64::from(ilon) / cells) * lon_scale,
            max: lon_range.min + (f64::from(ilon.wrapping_add(1)) / cells) * lon_scale,
        },
    }
}

/// The rectangle of a hash over the index's ranges.
pub fn decode_wgs84(hash: HashBits) -> Area {
    decode(LONG_RANGE, LAT_RANGE, hash)
}

/// The centre of a cell, clamped to the indexable area: `[lon, lat]`.
pub fn area_center(area: &Area) -> [f64; 2] {
    let lon = ((area.longitude.min + area.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((area.latitude.min + area.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    [lon, lat]
}

/// C's `(uint64_t)` cast of a double as x86-64 code performs it (values
/// outside the range come out as the CPU's "indefinite" pattern).
pub fn score_to_bits(score: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    const INDEFINITE: u64 = 1 << 63;
    let signed = |v: f64| -> u64 {
        if (-TWO63..TWO63).contains(&v) {
            (v as i64) as u64
        } else {
            INDEFINITE
        }
    };
    if score < TWO63 || score.is_nan() {
        signed(score)
    } else {
        signed(score - TWO63) ^ INDEFINITE
    }
}

/// The point a sorted-set score stands for: `[lon, lat]` (Redis's
/// `decodeGeohash`, which never fails for a 26-step hash).
pub fn decode_score(score: f64) -> [f64; 2] {
    let hash = HashBits {
        bits: score_to_bits(score),
        step: STEP_MAX,
    };
    area_center(&decode_wgs84(hash))
}

/// The score GEOADD stores for a point already checked to be indexable.
pub fn score_of(lon: f64, lat: f64) -> u64 {
    encode_wgs84(lon, lat, STEP_MAX).map_or(0, |h| h.align52())
}

/// The 11-character standard geohash GEOHASH prints for a score.
pub fn standard_geohash(score: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let [lon, lat] = decode_score(score);
    let world = Range {
        min: -90.0,
        max: 90.0,
    };
    let bits = encode(LONG_RANGE, world, lon, lat, STEP_MAX).map_or(0, |h| h.bits);
    let mut out = [b'0'; 11];
    for (i, c) in out.iter_mut().enumerate().take(10) {
        let idx = (bits >> (52 - (i + 1) * 5)) & 0x1f;
        *c = ALPHABET[idx as usize];
    }
    out
}

/// Moves a hash one cell east (`d > 0`) or west (`d < 0`), wrapping.
fn move_x(hash: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let shift = 64 - u32::from(hash.step) * 2;
    let mut x = hash.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = hash.bits & 0x5555_5555_5555_5555;
    let zz = 0x5555_5555_5555_5555u64 >> shift;
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaa_aaaa_aaaa_aaaau64 >> shift;
    hash.bits = x | y;
}

/// Moves a hash one cell north (`d > 0`) or south (`d < 0`), wrapping.
fn move_y(hash: &mut HashBits, d: i8) {
    if d == 0 {
        return;
    }
    let shift = 64 - u32::from(hash.step) * 2;
    let x = hash.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let mut y = hash.bits & 0x5555_5555_5555_5555;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64 >> shift;
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555_5555_5555_5555u64 >> shift;
    hash.bits = x | y;
}

/// The eight cells around a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Neighbors {
    /// North.
    pub north: HashBits,
    /// South.
    pub south: HashBits,
    /// East.
    pub east: HashBits,
    /// West.
    pub west: HashBits,
    /// North-east.
    pub north_east: HashBits,
    /// North-west.
    pub north_west: HashBits,
    /// South-east.
    pub south_east: HashBits,
    /// South-west.
    pub south_west: HashBits,
}

/// The eight neighbours of `hash` (Redis's `geohashNeighbors`).
pub fn neighbors(hash: HashBits) -> Neighbors {
    let at = |dx: i8, dy: i8| {
        let mut h = hash;
        move_x(&mut h, dx);
        move_y(&mut h, dy);
        h
    };
    Neighbors {
        north: at(0, 1),
        south: at(0, -1),
        east: at(1, 0),
        west: at(-1, 0),
        north_east: at(1, 1),
        north_west: at(-1, 1),
        south_east: at(1, -1),
        south_west: at(-1, -1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_round_trips() {
        for (lat, lon) in [
            (0, 0),
            (1, 0),
            (0, 1),
            (0x3ff_ffff, 0x155_5555),
            (u32::MAX, 7),
        ] {
            assert_eq!(deinterleave(interleave(lat, lon)), (lat, lon));
        }
        assert_eq!(interleave(1, 0), 1);
        assert_eq!(interleave(0, 1), 2);
    }

    #[test]
    fn scores_match_redis() {
        // Obtained from redis-server 7.0.15 with GEOADD then ZSCORE.
        assert_eq!(score_of(13.361389, 38.115556), 3479099956230698);
        assert_eq!(score_of(15.087269, 37.502669), 3479447370796909);
        assert_eq!(score_of(0.0, 0.0), 3377699720527872);
        assert_eq!(score_of(-73.985428, 40.748817), 1791875672669040);
    }

    #[test]
    fn decoded_positions_are_cell_centres() {
        let [lon, lat] = decode_score(3479099956230698.0);
        assert_eq!(format!("{lon:.17}"), "13.36138933897018433");
        assert_eq!(format!("{lat:.17}"), "38.11555639549629859");
    }

    #[test]
    fn decode_encode_round_trips() {
        for (lon, lat) in [
            (-179.9, -85.0),
            (2.35, 48.85),
            (179.99, 85.0),
            (-73.98, 40.75),
        ] {
            let score = score_of(lon, lat);
            let [dlon, dlat] = decode_score(score as f64);
            assert!((dlon - lon).abs() < 1e-5 && (dlat - lat).abs() < 1e-5);
            assert_eq!(score_of(dlon, dlat), score);
        }
    }

    #[test]
    fn standard_geohashes_match_redis() {
        assert_eq!(&standard_geohash(3479099956230698.0), b"sqc8b49rny0");
        assert_eq!(&standard_geohash(3479447370796909.0), b"sqdtr74hyu0");
        assert_eq!(&standard_geohash(1791875672669040.0), b"dr5ru6j7nd0");
    }

    #[test]
    fn neighbours_wrap_around() {
        let h = encode_wgs84(179.99, 0.0, 4).unwrap();
        let n = neighbors(h);
        let east = decode_wgs84(n.east);
        assert_eq!(east.longitude.min, -180.0);
        let west = decode_wgs84(n.west);
        assert!(west.longitude.max <= decode_wgs84(h).longitude.min);
        assert_eq!(
            decode_wgs84(n.north).latitude.min,
            decode_wgs84(h).latitude.max
        );
    }

    #[test]
    fn odd_scores_decode_like_redis_casts() {
        assert_eq!(score_to_bits(-1.0), u64::MAX);
        assert_eq!(score_to_bits(f64::INFINITY), 0);
        assert_eq!(score_to_bits(f64::NEG_INFINITY), 1 << 63);
        assert_eq!(score_to_bits(1.8e19), 18_000_000_000_000_000_000);
    }
}
