// SPDX-License-Identifier: GPL-2.0
/*
 * MODULE_VERSION of each rudma module: the 6.12 module! macro of the Rust
 * crate has no version key, so the .modinfo entry comes from C.
 * RUDMA_VERSION is `git describe --tags --dirty --always` of the tree the
 * module was built from (Makefile), or its VERSION file.
 */
#include <linux/module.h>

#ifndef RUDMA_VERSION
#define RUDMA_VERSION "unknown"
#endif

MODULE_VERSION(RUDMA_VERSION);
