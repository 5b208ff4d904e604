// SPDX-License-Identifier: GPL-2.0

//! rudma_iova_test: exercises the patch series' IOVA-first primitives on a
//! real device, through rudma's Rust wrappers.
//!
//! `insmod rudma_iova_test.ko device=DDDD:BB:DD.F` reserves IOVA ranges in
//! the device's iommu-dma domain (`iommu_dma_alloc_iova_range`), maps pages
//! into one of them without syncing (`iommu_map_nosync`), syncs the batch
//! once (`iommu_sync_map`), checks the translations, unmaps and frees.  It
//! logs one "ok"/"not ok" line per check and fails the write (or insmod)
//! with the first error.

use kernel::prelude::*;

#[path = "../../../rust/common/bindings.rs"]
mod bindings;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../rust/common/bdf.rs"]
mod bdf;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../rust/common/c_buf.rs"]
mod c_buf;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../rust/common/device.rs"]
mod device;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../rust/common/dma.rs"]
mod dma;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../rust/common/domain_type.rs"]
mod domain_type;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../rust/common/iommu.rs"]
mod iommu;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../rust/common/iova.rs"]
mod iova;
#[allow(unreachable_pub, dead_code)]
#[path = "../../../rust/common/pci.rs"]
mod pci;

use device::Device;
use dma::Direction;
use iommu::Domain;
use iova::IovaRange;

module! {
    type: RudmaIovaTest,
    name: "rudma_iova_test",
    author: "rudma developers",
    description: "rudma selftest helper: IOVA ranges and batched mapping",
    license: "GPL",
}

struct RudmaIovaTest;

impl kernel::Module for RudmaIovaTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(RudmaIovaTest)
    }
}

/// Pages from `rudma_alloc_pages`, freed on drop.
struct Pages {
    page: *mut bindings::page,
    size: usize,
}

impl Pages {
    fn alloc(dev: &Device, size: usize) -> Result<Self> {
        // SAFETY: `dev` is valid; the shim allocates zeroed pages.
        let page = unsafe { bindings::rudma_alloc_pages(dev.as_raw(), size, dma::GFP_KERNEL) };
        if page.is_null() {
            return Err(ENOMEM);
        }
        Ok(Self { page, size })
    }

    fn phys(&self) -> bindings::phys_addr_t {
        // SAFETY: `page` is a live allocation.
        unsafe { bindings::rudma_page_to_phys(self.page) }
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        // SAFETY: allocated by `rudma_alloc_pages` with `size`.
        unsafe { bindings::rudma_free_pages(self.page, self.size) };
    }
}

/// IOVA ranges mapped in a domain, unmapped (with IOTLB sync) on drop, so
/// that no early return leaves pages mapped after they are freed.
struct Mapped {
    domain: *mut bindings::iommu_domain,
    iova: u64,
    len: usize,
}

impl Drop for Mapped {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: `[iova, iova + len)` was mapped by this test in the
            // live domain; unmapping unmapped parts of it is harmless.
            unsafe { bindings::iommu_unmap(self.domain, self.iova as _, self.len) };
        }
    }
}

/// Logs one check and turns a failed one into `err`.
fn check(n: &mut u32, what: &str, ok: bool, err: Error) -> Result {
    *n += 1;
    if ok {
        pr_info!("ok {} {}\n", n, what);
        Ok(())
    } else {
        pr_err!("not ok {} {}\n", n, what);
        Err(err)
    }
}

const PAGES: usize = 4;

