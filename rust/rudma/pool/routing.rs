// SPDX-License-Identifier: GPL-2.0

//! A pool's routing state: per size class and direction, the path its
//! mappings take, which calls are timed, and the pairing of a timed map
//! with a timed unmap of the same path (the cost is the pair's).  The
//! decisions are [`crate::route`]'s (pure, host-tested); this file feeds
//! it (Documentation/pool-design.rst, "Routing").
//!
//! Unsampled calls read one atomic (the route) and bump a counter of
//! their own CPU's.  Under `pool_route=auto`, every call is timed until
//! both paths of a class and direction have their calibration samples,
//! then one call in [`SAMPLE_EVERY`] per CPU.  A timed map leaves its time
//! in the direction's slot for its path; the next unmap on that path (of
//! any mapping of the class and direction, which costs the same) takes it,
//! times itself and records the sum.

use crate::bindings;
use crate::fmt_buf::FmtBuf;
use crate::irq_lock::{IrqLock, LockKind};
use crate::percpu::PerCpu;
use crate::route::{Mode, Params, Path, Router};
use core::fmt::Write;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use kernel::prelude::*;

/// Directions routed apart: bidirectional, to-device, from-device (the
/// DMA API's numbers); they copy twice, once and once.
pub(crate) const DIRS: usize = 3;
const DIR_NAMES: [&str; DIRS] = ["bidirectional", "to_device", "from_device"];

/// Once calibrated, one call in this many per CPU is timed.
pub(crate) const SAMPLE_EVERY: u32 = 64;

/// The routing mode now (module parameter `pool_route`).
pub(crate) fn mode() -> Mode {
    // SAFETY: reads a module parameter.
    match unsafe { bindings::rudma_pool_route() } {
        bindings::RUDMA_ROUTE_POOL => Mode::Pool,
        bindings::RUDMA_ROUTE_IOMMU => Mode::Iommu,
        _ => Mode::Auto,
    }
}

fn now_ns() -> u64 {
    // SAFETY: reads the CPU's clock; any context.
    unsafe { bindings::rudma_local_clock() }
}

fn test_delay(path: Path) {
    // SAFETY: reads a debugfs-set value and maybe busy-waits; any context.
    unsafe { bindings::rudma_route_test_delay(path as u32) };
}

/// A timed call in progress.
pub(crate) struct Timer {
    idx: usize,
    path: Path,
    start: u64,
    /// The paired map's time, for an unmap.
    map_ns: u64,
}

/// One class and direction.
struct DirRoute {
    /// The route of unsampled calls ([`Path`] as u8).
    route: AtomicU8,
    /// Still calibrating: every call is timed.
    calibrating: AtomicBool,
    /// A timed map's ns (0: none) waiting for an unmap, per path.
    pending: [AtomicU64; 2],
    router: IrqLock<Router>,
}

impl DirRoute {
    fn new(first: Path) -> Result<Self> {
        Ok(Self {
            route: AtomicU8::new(first as u8),
            calibrating: AtomicBool::new(true),
            pending: [AtomicU64::new(0), AtomicU64::new(0)],
            router: IrqLock::new(LockKind::Router, Router::new(first))?,
        })
    }

    fn route(&self) -> Path {
        if self.route.load(Ordering::Relaxed) == Path::Pool as u8 {
            Path::Pool
        } else {
            Path::Iommu
        }
    }
}

/// The routing state of a pool.
pub(crate) struct Routing {
    params: Params,
    /// Each CPU's call counter, on a cache line of its own.
    ticks: PerCpu<AtomicU32>,
    /// `class * DIRS + dir`.
    dirs: KVec<DirRoute>,
    /// Timed iommu-dma maps waiting for an unmap (so that a list's unmap
    /// only adds up its entries when one may be waiting).
    iommu_waiting: AtomicU32,
}

impl Routing {
    /// Routing for `classes` size classes, each starting on the pool.
    pub(crate) fn new(classes: usize) -> Result<Self> {
        let ticks = PerCpu::new(AtomicU32::default)?;
        let mut dirs = KVec::with_capacity(classes * DIRS, GFP_KERNEL)?;
        for _ in 0..classes * DIRS {
            dirs.push(DirRoute::new(Path::Pool)?, GFP_KERNEL)?;
        }
        Ok(Self {
            params: Params::DEFAULT,
            ticks,
            dirs,
            iommu_waiting: AtomicU32::new(0),
        })
    }

    fn dir(&self, ci: usize, dir: u32) -> Option<(usize, &DirRoute)> {
        let d = usize::try_from(dir).ok().filter(|&d| d < DIRS)?;
        let idx = ci * DIRS + d;
        self.dirs.get(idx).map(|r| (idx, r))
    }

    /// Runs `f` on `r`'s router, then publishes what unsampled calls read:
    /// the route and whether calibration goes on.
    fn with_router<R>(&self, r: &DirRoute, f: impl FnOnce(&mut Router, &Params) -> R) -> R {
        let mut router = r.router.lock();
        let ret = f(&mut router, &self.params);
        r.route
            .store(router.route(Mode::Auto) as u8, Ordering::Relaxed);
        r.calibrating
            .store(router.calibrating(&self.params), Ordering::Relaxed);
        ret
    }

