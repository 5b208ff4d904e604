// SPDX-License-Identifier: GPL-2.0

//! Cost-based routing of one size class and direction: does a mapping go
//! through the bounce pool or straight to iommu-dma?
//!
//! The caller times a sample of its calls (map and unmap together) on the
//! path it took and feeds them to a [`Router`], which keeps a smoothed
//! cost per path and routes to the cheaper one.  The path not chosen is
//! probed now and then, so a change of the platform or the load is seen;
//! a switch needs the other path to be cheaper by a margin, with enough
//! recent samples, so routes do not flap on noise.  A path that fails (the
//! pool had no slot) is charged as expensive.  Pure logic, no locking: the
//! caller serialises [`Router::sample_path`] and [`Router::record`] (they
//! run on sampled calls only).  Host-tested.

/// The two ways a streaming mapping can go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Copied into a pre-mapped pool slot.
    Pool = 0,
    /// Mapped in place by iommu-dma.
    Iommu = 1,
}

impl Path {
    /// The other path.
    pub fn other(self) -> Path {
        match self {
            Path::Pool => Path::Iommu,
            Path::Iommu => Path::Pool,
        }
    }

    /// The path's name (debugfs).
    pub fn name(self) -> &'static str {
        match self {
            Path::Pool => "pool",
            Path::Iommu => "iommu",
        }
    }

    fn idx(self) -> usize {
        self as usize
    }
}

/// How routes are chosen (module parameter `pool_route`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// By measured cost.
    Auto,
    /// Always the pool (while it can serve).
    Pool,
    /// Always iommu-dma.
    Iommu,
}

impl Mode {
    /// Parses a `pool_route` value; `None` if it is none of the three.
    pub fn parse(s: &[u8]) -> Option<Mode> {
        let s = s.strip_suffix(b"\n").unwrap_or(s);
        match s {
            b"auto" => Some(Mode::Auto),
            b"pool" => Some(Mode::Pool),
            b"iommu" => Some(Mode::Iommu),
            _ => None,
        }
    }

    /// The value's name, as `parse` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Auto => "auto",
            Mode::Pool => "pool",
            Mode::Iommu => "iommu",
        }
    }
}

/// Tuning of a [`Router`].
#[derive(Clone, Copy, Debug)]
pub struct Params {
    /// Samples of each path before the first decision.
    pub calibrate: u32,
    /// Once calibrated, one sampled call in `probe_every` takes the path
    /// not chosen.
    pub probe_every: u32,
    /// The other path must be cheaper by this share, in 1/1024 units.
    pub margin: u32,
    /// Smoothing: each sample moves the estimate by 1/2^`ewma_shift` of
    /// the difference ...
    pub ewma_shift: u32,
    /// ... except one below 1/`drop_ratio` of the estimate, which halves
    /// the difference: noise only adds time, so a sample that cheap means
    /// the path got cheaper, and a path probed rarely (the one not
    /// chosen) must win back soon once it is cheap again.
    pub drop_ratio: u64,
    /// Samples a path needs since the last route change before it can win.
    pub min_fresh: u32,
    /// A sample is clamped to this multiple of the estimate (an interrupt
    /// or a preemption inside a timed call is not the path's cost).
    pub clamp: u64,
    /// The other path must look cheaper at this many consecutive samples.
    pub confirm: u32,
}

impl Params {
    /// The defaults the pool uses.
    pub const DEFAULT: Params = Params {
        calibrate: 8,
        probe_every: 8,
        margin: 128,
        ewma_shift: 4,
        drop_ratio: 2,
        min_fresh: 4,
        clamp: 4,
        confirm: 8,
    };
}

/// One class-and-direction's route and cost estimates.
#[derive(Clone, Debug)]
pub struct Router {
    route: Path,
    /// Smoothed cost per path, ns (0: no sample yet).
    est: [u64; 2],
    /// Samples per path since the last route change.
    fresh: [u32; 2],
    /// Samples per path in all.
    seen: [u64; 2],
    /// Sampled calls since the last probe of the path not chosen.
    since_probe: u32,
    /// Consecutive samples at which the other path looked cheaper.
    streak: u32,
    changes: u64,
}

