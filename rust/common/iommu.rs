// SPDX-License-Identifier: GPL-2.0

//! IOMMU groups and domains of a device.

use super::bindings;
use super::device::Device;

/// The IOMMU group a device belongs to, held by reference.
///
/// # Invariants
///
/// `ptr` is a valid group on which this object holds one reference.
pub struct Group {
    ptr: *mut bindings::iommu_group,
}

impl Group {
    /// The device's group, or `None` if no IOMMU translates it.
    pub fn of(dev: &Device) -> Option<Self> {
        // SAFETY: `dev` is a valid device; `iommu_group_get` returns NULL
        // or a group with a reference taken for us.
        let ptr = unsafe { bindings::iommu_group_get(dev.as_raw()) };
        if ptr.is_null() {
            None
        } else {
            // INVARIANT: non-NULL, referenced for us.
            Some(Self { ptr })
        }
    }

    /// The group's number, as in /sys/kernel/iommu_groups/N.
    pub fn id(&self) -> i32 {
        // SAFETY: by the type invariant the group is valid.
        unsafe { bindings::iommu_group_id(self.ptr) }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        // SAFETY: by the type invariant we own one reference.
        unsafe { bindings::iommu_group_put(self.ptr) };
    }
}

/// The raw `type` of the domain `dev` is attached to now, or `None` if the
/// device has no domain.
///
/// The value is a snapshot: the group's type can be changed through sysfs
/// (only while no driver is bound), so callers that act on it must hold
/// the device lock.
pub fn domain_type_raw(dev: &Device) -> Option<u32> {
    // SAFETY: `dev` is a valid device.
    let dom = unsafe { bindings::iommu_get_domain_for_dev(dev.as_raw()) };
    if dom.is_null() {
        return None;
    }
    // SAFETY: a non-NULL domain returned for a live device is valid while
    // the device stays in its group; `type_` is a plain integer read.
    Some(unsafe { (*dom).type_ })
}
