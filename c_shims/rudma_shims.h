/* SPDX-License-Identifier: GPL-2.0 */
/*
 * C shims for rudma's Rust modules: static inlines, macros and bitfields
 * that Rust cannot reach through bindgen.  One file per concern under
 * c_shims/; this header declares them all and is what bindgen reads.
 */
#ifndef _RUDMA_SHIMS_H
#define _RUDMA_SHIMS_H

#include <linux/dma-map-ops.h>
#include <linux/types.h>

struct device;
struct page;
struct pci_dev;

/* dev_names.c */
const char *rudma_dev_name(const struct device *dev);
struct device *rudma_pci_to_dev(struct pci_dev *pdev);

/* dev_dma_state.c */
void rudma_dev_set_dma_ops(struct device *dev, const struct dma_map_ops *ops);
const struct dma_map_ops *rudma_dev_dma_ops(struct device *dev);
bool rudma_dev_dma_iommu(struct device *dev);
bool rudma_dev_dma_skip_sync(struct device *dev);
void rudma_dev_set_dma_skip_sync(struct device *dev, bool skip);
void rudma_dev_reset_dma_skip_sync(struct device *dev);
void rudma_wait_dma_callers(void);
bool rudma_dev_is_dma_coherent(struct device *dev);
u64 rudma_dma_get_mask(struct device *dev);

/* device_lock.c */
int rudma_device_lock_interruptible(struct device *dev);
void rudma_device_unlock(struct device *dev);
void rudma_device_lock_assert(struct device *dev);
const char *rudma_dev_driver_name(struct device *dev);
bool rudma_dev_driver_manages_dma(struct device *dev);
struct device *rudma_get_device(struct device *dev);
void rudma_put_device(struct device *dev);
void rudma_msleep(unsigned int ms);

/* dma_pages.c */
struct page *rudma_alloc_pages(struct device *dev, size_t size, gfp_t gfp);
void rudma_free_pages(struct page *page, size_t size);
phys_addr_t rudma_page_to_phys(struct page *page);

/* attach_sysfs.c */
const char *rudma_attach_param(void);
int rudma_sysfs_register(void);
void rudma_sysfs_unregister(void);
bool rudma_module_get(void);
void rudma_module_put(void);

/*
 * Implemented in Rust, called from the C shims.
 */
/* rudma_core: core_param.c */
int rudma_core_report_devices(const char *list, size_t len);
ssize_t rudma_core_describe_devices(const char *list, size_t len,
				    char *out, size_t size);
/* rudma_iova_test: iova_test_param.c */
int rudma_iova_test_run(const char *name, size_t len);
/* rudma: attach_sysfs.c */
int rudma_sysfs_attach(const char *buf, size_t len);
int rudma_sysfs_detach(const char *buf, size_t len);
ssize_t rudma_sysfs_attached(char *buf, size_t size);
void rudma_bus_event(struct device *dev, unsigned long action);

#endif /* _RUDMA_SHIMS_H */
