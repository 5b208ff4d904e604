// SPDX-License-Identifier: GPL-2.0

//! rudma_iova: the IOVA-first ("two-stage") DMA API of Linux 6.16+ on 6.12.
//!
//! Exports `dma_iova_try_alloc`, `dma_iova_link`, `dma_iova_sync`,
//! `dma_iova_unlink`, `dma_iova_destroy`, `dma_iova_free` and
//! `dma_need_unmap` (GPL) with the upstream signatures and semantics
//! (c_shims/iova_api_exports.c; consumers include
//! include/rudma/dma-iova.h).  See Documentation/two-stage.rst.
//!
//! Each reservation is an owned [`mapping::IovaMapping`].  The C API
//! hands callers only `struct dma_iova_state` (address and size, as
//! upstream), so the module keeps the mappings in a table keyed by
//! device and address: a call on a state it did not fill in, or one
//! already freed, is found to be misuse (WARN once, error) instead of
//! touching memory it does not own.

use kernel::prelude::*;

mod mapping;
mod table;

#[allow(unreachable_pub, dead_code)]
#[path = "../common/bindings.rs"]
mod bindings;
#[allow(unreachable_pub, dead_code)]
#[path = "../pool/cache_key.rs"]
mod cache_key;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/device.rs"]
mod device;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/domain_type.rs"]
mod domain_type;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/iommu.rs"]
mod iommu;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/iova.rs"]
mod iova;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/irq_lock.rs"]
mod irq_lock;
#[allow(unreachable_pub, dead_code)]
#[path = "../iova/link_layout.rs"]
mod link_layout;
#[allow(unreachable_pub, dead_code)]
#[path = "../common/option_slots.rs"]
mod option_slots;

module! {
    type: RudmaIova,
    name: "rudma_iova",
    author: "rudma developers",
    description: "rudma: the IOVA-first DMA API (dma_iova_*) on Linux 6.12",
    license: "GPL",
}

struct RudmaIova;

impl kernel::Module for RudmaIova {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        table::init()?;
        pr_info!("loaded\n");
        Ok(RudmaIova)
    }
}

impl Drop for RudmaIova {
    fn drop(&mut self) {
        // Consumers hold module references while they use the symbols;
        // a reservation left behind by an unloaded consumer is torn down.
        let left = table::exit();
        if left > 0 {
            pr_warn!("{} reservations were never freed; torn down\n", left);
        }
        pr_info!("unloaded\n");
    }
}
