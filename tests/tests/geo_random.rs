//! Seeded random geo workloads run on rkv-server and on redis-server side by
//! side; every reply must be byte-identical. Points cluster near the date
//! line, the poles and the equator and often share a position, so searches
//! cross cell edges and sort ties (the order of equal distances, in full and
//! partial sorts, and the unsorted scan order must match Redis too).

use rkv_tests::{skip_without_redis_server, RawConnection, ServerKind, ServerProcess};

/// Searches per run.
const SEARCHES: usize = 400;

/// A small xorshift generator: the same seed gives the same sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `[lo, hi)`.
    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A point: longitude and latitude as sent.
fn point(rng: &mut Rng, clustered: bool) -> (String, String) {
    let (lon, lat) = if clustered {
        let lon = [179.5, -179.5, 0.0, 10.0][rng.below(4) as usize] + rng.float(-1.0, 1.0);
        let lat =
            [84.5, -84.5, 0.0, 45.0, -66.0, 80.5][rng.below(6) as usize] + rng.float(-0.5, 0.5);
        (lon.clamp(-180.0, 180.0), lat)
    } else {
        (rng.float(-180.0, 180.0), rng.float(-85.05, 85.05))
    };
    // Coarse positions make points coincide: equal distances.
    let digits = if clustered {
        1
    } else {
        [0, 2, 6][rng.below(3) as usize]
    };
    (format!("{lon:.digits$}"), format!("{lat:.digits$}"))
}

fn options(rng: &mut Rng, store: bool) -> Vec<String> {
    let mut out = Vec::new();
    if !store {
        for o in ["WITHDIST", "WITHHASH", "WITHCOORD"] {
            if rng.below(3) == 0 {
                out.push(o.to_string());
            }
        }
    }
    if rng.below(3) == 0 {
        out.push(rng.pick(&["ASC", "DESC"]).to_string());
    }
    if rng.below(5) < 2 {
        out.push("COUNT".into());
        out.push(
            rng.pick(&["1", "2", "3", "5", "8", "20", "41", "100", "250"])
                .into(),
        );
        if rng.below(3) == 0 {
            out.push("ANY".into());
        }
    }
    out
}

fn search(rng: &mut Rng, members: usize, clustered: bool) -> Vec<Vec<String>> {
    let unit = rng.pick(&["m", "km", "ft", "mi"]).to_string();
    let radius = format!(
        "{:.3}",
        [0.0, 1.0, 10.0, 100.0, 1000.0, 5000.0, 20000.0][rng.below(7) as usize]
            * rng.float(0.0, 1000.0)
    );
    let member = format!("m{}", rng.below(members as u64));
    let (lon, lat) = point(rng, clustered);
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut cmd = match rng.below(5) {
        0 => s(&["GEORADIUS", "k", &lon, &lat, &radius, &unit]),
        1 => s(&["GEORADIUSBYMEMBER", "k", &member, &radius, &unit]),
        2 => {
            let w = format!(
                "{:.3}",
                rng.float(0.0, 2.0) * radius.parse::<f64>().unwrap_or(0.0)
            );
            s(&[
                "GEOSEARCH",
                "k",
                "FROMLONLAT",
                &lon,
                &lat,
                "BYBOX",
                &w,
                &radius,
                &unit,
            ])
        }
        3 => s(&[
            "GEOSEARCH",
            "k",
            "FROMMEMBER",
            &member,
            "BYRADIUS",
            &radius,
            &unit,
        ]),
        _ => {
            let mut c = s(&[
                "GEOSEARCHSTORE",
                "d",
                "k",
                "FROMLONLAT",
                &lon,
                &lat,
                "BYRADIUS",
                &radius,
                &unit,
            ]);
            c.extend(options(rng, true));
            if rng.below(2) == 0 {
                c.push("STOREDIST".into());
            }
            return vec![
                c,
                s(&["ZRANGE", "d", "0", "-1", "WITHSCORES"]),
                s(&["OBJECT", "ENCODING", "d"]),
            ];
        }
    };
    cmd.extend(options(rng, false));
    vec![cmd]
}

fn run(seed: u64, members: usize, clustered: bool, resp3: bool) {
    let rkv = ServerProcess::start(ServerKind::Rkv);
    let redis = ServerProcess::start(ServerKind::Redis);
    let mut conns: Vec<RawConnection> = vec![rkv.raw(), redis.raw()];
    if resp3 {
        for c in conns.iter_mut() {
            c.command(&["HELLO", "3"]);
        }
    }
    let mut check = |cmd: &[String]| {
        let replies: Vec<Vec<u8>> = conns.iter_mut().map(|c| c.command(cmd)).collect();
        assert_eq!(
            String::from_utf8_lossy(&replies[0]),
            String::from_utf8_lossy(&replies[1]),
            "seed {seed}: {cmd:?}"
        );
        replies.into_iter().next().unwrap_or_default()
    };
    let mut rng = Rng(seed);
    let mut add = vec!["GEOADD".to_string(), "k".to_string()];
    for i in 0..members {
        let (lon, lat) = point(&mut rng, clustered);
        add.extend([lon, lat, format!("m{i}")]);
    }
    assert_eq!(
        check(&add),
        format!(":{members}\r\n").into_bytes(),
        "seed {seed}: GEOADD"
    );
    check(&["OBJECT".into(), "ENCODING".into(), "k".into()]);
    for _ in 0..SEARCHES {
        for cmd in search(&mut rng, members, clustered) {
            check(&cmd);
        }
    }
}

#[test]
fn random_searches_match_redis_listpack() {
    if skip_without_redis_server() {
        return;
    }
    run(0x9e37_79b9_7f4a_7c15, 100, false, false);
    run(0x1234_5678_9abc_def1, 120, true, true);
}

#[test]
fn random_searches_match_redis_skiplist() {
    if skip_without_redis_server() {
        return;
    }
    run(0x2545_f491_4f6c_dd1d, 400, false, true);
    run(0x0bad_cafe_f00d_d00d, 400, true, false);
}
