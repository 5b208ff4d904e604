// SPDX-License-Identifier: GPL-2.0

//! Host builds of the modules' pure-logic files, and their tests.

#[path = "../../../../rust/common/bdf.rs"]
pub mod bdf;
#[path = "../../../../rust/common/domain_type.rs"]
pub mod domain_type;

#[cfg(test)]
mod bdf_tests;
#[cfg(test)]
mod domain_type_tests;

#[path = "../../../../rust/common/fmt_buf.rs"]
pub mod fmt_buf;
#[cfg(test)]
mod fmt_buf_tests;

#[path = "../../../../rust/pool/cache_key.rs"]
pub mod cache_key;
#[cfg(test)]
mod cache_key_tests;
#[path = "../../../../rust/pool/magazine.rs"]
pub mod magazine;
#[cfg(test)]
mod magazine_tests;
#[cfg(test)]
mod prng;
#[path = "../../../../rust/pool/size_class.rs"]
pub mod size_class;
#[cfg(test)]
mod size_class_tests;
#[path = "../../../../rust/pool/slot_region.rs"]
pub mod slot_region;
#[cfg(test)]
mod slot_region_tests;

#[path = "../../../../rust/pool/route.rs"]
pub mod route;
#[cfg(test)]
mod route_tests;

#[path = "../../../../rust/pool/aging.rs"]
pub mod aging;
#[cfg(test)]
mod aging_tests;
#[path = "../../../../rust/pool/handle_stack.rs"]
pub mod handle_stack;
#[cfg(test)]
mod handle_stack_tests;
#[path = "../../../../rust/iova/link_layout.rs"]
pub mod link_layout;
#[cfg(test)]
mod link_layout_tests;
#[path = "../../../../rust/pool/sg_split.rs"]
pub mod sg_split;
#[cfg(test)]
mod sg_split_tests;
#[path = "../../../../rust/pool/sync_range.rs"]
pub mod sync_range;
#[cfg(test)]
mod sync_range_tests;