    fn tick(&self) -> bool {
        self.ticks.local().fetch_add(1, Ordering::Relaxed) % SAMPLE_EVERY == 0
    }

    /// The path a new mapping of class `ci` and direction `dir` takes
    /// under `mode`, and a timer if the call is to be timed (started
    /// here, so the timed window is the whole path).
    pub(crate) fn choose(&self, ci: usize, dir: u32, mode: Mode) -> (Path, Option<Timer>) {
        let Some((idx, r)) = self.dir(ci, dir) else {
            return (Path::Pool, None);
        };
        match mode {
            Mode::Pool => return (Path::Pool, None),
            Mode::Iommu => return (Path::Iommu, None),
            Mode::Auto => {}
        }
        if !r.calibrating.load(Ordering::Relaxed) && !self.tick() {
            return (r.route(), None);
        }
        let path = self.with_router(r, |router, p| router.sample_path(mode, p));
        let t = Timer {
            idx,
            path,
            start: now_ns(),
            map_ns: 0,
        };
        test_delay(path);
        (path, Some(t))
    }

    /// Ends a timed map: served (its time waits for an unmap to pair
    /// with), or not (the path failed: charged as dear at once).
    pub(crate) fn mapped(&self, t: Timer, served: bool) {
        let ns = now_ns().saturating_sub(t.start).max(1);
        let Some(r) = self.dirs.get(t.idx) else {
            return;
        };
        if served {
            let was = r.pending[t.path as usize].swap(ns, Ordering::Relaxed);
            if was == 0 && t.path == Path::Iommu {
                self.iommu_waiting.fetch_add(1, Ordering::Relaxed);
            }
        } else {
            let mode = mode();
            self.with_router(r, |router, p| router.record_failure(mode, p, t.path));
        }
    }

    /// A timer for an unmap of class `ci` and direction `dir` on `path`,
    /// if a timed map of that path waits for one.
    pub(crate) fn unmap_timer(&self, ci: usize, dir: u32, path: Path) -> Option<Timer> {
        let (idx, r) = self.dir(ci, dir)?;
        let slot = &r.pending[path as usize];
        if slot.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let map_ns = slot.swap(0, Ordering::Relaxed);
        if map_ns == 0 {
            return None;
        }
        if path == Path::Iommu {
            self.iommu_waiting.fetch_sub(1, Ordering::Relaxed);
        }
        let t = Timer {
            idx,
            path,
            start: now_ns(),
            map_ns,
        };
        test_delay(path);
        Some(t)
    }

    /// Whether a timed iommu-dma map may be waiting for its unmap.
    pub(crate) fn iommu_waiting(&self) -> bool {
        self.iommu_waiting.load(Ordering::Relaxed) != 0
    }

    /// Ends a timed unmap: records the pair's cost.
    pub(crate) fn unmapped(&self, t: Timer) {
        let ns = now_ns().saturating_sub(t.start);
        let Some(r) = self.dirs.get(t.idx) else {
            return;
        };
        let mode = mode();
        let cost = t.map_ns.saturating_add(ns);
        self.with_router(r, |router, p| router.record(mode, p, t.path, cost));
    }

    /// Whether class `ci` is routed to iommu-dma under `mode`: forced, or
    /// every direction with samples routed there (at least one).  Not
    /// for the fast path: takes each direction's router lock.
    pub(crate) fn routed_away(&self, ci: usize, mode: Mode) -> bool {
        match mode {
            Mode::Iommu => return true,
            Mode::Pool => return false,
            Mode::Auto => {}
        }
        let mut any = false;
        for d in 0..DIRS {
            let Some(r) = self.dirs.get(ci * DIRS + d) else {
                continue;
            };
            let router = r.router.lock();
            if router.cost(Path::Pool).is_none() && router.cost(Path::Iommu).is_none() {
                continue;
            }
            if router.route(Mode::Auto) == Path::Pool {
                return false;
            }
            any = true;
        }
        any
    }

    /// The `route` lines of class `ci` (debugfs): per direction with a
    /// sample, its route, both costs (ns per map+unmap pair, `-` before
    /// the first sample) and how often it changed.
    pub(crate) fn show(&self, w: &mut FmtBuf<'_>, ci: usize) {
        let mode = mode();
        for (d, name) in DIR_NAMES.iter().enumerate() {
            let Some(r) = self.dirs.get(ci * DIRS + d) else {
                continue;
            };
            let router = r.router.lock().clone();
            let (pool, iommu) = (router.cost(Path::Pool), router.cost(Path::Iommu));
            if pool.is_none() && iommu.is_none() {
                continue;
            }
            let path = router.route(mode).name();
            let _ = write!(w, "    route dir={} path={} ", name, path);
            for (what, c) in [("pool_ns", pool), ("iommu_ns", iommu)] {
                match c {
                    Some(c) => {
                        let _ = write!(w, "{}={} ", what, c);
                    }
                    None => {
                        let _ = write!(w, "{}=- ", what);
                    }
                }
            }
            let _ = writeln!(w, "changes={}", router.changes());
        }
    }
}
