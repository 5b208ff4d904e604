// SPDX-License-Identifier: GPL-2.0

//! Attaching rudma's DMA ops to a device, and detaching them.
//!
//! Rules (Documentation/attach.rst):
//! - only a PCI device translated by iommu-dma (a DMA or DMA-FQ domain),
//!   with a DMA API driver bound (so its DMA mask is final, and the IOMMU
//!   core refuses group type changes while attached), and no other ops;
//! - attach installs the device's ops (one pointer store: with the rudma
//!   series they take over its streaming DMA while `dma_iommu` stays set)
//!   and clears `dma_skip_sync` so that every sync reaches them;
//! - detach stops new mappings from entering the pool, waits for the pool
//!   slots the device holds to drain (or fails with `EBUSY`), removes the
//!   ops, waits until no DMA API call can still be inside them, and only
//!   then frees them and unpins the module.  Mappings iommu-dma made (also
//!   through the ops: persistent, oversize, fallbacks) are not waited for:
//!   iommu-dma unmaps them after detach as before.  `dma_skip_sync` stays
//!   cleared: the DMA core cannot tell whether swiotlb bounced a mapping
//!   that is still live (it clears the flag on the first bounce and only
//!   a new `dma_set_mask()` recomputes it), and a skipped sync of such a
//!   mapping would read stale data;
//! - when the driver unbinds, the device is detached; a device named in
//!   the `attach` module parameter is attached when its driver binds;
//! - each attached device pins the module, so rmmod fails while any is.
//!
//! Lock order: device lock, then the registry mutex.

use crate::bdf::{self, Bdf};
use crate::device::{Device, DeviceGuard, DeviceRef};
use crate::iommu::{Domain, Group};
use crate::ops::DevOps;
use crate::option_slots::free_slot;
use crate::pci::PciDevRef;
use crate::pool::Client;
use crate::pools::Pools;
use crate::{bindings, fmt_buf::FmtBuf};
use core::fmt::Write;
use kernel::prelude::*;
use kernel::sync::Mutex;

/// `EOPNOTSUPP`, which the 6.12 kernel crate does not name.
fn eopnotsupp() -> Error {
    Error::from_errno(-(bindings::EOPNOTSUPP as i32))
}

/// How long detach waits for in-flight mappings before giving up.
const DETACH_WAIT_MS: u32 = 2000;
/// Poll interval while waiting.
const DETACH_POLL_MS: u32 = 10;

struct Attached {
    bdf: Bdf,
    dev: DeviceRef,
    ops: KBox<DevOps>,
}

struct Inner {
    attached: KVec<Option<Attached>>,
    pending: KVec<Option<Bdf>>,
}

/// All of rudma's attach state.
#[pin_data]
pub(crate) struct Registry {
    #[pin]
    inner: Mutex<Inner>,
    /// The bounce pools of the attached devices' domains.
    pools: Pools,
}

impl Registry {
    pub(crate) fn new(pools: Pools) -> impl PinInit<Self> {
        pin_init!(Self {
            pools,
            inner <- kernel::new_mutex!(
                Inner {
                    attached: KVec::new(),
                    pending: KVec::new(),
                },
                "rudma_registry"
            ),
        })
    }

    /// Attaches to the device named `bdf` (sysfs `attach`).
    pub(crate) fn attach_bdf(&self, bdf: Bdf) -> Result {
        with_locked_pci_dev(bdf, "attach", |guard| self.attach_locked(bdf, guard))
    }

    fn attach_locked(&self, bdf: Bdf, guard: &DeviceGuard<'_>) -> Result {
        let dev = guard.device();
        let mut inner = self.inner.lock();
        if inner.find(dev).is_some() {
            pr_err!("attach {}: already attached\n", bdf);
            return Err(EEXIST);
        }
        check_attachable(bdf, guard)?;
        // Everything that can fail happens before the device changes.
        let slot = free_slot(&mut inner.attached, GFP_KERNEL)?;
        let pool = self.pools.get(dev, &Client::new(dev))?;
        // SAFETY: a pool from `Pools::get` lives until the matching `put`,
        // which detach (or the error path below) calls after dropping the
        // `DevOps`'s use of it.
        let dev_ops = unsafe { DevOps::new(Client::new(dev), pool.map(|p| p.as_ref())) };
        let ops = dev_ops.and_then(|o| KBox::new(o, GFP_KERNEL).map_err(Error::from));
        let ops = match ops {
            Ok(ops) if crate::module_get() => ops,
            other => {
                if let Some(p) = pool {
                    self.pools.put(p, &Client::new(dev));
                }
                return Err(other.err().unwrap_or(ENODEV));
            }
        };
        // SAFETY: the `DevOps` is freed only after detach removed it and
        // waited for its callers; it bounces through a pool of this
        // device's domain or forwards to iommu-dma, which serves it.
        unsafe { guard.set_dma_ops(ops.as_ops_ptr()) };
        guard.set_dma_skip_sync(false);
        inner.attached[slot] = Some(Attached {
            bdf,
            dev: DeviceRef::new(dev),
            ops,
        });
        let _ = inner.forget_pending(bdf);
        pr_info!(
            "{}: attached ({} driver, domain {}, {})\n",
            bdf,
            guard
                .driver_name()
                .map_or("no", |n| n.to_str().unwrap_or("?")),
            Domain::of(dev).map_or("none", |d| d.domain_type().sysfs_name()),
            if pool.is_some() {
                "bounce pool"
            } else {
                "no pool"
            }
        );
        Ok(())
    }