fn run(dev: &Device) -> Result {
    let mut n = 0;
    let domain = Domain::of(dev);
    let translated = domain.as_ref().is_some_and(|d| d.domain_type().is_dma_api());
    // SAFETY: `dev` is valid.
    let mask = unsafe { bindings::rudma_dma_get_mask(dev.as_raw()) };
    let Some(domain) = domain.filter(|_| translated) else {
        // A device iommu-dma does not translate has no IOVA space to give.
        let r = IovaRange::alloc(dev, 4096, mask);
        check(&mut n, "untranslated device: no IOVA range", r.is_err(), EINVAL)?;
        return Ok(());
    };
    let g = domain.granule();
    check(&mut n, "domain granule is a power of two", g.is_power_of_two(), EINVAL)?;
    check(&mut n, "zero-sized range refused", IovaRange::alloc(dev, 0, mask).is_err(), EINVAL)?;

    let a = IovaRange::alloc(dev, 16 * g, mask)?;
    let b = IovaRange::alloc(dev, 16 * g, mask)?;
    let (a0, b0) = (a.addr(), b.addr());
    let len = (16 * g) as u64;
    check(&mut n, "ranges are granule-aligned", a0 % g as u64 == 0 && b0 % g as u64 == 0, EINVAL)?;
    check(&mut n, "ranges are below the DMA mask", a0 + len - 1 <= mask && b0 + len - 1 <= mask, EINVAL)?;
    check(&mut n, "ranges do not overlap", a0 + len <= b0 || b0 + len <= a0, EINVAL)?;

    let pages = Pages::alloc(dev, PAGES * g)?;
    let phys = pages.phys();
    let prot = Direction::Bidirectional.iommu_prot();
    let d = domain.as_raw();
    // Declared after `pages`, `a` and `b`: dropped (unmapped) before them.
    let mut mapped = Mapped {
        domain: d,
        iova: a0,
        len: 0,
    };
    for i in 0..PAGES {
        let off = (i * g) as u64;
        // SAFETY: `d` is the device's live domain; the IOVA is inside our
        // range `a`, the physical range inside `pages`.
        let ret = unsafe {
            bindings::iommu_map_nosync(d, (a0 + off) as _, phys + off, g, prot, dma::GFP_KERNEL)
        };
        check(&mut n, "iommu_map_nosync", ret == 0, Error::from_errno(ret.min(-1)))?;
        mapped.len += g;
    }
    // SAFETY: syncs the range mapped above.
    let ret = unsafe { bindings::iommu_sync_map(d, a0 as _, PAGES * g) };
    check(&mut n, "one iommu_sync_map for the batch", ret == 0, Error::from_errno(ret.min(-1)))?;
    let mut translated_ok = true;
    for i in 0..PAGES {
        let off = (i * g) as u64 + 123;
        // SAFETY: `d` is live; a lookup has no side effect.
        let p = unsafe { bindings::iommu_iova_to_phys(d, a0 + off) };
        translated_ok &= p == phys + off;
    }
    check(&mut n, "every linked page translates to its page", translated_ok, EIO)?;
    // SAFETY: unmaps exactly what was mapped above, with IOTLB sync.
    let unmapped = unsafe { bindings::iommu_unmap(d, a0 as _, PAGES * g) };
    check(&mut n, "iommu_unmap takes the batch down", unmapped == PAGES * g, EIO)?;
    mapped.len = 0;
    // SAFETY: as above.
    let p = unsafe { bindings::iommu_iova_to_phys(d, a0) };
    check(&mut n, "no translation left after unmap", p == 0, EIO)?;
    drop(pages);
    drop(a);
    drop(b);
    // What was freed can be had again: the allocator got it back.
    let c = IovaRange::alloc(dev, 16 * g, mask)?;
    check(&mut n, "freed space is reusable", c.size() == 16 * g, EINVAL)?;
    Ok(())
}

/// Runs the test on the named device (c_shims: iova_test_param.c).
///
/// # Safety
///
/// `name` must be valid for reads of `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rudma_iova_test_run(
    name: *const kernel::ffi::c_char,
    len: usize,
) -> kernel::ffi::c_int {
    // SAFETY: the caller guarantees validity.
    let name = unsafe { c_buf::bytes(name, len) };
    let res = bdf::list_entries(name)
        .next()
        .and_then(|e| bdf::Bdf::parse(e).ok())
        .ok_or(EINVAL)
        .and_then(|b| pci::PciDevRef::get(b.segment, b.bus, b.devfn()).ok_or(ENODEV))
        .and_then(|pdev| {
            let dev = pdev.device();
            // A bound DMA API driver pins the group's domain while the
            // device lock keeps it bound (see rudma's attach.rs).
            let guard = dev.lock()?;
            if iommu::Group::of(dev).is_some() && guard.driver_name().is_none() {
                pr_err!("{}: bind a driver first\n", dev.name());
                return Err(EAGAIN);
            }
            run(dev)
        });
    c_buf::errno(res)
}