impl Router {
    /// A router that starts on `route` until calibrated.
    pub const fn new(route: Path) -> Router {
        Router {
            route,
            est: [0; 2],
            fresh: [0; 2],
            seen: [0; 2],
            since_probe: 0,
            streak: 0,
            changes: 0,
        }
    }

    /// The path unsampled calls take under `mode`.
    pub fn route(&self, mode: Mode) -> Path {
        match mode {
            Mode::Auto => self.route,
            Mode::Pool => Path::Pool,
            Mode::Iommu => Path::Iommu,
        }
    }

    /// Whether both paths have their calibration samples: until then the
    /// caller should time every call, not a sample.
    pub fn calibrating(&self, p: &Params) -> bool {
        self.seen.iter().any(|&n| n < u64::from(p.calibrate))
    }

    /// The path a timed call takes: under [`Mode::Auto`] the route, or the
    /// other path while calibrating (alternately) or when a probe is due.
    pub fn sample_path(&mut self, mode: Mode, p: &Params) -> Path {
        if mode != Mode::Auto {
            return self.route(mode);
        }
        if self.calibrating(p) {
            let (a, b) = (self.seen[0], self.seen[1]);
            return if a <= b { Path::Pool } else { Path::Iommu };
        }
        self.since_probe += 1;
        if self.since_probe >= p.probe_every.max(1) {
            self.since_probe = 0;
            return self.route.other();
        }
        self.route
    }

    /// The smoothed cost of `path` in ns, if it has a sample.
    pub fn cost(&self, path: Path) -> Option<u64> {
        let c = self.est[path.idx()];
        (self.seen[path.idx()] > 0).then_some(c)
    }

    /// Route changes so far.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// Records a timed call of `path` that took `ns`; returns the new
    /// route if this sample changed it (under [`Mode::Auto`]).
    pub fn record(&mut self, mode: Mode, p: &Params, path: Path, ns: u64) -> Option<Path> {
        let i = path.idx();
        let est = self.est[i];
        self.est[i] = if self.seen[i] == 0 {
            ns
        } else if self.seen[i] < u64::from(p.calibrate) {
            // Calibration: the cheapest sample (noise only adds time).
            est.min(ns)
        } else {
            let ns = ns.min(est.saturating_mul(p.clamp.max(1)));
            if ns >= est {
                est + ((ns - est) >> p.ewma_shift)
            } else if ns.saturating_mul(p.drop_ratio.max(1)) < est {
                est - ((est - ns) >> 1)
            } else {
                est - ((est - ns) >> p.ewma_shift)
            }
        };
        self.counted(mode, p, i)
    }

    /// Records that `path` could not serve a timed call (the pool had no
    /// slot): its estimate jumps above both paths' costs, so a failing path
    /// loses the route and is only probed until it serves again.
    pub fn record_failure(&mut self, mode: Mode, p: &Params, path: Path) -> Option<Path> {
        let i = path.idx();
        // Twice the other path's cost (at least this path's own): dearer
        // than the other, but not so dear that serving again is not seen.
        let other = self.est[path.other().idx()].saturating_mul(2);
        self.est[i] = self.est[i].max(other).max(1);
        self.counted(mode, p, i)
    }

    /// Counts a sample of path `i` and, under [`Mode::Auto`], decides.
    fn counted(&mut self, mode: Mode, p: &Params, i: usize) -> Option<Path> {
        self.seen[i] = self.seen[i].saturating_add(1);
        self.fresh[i] = self.fresh[i].saturating_add(1);
        if mode == Mode::Auto {
            self.decide(p)
        } else {
            None
        }
    }

    fn decide(&mut self, p: &Params) -> Option<Path> {
        if self.calibrating(p) {
            return None;
        }
        let cur = self.route;
        let other = cur.other();
        if self.fresh[other.idx()] < p.min_fresh {
            return None;
        }
        let c = u128::from(self.est[cur.idx()]);
        let o = u128::from(self.est[other.idx()]);
        // Switch when other * (1 + margin) < cur, confirm times running.
        if o * (1024 + u128::from(p.margin)) >= c * 1024 {
            self.streak = 0;
            return None;
        }
        self.streak += 1;
        if self.streak < p.confirm {
            return None;
        }
        self.route = other;
        self.fresh = [0; 2];
        self.since_probe = 0;
        self.streak = 0;
        self.changes += 1;
        Some(other)
    }
}
