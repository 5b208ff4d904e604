// SPDX-License-Identifier: GPL-2.0

//! The bounce pool of one IOMMU domain (Documentation/pool-design.rst).
//!
//! Small streaming mappings are copied into slots that stay mapped in the
//! domain and are reused: a slot's IOVA is fixed (`base + index * size` in
//! its class's region), so an address gives its slot by arithmetic, and a
//! freed slot keeps its pages and IOMMU mapping in a cache split by
//! permission.  A CPU allocates from and frees to its own magazines under
//! an uncontended per-CPU lock; the class-wide depot lock is taken once per
//! magazine's worth of operations.  Anything the pool cannot serve goes to
//! iommu-dma and is counted.

mod bounce;
mod class;
mod client;
mod routing;
mod slot;
mod stats;

pub(crate) use bounce::Way;
pub(crate) use client::Client;
pub(crate) use routing::Timer;
pub(crate) use slot::Orig;

use crate::aging;
use crate::bindings;
use crate::cache_key::{
    CacheKey, ATTR_SKIP_CPU_SYNC, DIR_BIDIRECTIONAL, DIR_FROM_DEVICE, DIR_TO_DEVICE, KEYS,
};
use crate::fmt_buf::FmtBuf;
use crate::irq_lock::{IrqLock, LockKind};
use crate::magazine::CpuCache;
use crate::percpu::PerCpu;
use crate::route::Path;
use crate::sg::SgEntry;
use crate::sg_split::segments;
use crate::size_class::SizeClasses;
use crate::slot_region::SlotRegion;
use class::{Batch, Class, NoRegion};
use core::fmt::Write;
use core::sync::atomic::{AtomicU32, Ordering};
use kernel::c_str;
use kernel::prelude::*;
use kernel::str::CStr;
use routing::Routing;
use slot::IN_USE;
use stats::PoolStats;

/// Handles per CPU magazine.
const MAG: usize = 16;

/// One CPU's magazines, one pair per (class, key).
type CpuCaches = KVec<CpuCache<MAG>>;

/// The parameters a pool is created with (c_shims/pool_params.c).
pub(crate) struct Params {
    /// Whether new attaches use a pool at all.
    pub(crate) enable: bool,
    /// Top class, bytes.
    pub(crate) max_size: usize,
    /// Slots per class.
    pub(crate) slots: u32,
    /// Idle time of cached slots.
    pub(crate) cache_ms: u32,
}

impl Params {
    /// The module parameters now.
    pub(crate) fn current() -> Self {
        let mut p = bindings::rudma_pool_params::default();
        // SAFETY: fills `p`.
        unsafe { bindings::rudma_pool_params(&mut p) };
        Self {
            enable: p.enable,
            max_size: p.max_size as usize,
            slots: p.slots,
            cache_ms: p.cache_ms,
        }
    }
}

/// Where an address handed to unmap or sync belongs.
pub(crate) enum Owner {
    /// Not a slot: iommu-dma mapped it.
    IommuDma,
    /// A slot; the call was served.
    Pool,
    /// A slot address, but the call was misuse (reported, counted, and
    /// nothing done that could corrupt memory).
    Misuse,
}

/// What became of a mapping offered to the pool.
pub(crate) enum Served<T> {
    /// Bounced: the slot's DMA address, or a list's entry count.
    Pool(T),
    /// For iommu-dma to map: routed there, or the pool could not serve it.
    /// A timer says the call is timed: the caller ends it with
    /// [`Pool::iommu_mapped`] once iommu-dma returned.
    Iommu(Option<Timer>),
}

/// A pool address resolved: class index, slot handle, offset in the slot.
struct Located<'a> {
    ci: usize,
    h: u32,
    off: usize,
    cls: &'a Class,
    slot: &'a slot::Slot,
}

/// A bounce pool.
pub(crate) struct Pool {
    domain: *mut bindings::iommu_domain,
    group: i32,
    sizes: SizeClasses,
    classes: KVec<Class>,
    cpus: PerCpu<IrqLock<CpuCaches>>,
    coherent: bool,
    cache_ms: AtomicU32,
    routing: Routing,
    pub(crate) stats: PoolStats,
}

