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
