// SPDX-License-Identifier: GPL-2.0

//! rudma_core: reports the IOMMU domain of the PCI devices it is told about.
//!
//! The first brick of rudma: proves the build (bindings, C shims and Rust
//! linked into one module) and gives tests and administrators a way to see
//! what iommu-dma thinks of a device:
//!
//! ```text
//! insmod rudma_core.ko devices=0000:00:03.0
//! echo 0000:00:04.0 > /sys/module/rudma_core/parameters/devices
//! cat /sys/module/rudma_core/parameters/devices
//! ```

use core::fmt::Write;
use kernel::prelude::*;

// Pure logic, `pub` for the host unit tests (tools/testing/host).
#[allow(unreachable_pub)]
#[path = "../common/bdf.rs"]
mod bdf;
#[allow(unreachable_pub)]
#[path = "../common/domain_type.rs"]
mod domain_type;
// Shared by every rudma module; each uses a subset of it.
#[path = "../common/bindings.rs"]
mod bindings;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/c_buf.rs"]
mod c_buf;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/device.rs"]
mod device;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/fmt_buf.rs"]
mod fmt_buf;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/iommu.rs"]
mod iommu;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/pci.rs"]
mod pci;

use bdf::{Bdf, BdfError};
use domain_type::DomainType;
use fmt_buf::FmtBuf;
use pci::PciDevRef;

// The host-tested flag values must be the kernel's.
const _: () = {
    assert!(domain_type::PAGING == bindings::__IOMMU_DOMAIN_PAGING);
    assert!(domain_type::DMA_API == bindings::__IOMMU_DOMAIN_DMA_API);
    assert!(domain_type::PT == bindings::__IOMMU_DOMAIN_PT);
    assert!(domain_type::DMA_FQ == bindings::__IOMMU_DOMAIN_DMA_FQ);
    assert!(domain_type::SVA == bindings::__IOMMU_DOMAIN_SVA);
    assert!(domain_type::PLATFORM == bindings::__IOMMU_DOMAIN_PLATFORM);
    assert!(domain_type::NESTED == bindings::__IOMMU_DOMAIN_NESTED);
};

module! {
    type: RudmaCore,
    name: "rudma_core",
    author: "rudma developers",
    description: "rudma: report the IOMMU domain of PCI devices",
    license: "GPL",
}

struct RudmaCore;

impl kernel::Module for RudmaCore {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("loaded\n");
        Ok(RudmaCore)
    }
}

impl Drop for RudmaCore {
    fn drop(&mut self) {
        pr_info!("unloaded\n");
    }
}

/// What the named device looks like to the IOMMU layer now.
struct Report {
    bdf: Bdf,
    group: Option<i32>,
    domain: Option<DomainType>,
    bound: bool,
    route: &'static str,
}

fn report(bdf: Bdf) -> Result<Report> {
    let pdev = PciDevRef::get(bdf.segment, bdf.bus, bdf.devfn()).ok_or(ENODEV)?;
    let dev = pdev.device();
    // A bound DMA API driver holds the group's ownership count, so the IOMMU
    // core cannot replace (and free) the domain while we look at it; the
    // device lock keeps the driver bound meanwhile.  Without a driver the
    // domain is not read.
    let guard = dev.lock()?;
    let bound = guard.driver_name().is_some();
    Ok(Report {
        bdf,
        group: iommu::Group::of(dev).map(|g| g.id()),
        domain: bound
            .then(|| iommu::domain_type_raw(dev).map(DomainType::from_raw))
            .flatten(),
        bound,
        route: dma_route(dev),
    })
}

/// Where the DMA API sends this device's streaming mappings, in the order
/// kernel/dma/mapping.c decides it (with the rudma series, installed ops
/// come before iommu-dma).
fn dma_route(dev: &device::Device) -> &'static str {
    if !dev.dma_ops().is_null() {
        "ops"
    } else if dev.dma_iommu() {
        "iommu-dma"
    } else {
        "direct"
    }
}

impl core::fmt::Display for Report {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match (self.group, self.domain) {
            (Some(g), Some(d)) => write!(
                f,
                "{} group={} domain={}{}",
                self.bdf,
                g,
                d.sysfs_name(),
                if d.is_dma_api() { " translated" } else { "" }
            )?,
            (Some(g), None) if !self.bound => {
                write!(f, "{} group={} domain=unread(no driver)", self.bdf, g)?
            }
            (Some(g), None) => write!(f, "{} group={} domain=none", self.bdf, g)?,
            _ => write!(f, "{} group=none domain=none", self.bdf)?,
        }
        write!(f, " dma={}", self.route)
    }
}

/// Validates and reports every device of a list; fails on the first bad
/// entry, before anything is logged, so a rejected write has no effect.
fn report_list(list: &[u8]) -> Result {
    let mut count = 0;
    for entry in bdf::list_entries(list) {
        let bdf = Bdf::parse(entry).map_err(|e| {
            let why = match e {
                BdfError::Syntax => "not DDDD:BB:DD.F",
                BdfError::Range => "device > 31 or function > 7",
            };
            pr_err!(
                "devices: '{}': {}\n",
                kernel::str::BStr::from_bytes(entry),
                why
            );
            EINVAL
        })?;
        report(bdf).inspect_err(|_| pr_err!("devices: {}: no such PCI device\n", bdf))?;
        count += 1;
    }
    if count == 0 && !list.iter().all(|c| c.is_ascii_whitespace()) {
        pr_err!("devices: no device named\n");
        return Err(EINVAL);
    }
    for entry in bdf::list_entries(list) {
        if let Some(r) = Bdf::parse(entry).ok().and_then(|b| report(b).ok()) {
            pr_info!("{}\n", r);
        }
    }
    Ok(())
}

/// Set operation of the `devices` parameter (see c_shims/core_param.c).
///
/// # Safety
///
/// `list` must be valid for reads of `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rudma_core_report_devices(
    list: *const kernel::ffi::c_char,
    len: usize,
) -> kernel::ffi::c_int {
    // SAFETY: the caller guarantees `list` is valid for `len` bytes.
    let list = unsafe { c_buf::bytes(list, len) };
    c_buf::errno(report_list(list))
}

/// Get operation of the `devices` parameter: one line per stored device.
///
/// # Safety
///
/// `list` must be valid for reads of `len` bytes and `out` for writes of
/// `size` bytes.
#[no_mangle]
pub unsafe extern "C" fn rudma_core_describe_devices(
    list: *const kernel::ffi::c_char,
    len: usize,
    out: *mut kernel::ffi::c_char,
    size: usize,
) -> isize {
    // SAFETY: the caller guarantees `list` is valid for `len` bytes.
    let list = unsafe { c_buf::bytes(list, len) };
    // SAFETY: the caller guarantees `out` is valid for `size` bytes and we
    // hold the only reference to it for this call.
    let Some(out) = (unsafe { c_buf::bytes_mut(out, size) }) else {
        return EINVAL.to_errno() as isize;
    };
    let mut w = FmtBuf::new(out);
    for entry in bdf::list_entries(list) {
        let line = match Bdf::parse(entry) {
            Ok(b) => match report(b) {
                Ok(r) => writeln!(w, "{}", r),
                Err(_) => writeln!(w, "{} gone", b),
            },
            Err(_) => Ok(()),
        };
        if line.is_err() {
            break;
        }
    }
    // `len()` is at most `size`, which came from a C `size_t` sized buffer.
    w.len() as isize
}