// SAFETY: `domain` is only passed to IOMMU calls, which may be made from
// any thread; the attach code keeps it alive while the pool exists.  All
// other state is atomics or behind locks.
unsafe impl Send for Pool {}
// SAFETY: as above.
unsafe impl Sync for Pool {}

fn report(c: &Client, what: &CStr, addr: u64, size: usize) {
    // SAFETY: valid device and NUL-terminated string.
    unsafe { bindings::rudma_report_bad_dma(c.as_raw(), what.as_char_ptr(), addr, size) };
}

fn now_ms() -> u32 {
    // SAFETY: reads jiffies.
    unsafe { bindings::rudma_now_ms() }
}

impl Pool {
    /// A pool for `domain` (group `group`), sized by `p`, for devices like
    /// `c` (same coherence).  Nothing is reserved or mapped yet.
    pub(crate) fn new(
        domain: *mut bindings::iommu_domain,
        group: i32,
        c: &Client,
        p: &Params,
    ) -> Result<Self> {
        let page = crate::dma::PAGE_SIZE;
        let sizes = SizeClasses::new(page, p.max_size).map_err(|_| EINVAL)?;
        let mut classes = KVec::with_capacity(sizes.len(), GFP_KERNEL)?;
        for i in 0..sizes.len() {
            let size = sizes.size_of(i).ok_or(EINVAL)?;
            classes.push(Class::new(size, p.slots)?, GFP_KERNEL)?;
        }
        let cpus = PerCpu::try_new(|| {
            let mut caches = KVec::with_capacity(sizes.len() * KEYS, GFP_KERNEL)?;
            for _ in 0..sizes.len() * KEYS {
                caches.push(CpuCache::default(), GFP_KERNEL)?;
            }
            IrqLock::new(LockKind::CpuCache, caches)
        })?;
        Ok(Self {
            domain,
            group,
            sizes,
            classes,
            cpus,
            coherent: c.coherent,
            cache_ms: AtomicU32::new(p.cache_ms),
            routing: Routing::new(sizes.len())?,
            stats: PoolStats::default(),
        })
    }

    /// The domain the pool serves.
    pub(crate) fn domain(&self) -> *mut bindings::iommu_domain {
        self.domain
    }

    /// Whether `c` may use this pool: slots are mapped with one coherence.
    pub(crate) fn suits(&self, c: &Client) -> bool {
        c.coherent == self.coherent
    }

    /// A cached slot of `class` for key `k`: from this CPU's magazines,
    /// else a magazine's worth from the depot.
    fn take_cached(&self, ci: usize, cls: &Class, k: usize) -> Option<u32> {
        let cpu = self.cpus.local();
        let mut caches = cpu.lock();
        let cache = caches.get_mut(ci * KEYS + k)?;
        let h = match cache.alloc() {
            Ok(h) => h,
            Err(_) => {
                cls.depot(k)?.lock().refill(&mut cache.loaded);
                cache.loaded.pop()?
            }
        };
        cls.slot(h)?.set_state(IN_USE);
        cls.stats.hot().cached.add(-1);
        Some(h)
    }

    /// Moves the slots every CPU caches for (`class`, `k`) to the depot,
    /// so that a CPU that found none can use them; returns how many.  Only
    /// on the exhaustion path: it takes every CPU's lock in turn.
    fn collect_remote(&self, ci: usize, cls: &Class, k: usize) -> usize {
        let Some(depot) = cls.depot(k) else { return 0 };
        let mut moved = 0;
        for cpu in self.cpus.iter() {
            let mut caches = cpu.lock();
            if let Some(cache) = caches.get_mut(ci * KEYS + k) {
                let mut d = depot.lock();
                moved += d.spill(&mut cache.loaded) + d.spill(&mut cache.previous);
            }
        }
        moved
    }

    /// Takes a slot of `class` for `key`: a cached one (a hit), else a
    /// fresh one (a miss), else one cached by another CPU (a hit).
    fn take_slot(
        &self,
        c: &Client,
        ci: usize,
        cls: &Class,
        region: &SlotRegion,
        key: CacheKey,
    ) -> Option<(u32, bool)> {
        let k = key.index();
        if let Some(h) = self.take_cached(ci, cls, k) {
            return Some((h, true));
        }
        if let Some(h) = cls.take_fresh(c, self.domain, region, key) {
            return Some((h, false));
        }
        if self.collect_remote(ci, cls, k) > 0 {
            return self.take_cached(ci, cls, k).map(|h| (h, true));
        }
        None
    }

