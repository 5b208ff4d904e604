// SPDX-License-Identifier: GPL-2.0

//! The set of bounce pools, one per IOMMU domain with attached devices.
//!
//! A pool is created when the first device of its domain attaches (its
//! driver is bound, so the DMA mask is final) and destroyed when the last
//! one detaches.  The set's mutex is taken by attach and detach, by the
//! aging work and by debugfs, and only tried by the shrinker; the DMA
//! fast path never takes it.  Lock order: device lock, registry mutex,
//! pool set mutex, then a pool's own locks.

use crate::aging;
use crate::bindings;
use crate::device::Device;
use crate::fmt_buf::FmtBuf;
use crate::iommu::{Domain, Group};
use crate::option_slots::free_slot;
use crate::pool::{Client, Params, Pool};
use crate::try_mutex::TryMutex;
use core::fmt::Write;
use core::ptr::NonNull;
use kernel::prelude::*;

struct Entry {
    pool: KBox<Pool>,
    users: u32,
    /// The pool's devices: the aging work frees regions through one.
    /// Each stays attached (its driver bound) until `put` removes it.
    clients: KVec<Option<Client>>,
}

/// All pools.
pub(crate) struct Pools {
    set: TryMutex<KVec<Option<Entry>>>,
}

impl Pools {
    pub(crate) fn new() -> Result<Self> {
        Ok(Self {
            set: TryMutex::new(KVec::new())?,
        })
    }

    /// The pool `dev` should bounce through, created if it is the first of
    /// its domain; `None` when pools are disabled or the domain's pool
    /// cannot serve the device.  The caller holds the device lock with a
    /// driver bound (the domain cannot change).
    pub(crate) fn get(&self, dev: &Device, c: &Client) -> Result<Option<NonNull<Pool>>> {
        let p = Params::current();
        if !p.enable {
            return Ok(None);
        }
        let Some(domain) = Domain::of(dev) else {
            return Ok(None);
        };
        let granule = domain.granule();
        if granule == 0 || granule > crate::dma::PAGE_SIZE {
            pr_info!(
                "{}: IOMMU granule {} above PAGE_SIZE, no pool\n",
                dev.name(),
                granule
            );
            return Ok(None);
        }
        let mut set = self.set.lock();
        for e in set.iter_mut().flatten() {
            if e.pool.domain() == domain.as_raw() {
                if !e.pool.suits(c) {
                    pr_info!(
                        "{}: coherence differs from its domain's pool, no pool\n",
                        dev.name()
                    );
                    return Ok(None);
                }
                let k = free_slot(&mut e.clients, GFP_KERNEL)?;
                e.clients[k] = Some(Client::new(dev));
                e.users += 1;
                return Ok(Some(NonNull::from(&*e.pool)));
            }
        }
        let group = Group::of(dev).map_or(-1, |g| g.id());
        let pool = KBox::new(Pool::new(domain.as_raw(), group, c, &p)?, GFP_KERNEL)?;
        let ptr = NonNull::from(&*pool);
        let mut clients = KVec::new();
        clients.push(Some(Client::new(dev)), GFP_KERNEL)?;
        let i = free_slot(&mut set, GFP_KERNEL)?;
        set[i] = Some(Entry {
            pool,
            users: 1,
            clients,
        });
        pr_info!(
            "pool for group {}: classes up to {} bytes, {} slots each\n",
            group,
            p.max_size,
            p.slots
        );
        // SAFETY: plain call; the work runs until no pool is left.
        unsafe { bindings::rudma_pool_age_schedule(aging::scan_interval_ms(p.cache_ms)) };
        Ok(Some(ptr))
    }

    /// Drops a device's use of `pool`; the last user destroys it, through
    /// `c` (a device of the domain, after its DMA API calls have drained).
    pub(crate) fn put(&self, pool: NonNull<Pool>, c: &Client) {
        let mut set = self.set.lock();
        for slot in set.iter_mut() {
            let Some(e) = slot else { continue };
            if !core::ptr::eq(&*e.pool, pool.as_ptr()) {
                continue;
            }
            e.users -= 1;
            if let Some(x) = e
                .clients
                .iter_mut()
                .find(|x| x.as_ref().is_some_and(|x| x.as_raw() == c.as_raw()))
            {
                *x = None;
            }
            if e.users == 0 {
                if let Some(e) = slot.take() {
                    e.pool.destroy(c);
                }
            }
            return;
        }
    }

    /// One aging pass; returns when to run again (0: no pool left).
    pub(crate) fn age(&self) -> u32 {
        let p = Params::current();
        let set = self.set.lock();
        let mut any = false;
        for e in set.iter().flatten() {
            e.pool.age(
                p.cache_ms,
                false,
                usize::MAX,
                e.clients.iter().flatten().next(),
            );
            any = true;
        }
        if any {
            aging::scan_interval_ms(p.cache_ms)
        } else {
            0
        }
    }

    /// Cached slots the shrinker could release (0 if busy).
    pub(crate) fn shrink_count(&self) -> usize {
        self.set
            .try_lock()
            .map_or(0, |set| set.iter().flatten().map(|e| e.pool.cached()).sum())
    }

    /// Releases up to `nr` cached slots; `None` if the set is busy.
    pub(crate) fn shrink_scan(&self, nr: usize) -> Option<usize> {
        let set = self.set.try_lock()?;
        let p = Params::current();
        let mut done = 0;
        for e in set.iter().flatten() {
            if done >= nr {
                break;
            }
            done += e.pool.age(p.cache_ms, true, nr - done, None);
        }
        Some(done)
    }

    /// Every pool's counters (debugfs).
    pub(crate) fn show(&self, w: &mut FmtBuf<'_>) {
        // SAFETY: reads a counter.
        let pages = unsafe { bindings::rudma_pages_held() };
        let _ = writeln!(w, "memory pages={}", pages);
        let set = self.set.lock();
        for e in set.iter().flatten() {
            e.pool.show(w, e.users);
        }
    }
}
