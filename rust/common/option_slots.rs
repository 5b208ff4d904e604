// SPDX-License-Identifier: GPL-2.0

//! Tables of `Option<T>` slots that reuse freed entries (the 6.12 `KVec`
//! has no `remove`): attached devices, pools, two-stage reservations.

use kernel::alloc::Flags;
use kernel::prelude::*;

/// Index of a free slot in `slots`, growing it with `flags` if needed, so
/// that filling the slot later cannot fail.
pub fn free_slot<T>(slots: &mut KVec<Option<T>>, flags: Flags) -> Result<usize> {
    if let Some(i) = slots.iter().position(|s| s.is_none()) {
        return Ok(i);
    }
    slots.push(None, flags)?;
    Ok(slots.len() - 1)
}