    /// Returns a slot whose mapping ended to this CPU's cache (or releases
    /// it at once when caching is off).
    fn put_slot(&self, ci: usize, cls: &Class, h: u32, key: usize) {
        cls.stats.hot().cached.add(1);
        let Some(s) = cls.slot(h) else { return };
        s.touch(now_ms());
        if self.cache_ms.load(Ordering::Relaxed) == 0 {
            let mut b = Batch::new();
            let _ = b.push(h);
            cls.release(self.domain, &b);
            return;
        }
        let cpu = self.cpus.local();
        let mut caches = cpu.lock();
        let Some(cache) = caches.get_mut(ci * KEYS + key) else {
            return;
        };
        if let Err((h, _)) = cache.free(h) {
            if let Some(d) = cls.depot(key) {
                d.lock().spill(&mut cache.loaded);
            }
            // Cannot fail: the depot has room for every slot.
            let _ = cache.loaded.push(h);
        }
    }

    /// Offers the pool a mapping of `len` bytes of `orig` (whose first
    /// byte sits at `in_page` within its page): bounced into a slot if its
    /// class and direction are routed to the pool and a slot is free, else
    /// left to iommu-dma (counted here).
    pub(crate) fn map(
        &self,
        c: &Client,
        orig: Orig,
        in_page: usize,
        len: usize,
        dir: u32,
        attrs: u64,
    ) -> Served<u64> {
        let Some(key) = CacheKey::new(dir, attrs) else {
            return Served::Iommu(None);
        };
        let Some(ci) = self.sizes.class_of(in_page, len) else {
            self.stats.oversize.inc();
            return Served::Iommu(None);
        };
        let Some(cls) = self.classes.get(ci) else {
            return Served::Iommu(None);
        };
        let (path, timer) = self.routing.choose(ci, dir, routing::mode());
        if path == Path::Iommu {
            cls.stats.hot().routed.inc();
            return Served::Iommu(timer);
        }
        let addr = self.bounce(c, ci, cls, key, orig, in_page, len, dir, attrs);
        if let Some(t) = timer {
            match addr {
                Ok(_) => self.routing.mapped(t, true),
                Err(NoRegion::Failed) => self.routing.mapped(t, false),
                // The region is being given back or resized: the call
                // says nothing of the pool path's cost.
                Err(NoRegion::Changing) => {}
            }
        }
        match addr {
            Ok(a) => Served::Pool(a),
            Err(_) => Served::Iommu(None),
        }
    }

    /// Ends a timed map that iommu-dma served (`ok`) or failed.
    pub(crate) fn iommu_mapped(&self, t: Timer, ok: bool) {
        if ok {
            self.routing.mapped(t, true);
        }
    }

    /// A timer for an iommu-dma unmap of `size` bytes at `addr` in
    /// direction `dir`, if a timed map of its class waits for one; end it
    /// with [`Pool::timed_unmap_done`].
    pub(crate) fn iommu_unmap_timer(&self, addr: u64, size: usize, dir: u32) -> Option<Timer> {
        // iommu-dma keeps the offset within the page in the address.
        let in_page = (addr as usize) & (crate::dma::PAGE_SIZE - 1);
        let ci = self.sizes.class_of(in_page, size)?;
        self.routing.unmap_timer(ci, dir, Path::Iommu)
    }

    /// [`Pool::iommu_unmap_timer`] for a list iommu-dma mapped: its size
    /// is the sum of its entries' (walked only when some class waits).
    pub(crate) fn iommu_unmap_sg_timer(
        &self,
        sg: &SgEntry<'_>,
        nents: u32,
        dir: u32,
    ) -> Option<Timer> {
        if !self.routing.iommu_waiting() {
            return None;
        }
        let mut total = 0usize;
        for e in sg.iter(nents as usize) {
            total = total.checked_add(e.len())?;
        }
        let in_page = (sg.phys() as usize) & (crate::dma::PAGE_SIZE - 1);
        let ci = self.sizes.class_of(in_page, total)?;
        self.routing.unmap_timer(ci, dir, Path::Iommu)
    }

