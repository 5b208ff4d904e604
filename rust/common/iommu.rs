// SPDX-License-Identifier: GPL-2.0

//! IOMMU groups, domains and IOVA space of a device.

use super::bindings;
use super::device::Device;
use super::domain_type::DomainType;

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

/// The IOMMU domain a device is attached to, borrowed with the device.
///
/// The domain stays valid while the device stays in it: the caller keeps
/// the device's driver bound (which pins the group's domain) for `'a`.
pub struct Domain<'a> {
    ptr: *mut bindings::iommu_domain,
    _dev: core::marker::PhantomData<&'a Device>,
}

impl<'a> Domain<'a> {
    /// The device's current domain, if any.
    pub fn of(dev: &'a Device) -> Option<Self> {
        // SAFETY: `dev` is a valid device.
        let ptr = unsafe { bindings::iommu_get_domain_for_dev(dev.as_raw()) };
        if ptr.is_null() {
            None
        } else {
            Some(Self {
                ptr,
                _dev: core::marker::PhantomData,
            })
        }
    }

    /// The domain's raw type flags.
    pub fn type_raw(&self) -> u32 {
        // SAFETY: the domain is valid for `'a` (see the type's docs).
        unsafe { (*self.ptr).type_ }
    }

    /// The domain's decoded type.
    pub fn domain_type(&self) -> DomainType {
        DomainType::from_raw(self.type_raw())
    }

    /// The smallest page size the domain maps: the IOVA granule.
    pub fn granule(&self) -> usize {
        // SAFETY: the domain is valid for `'a`.
        let bitmap = unsafe { (*self.ptr).pgsize_bitmap };
        if bitmap == 0 {
            0
        } else {
            1usize << bitmap.trailing_zeros()
        }
    }

    /// The raw pointer, for calls into C.
    pub fn as_raw(&self) -> *mut bindings::iommu_domain {
        self.ptr
    }
}

/// The raw `type` of the domain `dev` is attached to now, or `None` if the
/// device has no domain.
pub fn domain_type_raw(dev: &Device) -> Option<u32> {
    Domain::of(dev).map(|d| d.type_raw())
}
