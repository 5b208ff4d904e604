// SPDX-License-Identifier: GPL-2.0

use crate::prng::Prng;
use crate::route::*;

const P: Params = Params::DEFAULT;

/// `mean` with uniform noise of +-`pct` percent.
fn around(rng: &mut Prng, mean: u64, pct: u64) -> u64 {
    let span = mean * pct / 100;
    mean - span + rng.below(2 * span + 1)
}

/// Feeds `n` sampled calls, costs from `cost(t, path)` (None: the path
/// failed); returns the route after each call.
fn drive(
    r: &mut Router,
    mode: Mode,
    n: usize,
    mut cost: impl FnMut(usize, Path) -> Option<u64>,
) -> Vec<Path> {
    let mut routes = Vec::with_capacity(n);
    for t in 0..n {
        let path = r.sample_path(mode, &P);
        match cost(t, path) {
            Some(ns) => r.record(mode, &P, path, ns),
            None => r.record_failure(mode, &P, path),
        };
        routes.push(r.route(mode));
    }
    routes
}

fn first_at(routes: &[Path], from: usize, want: Path) -> Option<usize> {
    routes[from..]
        .iter()
        .position(|&p| p == want)
        .map(|i| i + from)
}

#[test]
fn calibration_picks_the_cheaper_path() {
    let mut r = Router::new(Path::Pool);
    assert!(r.calibrating(&P));
    let routes = drive(&mut r, Mode::Auto, 40, |_, p| {
        Some(if p == Path::Pool { 3000 } else { 1000 })
    });
    assert!(!r.calibrating(&P));
    assert_eq!(*routes.last().unwrap(), Path::Iommu);
    // Decided as soon as both paths had their calibration samples.
    let calibrated = 2 * P.calibrate as usize - 1;
    assert_eq!(
        first_at(&routes, 0, Path::Iommu),
        Some(calibrated + P.confirm as usize - 1)
    );
    assert_eq!(r.changes(), 1);
    assert_eq!(r.cost(Path::Pool), Some(3000));
    assert_eq!(r.cost(Path::Iommu), Some(1000));

    let mut r = Router::new(Path::Pool);
    drive(&mut r, Mode::Auto, 40, |_, p| {
        Some(if p == Path::Pool { 1000 } else { 3000 })
    });
    assert_eq!(r.route(Mode::Auto), Path::Pool);
    assert_eq!(r.changes(), 0);
}

#[test]
fn no_estimate_before_a_sample() {
    let r = Router::new(Path::Pool);
    assert_eq!(r.cost(Path::Pool), None);
    assert_eq!(r.cost(Path::Iommu), None);
    assert_eq!(r.changes(), 0);
}

#[test]
fn noise_within_the_margin_does_not_flap() {
    // 5 % apart, +-30 % noise on every sample: at most two changes in
    // 20000 samples (1.3 million calls at 1 in 64), for every seed.
    for seed in 1..=20 {
        let mut rng = Prng::new(seed);
        let mut r = Router::new(Path::Pool);
        drive(&mut r, Mode::Auto, 20_000, |_, p| {
            Some(around(
                &mut rng,
                if p == Path::Pool { 1000 } else { 1050 },
                30,
            ))
        });
        assert!(r.changes() <= 2, "seed {seed}: {} changes", r.changes());
    }
}

#[test]
fn a_clear_difference_wins_despite_noise() {
    let mut rng = Prng::new(11);
    let mut r = Router::new(Path::Pool);
    let routes = drive(&mut r, Mode::Auto, 5_000, |_, p| {
        Some(around(
            &mut rng,
            if p == Path::Pool { 2000 } else { 1000 },
            40,
        ))
    });
    assert_eq!(r.changes(), 1);
    assert!(routes[100..].iter().all(|&p| p == Path::Iommu));
}

#[test]
fn step_change_is_followed_and_undone() {
    let mut rng = Prng::new(3);
    let mut r = Router::new(Path::Pool);
    // The pool costs 1000 ns, iommu-dma 2000; from t = 2000 to 6000 the
    // pool's copy gets 4x dearer (4000 ns).
    let routes = drive(&mut r, Mode::Auto, 10_000, |t, p| {
        let pool = if (2000..6000).contains(&t) {
            4000
        } else {
            1000
        };
        Some(around(
            &mut rng,
            if p == Path::Pool { pool } else { 2000 },
            20,
        ))
    });
    assert!(routes[100..2000].iter().all(|&p| p == Path::Pool));
    let away = first_at(&routes, 2000, Path::Iommu).expect("never left the pool");
    // The route itself is sampled: the change is seen within a few samples.
    assert!(
        away - 2000 <= 32,
        "left the pool after {} samples",
        away - 2000
    );
    assert!(routes[away..6000].iter().all(|&p| p == Path::Iommu));
    // Back: the pool is only probed now, one sample in probe_every.
    let back = first_at(&routes, 6000, Path::Pool).expect("never came back");
    let bound = (P.probe_every * 24) as usize;
    assert!(back - 6000 <= bound, "back after {} samples", back - 6000);
    assert!(routes[back..].iter().all(|&p| p == Path::Pool));
    assert_eq!(r.changes(), 2);
}