    /// Ends a timed unmap: the map and unmap pair is one sample.
    pub(crate) fn timed_unmap_done(&self, t: Timer) {
        self.routing.unmapped(t);
    }

    /// Bounces a mapping into a slot of class `ci`; an error (counted as
    /// a fallback): no region or no slot.
    #[allow(clippy::too_many_arguments)]
    fn bounce(
        &self,
        c: &Client,
        ci: usize,
        cls: &Class,
        key: CacheKey,
        orig: Orig,
        in_page: usize,
        len: usize,
        dir: u32,
        attrs: u64,
    ) -> Result<u64, NoRegion> {
        let region = match cls.region_or_reserve(c, self.sizes.len()).and_then(|r| {
            if r.base() + r.bytes() - 1 <= c.dma_limit() {
                Ok(r)
            } else {
                Err(NoRegion::Failed)
            }
        }) {
            Ok(r) => r,
            Err(e) => {
                cls.stats.hot().fallbacks.inc();
                return Err(e);
            }
        };
        let Some((h, hit)) = self.take_slot(c, ci, cls, &region, key) else {
            cls.stats.hot().fallbacks.inc();
            // A probe-sized region running out says the class wants a
            // full one (the aging work resizes it), not that the pool
            // path is dear.
            return Err(if cls.is_probe_sized() {
                NoRegion::Changing
            } else {
                NoRegion::Failed
            });
        };
        let (slot, base) = cls.slot(h).zip(region.iova(h)).ok_or(NoRegion::Failed)?;
        slot.begin(orig, in_page, len, dir);
        let m = slot.mapped();
        let data = slot.vaddr();
        // The slot is always filled from the caller's buffer, even for
        // from-device: whatever the device does not overwrite is copied
        // back at unmap and must be the caller's own bytes, not a previous
        // user's (swiotlb learnt this the hard way).  Only a to-device
        // mapping whose owner promised a sync_for_device skips it.
        let fill = !(dir == DIR_TO_DEVICE && attrs & ATTR_SKIP_CPU_SYNC != 0);
        let all = m.span(in_page, len).ok_or(NoRegion::Failed)?;
        let mut copied = 0;
        // SAFETY: `data` is the slot's pages (`size` bytes, the data area
        // within them); `orig` is the caller's mapped memory.
        unsafe {
            if fill {
                bounce::copy(orig, data.add(in_page), all, Way::In);
                copied = len as u64;
            } else if c.untrusted {
                bounce::zero(data.add(in_page), all);
            }
            if c.untrusted {
                let (head, tail) = m.outside(cls.size());
                bounce::zero(data, head);
                bounce::zero(data, tail);
            }
        }
        let addr = base + in_page as u64;
        bounce::maintain(c, base, cls.size(), dir, Way::In);
        // One CPU-local line for all of them (the CPU may have changed
        // since the slot was taken: any CPU's line counts the same).
        let st = cls.stats.hot();
        st.maps.inc();
        st.inuse.add(1);
        st.copied.add(copied);
        if hit {
            st.hits.inc();
        } else {
            st.misses.inc();
        }
        Ok(addr)
    }

