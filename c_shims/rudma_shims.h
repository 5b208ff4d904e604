/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C shims for rudma's Rust modules: static inlines, macros and bitfields
 * that Rust cannot reach through bindgen.  One file per concern under
 * c_shims/; this header declares them all and is what bindgen reads.
 */
#ifndef _RUDMA_SHIMS_H
#define _RUDMA_SHIMS_H

#include <linux/types.h>

struct device;
struct pci_dev;

/* dev_names.c */
const char *rudma_dev_name(const struct device *dev);
struct device *rudma_pci_to_dev(struct pci_dev *pdev);

/* core_param.c: implemented in Rust (rust/rudma_core/), called from C. */
int rudma_core_report_devices(const char *list, size_t len);
ssize_t rudma_core_describe_devices(const char *list, size_t len,
				    char *out, size_t size);

#endif /* _RUDMA_SHIMS_H */