#[test]
fn a_path_that_was_very_dear_wins_back_soon() {
    // The pool 30x dearer than iommu-dma for a while (what route.sh's
    // test delay does), then cheap again: only probed meanwhile, it must
    // win the route back within a few dozen probes, not hundreds.
    let mut r = Router::new(Path::Pool);
    let routes = drive(&mut r, Mode::Auto, 4000, |t, p| {
        Some(match p {
            Path::Pool if (500..1500).contains(&t) => 300_000,
            Path::Pool => 10_000,
            Path::Iommu => 20_000,
        })
    });
    let away = first_at(&routes, 500, Path::Iommu).expect("never left the pool");
    assert!(away - 500 <= 32, "left after {} samples", away - 500);
    let back = first_at(&routes, 1500, Path::Pool).expect("never came back");
    let bound = (P.probe_every * 16) as usize;
    assert!(back - 1500 <= bound, "back after {} samples", back - 1500);
    assert_eq!(r.changes(), 2);
}

#[test]
fn slow_drift_changes_the_route_once() {
    let mut rng = Prng::new(5);
    let mut r = Router::new(Path::Pool);
    // iommu-dma drifts from 500 to 3000 ns; the pool stays at 1500.
    let n = 20_000;
    let routes = drive(&mut r, Mode::Auto, n, |t, p| {
        let iommu = 500 + 2500 * t as u64 / n as u64;
        Some(around(
            &mut rng,
            if p == Path::Pool { 1500 } else { iommu },
            10,
        ))
    });
    assert_eq!(
        r.changes(),
        2,
        "to iommu-dma at calibration, to the pool once"
    );
    assert_eq!(*routes.last().unwrap(), Path::Pool);
    // It switched near the crossover (t = 8000), past the margin.
    let at = first_at(&routes, 100, Path::Pool).unwrap();
    assert!((8000..12_000).contains(&at), "switched at {at}");
}

#[test]
fn rare_spikes_on_the_route_do_not_switch() {
    let mut r = Router::new(Path::Pool);
    drive(&mut r, Mode::Auto, 10_000, |t, p| {
        Some(match p {
            // One sample in 50 hit by an interrupt: 100x.
            Path::Pool if t % 50 == 0 => 100_000,
            Path::Pool => 1000,
            Path::Iommu => 1500,
        })
    });
    assert_eq!(r.changes(), 0);
    assert_eq!(r.route(Mode::Auto), Path::Pool);
    assert!(
        r.cost(Path::Pool).unwrap() < 1400,
        "{:?}",
        r.cost(Path::Pool)
    );
}

#[test]
fn a_failing_pool_loses_the_route_until_it_serves() {
    let mut r = Router::new(Path::Pool);
    // Cheap pool, until it fails (exhausted) from t = 1000 to 3000.
    let routes = drive(&mut r, Mode::Auto, 6000, |t, p| match p {
        Path::Pool if (1000..3000).contains(&t) => None,
        Path::Pool => Some(1000),
        Path::Iommu => Some(3000),
    });
    assert!(routes[100..1000].iter().all(|&p| p == Path::Pool));
    let away = first_at(&routes, 1000, Path::Iommu).expect("stayed on a failing pool");
    assert!(
        away - 1000 <= P.confirm as usize + 2,
        "left after {} failures",
        away - 1000
    );
    assert!(routes[away..3000].iter().all(|&p| p == Path::Iommu));
    let back = first_at(&routes, 3000, Path::Pool).expect("never came back");
    assert!(
        back - 3000 <= (P.probe_every * 24) as usize,
        "back after {}",
        back - 3000
    );
    assert_eq!(r.changes(), 2);
}

#[test]
fn a_path_failing_during_calibration_is_not_chosen() {
    let mut r = Router::new(Path::Pool);
    drive(&mut r, Mode::Auto, 100, |_, p| match p {
        Path::Pool => None,
        Path::Iommu => Some(5000),
    });
    assert_eq!(r.route(Mode::Auto), Path::Iommu);
}

#[test]
fn fixed_modes_never_probe_or_change() {
    for (mode, want) in [(Mode::Pool, Path::Pool), (Mode::Iommu, Path::Iommu)] {
        let mut r = Router::new(Path::Pool);
        let routes = drive(&mut r, mode, 1000, |_, p| {
            Some(if p == want { 9000 } else { 10 })
        });
        assert!(routes.iter().all(|&p| p == want));
        assert_eq!(r.changes(), 0);
        assert_eq!(r.cost(want.other()), None, "the other path was probed");
    }
}

#[test]
fn mode_parse() {
    assert_eq!(Mode::parse(b"auto"), Some(Mode::Auto));
    assert_eq!(Mode::parse(b"pool\n"), Some(Mode::Pool));
    assert_eq!(Mode::parse(b"iommu"), Some(Mode::Iommu));
    for bad in [&b""[..], b"Auto", b"pool ", b"iommu\n\n", b"\xff"] {
        assert_eq!(Mode::parse(bad), None, "{bad:?}");
    }
    for m in [Mode::Auto, Mode::Pool, Mode::Iommu] {
        assert_eq!(Mode::parse(m.name().as_bytes()), Some(m));
    }
}

#[test]
fn huge_costs_do_not_overflow() {
    let mut r = Router::new(Path::Pool);
    drive(&mut r, Mode::Auto, 200, |_, p| {
        Some(if p == Path::Pool {
            u64::MAX
        } else {
            u64::MAX / 2
        })
    });
    assert_eq!(r.route(Mode::Auto), Path::Iommu);
    for _ in 0..100 {
        r.record_failure(Mode::Auto, &P, Path::Iommu);
    }
    assert!(r.cost(Path::Iommu).is_some());
}
