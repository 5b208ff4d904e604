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