    /// The class, slot handle and offset of a pool address.
    fn locate(&self, addr: u64) -> Option<Located<'_>> {
        self.classes.iter().enumerate().find_map(|(ci, cls)| {
            let (h, off) = cls.mapped_region()?.locate(addr)?;
            Some(Located {
                ci,
                h,
                off,
                cls,
                slot: cls.slot(h)?,
            })
        })
    }

    /// `unmap_page` / `unmap_sg` of `addr`.  `sg` is the list for
    /// `unmap_sg`.
    pub(crate) fn unmap(
        &self,
        c: &Client,
        addr: u64,
        size: usize,
        dir: u32,
        attrs: u64,
        sg: Option<(*mut bindings::scatterlist, u32)>,
    ) -> Owner {
        let Some(Located {
            ci,
            h,
            off,
            cls,
            slot,
        }) = self.locate(addr)
        else {
            return Owner::IommuDma;
        };
        let m = slot.mapped();
        if slot.state() != IN_USE || off != m.data_off {
            self.bad(
                c,
                c_str!("unmap of an address rudma did not map (or double unmap)"),
                addr,
                size,
            );
            return Owner::Misuse;
        }
        // A different list or kind is not this mapping's unmap (perhaps a
        // stale one of the slot's previous user): leave the slot alone.  A
        // wrong size, direction or entry count is reported, and the
        // recorded one used: a list unmapped with the count dma_map_sg()
        // returned instead of the one it was given is a common slip that
        // iommu-dma tolerates, and the device's data must still come back.
        let orig = slot.orig();
        match (orig, sg) {
            (Orig::Phys(_), None) if size != m.len => {
                self.bad(c, c_str!("unmap with the wrong size"), addr, size)
            }
            (Orig::Sg(p, _), Some((q, _))) if p != q => {
                self.bad(c, c_str!("unmap_sg of a different list"), addr, size);
                return Owner::Misuse;
            }
            (Orig::Sg(_, n), Some((_, k))) if n != k => self.bad(
                c,
                c_str!("unmap_sg with another entry count than mapped"),
                addr,
                k as usize,
            ),
            (Orig::Phys(_), Some(_)) | (Orig::Sg(..), None) => {
                self.bad(
                    c,
                    c_str!("unmap of the wrong kind (page vs sg)"),
                    addr,
                    size,
                );
                return Owner::Misuse;
            }
            _ => {}
        }
        let rec_dir = slot.dir();
        if dir != rec_dir {
            self.bad(c, c_str!("unmap with the wrong direction"), addr, size);
        }
        let timer = self.routing.unmap_timer(ci, rec_dir, Path::Pool);
        if rec_dir != DIR_TO_DEVICE && attrs & ATTR_SKIP_CPU_SYNC == 0 {
            self.copy_out(c, cls, slot, addr - off as u64, m.data_off, m.len);
        }
        if !slot.finish_use() {
            self.bad(c, c_str!("unmap raced with another unmap"), addr, size);
            return Owner::Misuse;
        }
        cls.stats.hot().inuse.add(-1);
        self.put_slot(ci, cls, h, slot.key());
        if let Some(t) = timer {
            self.routing.unmapped(t);
        }
        Owner::Pool
    }

    /// Copies `len` bytes at `at` (slot offset) of an in-use slot back.
    fn copy_out(
        &self,
        c: &Client,
        cls: &Class,
        slot: &slot::Slot,
        base: u64,
        at: usize,
        len: usize,
    ) {
        let m = slot.mapped();
        let Some(span) = m.span(at, len) else { return };
        bounce::maintain(c, base + at as u64, len, slot.dir(), Way::Out);
        // SAFETY: the slot is in use, so its pages are valid and the
        // caller's buffer is still mapped; `span` lies inside both.
        unsafe { bounce::copy(slot.orig(), slot.vaddr().add(m.data_off), span, Way::Out) };
        cls.stats.hot().copied.add(len as u64);
    }

    /// `sync_single_for_{cpu,device}` of `size` bytes at `addr` (possibly
    /// inside a mapping): copies only that range.
    pub(crate) fn sync_single(
        &self,
        c: &Client,
        addr: u64,
        size: usize,
        dir: u32,
        way: Way,
    ) -> Owner {
        let Some(Located { off, cls, slot, .. }) = self.locate(addr) else {
            return Owner::IommuDma;
        };
        let m = slot.mapped();
        let (Some(span), true) = (m.span(off, size), slot.state() == IN_USE) else {
            self.bad(c, c_str!("sync outside any mapping"), addr, size);
            return Owner::Misuse;
        };
        // Any direction may sync a bidirectional mapping (the DMA API and
        // dma-debug allow it); the copy follows the mapping's direction.
        let rec_dir = slot.dir();
        if dir != rec_dir && rec_dir != DIR_BIDIRECTIONAL {
            self.bad(c, c_str!("sync with the wrong direction"), addr, size);
        }
        let base = addr - off as u64;
        match way {
            Way::Out if rec_dir != DIR_TO_DEVICE => self.copy_out(c, cls, slot, base, off, size),
            Way::In if rec_dir != DIR_FROM_DEVICE => {
                // SAFETY: as in `copy_out`.
                unsafe { bounce::copy(slot.orig(), slot.vaddr().add(m.data_off), span, Way::In) };
                cls.stats.hot().copied.add(size as u64);
                bounce::maintain(c, addr, size, rec_dir, Way::In);
            }
            _ => {}
        }
        Owner::Pool
    }

    /// `sync_sg_for_{cpu,device}`: the whole list.
    pub(crate) fn sync_sg(&self, c: &Client, sg: &SgEntry<'_>, dir: u32, way: Way) -> Owner {
        let addr = sg.dma_address();
        let Some(Located { off, slot, .. }) = self.locate(addr) else {
            return Owner::IommuDma;
        };
        let m = slot.mapped();
        if slot.state() != IN_USE
            || off != m.data_off
            || !matches!(slot.orig(), Orig::Sg(p, _) if p == sg.as_raw())
        {
            self.bad(c, c_str!("sync_sg of a list rudma did not map"), addr, 0);
            return Owner::Misuse;
        }
        self.sync_single(c, addr, m.len, dir, way)
    }

    /// Bounces a scatterlist whose total fits a class into one slot and
    /// writes its DMA segments; `None`: iommu-dma maps it.
    pub(crate) fn map_sg(
        &self,
        c: &Client,
        sg: &SgEntry<'_>,
        nents: u32,
        dir: u32,
        attrs: u64,
    ) -> Served<u32> {
        let mut total = 0usize;
        for e in sg.iter(nents as usize) {
            if e.is_p2pdma() {
                return Served::Iommu(None);
            }
            match total.checked_add(e.len()) {
                Some(t) => total = t,
                None => return Served::Iommu(None),
            }
        }
        let page = crate::dma::PAGE_SIZE;
        let in_page = (sg.phys() as usize) & (page - 1);
        let addr = match self.map(c, Orig::Sg(sg.as_raw(), nents), in_page, total, dir, attrs) {
            Served::Pool(a) => a,
            Served::Iommu(t) => return Served::Iommu(t),
        };
        let segs = segments(addr, total as u64, c.max_seg(), c.seg_boundary());
        let count = segs.clone().count();
        if count > nents as usize {
            // Cannot be described in the caller's entries: undo.
            self.unmap(
                c,
                addr,
                total,
                dir,
                attrs | ATTR_SKIP_CPU_SYNC,
                Some((sg.as_raw(), nents)),
            );
            return Served::Iommu(None);
        }
        let mut seg = segs;
        for e in sg.iter(nents as usize) {
            match seg.next() {
                Some((a, l)) => e.set_dma(a, l as u32),
                None => e.set_dma(crate::dma::DMA_MAPPING_ERROR, 0),
            }
        }
        Served::Pool(count as u32)
    }

    fn bad(&self, c: &Client, what: &CStr, addr: u64, size: usize) {
        self.stats.bad.inc();
        report(c, what, addr, size);
    }

    /// Releases cached slots idle for the cache time (all of them with
    /// `force`), at most `budget`; returns how many.  With `dev`, a device
    /// of the pool's domain (the aging work), the regions of classes
    /// routed to iommu-dma are also given back step by step
    /// (Documentation/pool-design.rst, "Regions of routed classes").
    pub(crate) fn age(
        &self,
        cache_ms: u32,
        force: bool,
        budget: usize,
        dev: Option<&Client>,
    ) -> usize {
        self.cache_ms.store(cache_ms, Ordering::Relaxed);
        let now = now_ms();
        let mut done = 0;
        let mode = routing::mode();
        for (ci, cls) in self.classes.iter().enumerate() {
            cls.allow_retry();
            let expired = |h: u32| {
                force
                    || cls
                        .slot(h)
                        .is_some_and(|s| aging::expired(s.last_ms(), now, cache_ms))
            };
            done += self.release_cached(ci, cls, expired, budget - done);
            if done >= budget {
                return done;
            }
            if let Some(c) = dev {
                cls.set_routed_away(self.routing.routed_away(ci, mode));
                cls.advance_retire(c, self.domain, || {
                    self.release_cached(ci, cls, |_| true, usize::MAX);
                });
                cls.maybe_retire(cls.stats.inuse() == 0 && cls.stats.cached() == 0);
            }
        }
        done
    }

    /// Releases the cached slots of class `ci` for which `expired` holds,
    /// at most about `budget` (whole batches); returns how many.
    fn release_cached(
        &self,
        ci: usize,
        cls: &Class,
        expired: impl Fn(u32) -> bool,
        budget: usize,
    ) -> usize {
        let mut done = 0;
        for k in 0..KEYS {
            loop {
                let mut batch = Batch::new();
                for cpu in self.cpus.iter() {
                    let mut caches = cpu.lock();
                    if let Some(cache) = caches.get_mut(ci * KEYS + k) {
                        cache.loaded.extract(&mut batch, |h| !expired(h));
                        cache.previous.extract(&mut batch, |h| !expired(h));
                    }
                }
                if let Some(d) = cls.depot(k) {
                    d.lock().extract(&mut batch, |h| !expired(h));
                }
                if batch.is_empty() {
                    break;
                }
                let full = batch.is_full();
                cls.release(self.domain, &batch);
                done += batch.len();
                if !full || done >= budget {
                    break;
                }
            }
            if done >= budget {
                return done;
            }
        }
        done
    }

    /// Cached slots now.
    pub(crate) fn cached(&self) -> usize {
        self.classes
            .iter()
            .map(|c| c.stats.cached().max(0) as usize)
            .sum()
    }

    /// Tears the pool down: every idle slot is unmapped and freed and the
    /// regions are given back through `c`, a device of the domain.  Called
    /// after the last device detached and no DMA API call can be inside
    /// the pool.  Slots still in use (a driver unbound without unmapping)
    /// are leaked with their region, mapped, as iommu-dma leaks such
    /// mappings: freeing them could hand their IOVA to someone else while
    /// the device may still use it.  If the device is no longer in the
    /// pool's domain (its type changed after unbind), nothing is touched.
    pub(crate) fn destroy(&self, c: &Client) {
        if !c.in_domain(self.domain) {
            pr_warn!(
                "pool: group {}: domain changed before teardown; leaking the pool's IOVA and pages\n",
                self.group
            );
            return;
        }
        for cls in self.classes.iter() {
            let mut batch = Batch::new();
            cls.idle_with_pages(|h| {
                if batch.push(h).is_err() {
                    cls.release(self.domain, &batch);
                    batch = Batch::new();
                    let _ = batch.push(h);
                }
            });
            cls.release(self.domain, &batch);
            let inuse = cls.stats.inuse();
            let quarantined = cls.stats.quarantined.get();
            if inuse > 0 {
                pr_warn!(
                    "pool: group {}: {} slots of {} bytes never unmapped; leaking them and their region\n",
                    self.group,
                    inuse,
                    cls.size()
                );
            } else if quarantined > 0 {
                pr_err!(
                    "pool: group {}: {} slots of {} bytes failed to unmap; leaking their region\n",
                    self.group,
                    quarantined,
                    cls.size()
                );
            } else {
                cls.free_region(c);
            }
        }
    }

    /// The pool's debugfs section.
    pub(crate) fn show(&self, w: &mut FmtBuf<'_>, devices: u32) {
        let mem: i64 = self.classes.iter().map(|c| c.stats.mem.get()).sum();
        let _ = writeln!(
            w,
            "pool group={} devices={} max_size={} oversize={} persistent={} \
             persistent_untrusted={} bad={} mem={} coherent={} persistent_refused={} \
             route={}",
            self.group,
            devices,
            self.sizes.max_bytes(),
            self.stats.oversize.get(),
            self.stats.persistent.get(),
            self.stats.persistent_untrusted.get(),
            self.stats.bad.get(),
            mem,
            u8::from(self.coherent),
            self.stats.persistent_refused.get(),
            routing::mode().name()
        );
        for (ci, cls) in self.classes.iter().enumerate() {
            let r = cls.mapped_region();
            cls.stats.show(
                w,
                cls.size(),
                r.map_or(0, |r| r.slots()),
                r.map_or(0, |r| r.base()),
                cls.region_state(),
            );
            self.routing.show(w, ci);
        }
    }
}
