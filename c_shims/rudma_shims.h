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
bool rudma_dev_is_dma_coherent(struct device *dev);
u64 rudma_dma_get_mask(struct device *dev);

/* ops_section.c (rudma.ko) */
int rudma_ops_enter(struct device *dev);
void rudma_ops_exit(int idx);
void rudma_wait_dma_callers(void);
void rudma_wait_ops_sections(void);
unsigned long rudma_ops_gp_start(void);
bool rudma_ops_gp_done(unsigned long cookie);
int rudma_test_set_ops_hook(void (*hook)(struct device *dev));

/* device_lock.c */
int rudma_device_lock_interruptible(struct device *dev);
void rudma_device_unlock(struct device *dev);
void rudma_device_lock_assert(struct device *dev);
const char *rudma_dev_driver_name(struct device *dev);
bool rudma_dev_driver_manages_dma(struct device *dev);
struct device *rudma_get_device(struct device *dev);
void rudma_put_device(struct device *dev);
void rudma_msleep(unsigned int ms);

bool rudma_dev_is_untrusted(struct device *dev);
unsigned int rudma_dma_max_seg_size(struct device *dev);
unsigned long rudma_dma_seg_boundary(struct device *dev);
u64 rudma_dma_limit(struct device *dev);

/* dma_pages.c */
struct page *rudma_alloc_pages(struct device *dev, size_t size, gfp_t gfp);
void rudma_free_pages(struct page *page, size_t size);
phys_addr_t rudma_page_to_phys(struct page *page);
bool rudma_page_is_p2pdma(struct page *page);
long rudma_pages_held(void);

/* locks.c: the kinds of rudma_irq_lock_alloc(), one lockdep class each */
#define RUDMA_LOCK_CPU_CACHE	0
#define RUDMA_LOCK_DEPOT	1
#define RUDMA_LOCK_FREE_LIST	2
#define RUDMA_LOCK_ROUTER	3
void *rudma_irq_lock_alloc(unsigned int kind);
void rudma_irq_lock_free(void *lock);
unsigned long rudma_irq_lock(void *lock);
void rudma_irq_unlock(void *lock, unsigned long flags);
void *rudma_mutex_alloc(void);
void rudma_mutex_free(void *m);
void rudma_mutex_lock(void *m);
bool rudma_mutex_trylock(void *m);
void rudma_mutex_unlock(void *m);

/* cpus.c */
unsigned int rudma_nr_cpu_ids(void);
unsigned int rudma_this_cpu(void);

/* bounce_copy.c */
void rudma_copy_from_phys(void *dst, phys_addr_t src, size_t len);
void rudma_copy_to_phys(phys_addr_t dst, const void *src, size_t len);
void *rudma_page_address(struct page *page);

/* scatterlist.c */
struct scatterlist;
struct scatterlist *rudma_sg_next(struct scatterlist *sg);
phys_addr_t rudma_sg_phys(struct scatterlist *sg);
unsigned int rudma_sg_length(struct scatterlist *sg);
bool rudma_sg_is_p2pdma(struct scatterlist *sg);
dma_addr_t rudma_sg_dma_address(struct scatterlist *sg);
void rudma_sg_set_dma(struct scatterlist *sg, dma_addr_t addr,
		      unsigned int len);

/* iommu_unmap_batch.c */
struct iommu_domain;
size_t rudma_iommu_unmap_batch(struct iommu_domain *domain, const u64 *iovas,
			       size_t n, size_t size, u64 *failed);

/* bad_dma.c */
void rudma_report_bad_dma(struct device *dev, const char *what,
			  dma_addr_t addr, size_t size);

/* persistent_untrusted.c */
void rudma_warn_persistent_untrusted(struct device *dev);

/* pool_params.c */
struct rudma_pool_params {
	bool enable;
	unsigned int max_size;
	unsigned int slots;
	unsigned int cache_ms;
};

void rudma_pool_params(struct rudma_pool_params *p);

/* pool_route.c */
#define RUDMA_ROUTE_AUTO	0
#define RUDMA_ROUTE_POOL	1
#define RUDMA_ROUTE_IOMMU	2

struct dentry;
unsigned int rudma_pool_route(void);
u64 rudma_local_clock(void);
void rudma_route_test_delay(unsigned int path);
void rudma_route_debugfs_create(struct dentry *dir);

/* pool_maint.c */
void rudma_pool_age_schedule(unsigned int ms);
int rudma_pool_maint_start(void);
void rudma_pool_maint_stop(void);
u32 rudma_now_ms(void);

/* pool_debugfs.c */
void rudma_debugfs_register(void);
void rudma_debugfs_unregister(void);

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
/* rudma_iova: iova_api_exports.c */
struct dma_iova_state;
bool rudma_iova_try_alloc(struct device *dev, struct dma_iova_state *state,
			  phys_addr_t phys, size_t size);
void rudma_iova_free(struct device *dev, struct dma_iova_state *state);
void rudma_iova_destroy(struct device *dev, struct dma_iova_state *state,
			size_t mapped_len, enum dma_data_direction dir,
			unsigned long attrs);
int rudma_iova_link(struct device *dev, struct dma_iova_state *state,
		    phys_addr_t phys, size_t offset, size_t size,
		    enum dma_data_direction dir, unsigned long attrs);
int rudma_iova_sync(struct device *dev, struct dma_iova_state *state,
		    size_t offset, size_t size);
void rudma_iova_unlink(struct device *dev, struct dma_iova_state *state,
		       size_t offset, size_t size, enum dma_data_direction dir,
		       unsigned long attrs);
/* rudma_iova_test: iova_test_param.c */
int rudma_iova_test_run(const char *name, size_t len);
/* rudma: attach_sysfs.c */
int rudma_sysfs_attach(const char *buf, size_t len);
int rudma_sysfs_detach(const char *buf, size_t len);
ssize_t rudma_sysfs_attached(char *buf, size_t size);
void rudma_bus_event(struct device *dev, unsigned long action);
/* rudma: pool_maint.c, pool_debugfs.c */
unsigned int rudma_pool_age(void);
unsigned long rudma_pool_shrink_count(void);
long rudma_pool_shrink_scan(unsigned long nr);
ssize_t rudma_pool_debugfs_show(char *buf, size_t size);

#endif /* _RUDMA_SHIMS_H */