    /// Detaches from the device named `bdf` (sysfs `detach`).
    /// A pending attach (`attach=` of a device not bound yet, or not
    /// there yet) is cancelled instead.
    pub(crate) fn detach_bdf(&self, bdf: Bdf) -> Result {
        if self.inner.lock().forget_pending(bdf) {
            pr_info!("{}: pending attach cancelled\n", bdf);
            return Ok(());
        }
        with_locked_pci_dev(bdf, "detach", |guard| self.detach_locked(guard, true))
    }

    /// Detaches a locked device.  With `wait`, the pool slots it holds must
    /// drain first (else `EBUSY`); without, the device's driver is gone
    /// and whatever it left mapped stays mapped (iommu-dma's mappings
    /// belong to iommu-dma, pool slots are leaked with their pool).
    ///
    /// A device with a pool first stops new mappings from entering it and
    /// waits for the DMA API calls that may have missed that; from then on
    /// the device's slot count only falls, and the ops are removed only
    /// when it is zero, so no unmap or sync of a slot can reach iommu-dma.
    fn detach_locked(&self, guard: &DeviceGuard<'_>, wait: bool) -> Result {
        let dev = guard.device();
        let mut inner = self.inner.lock();
        let Some(i) = inner.find(dev) else {
            pr_err!("detach {}: not attached\n", dev.name());
            return Err(EINVAL);
        };
        let Some(a) = inner.attached[i].as_ref() else {
            return Err(EINVAL);
        };
        let bdf = a.bdf;
        if a.ops.pool().is_some() {
            a.ops.set_draining(true);
            // The map callbacks read the flag inside their section, so
            // one that missed it is inside one now.
            crate::dma_callers::wait_ops_sections();
        }
        // Sleeping with the registry mutex held only delays other
        // attach/detach calls; the DMA fast path never takes it.
        let drained = || a.ops.slots() <= 0;
        if wait && !drained() {
            let mut waited = 0;
            while waited < DETACH_WAIT_MS && !drained() {
                // SAFETY: plain sleep, process context (sysfs write).
                unsafe { bindings::rudma_msleep(DETACH_POLL_MS) };
                waited += DETACH_POLL_MS;
            }
            if !drained() {
                pr_err!(
                    "detach {}: {} pool slots still mapped after {} ms\n",
                    bdf,
                    a.ops.slots(),
                    DETACH_WAIT_MS
                );
                a.ops.set_draining(false);
                return Err(EBUSY);
            }
        }
        let Some(mut a) = inner.attached[i].take() else {
            return Err(EINVAL);
        };
        // SAFETY: removing the ops is always allowed.
        unsafe { guard.set_dma_ops(core::ptr::null()) };
        // Calls that read the old pointer may still be inside the ops.
        crate::dma_callers::wait_dma_callers();
        let (maps, left) = (a.ops.maps(), a.ops.slots());
        if left > 0 {
            pr_warn!("{}: driver left {} pool slots mapped\n", bdf, left);
        }
        if let Some(p) = a.ops.take_pool() {
            // No DMA API call can be inside the ops any more: the pool may
            // go if this was the last device of its domain.
            self.pools.put(p, a.ops.client());
        }
        drop(a);
        crate::module_put();
        pr_info!("{}: detached after {} streaming maps\n", bdf, maps);
        Ok(())
    }

    /// Remembers a device to attach when its driver binds.
    pub(crate) fn add_pending(&self, bdf: Bdf) -> Result {
        let mut inner = self.inner.lock();
        if inner.pending.as_slice().iter().flatten().any(|b| *b == bdf) {
            return Ok(());
        }
        let i = free_slot(&mut inner.pending, GFP_KERNEL)?;
        inner.pending[i] = Some(bdf);
        Ok(())
    }

    /// Forgets a device remembered by [`Self::add_pending`].
    pub(crate) fn remove_pending(&self, bdf: Bdf) {
        let _ = self.inner.lock().forget_pending(bdf);
    }

    /// PCI bus events: attach pending devices when bound, detach attached
    /// devices when unbound.  The driver core holds the device lock.
    pub(crate) fn bus_event(&self, dev: &Device, action: u32) {
        match action {
            bindings::bus_notifier_event_BUS_NOTIFY_BOUND_DRIVER => {
                let Ok(bdf) = Bdf::parse(dev.name().as_bytes()) else {
                    return;
                };
                let pending = self.inner.lock().pending.contains(&Some(bdf));
                if pending {
                    // SAFETY: bind notifications run under the device lock.
                    let guard = unsafe { dev.assume_locked() };
                    // Errors were logged; the device stays on iommu-dma and
                    // pending, for the next bind.
                    let _ = self.attach_locked(bdf, &guard);
                }
            }
            bindings::bus_notifier_event_BUS_NOTIFY_UNBOUND_DRIVER => {
                if self.inner.lock().find(dev).is_some() {
                    // SAFETY: unbind notifications run under the device lock.
                    let guard = unsafe { dev.assume_locked() };
                    pr_info!("{}: driver unbound, detaching\n", dev.name());
                    let _ = self.detach_locked(&guard, false);
                }
            }
            _ => {}
        }
    }

    /// The pools, for the aging work, the shrinker and debugfs.
    pub(crate) fn pools(&self) -> &Pools {
        &self.pools
    }

    /// Writes the attached devices, one line each, for sysfs.
    pub(crate) fn show(&self, w: &mut FmtBuf<'_>) {
        let inner = self.inner.lock();
        for a in inner.attached.as_slice().iter().flatten() {
            if writeln!(
                w,
                "{} slots={} maps={} pool={}",
                a.bdf,
                a.ops.slots().max(0),
                a.ops.maps(),
                if a.ops.pool().is_some() { "yes" } else { "no" }
            )
            .is_err()
            {
                break;
            }
        }
        for b in inner.pending.as_slice().iter().flatten() {
            if writeln!(w, "{} pending", b).is_err() {
                break;
            }
        }
    }
}

impl Inner {
    fn find(&self, dev: &Device) -> Option<usize> {
        self.attached.as_slice().iter().position(|a| {
            a.as_ref()
                .is_some_and(|a| a.dev.device().as_raw() == dev.as_raw())
        })
    }

    /// Forgets a pending attach; true if there was one.
    fn forget_pending(&mut self, bdf: Bdf) -> bool {
        let mut found = false;
        for p in self.pending.as_mut_slice() {
            if *p == Some(bdf) {
                *p = None;
                found = true;
            }
        }
        found
    }
}

/// Looks a PCI device up and runs `f` with its lock held.
fn with_locked_pci_dev(bdf: Bdf, what: &str, f: impl FnOnce(&DeviceGuard<'_>) -> Result) -> Result {
    let Some(pdev) = PciDevRef::get(bdf.segment, bdf.bus, bdf.devfn()) else {
        pr_err!("{} {}: no such PCI device\n", what, bdf);
        return Err(ENODEV);
    };
    let guard = pdev.device().lock()?;
    f(&guard)
}

/// The refusals of Documentation/rudma/attach.rst, each with its errno.
fn check_attachable(bdf: Bdf, guard: &DeviceGuard<'_>) -> Result {
    let dev = guard.device();
    if Group::of(dev).is_none() {
        pr_err!("attach {}: not behind an IOMMU\n", bdf);
        return Err(ENXIO);
    }
    // Checked before the domain is read: a bound DMA API driver holds the
    // group's ownership count, so the IOMMU core cannot replace (and free)
    // the domain while the device lock keeps the driver bound.
    if guard.driver_name().is_none() {
        pr_err!(
            "attach {}: no driver bound (bind one; its DMA mask must be set)\n",
            bdf
        );
        return Err(EAGAIN);
    }
    if guard.driver_manages_dma() {
        pr_err!("attach {}: driver manages the IOMMU itself\n", bdf);
        return Err(eopnotsupp());
    }
    let t = Domain::of(dev).map(|d| d.domain_type());
    if !t.is_some_and(|t| t.is_dma_api()) {
        pr_err!(
            "attach {}: domain is {}, not translated by iommu-dma\n",
            bdf,
            t.map_or("none", |t| t.sysfs_name())
        );
        return Err(eopnotsupp());
    }
    if !dev.dma_iommu() {
        pr_err!("attach {}: DMA not routed through iommu-dma\n", bdf);
        return Err(eopnotsupp());
    }
    if !dev.dma_ops().is_null() {
        pr_err!("attach {}: device already has other DMA ops\n", bdf);
        return Err(EBUSY);
    }
    Ok(())
}

/// Parses a sysfs write: exactly one device name (a trailing newline is
/// fine).
pub(crate) fn parse_one(buf: &[u8]) -> Result<Bdf> {
    let mut it = bdf::list_entries(buf);
    let (Some(name), None) = (it.next(), it.next()) else {
        pr_err!("expected one PCI device name (DDDD:BB:DD.F)\n");
        return Err(EINVAL);
    };
    Bdf::parse(name).map_err(|_| {
        pr_err!(
            "'{}': not a PCI device name (DDDD:BB:DD.F)\n",
            kernel::str::BStr::from_bytes(name)
        );
        EINVAL
    })
}
